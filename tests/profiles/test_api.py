"""The public surface of the profiles package, so that drift is a deliberate change."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
from pathlib import Path

from stampede import profiles

REPO = Path(__file__).resolve().parents[2]


def test_all_is_sorted_and_complete() -> None:
    assert profiles.__all__ == sorted(profiles.__all__)
    assert set(profiles.__all__) == {
        "ALL_GROUP",
        "Arrivals",
        "ConstantThinkTime",
        "ExponentialThinkTime",
        "FlashSale",
        "IntendedLoad",
        "LatencySlo",
        "LogNormalWait",
        "Patience",
        "Phase",
        "PlannedPlateau",
        "Profile",
        "Schedule",
        "Slos",
        "Stage",
        "ThinkTime",
        "UniformThinkTime",
        "UserBehaviour",
        "available_profiles",
        "load_profile",
        "parse_duration",
        "parse_latency",
        "profile_from_yaml",
        "slos_from_mapping",
    }
    for name in profiles.__all__:
        assert hasattr(profiles, name)
    # nothing public is reachable without being in __all__ (the private modules aside)
    public = {
        name
        for name, value in vars(profiles).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(profiles.__all__)


def test_public_functions_have_docstrings() -> None:
    for name in profiles.__all__:
        value = getattr(profiles, name)
        if isinstance(value, types.FunctionType):
            assert value.__doc__, name


def test_profiles_never_import_locust() -> None:
    code = (
        "import sys, profiles\n"
        "for name in profiles.available_profiles():\n"
        "    profiles.Schedule.from_profile(profiles.load_profile(name).scaled())\n"
        "assert 'locust' not in sys.modules, 'profiles imported locust'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_format_example_in_the_package_docstring_loads(tmp_path: Path) -> None:
    assert profiles.__doc__ is not None
    example = profiles.__doc__.split("::", 1)[1].split("\nUse::", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(textwrap.dedent(example).strip("\n"), encoding="utf-8")
    profile = profiles.load_profile(path)
    assert profile.name == "flash-sale"
    assert profile.stages[1].spawn_rate == 2500
