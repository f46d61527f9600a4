"""The locustfile ``stampede run --locustfile FILE`` loads before FILE: hooks and shape, no users.

Locust takes the user classes of every file it is given (``-f this,FILE``);
this one adds only Stampede's options and hooks and the profile's load
shape, so FILE's own classes are the users of the run.
"""

from locust import events

from stampede.scenarios._plugin import install
from stampede.scenarios._shape import ProfileShape

install(events)

__all__ = ["ProfileShape"]
