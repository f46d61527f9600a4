"""run.json as one typed record: a round trip, its keys, and a one-line error for every bad key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stampede.core.errors import ConfigError
from stampede.core.records import RUN_FORMAT, RunRecord
from stampede.core.rundir import RunDir
from tests.core.samples import measured_run, run_record, runner_facts

SOURCE = "runs/x/run.json"
#: the keys run.json has always had (reports, gates and users read them)
MEASURED_KEYS = {
    "format", "profile", "model", "scale", "time_scale", "host", "started_at", "ended_at",
    "duration_s", "planned_duration_s", "origin", "interrupted", "stop_reason", "phases",
    "sale_opens_at_s", "open_model_pool", "generator", "validity", "versions", "machine",
    "worker_losses", "on_worker_loss", "workers", "target_description", "uncorrected_users",
    "statuses", "timeouts",
}  # fmt: skip
RUNNER_KEYS = {
    "target", "store_workers", "command", "locust_exit_code", "audit_ok", "generator_sizing",
    "generator_peak_memory_mb", "chaos", "complete",
}  # fmt: skip
#: keys a record may lack: runs made before they were written, or facts that may not exist
OPTIONAL = {
    "worker_losses", "on_worker_loss", "workers", "generator.intended_arrivals",
    "generator.sent_on_time",
    "generator.intended_user_seconds", "generator.running_user_seconds", "store_workers",
    "generator_sizing.memory_per_user_method", "generator_sizing.memory_per_user_note",
    "generator_sizing.workers_needed", "generator_sizing.memory_gb_needed", "target_lost",
    "generator_sizing.process_memory_mb", "generator_sizing.peak_rps_basis",
    "write_error", "target_description", "uncorrected_users", "statuses", "locustfile",
    "locustfile_sha256", "target_file", "timeouts",
    # entries of a map by status or request name: any of them may be absent
    "statuses.0", "statuses.200", "timeouts.GET /api/v1/products/[id]",
}  # fmt: skip


def _on_disk(record: RunRecord) -> dict[str, Any]:
    return dict(json.loads(json.dumps(record.to_json())))


def test_a_record_survives_the_file() -> None:
    for record in (
        run_record(),
        RunRecord(measured_run()),
        RunRecord(measured_run(), runner_facts()),
    ):
        assert RunRecord.from_json(_on_disk(record), SOURCE) == record


def test_the_file_keeps_its_keys() -> None:
    assert set(_on_disk(RunRecord(measured_run()))) == MEASURED_KEYS
    assert set(_on_disk(RunRecord(measured_run(), runner_facts()))) == MEASURED_KEYS | RUNNER_KEYS
    full = _on_disk(run_record())
    assert set(full) == MEASURED_KEYS | RUNNER_KEYS | {"target_lost", "write_error"}
    assert full["format"] == RUN_FORMAT and full["target"] == "remote"
    assert full["phases"] == [["warm-up", 0.0, 10.0], ["plateaus", 10.0, 60.0]]
    assert full["validity"] == {"valid": False, "reasons": ["the CPU was saturated; why"]}
    assert full["worker_losses"] == [{"t": 31.0, "lost": 1, "left": 1, "before": 2}]
    assert full["generator"]["intended_arrivals"] == 950
    assert "intended_user_seconds" not in full["generator"]


def test_the_child_writes_the_measured_part_and_the_runner_the_rest(tmp_path: Path) -> None:
    rundir = RunDir(tmp_path)
    rundir.write_record(RunRecord(measured_run()))
    child = rundir.record()
    assert child.runner is None and not child.complete and child.audit_ok is None
    rundir.write_record(RunRecord(child.measured, runner_facts()))
    final = rundir.record()
    assert final.complete and final.audit_ok is True
    assert final.measured == child.measured


def _paths(data: object, prefix: str = "") -> Iterator[tuple[str, list[str | int]]]:
    """Every key of the record, dotted, with its path of keys and indices."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path, [key]
            for inner, keys in _paths(value, path):
                yield inner, [key, *keys]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            for inner, keys in _paths(value, f"{prefix}[{i}]"):
                yield inner, [i, *keys]


FULL = _on_disk(run_record())
KEYS = [(path, keys) for path, keys in _paths(FULL) if keys[-1] != "format"]


def _without(keys: list[str | int]) -> dict[str, Any]:
    data = json.loads(json.dumps(FULL))
    inner = data
    for key in keys[:-1]:
        inner = inner[key]
    del inner[keys[-1]]
    return dict(data)


def _with(keys: list[str | int], value: object) -> dict[str, Any]:
    data = json.loads(json.dumps(FULL))
    inner = data
    for key in keys[:-1]:
        inner = inner[key]
    inner[keys[-1]] = value
    return dict(data)


@pytest.mark.parametrize(("path", "keys"), [k for k in KEYS if isinstance(k[1][-1], str)])
def test_a_missing_key_is_one_line_naming_it(path: str, keys: list[str | int]) -> None:
    data = _without(keys)
    if path == "complete":  # what tells a child's record from a runner's
        assert RunRecord.from_json(data, SOURCE).runner is None
        return
    if path in OPTIONAL:
        RunRecord.from_json(data, SOURCE)
        return
    with pytest.raises(ConfigError) as caught:
        RunRecord.from_json(data, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {path} is missing in a {RUN_FORMAT} record"


def _wrong(value: object) -> object:
    """A value of another JSON type than ``value``'s."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return "many"
    if isinstance(value, str):
        return 1
    return 7 if isinstance(value, list | dict) else []


@pytest.mark.parametrize(("path", "keys"), KEYS)
def test_a_value_of_the_wrong_type_is_one_line_naming_the_key(
    path: str, keys: list[str | int]
) -> None:
    inner: Any = FULL
    for key in keys:
        inner = inner[key]
    with pytest.raises(ConfigError) as caught:
        RunRecord.from_json(_with(keys, _wrong(inner)), SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: {path} is ") and ", expected " in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "runs/x/run.json: the file is a list, expected an object in a stampede.run/1 record"),
        (
            {**FULL, "format": "stampede.run/2"},
            "format is 'stampede.run/2', expected 'stampede.run/1'",
        ),
        ({k: v for k, v in FULL.items() if k != "format"}, "format is missing"),
        ({**FULL, "phases": [["sale", 0]]}, "phases[0][2] is missing"),
        ({**FULL, "scale": True}, "scale is True, expected a number"),
    ],
)
def test_malformed_files(data: object, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RunRecord.from_json(data, SOURCE)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_the_run_directory_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps({**FULL, "profile": 3}))
    with pytest.raises(
        ConfigError, match=rf"^{tmp_path / 'run.json'}: profile is 3, expected a string"
    ):
        RunDir(tmp_path).record()
    (tmp_path / "run.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"run\.json cannot be read"):
        RunDir(tmp_path).record()
