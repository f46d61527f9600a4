"""A recording turned into a locustfile of a `StampedeUser` and its target description.

:func:`locustfile_text` writes one `StampedeUser` class whose task replays the
recorded requests in order (the profile's think time comes between journeys),
each named with its ids folded (``/goods/[id]``). A value the store handed out
in a JSON answer (a session token, say) and sent back later in a header is
read from the answer at run time instead of replaying the recorded one.
:func:`description_text` writes the matching target description: one group per
resource (the first path segment that is not ``api``, a version or an id),
one service answering them all, the health check at the first recorded GET
answered 200. Both are plain text for the user to edit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from stampede.app.har import RecordedRequest, Recording, folded_path, request_name

_WORD = re.compile(r"[^a-z0-9_-]+")
_RESERVED = ("all", "other")
#: a value shorter than this is too likely to occur by chance to be a handed-out token
MIN_TOKEN = 6


def class_name(stem: str) -> str:
    """A Python class name from a file stem: ``checkout-flow`` → ``CheckoutFlow``."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Recorded"
    return name if name[0].isalpha() else f"Recorded{name}"


def _group_name(word: str) -> str:
    name = _WORD.sub("_", word.lower()).strip("_-") or "home"
    name = name if name[0].isalpha() else f"g{name}"
    return f"{name}_" if name in _RESERVED else name


def resource_prefix(path: str) -> tuple[str, str]:
    """(group name, path prefix) of a request: ``/api/v1/goods/[id]`` → (goods, /api/v1/goods)."""
    segments = [s for s in folded_path(path).split("/") if s]
    for i, segment in enumerate(segments):
        if (
            segment.lower() != "api"
            and not re.fullmatch(r"v\d+(\.\d+)?", segment)
            and (segment != "[id]")
        ):
            return _group_name(segment), "/" + "/".join(segments[: i + 1])
    return "home", "/" + "/".join(segments)


def groups_of(recording: Recording) -> dict[str, str]:
    """Each group and its glob, in the order the recording first reached them."""
    found: dict[str, str] = {}
    for request in recording.requests:
        name, prefix = resource_prefix(request.path)
        found.setdefault(name, "/" if prefix == "/" else f"{prefix}*")
    return found


@dataclass(frozen=True)
class Token:
    """A value an answer handed out: the request that got it and its JSON key."""

    index: int
    key: str


def handed_out(recording: Recording) -> dict[str, Token]:
    """Values of top-level string fields of JSON answers, by value (the first answer wins)."""
    found: dict[str, Token] = {}
    for i, request in enumerate(recording.requests):
        try:
            answer = json.loads(request.answer or "")
        except ValueError:
            continue
        if isinstance(answer, dict):
            for key, value in answer.items():
                if isinstance(value, str) and len(value) >= MIN_TOKEN:
                    found.setdefault(value, Token(i, key))
    return found


def _header_code(value: str, tokens: Mapping[str, Token], index: int) -> str:
    for prefix in ("", "Bearer ", "Token "):
        token = tokens.get(value.removeprefix(prefix)) if value.startswith(prefix) else None
        if token is not None and token.index < index:
            return f'f"{prefix}{{found[{token.key!r}]}}"' if prefix else f"found[{token.key!r}]"
    return repr(value)


CLIENT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def _json_body(request: RecordedRequest) -> tuple[object] | None:
    """The body parsed, when it is JSON by its type and its text."""
    if request.body is None or "json" not in (request.mime_type or ""):
        return None
    try:
        return (json.loads(request.body),)
    except ValueError:
        return None


def _arguments(request: RecordedRequest, tokens: Mapping[str, Token], index: int) -> list[str]:
    args = [repr(request.path)]
    body = _json_body(request)
    if body is not None:
        args.append(f"json={body[0]!r}")
    elif request.body is not None:
        args.append(f"data={request.body!r}")
    headers = [
        (name, value) for name, value in request.headers
        if body is None or name.lower() != "content-type"  # json= sets it
    ]  # fmt: skip
    if headers:
        pairs = ", ".join(f"{name!r}: {_header_code(v, tokens, index)}" for name, v in headers)
        args.append(f"headers={{{pairs}}}")
    name = request_name(request.path)
    if name != request.path:
        args.append(f"name={name!r}")
    return args


def _task_lines(recording: Recording) -> Iterator[str]:
    tokens = handed_out(recording)
    used = {t.index for t in tokens.values()}
    page = None
    if used:
        yield "        found: dict[str, str] = {}"
    for i, request in enumerate(recording.requests):
        if request.page and request.page != page:
            page = request.page
            yield f"        # page: {page}"
        args = ", ".join(_arguments(request, tokens, i))
        if request.method in CLIENT_METHODS:
            line = f"self.client.{request.method.lower()}({args})"
        else:
            line = f"self.client.request({request.method!r}, {args})"
        keys = sorted({t.key for t in tokens.values() if t.index == i})
        if not keys:
            yield f"        {line}"
            continue
        yield f"        answer = {line}"
        for key in keys:
            yield f"        found[{key!r}] = _field(answer, {key!r})"


HEADER = '''"""Users recorded from {source} by `stampede scenario from-har`: edit freely.

{cls} replays the recording's {count} requests to {origin} in order, one journey
per task run; the profile's think time comes between journeys, so key `mix` and
`think_times` by {cls}. Static assets ({static}) and other origins ({others}) were
left out; values the store handed out (session tokens) are read from its answers.
"""

from __future__ import annotations

from typing import Any

from locust import task

from stampede import StampedeUser


def _field(answer: Any, key: str) -> str:
    """A top-level field of a JSON answer ('' when the answer is not JSON or lacks it)."""
    try:
        found = answer.json()
    except ValueError:
        return ""
    return str(found.get(key, "")) if isinstance(found, dict) else ""


class {cls}(StampedeUser):
    """The journey recorded in {source}."""

    @task
    def journey(self) -> None:
'''


def locustfile_text(recording: Recording, source: str, cls: str) -> str:
    """The locustfile: one `StampedeUser` subclass ``cls`` replaying ``recording``."""
    head = HEADER.format(
        source=source, cls=cls, count=len(recording.requests), origin=recording.origin,
        static=recording.skipped_static, others=recording.skipped_other_origins,
    )  # fmt: skip
    return head + "\n".join(_task_lines(recording)) + "\n"


def description_text(recording: Recording, source: str, name: str) -> str:
    """The target description matching the locustfile of :func:`locustfile_text`."""
    groups = groups_of(recording)
    health = next(
        (r.path for r in recording.requests if r.method == "GET" and r.status == 200), None
    )
    lines = [
        f"# The target description of {recording.origin}, from {source} by",
        "# `stampede scenario from-har`: rename the groups, split the service, add outcomes.",
        f"name: {json.dumps(name)}",
        "groups:",
        *(f"  {group}: [{json.dumps(glob)}]" for group, glob in groups.items()),
        "services:",
        f"  {_group_name(name)}: [{', '.join(groups)}]",
        "# answers that are business outcomes, not failures, e.g.",
        "# outcomes:",
        "#   - {status: 409, body_contains: sold_out, name: sold_out}",
        "# a successful request matching this is a paid order, e.g.",
        '# orders: "POST /checkout*"',
    ]
    if health is not None:
        lines.append(f"health: {json.dumps(health)}  # the first GET the recording saw answered")
    return "\n".join(lines) + "\n"
