"""``stampede case-study``'s usage errors: one line, exit 3, before any run starts."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run_cli

NO_URLS = {"STAMPEDE_DATABASE_URL": None, "STAMPEDE_REDIS_URL": None}


def test_postgres_without_urls_is_one_usage_line(tmp_path: Path) -> None:
    result = run_cli("case-study", "--out", str(tmp_path), "--backend", "postgres", env=NO_URLS)
    assert result.returncode == 3, result.stderr
    assert "--backend postgres needs --database-url" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "legacy").exists()


def test_a_scale_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("case-study", "--out", str(tmp_path), "--scale", "2")
    assert result.returncode == 3 and "--scale" in result.stderr
