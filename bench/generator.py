"""The load generator's own cost: instrumentation overhead, memory per user, largest valid scale.

    python bench/generator.py overhead [--users 50] [--seconds 10] [--repeats 3]
    python bench/generator.py memory [--users 2000 20000]
    python bench/generator.py scale [--scales 0.005 0.01 0.02] [--time-scale 0.1]

overhead: requests per CPU-second of Stampede's instrumented user against a
bare Locust ``FastHttpUser``, same endpoint (a fast stub server on the other
core), same run; goal: the instrumented user keeps >= 90 %.
memory: resident memory of one Locust process holding N idle users, from two
sizes; per-user cost and what 100,000 users would take (goal <= 2 GB).
scale: the flash-sale profile at growing scales against the embedded store;
the largest scale whose run is valid.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._hardware import describe  # noqa: E402
from stampede.core.rundir import RunDir  # noqa: E402
from tests.measure.stub_server import StubServer, serving  # noqa: E402

LOCUSTFILE = str(ROOT / "bench" / "locustfile_overhead.py")
BARE_LOCUSTFILE = str(ROOT / "bench" / "locustfile_bare.py")


def _profile(tmp: Path, users: int, seconds: float) -> Path:
    path = tmp / "bench.yaml"
    path.write_text(
        "name: bench\ndescription: generator benchmark\n"
        f"stages:\n  - {{duration: 1s, users: {users}, phase: ramp}}\n"
        f"  - {{duration: {seconds}s, users: {users}, phase: hold}}\n"
        "mix: {browser: 1.0}\nthink_times:\n  browser: {distribution: constant, value: 0s}\n"
    )
    return path


def _locust(
    user: str, host: str, profile: Path, out: Path, core: int | None, load: tuple[int, float]
) -> tuple[int, float]:
    """(requests completed, CPU seconds the Locust process used)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "locust", "--headless", "--host", host]
    command += ["--csv", str(out / "l"), "--only-summary", "--loglevel", "ERROR"]
    if user == "Bare":  # plain Locust, no hooks: the same users for the same time
        users, seconds = load
        command += ["-f", BARE_LOCUSTFILE, user, "-u", str(users), "-r", str(users)]
        command += ["--run-time", f"{seconds + 1:g}s"]
    else:
        command += ["-f", LOCUSTFILE, user, "--traffic", str(profile)]
        command += ["--stampede-out", str(out), "--progress-interval", "0"]
    preexec = (lambda: os.sched_setaffinity(0, {core})) if core is not None else None
    subprocess.run(command, cwd=out, capture_output=True, check=False, preexec_fn=preexec)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in (out / "l_stats.csv").read_text().splitlines():
        if ",Aggregated," in line:
            return int(line.split(",")[2]), cpu
    raise RuntimeError("Locust wrote no statistics")


def overhead(users: int, seconds: float, repeats: int = 3) -> None:
    cores = sorted(os.sched_getaffinity(0))
    client_core = cores[0] if len(cores) > 1 else None
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[1]})  # the stub server's thread runs here
    with tempfile.TemporaryDirectory() as tmp, serving(StubServer()) as stub:
        root = Path(tmp)
        profile = _profile(root, users, seconds)
        results: dict[str, list[float]] = {}
        for i, user in enumerate(("Bare", "Instrumented") * repeats):
            out = root / f"{user}-{i}"
            out.mkdir()
            requests, cpu = _locust(
                user, stub.url.rstrip("/"), profile, out, client_core, (users, seconds)
            )
            results.setdefault(user, []).append(requests / cpu)
    bare = sum(results["Bare"]) / repeats
    instrumented = sum(results["Instrumented"]) / repeats
    ratios = [i / b for b, i in zip(results["Bare"], results["Instrumented"], strict=True)]
    print(f"hardware: {describe()}")
    print(
        f"{users} users, {seconds:g} s each, Locust pinned to core {client_core}, alternating runs"
    )
    print(
        f"bare FastHttpUser      {bare:8.0f} requests per CPU-second  (runs: "
        f"{', '.join(f'{x:.0f}' for x in results['Bare'])})"
    )
    print(
        f"Stampede instrumented  {instrumented:8.0f} requests per CPU-second  (runs: "
        f"{', '.join(f'{x:.0f}' for x in results['Instrumented'])})"
    )
    print(
        f"ratio {instrumented / bare:.3f}  (pairs: {min(ratios):.3f} to {max(ratios):.3f}; "
        "goal >= 0.90: instrumentation costs <= 10%)"
    )


def _rss_with(users: int, host: str, root: Path) -> int:
    profile = root / f"idle-{users}.yaml"
    profile.write_text(
        "name: idle\ndescription: memory benchmark\n"
        f"stages:\n  - {{duration: 60s, users: {users}, spawn_rate: {max(users / 20, 1):.0f}, "
        "phase: hold}\nmix: {browser: 1.0}\nthink_times:\n  browser: {distribution: constant, "
        "value: 1h}\n"
    )
    out = root / f"mem-{users}"
    out.mkdir()
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        LOCUSTFILE,
        "Idle",
        "--headless",
        "--host",
        host,
        "--traffic",
        str(profile),
        "--stampede-out",
        str(out),
        "--loglevel",
        "ERROR",
        "--progress-interval",
        "0",
    ]
    child = subprocess.Popen(command, cwd=out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process = psutil.Process(child.pid)
    deadline = time.monotonic() + 50
    peak = 0
    while time.monotonic() < deadline and child.poll() is None:
        peak = max(peak, process.memory_info().rss)
        time.sleep(1.0)  # sampling a child's memory while it spawns its users
    child.kill()
    child.wait()
    return peak


#: open files a Locust process needs besides one connection per user
FILES_BESIDES_USERS = 256


def fitting_sizes(sizes: list[int], limit: int) -> list[int]:
    """The two user counts, shrunk (in proportion) so that one socket per user fits ``limit``."""
    room = max(limit - FILES_BESIDES_USERS, 20)
    if max(sizes) <= room:
        return sizes
    return [max(10, n * room // max(sizes)) for n in sizes]


def _open_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit (its children inherit it) as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def idle_memory(sizes: list[int]) -> tuple[float, float]:
    """(bytes a process, bytes a user) of a Locust process holding idle users, from two sizes."""
    with tempfile.TemporaryDirectory() as tmp, serving(StubServer()) as stub:
        small, large = (_rss_with(n, stub.url.rstrip("/"), Path(tmp)) for n in sizes)
    per_user = (large - small) / (sizes[1] - sizes[0])
    return small - per_user * sizes[0], per_user


def memory(sizes: list[int]) -> None:
    limit = _open_file_limit(max(sizes) + FILES_BESIDES_USERS)
    fitted = fitting_sizes(sizes, limit)
    if fitted != sizes:
        print(
            f"open-file limit: {limit} and it cannot be raised further, so {sizes[0]:,} and "
            f"{sizes[1]:,} users (one connection each) do not fit; measuring {fitted[0]:,} "
            f"and {fitted[1]:,} instead (raise it with `ulimit -n` for the defaults)"
        )
        sizes = fitted
    fixed, per_user = idle_memory(sizes)
    print(f"hardware: {describe()}")
    print(
        f"RSS with {sizes[0]:,} idle users: {(fixed + per_user * sizes[0]) / 2**20:.0f} MiB; "
        f"with {sizes[1]:,}: {(fixed + per_user * sizes[1]) / 2**20:.0f} MiB"
    )
    # the same model as the run summary, run.json and `stampede fleet`
    print(
        f"memory = {fixed / 2**20:.0f} MiB a process + {per_user / 1024:.1f} KiB a user; "
        f"100,000 users: {(fixed + per_user * 100_000) / 2**30:.2f} GiB (goal <= 2 GiB)"
    )


def scale(scales: list[float], time_scale: float) -> None:
    print(f"hardware: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        for value in scales:
            out = Path(tmp) / f"flash-{value}"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "cli.py"),
                    "run",
                    "flash-sale",
                    "--scale",
                    str(value),
                    "--time-scale",
                    str(time_scale),
                    "--out",
                    str(out),
                    "--no-report",
                ],
                capture_output=True,
                check=False,
            )
            validity = RunDir(out).record().measured.validity
            users = max(
                (u["running"] for u in json.loads((out / "users.json").read_text())["rows"]),
                default=0,
            )
            verdict = "valid" if validity.valid else "INVALID: " + "; ".join(validity.reasons)
            print(f"scale {value:<6g} peak users {users:6.0f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("--users", type=int, default=50)
    o.add_argument("--seconds", type=float, default=10.0)
    o.add_argument("--repeats", type=int, default=3, help="alternating pairs of runs")
    m = sub.add_parser("memory")
    m.add_argument("--users", type=int, nargs=2, default=[2000, 20000])
    s = sub.add_parser("scale")
    s.add_argument("--scales", type=float, nargs="+", default=[0.005, 0.01, 0.02])
    s.add_argument("--time-scale", type=float, default=0.1)
    args = parser.parse_args()
    if args.what == "overhead":
        overhead(args.users, args.seconds, args.repeats)
    elif args.what == "memory":
        memory(args.users)
    else:
        scale(args.scales, args.time_scale)


if __name__ == "__main__":
    main()
