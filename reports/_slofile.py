"""Objectives from a YAML file in the profiles' ``slos:`` format (``stampede gate --slo``).

The file holds either the ``slos:`` block itself or a mapping with an
``slos:`` key (a whole profile works too). Mistakes are one-line
``ConfigError``\\ s naming the file, the key and the bad value, as for profiles.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from stampede.core.errors import ConfigError
from stampede.profiles import Slos, slos_from_mapping


def load_slos(path: Path) -> Slos:
    """The objectives in the YAML file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such SLO file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the SLO file: {reason}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(f"{path}: malformed YAML: {detail}") from None
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"{path}: expected a mapping of objectives such as "
            "{latency: {all: {p95: 500ms}}, error_rate: 0.01}"
        )
    if "slos" in data:
        return slos_from_mapping(data["slos"], str(path), key_path="slos")
    return slos_from_mapping(data, str(path))
