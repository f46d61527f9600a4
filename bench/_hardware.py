"""What machine a benchmark ran on, stated with every result."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from stampede.core.machine import cpu_model


def describe() -> str:
    model = cpu_model()
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return (
        f"{model}, {os.cpu_count()} logical cores, {memory}, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
