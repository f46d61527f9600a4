"""run.json and plan.json have one reader and one writer: nothing else in the package opens them.

Every module of the ``stampede`` package is read with ``ast``: the file names
appear as text only in the protocol, and only the modules allowed below name
their constants (the reader and writer, and those that ask whether the file is
there). A module that reads either file as a dict fails here.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from stampede.core.rundir import RunDir

PACKAGE = Path(__file__).resolve().parents[2] / "stampede"
FILES = {"run.json": "RUN_FILE", "plan.json": "PLAN_FILE"}
#: module (relative to stampede/) -> the constants it may name
ALLOWED = {
    "core/protocol.py": {"RUN_FILE", "PLAN_FILE"},
    "core/rundir.py": {"RUN_FILE", "PLAN_FILE"},  # RunDir.record/write_record, RunDir.plan
    "capacity/_write.py": {"PLAN_FILE"},  # write_plan, with PlanDocument.dumps
    "app/run_finish.py": {"RUN_FILE"},  # whether the child wrote one at all
}


def _modules() -> Iterator[tuple[str, ast.AST]]:
    for dirpath, _dirs, files in os.walk(PACKAGE, followlinks=True):
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(dirpath) / name
                yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text(encoding="utf-8"))


def test_only_the_record_modules_name_run_json_and_plan_json() -> None:
    found = []
    for module, tree in _modules():
        allowed = ALLOWED.get(module, set())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in FILES
                and module != "core/protocol.py"
            ):
                found.append(f"{module}:{node.lineno} spells {node.value!r}")
            named = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if isinstance(node, ast.alias):
                named = node.name
            if named in FILES.values() and named not in allowed:
                found.append(f"{module}:{getattr(node, 'lineno', 0)} names {named}")
    assert found == []


def test_the_run_directory_reads_the_record_typed() -> None:
    assert not hasattr(RunDir, "run") and not hasattr(RunDir, "update_run")
    assert RunDir.record.__annotations__["return"] == "RunRecord"
