"""CpuSampler with a fake clock and fake CPU readings; saturation."""

from __future__ import annotations

import os
import threading

import pytest

from stampede.core.cpu import CpuSample, CpuSampler, cpu_sample, process_cpu_times, saturation
from stampede.core.errors import ConfigError


class FakeMachine:
    """A clock and per-process CPU seconds that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.cpu: dict[int, float] = {1: 0.0, 2: 0.0}

    def clock(self) -> float:
        return self.now

    def sample(self) -> dict[int, float]:
        return dict(self.cpu)

    def run(self, seconds: float, **busy: float) -> None:
        """Advance time; process ``p<pid>`` uses ``busy[...]`` cores meanwhile."""
        self.now += seconds
        for name, cores in busy.items():
            pid = int(name[1:])
            self.cpu[pid] = self.cpu.get(pid, 0.0) + cores * seconds


def test_tick_turns_cpu_seconds_into_percentages() -> None:
    machine = FakeMachine()
    sampler = CpuSampler(1.0, clock=machine.clock, sample=machine.sample, cpu_count=4)
    assert sampler.tick() is None  # the first reading is only a baseline
    machine.run(2.0, p1=0.5, p2=1.0)
    assert sampler.tick() == CpuSample(
        at=2.0, core_percent=150.0, machine_percent=37.5, busiest_percent=100.0
    )
    machine.run(1.0, p1=0.1, p3=1.0)  # pid 3 is new: its earlier CPU time is unknown
    sample = sampler.tick()
    assert sample is not None and sample.core_percent == pytest.approx(10.0)
    assert len(sampler.samples) == 2


def test_cpu_sample_ignores_vanished_processes_and_zero_time() -> None:
    assert cpu_sample({1: 5.0, 2: 3.0}, {1: 5.5}, 1.0, 1.0, 2).core_percent == pytest.approx(50.0)
    assert cpu_sample({1: 5.0}, {1: 5.0}, 0.0, 1.0, 2).core_percent == 0.0


def _sample(busiest: float, machine: float = 0.0) -> CpuSample:
    return CpuSample(at=0.0, core_percent=busiest, machine_percent=machine, busiest_percent=busiest)


def test_saturation_counts_samples_at_or_above_the_threshold() -> None:
    samples = [_sample(89.9), _sample(90.0), _sample(10, machine=95.0), _sample(20)]
    assert saturation(samples) == 0.5
    assert saturation(samples, threshold=95.0) == 0.25
    assert saturation([]) == 0.0


def test_start_and_stop_sample_on_a_background_thread() -> None:
    machine = FakeMachine()
    three_readings = threading.Event()
    readings = 0

    def sample() -> dict[int, float]:
        nonlocal readings
        readings += 1
        machine.run(1.0, p1=0.25)  # each reading a fake second after the last
        if readings >= 3:
            three_readings.set()
        return machine.sample()

    sampler = CpuSampler(0.001, clock=machine.clock, sample=sample, cpu_count=1)
    sampler.start()
    assert three_readings.wait(5)
    samples = sampler.stop()
    assert len(samples) >= 2
    assert all(s.core_percent == pytest.approx(25.0) for s in samples)
    with pytest.raises(RuntimeError):
        sampler.start()


def test_process_cpu_times_reads_this_process() -> None:
    times = process_cpu_times()
    assert times[os.getpid()] > 0.0


def test_rejects_a_non_positive_interval() -> None:
    with pytest.raises(ConfigError):
        CpuSampler(0.0)
