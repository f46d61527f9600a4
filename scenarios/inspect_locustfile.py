"""What a locustfile offers, for ``stampede run --locustfile`` to check before any load.

``python -m stampede.scenarios.inspect_locustfile FILE`` imports FILE as
Locust would (in a process of its own: Locust monkey-patches the standard
library) and prints one JSON object: ``{"classes": [{"name", "stampede",
"kind"}, ...]}``, or ``{"error": "..."}`` in one line when FILE does not
import. The exit code is 0 either way; the caller judges.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from locust.util.load_locustfile import load_locustfile

from stampede.scenarios._plugin import _kind
from stampede.scenarios._user import is_stampede_user, mix_name


def _where(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return f" (line {exc.lineno})"
    return f" (line {frames[-1].lineno})" if frames else ""


def inspect(path: Path) -> dict[str, Any]:
    """The user classes of the locustfile at ``path``, or why it does not import."""
    try:
        classes, _shapes = load_locustfile(str(path))
    except BaseException as exc:  # anything the user's module raises, even SystemExit
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return {"error": f"{type(exc).__name__}: {detail}{_where(exc, path.resolve())}"}
    rows = [
        {"name": mix_name(c), "stampede": is_stampede_user(c), "kind": _kind(c)}
        for c in classes.values()
    ]
    return {"classes": rows}


def main(argv: list[str]) -> int:
    sys.stdout.write(json.dumps(inspect(Path(argv[0]))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
