"""Memory per user across the bundled profiles: is the generator's memory model stable?

    python bench/memory_per_user.py [--profiles smoke flash-sale ...] [--repeats 1]
        [--seconds 90]

The run summary, run.json (``generator_sizing``) and ``stampede fleet`` size
the generator as one model: a fixed footprint per Locust process plus a slope
per running user, fitted over the run's per-second memory samples after the
users came (``stampede.core.generator.memory_per_user``). This benchmark runs
every bundled profile against the embedded store, each cut to about
``--seconds`` (``--time-scale`` chosen from the profile's length; its own
scale), reads what run.json says, and prints per profile the KB per user, its
standard error, the method, the process footprint and the user range. The
baseline, measured in the same run: a Locust process holding idle users (the
users exist but do not send), from two sizes, as ``bench/generator.py memory``
does. Goal: every profile whose fit is a slope within ±25 % of the median.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._hardware import describe  # noqa: E402
from bench.generator import (  # noqa: E402
    FILES_BESIDES_USERS,
    _open_file_limit,
    fitting_sizes,
    idle_memory,
)
from stampede.core.rundir import RunDir  # noqa: E402
from stampede.profiles import Schedule, load_profile  # noqa: E402
from tests.run.helpers import RUN_CLI  # noqa: E402

PROFILES = ("smoke", "steady", "soak", "flash-sale", "capacity-probe", "black-friday")
GOAL = 0.25
_STDERR = re.compile(r"± ([\d.]+) KB per user")


@dataclass(frozen=True)
class Fit:
    profile: str
    kb_per_user: float
    stderr_kb: float | None
    method: str
    process_mb: float | None
    users: tuple[float, float]
    valid: bool
    note: str


def _time_scale(profile: str, seconds: float) -> float:
    """The time scale that makes the profile last about ``seconds`` (never above its own)."""
    length = Schedule.from_profile(load_profile(profile)).duration_s  # at time scale 1
    return min(1.0, seconds / length) if length > 0 else 1.0


def _run(profile: str, seconds: float, out: Path) -> Fit:
    time_scale = _time_scale(profile, seconds)
    command = [sys.executable, "-c", RUN_CLI, "run", profile, "--time-scale", f"{time_scale:.4g}"]
    command += ["--out", str(out), "--no-report", "--no-gate", "--seed", "1"]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    record = RunDir(out).record()
    if record.runner is None:
        raise RuntimeError(f"{profile}: the run did not finish ({out})")
    sizing = record.runner.generator_sizing
    running = [float(u["running"]) for u in RunDir(out).users() if u["running"] > 0]
    match = _STDERR.search(sizing.memory_per_user_note)
    return Fit(
        profile=profile,
        kb_per_user=sizing.measured_memory_mb_per_user * 1024,
        stderr_kb=float(match.group(1)) if match else None,
        method=sizing.memory_per_user_method,
        process_mb=sizing.process_memory_mb,
        users=(min(running, default=0.0), max(running, default=0.0)),
        valid=record.measured.validity.valid,
        note=sizing.memory_per_user_note,
    )


def _line(fit: Fit, median: float) -> str:
    spread = f"{fit.kb_per_user / median - 1:+6.0%}" if median > 0 else "   n/a"
    err = f"± {fit.stderr_kb:5.1f}" if fit.stderr_kb is not None else "   n/a "
    fixed = f"{fit.process_mb:6.0f} MB" if fit.process_mb is not None else "     n/a"
    return (
        f"{fit.profile:<15} {fit.kb_per_user:7.1f} KB {err}  {spread}  {fit.method:<10} "
        f"{fixed}  users {fit.users[0]:g}-{fit.users[1]:g}{'' if fit.valid else '  (INVALID)'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()
    print(f"hardware: {describe()}")
    sizes = fitting_sizes([200, 2000], _open_file_limit(2000 + FILES_BESIDES_USERS))
    idle_fixed, idle_per_user = idle_memory(sizes)
    print(
        f"baseline (idle users, same run): {idle_fixed / 2**20:.0f} MiB a process + "
        f"{idle_per_user / 1024:.1f} KiB a user"
    )
    fits: list[Fit] = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for profile in args.profiles:
                fits.append(_run(profile, args.seconds, Path(tmp) / f"{profile}-{repeat}"))
    slopes = [f.kb_per_user for f in fits if f.method == "slope" and f.valid]
    median = statistics.median(slopes) if slopes else 0.0
    print(f"{'profile':<15} {'per user':>10} {'stderr':>7}  {'vs med':>6}  method     fixed")
    for fit in fits:
        print(_line(fit, median))
    if slopes:
        worst = max(abs(s / median - 1) for s in slopes)
        print(
            f"median slope {median:.1f} KB a user = {median * 1024 / idle_per_user:.2f}× the idle "
            f"user's; widest {worst:.0%} from it (goal within {GOAL:.0%}: "
            f"{'met' if worst <= GOAL else 'NOT met'})"
        )
    print(json.dumps([f.__dict__ for f in fits]))


if __name__ == "__main__":
    main()
