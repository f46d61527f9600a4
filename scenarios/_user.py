"""`StampedeUser` and `StampedeHttpUser`: the public base classes of a Stampede user.

`StampedeUser` is a Locust ``FastHttpUser``, `StampedeHttpUser` a Locust
``HttpUser`` (a ``requests`` session: cookies, ``auth=``, ``files=``, hooks).
Write tasks exactly as in Locust — ``self.client.get``, ``post``,
``request``, ``catch_response=True``, ``name=`` — and every request is
measured twice without any special call: from its *intended* start (the
user's schedule: the end of its think time, or its open-model arrival; the
corrected latency) and from its actual send (uncorrected). The pacing comes
from the profile, never from a ``wait_time`` of the class. Answers the
target description names as business outcomes (a 410 sold out, say) are
counted as outcomes, not failures, unless the rule says ``failure: true``;
with ``catch_response=True`` the task decides success itself, as in Locust.

The first request of each task starts at the intended time; the others
start when the task sends them (their corrected and uncorrected latencies
are equal). A client of your own (a websocket) fires Locust's ``request``
event with ``context=self.request_context()`` to be measured the same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, ClassVar

from locust import FastHttpUser, HttpUser
from locust.clients import HttpSession
from locust.contrib.fasthttp import FastHttpSession
from locust.exception import StopUser

from stampede.core.errors import StampedeError
from stampede.traffic import INTENDED_KEY, TrafficContext, response_text

NO_HOOKS = (
    "{name} is a StampedeUser, but Stampede's hooks are not installed: run it with "
    "`stampede run PROFILE --locustfile FILE`, or call stampede.scenarios.install(events) "
    "in the locustfile"
)


class _Measured:
    """A session whose requests carry their intended start, and whose answers the target
    calls business outcomes are successes (mixed into Locust's two HTTP sessions)."""

    user: _Paced
    #: seconds a request may take (requests has no default: it would wait forever)
    timeout: tuple[float, float] | None = None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        context = dict(kwargs.pop("context", None) or {})
        if INTENDED_KEY not in context:
            context[INTENDED_KEY] = self.user.take_intended()
        kwargs["context"] = context
        if self.timeout is not None:
            kwargs.setdefault("timeout", self.timeout)
        send = super().request  # type: ignore[misc]
        if kwargs.pop("catch_response", False):  # the task judges the answer, as in Locust
            return send(method, url, *args, catch_response=True, **kwargs)
        with send(method, url, *args, catch_response=True, **kwargs) as response:
            rule = self.user.ctx.target.outcome_of(
                int(response.status_code or 0), lambda: response_text(response)
            )
            if rule is not None and not rule.failure:
                response.success()
            # otherwise Locust's own rule: an error or a status of 400 or more fails
        return response


class _MeasuredSession(_Measured, FastHttpSession):  # type: ignore[misc]
    """``FastHttpSession`` measured (`StampedeUser`'s client)."""


class _MeasuredHttpSession(_Measured, HttpSession):  # type: ignore[misc]
    """``HttpSession`` measured (`StampedeHttpUser`'s client)."""


class _Paced:
    """What both base classes add to a Locust user: the context, pacing, intended starts."""

    #: the profile's name for this class in ``mix`` and ``think_times`` (None: the class name)
    behaviour: ClassVar[str | None] = None
    client: Any

    def _measure(self, environment: Any, session: type[_Measured]) -> None:
        ctx: TrafficContext | None = getattr(environment, "stampede", None)
        if ctx is None:
            raise StampedeError(NO_HOOKS.format(name=type(self).__name__))
        self.ctx = ctx
        # same session, one method more: intended starts, outcomes that are not failures
        self.client.__class__ = session
        self.number = ctx.next_user_number()
        self.rng = ctx.rng(self.number)
        self.pacer = ctx.pacer(mix_name(type(self)), self.rng)
        self._intended: float | None = None

    def wait_time(self) -> float:
        pause = self.pacer.wait()
        if pause is None:
            raise StopUser()
        self._intended = self.pacer.next_intended
        return pause

    def take_intended(self) -> float | None:
        """The intended start of the task's first request (once), noted as sent; else None."""
        intended, self._intended = self._intended, None
        if intended is None:
            return None
        now = time.time()
        self.ctx.measurements.arrivals.record_sent(intended, now)
        return min(intended, now)

    def request_context(self) -> dict[str, Any]:
        """The ``context`` a client of your own passes to Locust's ``request`` event."""
        return {INTENDED_KEY: self.take_intended()}

    def outcome_of(self, response: Any) -> str | None:
        """The business outcome the target description calls this answer, if any."""
        rule = self.ctx.target.outcome_of(
            int(getattr(response, "status_code", 0) or 0), lambda: response_text(response)
        )
        return None if rule is None else rule.name

    def add_outcome(self, name: str) -> None:
        """Count a business step of your own (``order_paid``) now, for the report and funnel."""
        self.ctx.measurements.outcomes.add(name, time.time())


class StampedeUser(_Paced, FastHttpUser):
    """A Locust ``FastHttpUser`` measured from each request's intended start.

    Subclass it, write ``@task`` methods with ``self.client``, and name the
    class in the profile's ``mix`` and ``think_times``. ``behaviour`` is the
    name the profile uses for the class (default: the class name).
    ``self.rng`` is a random generator seeded from ``--seed`` for this user.
    """

    abstract = True
    network_timeout = 10.0
    connection_timeout = 5.0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self._measure(environment, _MeasuredSession)


class StampedeHttpUser(_Paced, HttpUser):
    """A Locust ``HttpUser`` (``requests``-based client) measured like `StampedeUser`.

    For tasks that need what only ``requests`` offers (``auth=`` objects,
    ``files=`` uploads, hooks, a ``requests`` adapter); `StampedeUser`'s
    client costs less generator CPU per request. Requests time out after
    ``connection_timeout`` and ``network_timeout`` seconds unless a task
    passes ``timeout=``.
    """

    abstract = True
    network_timeout = 10.0
    connection_timeout = 5.0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self._measure(environment, _MeasuredHttpSession)
        self.client.timeout = (self.connection_timeout, self.network_timeout)


def client_timeout_s(user_classes: Iterable[type]) -> float:
    """The longest a request of these users waits for its answer: the largest
    ``network_timeout`` of the classes (StampedeUser's 10 s when none has one)."""
    found = [
        float(timeout)
        for user_class in user_classes
        if isinstance(timeout := getattr(user_class, "network_timeout", None), int | float)
    ]
    return max(found, default=StampedeUser.network_timeout)


def mix_name(user_class: type) -> str:
    """The profile's name for a user class: its ``behaviour``, else its class name."""
    name = getattr(user_class, "behaviour", None)
    return name if isinstance(name, str) and name else user_class.__name__


def is_stampede_user(user_class: type) -> bool:
    """A `StampedeUser` or `StampedeHttpUser` (measured from intended starts)."""
    return isinstance(user_class, type) and issubclass(user_class, _Paced)
