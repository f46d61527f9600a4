"""Locust users that shop like a flash sale's crowd, and the hooks that measure them honestly.

Importing this package registers Stampede's Locust event hooks (options,
corrected latency, worker reports, the run directory).
"""

from scenarios import _plugin  # noqa: F401  (registers the event hooks)
from scenarios._shape import ProfileShape
from scenarios.browser import Browser
from scenarios.flash_buyer import FlashBuyer
from scenarios.mobile_app import MobileApp
from scenarios.shopper import Shopper

__all__ = ["Browser", "FlashBuyer", "MobileApp", "ProfileShape", "Shopper"]
