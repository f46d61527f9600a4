"""``stampede case-study --backend postgres``: both architectures' runs on PostgreSQL and
Redis (the services of this machine or CI), in a database and under Redis keys of the
test's own, dropped after. Skips with the reason unless STAMPEDE_REQUIRE_SERVICES=1."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.reports.test_case_study import METRICS
from tests.run.helpers import stampede
from tests.services import REDIS_URL
from tests.store.backends import fresh_database, require_backends

pytestmark = [pytest.mark.e2e, pytest.mark.services]


def _drop_keys(prefix: str) -> None:
    with contextlib.suppress(redis.RedisError), redis.Redis.from_url(REDIS_URL) as client:
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)


def test_case_study_on_postgres_and_redis(tmp_path: Path) -> None:
    require_backends()
    out = tmp_path / "study"
    with fresh_database() as url:
        # the store's keys are under stampede:<database name>: (its default prefix)
        prefix = f"stampede:{urlsplit(url).path.strip('/')}:"
        try:
            result = stampede(
                "case-study", "--out", str(out), "--scale", "0.001", "--time-scale", "0.01",
                "--backend", "postgres", "--database-url", url, "--redis-url", REDIS_URL,
                cwd=tmp_path, timeout=240,
            )  # fmt: skip
        finally:
            _drop_keys(prefix)
    assert (out / "case-study.json").is_file(), result.stderr[-3000:]
    doc = json.loads((out / "case-study.json").read_text())
    invalid = [n for run in doc["runs"].values() for n in run["invalid"]]
    assert result.returncode == (2 if invalid else 0), result.stderr[-3000:]
    assert doc["conditions"]["backend"] == "postgres"
    rows = {m["metric"]: m for m in doc["metrics"]}
    assert set(METRICS) <= set(rows)
    for metric in ("API response time (p95)", "error rate", "checkout success"):
        assert rows[metric]["status"] == "measured", rows[metric]
    assert rows["checkout success"]["after"] > 0, rows["checkout success"]
    for arch in ("legacy", "modern"):
        for run_name in ("sale", "probe"):
            run = json.loads((out / arch / run_name / "run.json").read_text())
            # the recorded command names the backend: the run can be made again
            assert f"--store-arg=--architecture={arch}" in run["command"], run["command"]
            assert "--store-arg=--backend=postgres" in run["command"], run["command"]
            assert sum(w["requests"] for w in run["workers"]) > 0, (arch, run_name)
