"""What a report says about the run itself: a dead target, lost workers, what it could not place.

Short sentences for the report's run notes, from the run's record and data.
"""

from __future__ import annotations

from stampede.core.records import RunRecord
from stampede.core.target_description import OTHER_GROUP
from stampede.reports._model import RunData


def run_notes(data: RunData) -> list[str]:
    """Every note on the run: how it ran, then what the target description did not cover."""
    return [*_run_notes(data.run), *_target_notes(data)]


def _target_notes(data: RunData) -> list[str]:
    """What the report could not attribute, and what it measured less well."""
    notes = []
    other = [e for e in data.endpoints if e.group == OTHER_GROUP]
    if other:
        count = sum(e.requests for e in other)
        names = ", ".join(e.name for e in other[:3]) + (" …" if len(other) > 3 else "")
        notes.append(
            f"{count:,} requests ({len(other)} request names: {names}) matched no endpoint "
            f"group of the target description {data.target.name} and are counted in "
            f"{OTHER_GROUP}; add patterns for them to its groups."
        )
    plain = data.run.measured.uncorrected_users
    if plain:
        notes.append(
            f"{', '.join(plain)} are plain Locust users: their latency is measured from each "
            "request's actual send, not corrected for coordinated omission (subclass "
            "StampedeUser to correct it)."
        )
    return notes


def _run_notes(run: RunRecord) -> list[str]:
    """What went wrong with the run itself: a dead target, lost workers, missing files."""
    notes = []
    lost = run.runner.target_lost if run.runner is not None else None
    if lost:
        notes.append(f"The run was cut short: {lost}. What was measured is kept.")
    measured = run.measured
    for loss in measured.worker_losses:
        then = "the run went on" if measured.on_worker_loss != "stop" else "the run stopped"
        notes.append(
            f"A load generator worker process was lost at {loss.t:.0f} s "
            f"({loss.left} of {loss.before} left); {then} (--on-worker-loss "
            f"{measured.on_worker_loss})."
        )
    return notes
