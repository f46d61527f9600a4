"""A browser recording (HAR) read into the requests a scenario should replay.

A HAR file (HTTP Archive 1.2, what a browser's developer tools save) is JSON:
``log.entries`` holds each request and its answer. :func:`read_har` keeps the
requests a load test should make — those to the recording's main origin (the
one most requests went to), not static assets (scripts, styles, images, fonts,
media) and not CORS preflights — with the method, path, query, body and the
headers that matter (the browser's own, cookies and HTTP/2 pseudo-headers are
left to the client). :func:`request_name` folds ids in a path to ``[id]`` and
query values to ``[key]``, so one name covers every item. A file that is not a
HAR, or records nothing to replay, is a one-line `ConfigError`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stampede.core.errors import ConfigError

STATIC_SUFFIXES = (
    ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico",
    ".webp", ".avif", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3",
)  # fmt: skip
STATIC_TYPES = ("image/", "font/", "video/", "audio/", "text/css", "text/javascript",
                "application/javascript", "application/x-javascript")  # fmt: skip
#: Chrome's ``_resourceType`` of an entry that is an asset, not an API call
STATIC_RESOURCES = frozenset({"image", "stylesheet", "script", "font", "media", "manifest"})
#: headers the browser or the HTTP client sets by itself; never replayed
DROPPED_HEADERS = frozenset({
    "accept-encoding", "accept-language", "cache-control", "connection", "content-length",
    "cookie", "dnt", "host", "if-modified-since", "if-none-match", "keep-alive", "origin",
    "pragma", "priority", "referer", "te", "upgrade-insecure-requests", "user-agent",
})  # fmt: skip
_ID = re.compile(
    r"\d+|[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}|(?=.*\d)[0-9a-f]{16,}|(?=.*\d).*",
    re.IGNORECASE,
)
_VERSION = re.compile(r"v\d+(\.\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class RecordedRequest:
    """One request worth replaying, and what the recording says it got back."""

    method: str
    path: str  # with its query, as recorded
    headers: tuple[tuple[str, str], ...]
    body: str | None
    mime_type: str | None
    status: int
    answer: str | None  # the answer's body text, when the recording kept it
    page: str


@dataclass(frozen=True)
class Recording:
    """The requests of one HAR file, in order, and what was left out."""

    origin: str
    requests: tuple[RecordedRequest, ...]
    skipped_static: int
    skipped_other_origins: int


def _fail(where: str, what: str) -> ConfigError:
    return ConfigError(f"{where}: {what}")


def _load(path: Path) -> Mapping[str, Any]:
    """The HAR's ``log``, its entries checked to be requests."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(str(path), "no such HAR file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise _fail(
            str(path), f"not a HAR file: not JSON ({exc.msg} at line {exc.lineno}); "
            "save it from the browser's network panel with 'Save all as HAR'",
        ) from None  # fmt: skip
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, dict) or not isinstance(log.get("entries"), list):
        raise _fail(str(path), "not a HAR file: it has no log.entries list")
    for i, entry in enumerate(log["entries"]):
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            raise _fail(str(path), f"log.entries[{i}] has no request.url")
    return log


def _is_static(entry: Mapping[str, Any], url_path: str) -> bool:
    if str(entry.get("_resourceType", "")).lower() in STATIC_RESOURCES:
        return True
    if url_path.lower().endswith(STATIC_SUFFIXES):
        return True
    content = (entry.get("response") or {}).get("content") or {}
    return str(content.get("mimeType", "")).lower().startswith(STATIC_TYPES)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _headers(request: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    kept = []
    for header in request.get("headers") or ():
        name, value = str(header.get("name", "")), str(header.get("value", ""))
        lower = name.lower()
        browser_own = lower.startswith((":", "sec-")) or lower in DROPPED_HEADERS
        if name and not browser_own:
            kept.append((name, value))
    return tuple(kept)


def _body(request: Mapping[str, Any]) -> tuple[str | None, str | None]:
    posted = request.get("postData")
    if not isinstance(posted, dict):
        return None, None
    mime = str(posted.get("mimeType") or "") or None
    if isinstance(posted.get("text"), str):
        return posted["text"], mime
    params = posted.get("params") or ()
    text = "&".join(f"{p.get('name', '')}={p.get('value', '')}" for p in params)
    return (text or None), mime


def _recorded(entry: Mapping[str, Any], page: str) -> RecordedRequest:
    request = entry["request"]
    parts = urlsplit(request["url"])
    body, mime = _body(request)
    response = entry.get("response") or {}
    answer = (response.get("content") or {}).get("text")
    return RecordedRequest(
        method=str(request.get("method", "GET")).upper(),
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        headers=_headers(request),
        body=body,
        mime_type=mime,
        status=int(response.get("status") or 0),
        answer=answer if isinstance(answer, str) else None,
        page=page,
    )


def read_har(path: Path) -> Recording:
    """The requests of the HAR file at ``path`` worth replaying, in recorded order."""
    log = _load(path)
    entries = log["entries"]
    wanted, static = [], 0
    for entry in entries:
        url = entry["request"]["url"]
        if not url.startswith(("http://", "https://")):
            continue
        if _is_static(entry, urlsplit(url).path) or entry["request"].get("method") == "OPTIONS":
            static += 1
        else:
            wanted.append(entry)
    origins = Counter(_origin(e["request"]["url"]) for e in wanted)
    if not origins:
        raise _fail(
            str(path), f"records no request to replay: {len(entries)} entries, {static} of them "
            "static assets or preflights; record the flow with the network panel open",
        )  # fmt: skip
    main = origins.most_common(1)[0][0]
    kept = [e for e in wanted if _origin(e["request"]["url"]) == main]
    listed = log.get("pages")
    listed = listed if isinstance(listed, list) else []
    pages = {
        str(p.get("id")): str(p.get("title") or p.get("id")) for p in listed if isinstance(p, dict)
    }
    requests = tuple(_recorded(e, pages.get(str(e.get("pageref")), "")) for e in kept)
    return Recording(main, requests, static, len(wanted) - len(kept))


def fold_segment(segment: str) -> str:
    """``[id]`` for a path segment that is an id (digits, a UUID, a hash, ``G-17``)."""
    if not segment or _VERSION.fullmatch(segment) or not _ID.fullmatch(segment):
        return segment
    return "[id]"


def folded_path(path: str) -> str:
    """The path of ``path`` (without its query) with each id segment folded to ``[id]``."""
    return "/".join(fold_segment(s) for s in urlsplit(path).path.split("/")) or "/"


def request_name(path: str) -> str:
    """The request's name: ids folded to ``[id]``, each query value to ``[its key]``."""
    query = parse_qsl(urlsplit(path).query, keep_blank_values=True)
    folded = "&".join(f"{key}=[{key}]" for key, _ in query)
    return folded_path(path) + (f"?{folded}" if folded else "")
