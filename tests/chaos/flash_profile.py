"""The short flash sale the chaos runs break: every behaviour, a sale opening at 3 s."""

from __future__ import annotations


def flash_profile(name: str, description: str, users: int, sale: str) -> str:
    """A profile's YAML: 3 s of baseline, ``sale`` of flash sale, 2 s of decay, ``users``."""
    return f"""\
name: {name}
description: {description}
scale: 1
time_scale: 1
stages:
  - {{duration: 3s, users: {users}, phase: baseline}}
  - {{duration: {sale}, users: {users}, phase: sale}}
  - {{duration: 2s, users: 0, phase: decay}}
mix: {{browser: 0.15, shopper: 0.5, flash_buyer: 0.2, mobile_app: 0.15}}
think_times:
  browser: {{min: 100ms, max: 300ms}}
  shopper: {{min: 100ms, max: 300ms}}
  flash_buyer: {{distribution: constant, value: 100ms}}
  mobile_app: {{min: 100ms, max: 300ms}}
flash: {{sku: FLASH-001, opens_at: 3s}}
slos:
  latency:
    all: {{p95: 500ms, p99: 1s}}
  error_rate: 0.05
"""
