"""Locust users that shop like a flash sale's crowd, and the hooks that measure them honestly.

Importing this package registers nothing. ``install(locust.events)`` (which
``locustfile.py`` calls) adds Stampede's options and event hooks: options,
corrected latency, worker reports, the run directory.
"""

from stampede.scenarios._plugin import install
from stampede.scenarios._shape import ProfileShape
from stampede.scenarios._user import StampedeHttpUser, StampedeUser
from stampede.scenarios.browser import Browser
from stampede.scenarios.flash_buyer import FlashBuyer
from stampede.scenarios.mobile_app import MobileApp
from stampede.scenarios.shopper import Shopper

__all__ = [
    "Browser",
    "FlashBuyer",
    "MobileApp",
    "ProfileShape",
    "Shopper",
    "StampedeHttpUser",
    "StampedeUser",
    "install",
]
