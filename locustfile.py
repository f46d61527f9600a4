"""Stampede's Locust entry point.

    locust -f locustfile.py --traffic flash-sale --host http://127.0.0.1:8000
    locust -f locustfile.py --headless --traffic smoke --host http://127.0.0.1:8000
    locust -f locustfile.py --headless --processes 4 --traffic flash-sale --host …
    locust -f locustfile.py --master --traffic flash-sale …
    locust -f - --worker --master-host MASTER     (runs the master's locustfile and traffic)

The profile (``--traffic``) drives users and arrival rates through a load
shape; each run writes a run directory (``--stampede-out``, default
``runs/<time>-<profile>``) that ``stampede report`` and ``stampede gate`` read.
A locustfile of your own gets the same by importing the users it wants and
calling ``install(events)`` once.
"""

from locust import events

from stampede.scenarios import Browser, FlashBuyer, MobileApp, ProfileShape, Shopper, install

install(events)

__all__ = ["Browser", "FlashBuyer", "MobileApp", "ProfileShape", "Shopper"]
