"""Which service answers which endpoint, and what drives the others: a target description, planned.

A plan sizes the services the run's target description names
(:class:`~stampede.core.target_description.TargetDescription`): those
answering its endpoint groups are *measured* (Locust saw their requests);
its ``derived_services`` are not called by users but driven by requests they
make, so they are sized from the demand those requests imply and a queueing
model. A paid order is a successful request matching the description's
``orders`` pattern. :class:`ServiceMap` is that reading of a description;
:func:`reference_services` is the reference store's (its seven services).
The description is data passed in: nothing here reads a run directory.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.core.errors import ConfigError
from stampede.core.target_description import (
    DerivedService,
    TargetDescription,
    reference_description,
)


@dataclass(frozen=True)
class ServiceMap:
    """The services a plan sizes and how requests reach them, from one target description."""

    description: TargetDescription

    @property
    def names(self) -> tuple[str, ...]:
        """Every service: the measured ones, then the derived ones."""
        return self.description.service_names

    @property
    def measured(self) -> tuple[str, ...]:
        """Services whose endpoints Locust calls, so their latency is measured."""
        return self.description.measured_services

    @property
    def derived(self) -> tuple[DerivedService, ...]:
        """Services sized from derived demand and a queueing model."""
        return self.description.derived_services

    @property
    def source(self) -> str:
        """The description's file, for messages."""
        return self.description.source or self.description.name

    def service_of(self, kind: str, name: str) -> str:
        """The service answering a request of Locust's ``kind`` (its method) and ``name``.

        Raises
        ------
        ConfigError
            If the request's group is answered by no service of the description.
        """
        request = f"{kind} {name}" if kind else name
        found = self.description.service_of(request)
        if found is not None:
            return found
        where = f"the target {self.description.name} ({self.source})"
        if not self.description.services:
            raise ConfigError(
                f"{where} names no services, so endpoint {request!r} cannot be planned; "
                "add services: to the description, e.g. {shop: [browse, buy]}."
            )
        services = "; ".join(f"{s.name} ({', '.join(s.groups)})" for s in self.description.services)
        raise ConfigError(
            f"endpoint {request!r} is in group {self.description.group_of(request)}, which no "
            f"service of {where} answers; its services are {services}: add the group to one "
            "of them under services: (or the endpoint to a group) to plan this run."
        )

    def is_order(self, kind: str, name: str) -> bool:
        """Whether a successful request of this kind and name is a paid order."""
        pattern = self.description.orders
        return pattern is not None and pattern.matches(kind, name)

    def derived_calls(
        self, kind: str, name: str, requests: float, successes: float
    ) -> dict[str, float]:
        """Calls each derived service receives from ``requests`` (``successes`` of them ok)."""
        out: dict[str, float] = {}
        for service in self.derived:
            if service.source is not None and not service.source.matches(kind, name):
                continue
            out[service.name] = service.calls * (successes if service.successes_only else requests)
        return out

    def derived_summary(self) -> Mapping[str, str]:
        """What drives each derived service, in words."""
        return {
            s.name: (
                f"{s.calls:g} per {'successful ' if s.successes_only else ''}"
                + ("request" if s.source is None else f"{s.source} request")
            )
            for s in self.derived
        }


@functools.cache
def reference_services() -> ServiceMap:
    """The reference store's services, from its shipped description."""
    return ServiceMap(reference_description())


SERVICES: tuple[str, ...] = reference_services().names
"""The reference store's services, as its description names them."""

MEASURED_SERVICES: tuple[str, ...] = reference_services().measured
"""The reference store's services whose endpoints Locust calls."""
