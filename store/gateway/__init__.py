"""The API gateway: routing under /api/v1, request ids, auth, rate limits, metrics."""
