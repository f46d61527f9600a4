"""What ``stampede run`` and its Locust child agree on: files they hand over and exit codes.

The parent starts ``locust`` in a child process (Locust monkey-patches the
standard library, so it never runs inside the parent); the two talk only
through the run directory and the child's exit code.
"""

from __future__ import annotations

#: written by the child when the test starts: run time 0 in Unix time, for ``--chaos``
ORIGIN_FILE = "origin.json"

#: the child's exit code when it could not write the run directory
WRITE_FAILED = 5
