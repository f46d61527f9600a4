"""Page views: a document and the API calls its page makes, timed as one transaction.

A browser loads a page's document, then its script fetches the page's data
from the API, as many calls at a time as it keeps connections to the host (six
over HTTP/1.1 in Chrome and Firefox), in waves where a call needs an earlier
one's answer (a product page needs the product for its SKU and category). A
:class:`PageLoad` is measured from the task's intended start (the end of the
shopper's think time, so a slow store's queueing counts) to the last call's
answer: the wait a shopper sees. It is recorded by page type beside the
requests (``ProcessMeasurements.record_page``), each of which stays measured
on its own as well.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

import gevent
from gevent.pool import Pool

from stampede.traffic import TrafficContext


class ReferenceUser(Protocol):
    """What a page needs of its user (``scenarios._base.ReferenceUser``)."""

    ctx: TrafficContext

    def take_intended(self) -> float | None: ...

    def call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
        intended: float | None = None,
    ) -> Any: ...


#: connections a browser keeps to one host over HTTP/1.1, so calls in flight at once
BROWSER_CONNECTIONS_PER_HOST = 6
DOCUMENT_HEADERS = {"Accept": "text/html"}


@dataclass(frozen=True)
class ApiCall:
    """One API call of a page: ``name`` is its request name in the report."""

    path: str
    name: str
    headers: Mapping[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)


class PageLoad:
    """A page view: the document on entering, :meth:`fetch` its API calls, recorded on exit.

    ``seconds`` is the page's time so far from its intended start; ``ok`` whether
    the document and every call answered as expected.
    """

    def __init__(self, user: ReferenceUser, page: str, path: str, name: str) -> None:
        self.user, self.page = user, page
        intended = user.take_intended()
        self.started = time.time()
        self.intended = self.started if intended is None else intended
        self.done = self.started
        self.ok = True
        self._document = (path, name)

    def __enter__(self) -> PageLoad:
        path, name = self._document
        answer = self.user.call("GET", path, name, headers=DOCUMENT_HEADERS, intended=self.intended)
        self._finish(answer.status_code == 200)
        return self

    def fetch(self, *calls: ApiCall) -> list[Any]:
        """The calls' responses, sent at most six at a time; None for each when an earlier
        part of the page failed (a browser shows the error instead)."""
        if not self.ok:
            return [None for _ in calls]
        pool = Pool(BROWSER_CONNECTIONS_PER_HOST)
        jobs = [
            pool.spawn(self.user.call, "GET", c.path, c.name, headers=dict(c.headers), ok=c.ok)
            for c in calls
        ]
        try:
            gevent.joinall(jobs, raise_error=True)
        finally:
            pool.kill()
        answers = [job.value for job in jobs]
        self._finish(all(a.status_code in c.ok for a, c in zip(answers, calls, strict=True)))
        return answers

    @property
    def seconds(self) -> float:
        return self.done - self.intended

    def _finish(self, ok: bool) -> None:
        self.done = time.time()
        self.ok = self.ok and ok

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:  # a user stopped mid-page waited for no whole page
            self.user.ctx.measurements.record_page(
                self.page, self.intended, self.started, self.done
            )
