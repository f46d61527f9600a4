"""``stampede fleet``: write the Kubernetes manifests of a distributed run at scale."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import click
import yaml

from stampede.app.fleet import (
    REFERENCE,
    FleetSizing,
    FleetSpec,
    collect_commands,
    fleet_name,
    manifests,
    peak_users,
)
from stampede.capacity import GeneratorMeasurement, generator_sizing
from stampede.core.errors import ConfigError
from stampede.core.rundir import RunDir
from stampede.core.version import DISTRIBUTION, installed_version
from stampede.profiles import Profile, load_profile


def _locustfile_text(path: Path | None) -> str:
    if path is None:
        spec = importlib.util.find_spec("stampede.locustfile")
        if spec is None or spec.origin is None:
            raise ConfigError(f"stampede.locustfile is not importable; reinstall {DISTRIBUTION}")
        path = Path(spec.origin)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--locustfile {path}: cannot read it ({exc})") from None


def _sizing(profile: Profile, workers: int | None, from_run: Path | None) -> FleetSizing:
    """Workers and memory for the profile at its scale: from a measured run, else from the
    reference figures; ``workers`` given keeps that count."""
    users = peak_users(profile)
    ref = REFERENCE
    rate: float | None = None
    if from_run is not None:
        record = RunDir(from_run).record()
        if record.runner is None:
            raise ConfigError(f"--from-run {from_run}: a plain locust run has no generator sizing")
        found = record.runner.generator_sizing
        rps_per_core, per_user = found.measured_rps_per_core, found.measured_memory_mb_per_user
        fixed = (
            ref.process_memory_mb if found.process_memory_mb is None else found.process_memory_mb
        )
        rate = found.full_scale_peak_rps * profile.applied_scale
        source = f"measured by {from_run} (peak: {found.peak_rps_basis or 'as Locust reported'})"
    else:
        rps_per_core, per_user, fixed = (
            ref.rps_per_core,
            ref.memory_mb_per_user,
            ref.process_memory_mb,
        )
        if profile.model == "closed":
            rate = users * ref.requests_per_user_second
        source = f"Stampede's reference figures ({ref.source}); measure yours with --from-run"
    if workers is None:
        if rate is None:
            raise ConfigError(
                f"profile {profile.name} is an open model: what an arrival costs in requests "
                "is measured, so give --from-run RUN_DIR (a run of it) or --workers N"
            )
        if rps_per_core <= 0:
            raise ConfigError(f"--from-run {from_run}: its generator measured no throughput")
        workers = generator_sizing(rate, users, GeneratorMeasurement(rps_per_core, 1.0, 0)).workers
    return FleetSizing(workers, users, fixed, per_user, source)


@click.command()
@click.argument("profile_name", metavar="PROFILE")
@click.option("--host", required=True, help="The target's base URL, as the workers reach it.")
@click.option("--scale", type=float, default=1.0, show_default=True, help="Users and rates ×.")
@click.option("--time-scale", type=float, default=1.0, show_default=True, help="Durations ×.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker replicas.")
@click.option(
    "--from-run",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A run of this profile whose measured generator sizes the workers and their memory.",
)
@click.option(
    "--locustfile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The locustfile to run (default: Stampede's own).",
)
@click.option("--image", default=None, help=f"Container image with {DISTRIBUTION}[load].")
@click.option("--namespace", default=None, help="Kubernetes namespace of the objects.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def fleet(
    profile_name: str,
    host: str,
    scale: float,
    time_scale: float,
    workers: int | None,
    from_run: Path | None,
    locustfile: Path | None,
    image: str | None,
    namespace: str | None,
    out: Path,
) -> None:
    """Write Kubernetes manifests that run PROFILE on a fleet of Locust workers: a ConfigMap
    (locustfile, profile), the master's Deployment and Service (5557, 8089), the workers'
    Deployment sized by the generator sizing, and the commands that fetch the run directory.

    \b
    Example:
      stampede run flash-sale --processes 2 --out runs/sizing      # measure the generator
      stampede fleet flash-sale --host https://staging.example --from-run runs/sizing --out k8s
      kubectl apply -f k8s/
    """
    profile = load_profile(profile_name).scaled(scale, time_scale)
    spec = FleetSpec(
        name=fleet_name(profile),
        profile=profile,
        host=host.rstrip("/"),
        image=image or f"{DISTRIBUTION}:{installed_version()}",
        locustfile_text=_locustfile_text(locustfile),
        sizing=_sizing(profile, workers, from_run),
        namespace=namespace,
    )
    _write(out, spec)


def _write(out: Path, spec: FleetSpec) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, document in manifests(spec).items():
            (out / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot write the manifests ({exc.strerror})") from None
    sizing = spec.sizing
    click.echo(f"Manifests: {out} ({', '.join(manifests(spec))})")
    click.echo(
        f"Fleet {spec.name}: {sizing.workers} workers × 1 CPU, {sizing.memory_mb_per_worker} MiB "
        f"each ({sizing.process_memory_mb:.0f} MiB a process + {sizing.users_per_worker:,} users × "
        f"{sizing.memory_mb_per_user * 1024:.0f} KiB), {sizing.users:,} users at the peak; "
        f"{sizing.source}"
    )
    click.echo(f"Apply: kubectl apply -f {out}")
    click.echo(f"Duration: {math.ceil(spec.profile.duration_s)} s. Then, to collect the run:")
    for command in collect_commands(spec, str(out)):
        click.echo(f"  {command}")
