"""The payments service: a simulated provider, authorise then capture, idempotent per key."""

from store.payments.provider import PaymentProvider, ProviderError
from store.payments.service import Payment, PaymentsService

__all__ = ["Payment", "PaymentProvider", "PaymentsService", "ProviderError"]
