"""``stampede probe`` through the real CLI entry point."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import stampede.cli as cli
from tests.measure.stub_server import StubServer, serving

REPO = Path(__file__).resolve().parents[2]


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(cli.stampede, ["probe", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "stampede probe http://127.0.0.1:8000/healthz --rate 200 --duration 10" in result.output


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "127.0.0.1:8000", "http:///nohost"])
def test_bad_url_is_one_line_naming_it(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["probe", url, "--rate", "10", "--duration", "1"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1
    assert repr(url) in err and "expected an http:// or https:// URL with a host" in err


def test_unreachable_host_is_one_line_before_any_load(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["probe", "http://127.0.0.1:1/", "--rate", "10", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 4
    assert captured.out == ""
    assert captured.err == (
        "Error: cannot connect to http://127.0.0.1:1/: connection refused; "
        "is the store running? start it with `stampede store`\n"
    )


def test_bad_rate_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["probe", "http://127.0.0.1:1/", "--rate", "0", "--duration", "1"]) == 3
    assert "--rate" in capsys.readouterr().err


def test_short_probe_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(StubServer()) as server:
        code = cli.main(["probe", server.url, "--rate", "200", "--duration", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["validity"]
    assert report["requests"]["intended"] == report["requests"]["completed"] == 200
    assert report["statuses"] == {"200": 200}
    assert report["validity"] == {"valid": True, "reasons": []}
    assert set(report["latency_ms"]["corrected"]) == {
        "50",
        "75",
        "90",
        "99",
        "99.9",
        "99.99",
        "max",
    }
    assert report["histograms"]["groups"]["GET /"]["corrected"]
    assert report["arrivals"]["format"] == "stampede.arrivals/1"


def test_short_probe_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(StubServer()) as server:
        code = cli.main(["probe", server.url, "--rate", "50", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 2  # 50 requests are too few to trust
    assert "corrected" in captured.out and "uncorrected" in captured.out
    assert "99.990%" in captured.out and "Verdict   INVALID" in captured.out
    assert "only 50 requests completed" in captured.err


def test_ctrl_c_stops_and_prints_what_was_measured() -> None:
    server = StubServer(signal_at=100)
    with serving(server):
        process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "cli.py"),
                "probe",
                server.url,
                "--rate",
                "200",
                "--duration",
                "60",
                "--json",
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.signalled.wait(20), "the probe never reached 100 requests"
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=20)
        finally:
            process.kill()
    report = json.loads(out)
    assert report["interrupted"] is True
    assert 90 <= report["requests"]["completed"] < 12_000  # up to 10 were in flight
    assert report["requests"]["intended"] < 12_000
    assert process.returncode == 130, err  # interrupted, what was measured printed
