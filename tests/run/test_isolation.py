"""Isolation when probing: the embedded store and the generator pinned to separate cores."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stampede.app.isolation import isolate, split_cores

CORES = os.sched_getaffinity(0)


def test_the_cores_are_split_in_two_halves_or_shared_and_said_so() -> None:
    two = split_cores({1, 0})
    assert two.pinned and (two.store_cores, two.generator_cores) == ((0,), (1,))
    four = split_cores({0, 1, 2, 3})
    assert (four.store_cores, four.generator_cores) == ((0, 1), (2, 3))
    one = split_cores({3})
    assert not one.pinned and one.store_cores == one.generator_cores == (3,)
    assert (
        one.note
        == "only 1 CPU core is available to Stampede, so the store and the generator shared it"
    )


@pytest.mark.skipif(len(CORES) < 2, reason="pinning apart needs at least 2 CPU cores")
def test_isolate_pins_every_thread_of_the_store_tree_and_gives_this_thread_the_rest() -> None:
    # a "store" with a worker thread and a child process, each blocked on stdin
    code = (
        "import subprocess, sys, threading\n"
        "threading.Thread(target=sys.stdin.readline, daemon=True).start()\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()'],"
        " stdin=subprocess.PIPE)\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.readline()\n"
        "child.kill()\n"
    )
    store = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert store.stdout is not None and store.stdin is not None
    child = int(store.stdout.readline())
    said: list[str] = []
    try:
        with isolate(store, said.append) as split:  # type: ignore[arg-type]
            assert split is not None and split.pinned
            assert set(split.store_cores) | set(split.generator_cores) == CORES
            assert not set(split.store_cores) & set(split.generator_cores)
            for pid in (store.pid, child):
                for tid in os.listdir(f"/proc/{pid}/task"):
                    assert os.sched_getaffinity(int(tid)) == set(split.store_cores), (pid, tid)
            assert os.sched_getaffinity(0) == set(split.generator_cores)
            # what this thread starts now (the Locust child) inherits the generator's cores
            started = subprocess.run(
                [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                capture_output=True,
                text=True,
                check=True,
            )
            assert started.stdout.strip() == str(sorted(split.generator_cores))
        assert os.sched_getaffinity(0) == CORES
        assert said == [
            f"Isolation: the store on CPU core(s) {', '.join(map(str, split.store_cores))}, "
            f"the generator on {', '.join(map(str, split.generator_cores))}"
        ]
    finally:
        store.stdin.write("\n")
        store.stdin.close()
        store.wait(timeout=10)


def test_a_host_run_pins_nothing() -> None:
    with isolate(None, print) as split:
        assert split is None
        assert os.sched_getaffinity(0) == CORES


def test_no_isolation_pins_nothing_and_records_why() -> None:
    store = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    said: list[str] = []
    try:
        with isolate(store, said.append, enabled=False) as split:
            assert split is not None and not split.pinned
            assert split.note == "pinning was turned off (--no-isolation)"
            assert os.sched_getaffinity(store.pid) == CORES == os.sched_getaffinity(0)
        assert said == [
            "Isolation: none (pinning was turned off (--no-isolation)); the plan marks the "
            "store's figures as shared"
        ]
    finally:
        assert store.stdin is not None
        store.stdin.close()
        store.wait(timeout=10)


@pytest.mark.parametrize(("profile", "pinned"), [("shared", False), ("pinned", True)])
def test_without_a_flag_the_profile_decides(profile: str, pinned: bool) -> None:
    store = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        with isolate(store, print, enabled=None, profile=profile) as split:
            assert split is not None
            assert split.pinned is (pinned and len(CORES) >= 2)
            if not pinned:
                assert split.note == "the profile says isolation: shared; --isolation pins them"
                assert os.sched_getaffinity(store.pid) == CORES
            elif len(CORES) >= 2:
                assert os.sched_getaffinity(store.pid) == set(split.store_cores)
    finally:
        assert store.stdin is not None
        store.stdin.close()
        store.wait(timeout=10)
