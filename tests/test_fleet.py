"""``stampede fleet``: Kubernetes manifests valid against the real schemas, sized honestly."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from stampede.app.fleet import REFERENCE
from tests.cli import run_cli
from tests.synthetic import write_run, write_run_json

FILES = [
    "configmap.yaml",
    "master-deployment.yaml",
    "master-service.yaml",
    "worker-deployment.yaml",
]


def _documents(out: Path) -> dict[str, dict[str, Any]]:
    return {name: yaml.safe_load((out / name).read_text()) for name in FILES}


def _worker(docs: dict[str, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    spec = docs["worker-deployment.yaml"]["spec"]
    return spec["replicas"], spec["template"]["spec"]["containers"][0]


def test_the_full_sale_fleet_is_schema_valid_and_sized_from_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "k8s"
    result = run_cli("fleet", "flash-sale", "--host", "https://staging.test/", "--out", str(out))
    assert result.returncode == 0, result.stderr
    docs = _documents(out)
    version = kubernetes_validate.latest_version()
    for name, doc in docs.items():
        kubernetes_validate.validate(doc, version, strict=True)  # raises when invalid
        assert doc["metadata"]["name"].startswith("stampede-flash-sale"), name
    # the sale's peak: 120,000 users × 1.03 requests a user-second at 70 % of 1,925 req/s a core
    replicas, worker = _worker(docs)
    assert replicas == math.ceil(120_000 * 1.03 / (0.7 * REFERENCE.rps_per_core)) == 92
    users_each = math.ceil(120_000 / replicas)
    memory = math.ceil(REFERENCE.process_memory_mb + users_each * REFERENCE.memory_mb_per_user)
    assert worker["resources"]["requests"] == {"cpu": "1", "memory": f"{memory}Mi"}
    assert worker["command"][:4] == ["locust", "-f", "-", "--worker"]  # the master's locustfile
    config = docs["configmap.yaml"]["data"]
    assert "install(events)" in config["locustfile.py"]
    assert "name: flash-sale" in config["profile.yaml"]
    master = docs["master-deployment.yaml"]["spec"]["template"]["spec"]["containers"][0]
    shell = master["command"][2]
    assert "--expect-workers 92" in shell and "--host https://staging.test " in shell
    assert "--traffic /stampede/profile.yaml" in shell and "exec sleep infinity" in shell
    ports = docs["master-service.yaml"]["spec"]["ports"]
    assert {p["port"] for p in ports} == {5557, 8089}
    assert "kubectl cp $(kubectl get pod -l app.kubernetes.io/name=stampede-flash-sale" in (
        result.stdout
    )


def test_a_smaller_fleet_of_a_given_size_in_a_namespace(tmp_path: Path) -> None:
    out = tmp_path / "k8s"
    args = ["fleet", "steady", "--host", "http://shop", "--scale", "0.1", "--workers", "3"]
    result = run_cli(*args, "--namespace", "load", "--out", str(out))
    assert result.returncode == 0, result.stderr
    docs = _documents(out)
    for doc in docs.values():
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
        assert doc["metadata"]["namespace"] == "load"
    assert _worker(docs)[0] == 3
    profile = yaml.safe_load(docs["configmap.yaml"]["data"]["profile.yaml"])
    assert profile["applied"]["scale"] == pytest.approx(0.1)


def test_a_measured_run_sizes_the_fleet_from_its_intended_peak(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    write_run_json(
        run,
        {
            "generator_sizing": {
                "full_scale_peak_rps": 9_000.0,
                "full_scale_peak_users": 8,
                "measured_memory_mb_per_user": 0.5,
                "measured_rps_per_core": 500.0,
                "memory_per_user_method": "slope",
                "memory_per_user_note": "a fit",
                "process_memory_mb": 100.0,
                "peak_rps_basis": "the profile's peak",
                "workers_needed": 26,
                "memory_gb_needed": 1.0,
            }
        },
    )
    out = tmp_path / "k8s"
    result = run_cli(
        "fleet", "smoke", "--host", "http://x", "--from-run", str(run), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    replicas, worker = _worker(_documents(out))
    assert replicas == math.ceil(9_000 / (0.7 * 500)) == 26
    assert worker["resources"]["requests"]["memory"] == f"{math.ceil(100 + 1 * 0.5)}Mi"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "2"], "scale: 2.0 is not allowed"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_bad_input_is_one_line_and_exit_3(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "k8s"
    result = run_cli("fleet", "flash-sale", "--host", "http://x", *args, "--out", str(out))
    assert result.returncode == 3
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_an_open_model_needs_a_measured_run_or_a_count(tmp_path: Path) -> None:
    profile = tmp_path / "open.yaml"
    profile.write_text(
        "name: open\nstages:\n  - {duration: 10s, arrivals_per_s: 100}\nmix: {browser: 1.0}\n"
        "think_times:\n  browser: {distribution: constant, value: 0s}\n"
    )
    result = run_cli("fleet", str(profile), "--host", "http://x", "--out", str(tmp_path / "k"))
    assert result.returncode == 3
    assert "is an open model" in result.stderr and "--from-run" in result.stderr
