"""The payments service: a simulated provider, authorise then capture, idempotent per key."""

from stampede.store.payments.provider import PaymentProvider, ProviderError
from stampede.store.payments.service import Payment, PaymentsService

__all__ = ["Payment", "PaymentProvider", "PaymentsService", "ProviderError"]
