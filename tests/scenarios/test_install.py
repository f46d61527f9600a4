"""`stampede.scenarios` registers Locust hooks only when `install(events)` is called, once.

Each check runs in a fresh interpreter: importing Locust monkey-patches the
standard library, which the test process must not inherit.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOOKS = ("init_command_line_parser", "init", "test_start", "test_stop", "quitting")


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_importing_the_scenarios_registers_nothing() -> None:
    out = _run(
        f"""
        import pkgutil
        import locust
        hooks = {HOOKS!r}
        before = {{h: list(getattr(locust.events, h)._handlers) for h in hooks}}
        import stampede.scenarios
        for module in pkgutil.iter_modules(stampede.scenarios.__path__, "stampede.scenarios."):
            if module.name.endswith(".hooks_locustfile"):
                continue  # a locustfile, like locustfile.py: it installs on purpose
            __import__(module.name)
        after = {{h: list(getattr(locust.events, h)._handlers) for h in hooks}}
        assert after == before, (before, after)
        print("nothing registered")
        """
    )
    assert "nothing registered" in out


def test_installing_twice_registers_once() -> None:
    out = _run(
        f"""
        from locust.argument_parser import LocustArgumentParser
        from locust.event import Events
        from stampede.scenarios import install
        events = Events()
        install(events)
        install(events)
        counts = [len(getattr(events, h)._handlers) for h in {HOOKS!r}]
        assert counts == [1, 1, 1, 1, 1], counts
        parser = LocustArgumentParser()
        events.init_command_line_parser.fire(parser=parser)  # twice would clash on --traffic
        options = parser.parse_args(["--traffic", "flash-sale", "--stampede-seed", "7"])
        print(options.traffic, options.stampede_seed, options.on_worker_loss)
        """
    )
    assert out.split() == ["flash-sale", "7", "continue"]


def test_the_locustfile_installs_the_hooks_on_locusts_events() -> None:
    out = _run(
        f"""
        import runpy
        import locust
        hooks = {HOOKS!r}
        before = [len(getattr(locust.events, h)._handlers) for h in hooks]
        runpy.run_path("locustfile.py")
        runpy.run_path("locustfile.py")  # loaded twice, or two locustfiles that both install
        after = [len(getattr(locust.events, h)._handlers) for h in hooks]
        print([a - b for a, b in zip(after, before)])
        """
    )
    assert out.strip() == "[1, 1, 1, 1, 1]"
