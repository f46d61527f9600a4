"""Every mistake in a profile file ends in one line naming the file, the key path and the value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stampede.core.errors import ConfigError
from stampede.profiles import load_profile
from tests.profiles.conftest import WriteProfile, valid

Edit = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Edit:
    """An edit setting ``a.b[2].c`` to ``value`` in the profile data."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return edit


CASES: list[tuple[str, Edit, str, list[str]]] = [
    # id, edit, key path, fragments that must appear after the key path
    (
        "negative duration",
        _set("stages[2].duration", "-5s"),
        "stages[2].duration",
        ["-5s is not allowed", "positive duration such as 30s or 5m"],
    ),
    (
        "zero duration",
        _set("stages[1].duration", 0),
        "stages[1].duration",
        ["0 is not allowed", "positive duration"],
    ),
    ("zero duration text", _set("stages[1].duration", "0s"), "stages[1].duration", ["0s"]),
    (
        "words for duration",
        _set("stages[0].duration", "5 minutes"),
        "stages[0].duration",
        ['"5 minutes" is not allowed'],
    ),
    (
        "units out of order",
        _set("stages[0].duration", "30m1h"),
        "stages[0].duration",
        ["30m1h is not allowed"],
    ),
    (
        "users as text",
        _set("stages[0].users", "many"),
        "stages[0].users",
        ["many is not allowed", "whole number of users"],
    ),
    ("fractional users", _set("stages[0].users", 10.5), "stages[0].users", ["10.5"]),
    ("negative users", _set("stages[3].users", -1), "stages[3].users", ["-1 is not allowed"]),
    ("boolean users", _set("stages[0].users", True), "stages[0].users", ["true is not allowed"]),
    (
        "both users and rate",
        _set("stages[1].arrivals_per_s", 5),
        "stages[1]",
        ["both users and arrivals_per_s are set", "exactly one"],
    ),
    (
        "neither users nor rate",
        _delete("stages[1].users"),
        "stages[1]",
        ["neither users nor arrivals_per_s is set"],
    ),
    (
        "mixed models",
        lambda d: d["stages"][2].update(users=None, arrivals_per_s=50),
        "stages[2]",
        ["uses arrivals_per_s but stages[0] uses users"],
    ),
    (
        "negative rate",
        lambda d: [s.update(users=None, arrivals_per_s=-3) for s in d["stages"]],
        "stages[0].arrivals_per_s",
        ["-3 is not allowed"],
    ),
    (
        "spawn rate too low",
        _set("stages[2].spawn_rate", 10),
        "stages[2].spawn_rate",
        ["10 is not allowed", "at least 30 users/s to move 900 users within 30s"],
    ),
    (
        "spawn rate on arrivals",
        lambda d: [s.update(users=None, arrivals_per_s=3, spawn_rate=2) for s in d["stages"]],
        "stages[0].spawn_rate",
        ["2 is not allowed", "only applies to users"],
    ),
    (
        "phase not text",
        _set("stages[1].phase", ["sale"]),
        "stages[1].phase",
        ['["sale"] is not allowed'],
    ),
    (
        "flash not a mapping",
        _set("flash", "FLASH-001"),
        "flash",
        ["FLASH-001 is not allowed", "sku, opens_at"],
    ),
    (
        "negative sale opening",
        _set("flash.opens_at", "-1s"),
        "flash.opens_at",
        ["-1s is not allowed", "0 or more"],
    ),
    ("spawn rate zero", _set("stages[2].spawn_rate", 0), "stages[2].spawn_rate", ["0 is not"]),
    (
        "unknown stage key",
        _set("stages[0].usres", 10),
        "stages[0].usres",
        ["unknown key; did you mean users?"],
    ),
    ("empty stages", _set("stages", []), "stages", ["[] is not allowed", "non-empty list"]),
    ("stages not a list", _set("stages", "fast"), "stages", ["fast is not allowed"]),
    (
        "all targets zero",
        lambda d: [s.update(users=0) for s in d["stages"]],
        "stages",
        ["every target of 0"],
    ),
    ("unknown top key", _set("stagse", []), "stagse", ["unknown key; did you mean stages?"]),
    ("missing name", _delete("name"), "name", ["missing"]),
    ("bad name", _set("name", "Flash Sale"), "name", ['"Flash Sale" is not allowed']),
    (
        "weights off",
        _set("mix.browser", 0.4),
        "mix",
        ["add up to 0.9 (browser 0.4 + flash_buyer 0.5)", "expected a total of 1.0"],
    ),
    (
        "weights as percentages",
        lambda d: d.update(mix={"browser": 50, "flash_buyer": 50}),
        "mix.browser",
        ["50 is not allowed"],
    ),
    (
        "negative weight",
        lambda d: d["mix"].update(browser=-0.5, flash_buyer=1.5),
        "mix.browser",
        ["-0.5 is not allowed"],
    ),
    (
        "a mix name without a think time",
        _set("mix.flash_buyers", 0.0),
        "think_times.flash_buyers",
        ["missing", "needs a think time"],
    ),
    (
        "a mix name that is no class name",
        _set("mix.flash-buyer", 0.0),
        "mix.flash-buyer",
        ["flash-buyer is not allowed", "a user class name such as Shopper"],
    ),
    (
        "think time missing",
        _delete("think_times.browser"),
        "think_times.browser",
        ["missing", "needs a think time"],
    ),
    (
        "think time not in mix",
        _set("think_times.shopper", {"min": "1s", "max": "2s"}),
        "think_times.shopper",
        ["shopper is not in mix"],
    ),
    (
        "think max below min",
        _set("think_times.browser.max", "500ms"),
        "think_times.browser.max",
        ["500ms is not allowed", "no shorter than min (1s)"],
    ),
    (
        "unknown distribution",
        _set("think_times.browser", {"distribution": "gauss"}),
        "think_times.browser.distribution",
        ["gauss is not allowed"],
    ),
    (
        "think time as number",
        _set("think_times.browser", 3),
        "think_times.browser",
        ["3 is not allowed"],
    ),
    ("scale zero", _set("scale", 0), "scale", ["0 is not allowed", "(0, 1]"]),
    ("scale above one", _set("scale", 1.5), "scale", ["1.5 is not allowed"]),
    ("scale as text", _set("scale", "1%"), "scale", ["1% is not allowed"]),
    ("time scale negative", _set("time_scale", -0.25), "time_scale", ["-0.25 is not allowed"]),
    (
        "sale after the end",
        _set("flash.opens_at", "1h"),
        "flash.opens_at",
        ["1h is not allowed", "before the profile ends at 3m40s"],
    ),
    ("sale without sku", _delete("flash.sku"), "flash.sku", ["missing"]),
    (
        "latency without unit",
        _set("slos.latency.all.p95", 500),
        "slos.latency.all.p95",
        ["500 is not allowed", "500ms"],
    ),
    (
        "p99 below p95",
        _set("slos.latency.all.p99", "100ms"),
        "slos.latency.all.p99",
        ["100ms is not allowed"],
    ),
    (
        "an endpoint group that is no group name",
        _set("slos.latency.Check Out", {"p95": "1s"}),
        "slos.latency.Check Out",
        ['"Check Out" is not allowed', "an endpoint group such as all"],
    ),
    ("error rate as percent", _set("slos.error_rate", 5), "slos.error_rate", ["5 is not allowed"]),
    (
        "negative throughput",
        _set("slos.min_throughput", -1),
        "slos.min_throughput",
        ["-1 is not allowed"],
    ),
    ("unknown slo key", _set("slos.p95", "1s"), "slos.p95", ["unknown key"]),
    (
        "isolation not shared or pinned",
        _set("isolation", "separate"),
        "isolation",
        ["separate is not allowed", "shared (the store and the generator share", "pinned"],
    ),
    # the shoppers' patience (docs/patience.md)
    (
        "patience not on or off",
        _set("patience", "sometimes"),
        "patience",
        ["sometimes is not allowed", "on, off or {page:"],
    ),
    (
        "patience a number",
        _set("patience", 3),
        "patience",
        ["3 is not allowed"],
    ),
    (
        "patience unknown key",
        _set("patience", {"pages": {}}),
        "patience.pages",
        ["unknown key; did you mean page?"],
    ),
    (
        "patience page a duration",
        _set("patience", {"page": "3s"}),
        "patience.page",
        ["3s is not allowed", "{median: 3s, sigma: 0.5}"],
    ),
    (
        "patience sigma missing",
        _set("patience", {"page": {"median": "3s"}}),
        "patience.page.sigma",
        ["missing"],
    ),
    (
        "patience sigma zero",
        _set("patience", {"page": {"median": "3s", "sigma": 0}}),
        "patience.page.sigma",
        ["0 is not allowed", "above 0 and at most 3"],
    ),
    (
        "patience median zero",
        _set("patience", {"checkout": {"median": "0s", "sigma": 0.5}}),
        "patience.checkout.median",
        ["0s is not allowed", "positive duration"],
    ),
    (
        "patience page unknown key",
        _set("patience", {"page": {"median": "3s", "sigma": 0.5, "mean": "2s"}}),
        "patience.page.mean",
        ["unknown key; did you mean median?"],
    ),
]


@pytest.mark.parametrize(
    ("edit", "key_path", "fragments"),
    [pytest.param(edit, key, frags, id=name) for name, edit, key, frags in CASES],
)
def test_bad_input_is_one_line_naming_file_key_and_value(
    write_profile: WriteProfile, edit: Edit, key_path: str, fragments: list[str]
) -> None:
    data = valid()
    edit(data)
    path = write_profile(data)
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {key_path}: "), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: tiny\nstages: [1, 2\n", "line 3, column 1"),
        ("name: tiny\n  stages: []\n", "line 2, column 9"),
        ("name: tiny\nname: other\n", "line 2, column 1"),
        ("- just\n- a list\n", None),
    ],
)
def test_malformed_yaml_is_one_line_with_line_and_column(
    write_profile: WriteProfile, text: str, where: str | None
) -> None:
    path = write_profile(text)
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    if where is not None:
        assert where in message, message


def test_duplicate_key_is_named(write_profile: WriteProfile) -> None:
    path = write_profile("name: tiny\nname: other\n")
    with pytest.raises(ConfigError, match="duplicate key name"):
        load_profile(path)


def test_empty_file(write_profile: WriteProfile) -> None:
    with pytest.raises(ConfigError, match="the file is empty"):
        load_profile(write_profile(""))


def test_unknown_name_lists_the_bundled_profiles() -> None:
    with pytest.raises(ConfigError) as caught:
        load_profile("flash-sael")
    message = str(caught.value)
    assert "'flash-sael'" in message and "did you mean flash-sale?" in message
    assert "black-friday, capacity-probe, flash-sale, smoke, soak, steady" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="no such profile file"):
        load_profile(path)


def test_bundled_errors_name_the_bundled_file() -> None:
    with pytest.raises(ConfigError) as caught:
        load_profile("smoke").scaled(scale=2)
    assert str(caught.value) == (
        "scale: 2 is not allowed; expected a number in (0, 1] such as 0.01"
    )
