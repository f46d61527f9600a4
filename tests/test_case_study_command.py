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


def test_the_stores_flags_per_backend(tmp_path: Path) -> None:
    from stampede.app.case_study import CaseStudyRequest, store_args

    sqlite = CaseStudyRequest(tmp_path, 0.002, 0.1, 0.1)
    assert store_args(sqlite, "legacy") == ("--architecture=legacy",)
    pg = CaseStudyRequest(
        tmp_path, 0.002, 0.1, 0.1, "postgres", "postgresql://u@h/db", "redis://h:6379/0"
    )
    assert store_args(pg, "modern") == (
        "--architecture=modern",
        "--backend=postgres",
        "--database-url=postgresql://u@h/db",
        "--redis-url=redis://h:6379/0",
    )


def test_the_fault_falls_inside_the_scaled_sale() -> None:
    from stampede.app.case_study import fault_spec

    # flash-sale: doors open at 3 min, the sale phase runs 4 to 14 min (× the time scale)
    assert fault_spec(0.1) == "payment-outage@sale+18000ms:6000ms"
    assert fault_spec(0.25) == "payment-outage@sale+45000ms:15000ms"
    assert fault_spec(0.01) == "payment-outage@sale+1800ms:1000ms"  # at least a second
