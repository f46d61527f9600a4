"""A soak: does the generator or the store grow while the load stays the same?

    python bench/soak.py --minutes 30 [--backend sqlite|postgres] [--database-url URL]
        [--out DIR]

Runs ``stampede run soak`` (profiles/soak.yaml: 6 arrivals/s, open model, 30
minutes at its own time scale; ``--minutes N`` runs it at time scale N/30)
against the embedded store on ``--backend``, and samples each second the
resident memory (RSS) and the open TCP connections of the Locust process tree
(the generator) and of the store's process tree. It writes every sample to
``DIR/soak.csv`` and its figures to ``DIR/soak.json``, and prints, for each:
the slope after warm-up (the first third of the run; MB/min, least squares)
and the growth over the last two thirds (the median of the last 20 samples
against the median of 20 samples at the one-third mark), both over the samples
of the load only (not Locust writing the run directory after it). Goal: a growth below
5 % on both backends. On postgres the store runs on a database of its own,
created for the soak and dropped after it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._hardware import describe  # noqa: E402
from stampede.core.processes import process_tree  # noqa: E402
from tests.run.helpers import RUN_CLI  # noqa: E402

FULL_MINUTES = 30.0  # profiles/soak.yaml at time scale 1
GOAL_PERCENT = 5.0
WINDOW = 20  # samples a level is the median of
SERIES = ("generator_rss_mb", "generator_connections", "store_rss_mb", "store_connections")
_MB = 1e6


@dataclass(frozen=True)
class Sample:
    at_s: float
    generator_rss_mb: float
    generator_connections: int
    store_rss_mb: float
    store_connections: int


@dataclass(frozen=True)
class Trend:
    """One series after warm-up: its slope (units a minute) and its growth (percent)."""

    start: float
    end: float
    slope_per_min: float
    growth_percent: float


def slope_per_min(times_s: Sequence[float], values: Sequence[float]) -> float:
    """The least-squares slope of ``values`` against ``times_s``, per minute (0 with < 2)."""
    if len(times_s) < 2:
        return 0.0
    mean_t, mean_v = statistics.fmean(times_s), statistics.fmean(values)
    spread = sum((t - mean_t) ** 2 for t in times_s)
    if spread == 0:
        return 0.0
    covariance = sum((t - mean_t) * (v - mean_v) for t, v in zip(times_s, values, strict=True))
    return 60.0 * covariance / spread


def trend(times_s: Sequence[float], values: Sequence[float], window: int = WINDOW) -> Trend:
    """The slope after the first third, and the growth from the one-third mark to the end.

    Each level is the median of ``window`` samples (fewer when the run is short),
    so one sample caught mid-collection does not make a trend.
    """
    if not values:
        return Trend(0.0, 0.0, 0.0, 0.0)
    third = len(values) // 3
    size = max(1, min(window, (len(values) - third) // 2))
    start = statistics.median(values[third : third + size])
    end = statistics.median(values[-size:])
    growth = 100.0 * (end - start) / start if start else 0.0
    return Trend(start, end, slope_per_min(times_s[third:], values[third:]), growth)


def _measure(processes: list[psutil.Process]) -> tuple[float, int]:
    rss = 0
    connections = 0
    for process in processes:
        try:
            rss += process.memory_info().rss
            connections += len(process.net_connections(kind="tcp"))
        except psutil.Error:
            continue
    return rss / _MB, connections


def _parts(run: psutil.Process) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """The Locust tree and the store tree under ``stampede run``."""
    generator: list[psutil.Process] = []
    store: list[psutil.Process] = []
    try:
        children = run.children()
    except psutil.Error:
        return generator, store
    for child in children:
        try:
            command = child.cmdline()
        except psutil.Error:
            continue
        if "locust" in command:
            generator = process_tree(child.pid)
        elif "store" in command:
            store = process_tree(child.pid)
    return generator, store


class Sampler:
    """Samples both trees each second on a thread, from the first second Locust runs."""

    def __init__(self, run_pid: int, interval_s: float = 1.0) -> None:
        self._run = psutil.Process(run_pid)
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="soak-sampler", daemon=True)
        self.samples: list[Sample] = []
        self._started: float | None = None

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.samples

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            self.sample()
            next_at += self._interval_s
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def sample(self) -> Sample | None:
        generator, store = _parts(self._run)
        if not generator or not store:
            return None  # before Locust starts or after it ends
        now = time.monotonic()
        if self._started is None:
            self._started = now
        gen_rss, gen_conn = _measure(generator)
        store_rss, store_conn = _measure(store)
        if gen_rss == 0 or store_rss == 0:
            return None
        sample = Sample(round(now - self._started, 3), gen_rss, gen_conn, store_rss, store_conn)
        self.samples.append(sample)
        return sample


def _command(minutes: float, backend: str, database_url: str | None, run_dir: Path) -> list[str]:
    command = [sys.executable, "-c", RUN_CLI, "run", "soak"]
    command += ["--time-scale", f"{minutes / FULL_MINUTES:g}", "--out", str(run_dir)]
    command += ["--seed", "18", "--no-gate", "--no-report"]
    if backend == "postgres":
        assert database_url is not None
        command += ["--store-arg=--backend=postgres", f"--store-arg=--database-url={database_url}"]
    return command


def _drop_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import asyncpg

    name = urlsplit(url).path.lstrip("/")

    async def drop() -> None:
        admin = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(drop())


def _write(out: Path, samples: list[Sample], figures: dict[str, object]) -> None:
    with (out / "soak.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["at_s", *SERIES])
        for s in samples:
            writer.writerow([s.at_s, *(round(getattr(s, name), 3) for name in SERIES)])
    (out / "soak.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def soak(minutes: float, backend: str, database_url: str | None, out: Path) -> dict[str, object]:
    """Run the soak, sample it, write soak.csv and soak.json into ``out``; its figures."""
    out.mkdir(parents=True, exist_ok=True)
    run_dir = out / "run"
    command = _command(minutes, backend, database_url, run_dir)
    with (out / "stampede.log").open("wb") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        sampler = Sampler(child.pid).start()
        code = child.wait()
        samples = sampler.stop()
    # the trends are of the load: what follows it is Locust writing the run directory
    loaded = [s for s in samples if s.at_s <= minutes * 60.0]
    times = [s.at_s for s in loaded]
    trends = {name: trend(times, [float(getattr(s, name)) for s in loaded]) for name in SERIES}
    written = run_dir / "run.json"
    record = json.loads(written.read_text()) if written.exists() else {}
    figures: dict[str, object] = {
        "command": "stampede " + " ".join(command[3:]),
        "backend": backend,
        "minutes": minutes,
        "exit_code": code,
        "run_valid": record.get("validity", {}).get("valid") if record else None,
        "samples": len(samples),
        "samples_under_load": len(loaded),
        "seconds_sampled": samples[-1].at_s if samples else 0.0,
        "goal_percent": GOAL_PERCENT,
        "trends": {name: asdict(value) for name, value in trends.items()},
        "hardware": describe(),
    }
    _write(out, samples, figures)
    return figures


def _print(figures: dict[str, object]) -> None:
    print(
        f"soak on {figures['backend']}: {figures['minutes']:g} min, exit {figures['exit_code']}, "
        f"valid {figures['run_valid']}, {figures['samples']} samples"
    )
    trends = figures["trends"]
    assert isinstance(trends, dict)
    for name, t in trends.items():
        unit = "MB" if name.endswith("_mb") else ""
        verdict = "ok" if t["growth_percent"] < GOAL_PERCENT else "GROWS"
        print(
            f"  {name:22} {t['start']:9.1f}{unit} -> {t['end']:9.1f}{unit} over the last two "
            f"thirds: {t['growth_percent']:+6.1f} % ({verdict}), slope after warm-up "
            f"{t['slope_per_min']:+.3f}{unit}/min"
        )
    print(f"  hardware: {figures['hardware']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=FULL_MINUTES)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server to create the soak's database on "
        "(default: postgresql://postgres@127.0.0.1:5432)",
    )
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args()
    if not 0 < args.minutes <= FULL_MINUTES:
        parser.error(f"--minutes must be in (0, {FULL_MINUTES:g}], not {args.minutes:g}")
    out = args.out or Path(tempfile.mkdtemp(prefix="stampede-soak-"))
    database_url = None
    if args.backend == "postgres":
        server = (args.database_url or "postgresql://postgres@127.0.0.1:5432").rstrip("/")
        database_url = f"{server}/stampede_soak_{os.getpid()}"
    try:
        figures = soak(args.minutes, args.backend, database_url, out)
    finally:
        if database_url is not None:
            _drop_database(database_url)
    _print(figures)
    print(f"  samples: {out / 'soak.csv'}")


if __name__ == "__main__":
    main()
