"""``stampede fleet``: Kubernetes manifests for a distributed run at scale.

One ConfigMap (the locustfile and the profile as run, resolved and scaled),
a master Deployment and Service (5557 for the workers, 8089 for the web UI and
REST API), and a worker Deployment whose replicas and CPU/memory requests come
from the generator sizing. The master runs headless, writes the run directory
to ``/runs/NAME`` and stays up afterwards so that ``kubectl cp`` can fetch it;
the workers start with only ``--worker --master-host`` and ``-f -``: they take
the master's locustfile from Locust and its traffic from Stampede.
Pure functions over plain data; the command writes the files.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Any

from stampede.core.protocol import LOCUST_CSV_PREFIX, PROFILE_FILE
from stampede.profiles import Profile, Schedule
from stampede.traffic import open_pool_size

MASTER_PORT = 5557
WEB_PORT = 8089
CONFIG_DIR = "/stampede"
RUNS_DIR = "/runs"
LOCUSTFILE = "locustfile.py"
#: a worker process uses one core; its CPU request is that core
WORKER_CPU = "1"
MEMORY_LIMIT_FACTOR = 2


@dataclass(frozen=True)
class FleetSizing:
    """Workers and their memory: fixed per process plus a slope per user."""

    workers: int
    users: int
    process_memory_mb: float
    memory_mb_per_user: float
    source: str  # a sentence: where the figures came from

    @property
    def users_per_worker(self) -> int:
        return math.ceil(self.users / max(self.workers, 1))

    @property
    def memory_mb_per_worker(self) -> int:
        return math.ceil(self.process_memory_mb + self.memory_mb_per_user * self.users_per_worker)


@dataclass(frozen=True)
class GeneratorReference:
    """Figures of one Locust worker process for sizing a fleet before measuring one's own."""

    rps_per_core: float
    requests_per_user_second: float
    process_memory_mb: float
    memory_mb_per_user: float
    source: str


#: measured on the 2-core development machine (docs/fleet.md says how)
REFERENCE = GeneratorReference(
    rps_per_core=1925.0,
    requests_per_user_second=1.03,
    process_memory_mb=70.0,
    memory_mb_per_user=18.0 / 1024,
    source=(
        "flash-sale: 1,925 req/s a core and 1.03 requests a user-second; an idle worker "
        "process 70 MiB; 18 KiB a user from bench/generator.py memory"
    ),
)


@dataclass(frozen=True)
class FleetSpec:
    name: str
    profile: Profile
    host: str
    image: str
    locustfile_text: str
    sizing: FleetSizing
    namespace: str | None = None


def peak_users(profile: Profile) -> int:
    """The users the profile runs at its peak (the open model: its pool of arrival users)."""
    if profile.model == "open":
        return open_pool_size(Schedule.from_profile(profile))
    return max((s.users or 0) for s in profile.stages)


def fleet_name(profile: Profile) -> str:
    """A DNS-1123 name for the run's objects, from the profile's name."""
    name = re.sub(r"[^a-z0-9-]+", "-", profile.name.lower()).strip("-")[:40].strip("-")
    return f"stampede-{name or 'run'}"


def _meta(spec: FleetSpec, name: str, component: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "labels": {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": component},
    }
    if spec.namespace:
        meta["namespace"] = spec.namespace
    return meta


def _selector(spec: FleetSpec, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": component}


def config_map(spec: FleetSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(spec, spec.name, "config"),
        "data": {LOCUSTFILE: spec.locustfile_text, PROFILE_FILE: spec.profile.to_yaml()},
    }


def master_command(spec: FleetSpec) -> list[str]:
    """The master's shell command: the run, then stay up so the run directory can be fetched."""
    out = f"{RUNS_DIR}/{spec.name}"
    locust = ["locust", "-f", f"{CONFIG_DIR}/{LOCUSTFILE}", "--master", "--headless"]
    locust += ["--expect-workers", str(spec.sizing.workers), "--expect-workers-max-wait", "900"]
    locust += ["--traffic", f"{CONFIG_DIR}/{PROFILE_FILE}", "--host", spec.host]
    locust += ["--stampede-out", out, "--csv", f"{out}/{LOCUST_CSV_PREFIX}", "--csv-full-history"]
    locust += ["--only-summary", "--logfile", f"{out}/locust.log"]
    run = shlex.join(locust)
    return ["sh", "-c", f"mkdir -p {out} && {run}; echo $? > {out}/exit-code; exec sleep infinity"]


def _container(name: str, image: str, command: list[str], memory_mb: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "command": command,
        "resources": {
            "requests": {"cpu": WORKER_CPU, "memory": f"{memory_mb}Mi"},
            # the sizing is what was measured; the limit leaves room for a burst
            "limits": {"memory": f"{memory_mb * MEMORY_LIMIT_FACTOR}Mi"},
        },
    }


def master_deployment(spec: FleetSpec) -> dict[str, Any]:
    container = _container("master", spec.image, master_command(spec), 1024)
    container["ports"] = [
        {"name": "workers", "containerPort": MASTER_PORT},
        {"name": "web", "containerPort": WEB_PORT},
    ]
    container["volumeMounts"] = [
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        {"name": "runs", "mountPath": RUNS_DIR},
    ]
    pod = {
        "containers": [container],
        "volumes": [
            {"name": "config", "configMap": {"name": spec.name}},
            {"name": "runs", "emptyDir": {}},
        ],
    }
    return _deployment(spec, f"{spec.name}-master", "master", 1, pod)


def worker_deployment(spec: FleetSpec) -> dict[str, Any]:
    command = ["locust", "-f", "-", "--worker", "--master-host", f"{spec.name}-master"]
    command += ["--master-port", str(MASTER_PORT)]
    memory = spec.sizing.memory_mb_per_worker
    pod = {"containers": [_container("worker", spec.image, command, memory)]}
    return _deployment(spec, f"{spec.name}-worker", "worker", spec.sizing.workers, pod)


def _deployment(
    spec: FleetSpec, name: str, component: str, replicas: int, pod: dict[str, Any]
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(spec, name, component),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": _selector(spec, component)},
            "template": {"metadata": {"labels": _selector(spec, component)}, "spec": pod},
        },
    }


def master_service(spec: FleetSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(spec, f"{spec.name}-master", "master"),
        "spec": {
            "selector": _selector(spec, "master"),
            "ports": [
                {"name": "workers", "port": MASTER_PORT, "targetPort": MASTER_PORT},
                {"name": "web", "port": WEB_PORT, "targetPort": WEB_PORT},
            ],
        },
    }


def manifests(spec: FleetSpec) -> dict[str, dict[str, Any]]:
    """Every object of the fleet, by the file name it is written to."""
    return {
        "configmap.yaml": config_map(spec),
        "master-deployment.yaml": master_deployment(spec),
        "master-service.yaml": master_service(spec),
        "worker-deployment.yaml": worker_deployment(spec),
    }


def collect_commands(spec: FleetSpec, out: str) -> list[str]:
    """How to fetch the run directory once the run is over, and make the report."""
    ns = f" -n {spec.namespace}" if spec.namespace else ""
    select = f"app.kubernetes.io/name={spec.name},app.kubernetes.io/component=master"
    pod = f"$(kubectl get pod{ns} -l {select} -o name | cut -d/ -f2)"
    where = f"{spec.namespace}/" if spec.namespace else ""
    return [
        f"kubectl exec{ns} {pod} -- cat {RUNS_DIR}/{spec.name}/exit-code   # there once it is over",
        f"kubectl cp {where}{pod}:{RUNS_DIR}/{spec.name} ./{spec.name}",
        f"stampede report ./{spec.name} && stampede gate ./{spec.name}",
        f"kubectl delete{ns} -f {out}   # the fleet, once the run directory is fetched",
    ]
