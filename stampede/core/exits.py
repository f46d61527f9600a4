"""The one exit-code scheme of every ``stampede`` command.

::

    0    ok: the command did its work; a judged run met every objective
    1    an objective was breached (or p95 regressed against a baseline)
    2    the run cannot be trusted: invalid measurements, an interrupted run, a failed
         audit, a lost load worker with --on-worker-loss stop
    3    a usage or input error: a bad flag, profile, file or value (click's too)
    4    the target cannot be reached, or died during the run
    70   Stampede itself failed (a bug, never a user mistake): one line, the traceback
         saved to a file it names
    130  interrupted by Ctrl-C (SIGINT), after keeping what was measured
    143  stopped by SIGTERM (docker stop, a cancelled CI job), likewise

The CLI (:mod:`stampede.cli`) maps exceptions to these, and ``stampede --help``
prints :data:`HELP`.
"""

from __future__ import annotations

import signal
from enum import IntEnum


class Exit(IntEnum):
    """An exit code of ``stampede``, by what it means."""

    OK = 0
    BREACHED = 1
    UNTRUSTED = 2
    USAGE = 3
    UNREACHABLE = 4
    #: sysexits' EX_SOFTWARE: an internal error, kept apart from 1 (an objective breached)
    CRASHED = 70
    INTERRUPTED = 128 + signal.SIGINT
    TERMINATED = 128 + signal.SIGTERM


#: what ``stampede --help`` says about them (click's ``\\b`` keeps the lines as they are)
HELP = """\b
Exit codes (every command):
  0    ok; a judged run met every objective
  1    an objective was breached (or p95 regressed against --baseline)
  2    the run cannot be trusted (invalid, interrupted, audit failed)
  3    usage or input error (bad flag, profile, file or value)
  4    the target cannot be reached or died during the run
  70   internal error in Stampede (a bug; the traceback is saved to a file)
  130  interrupted by Ctrl-C; 143 stopped by SIGTERM (what was measured is kept)"""
