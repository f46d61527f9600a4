"""Price sheets: typed, validated rows of list prices, each with its date and source.

A sheet is a YAML file with ``region``, ``currency`` and ``rows``; each row
has ``name``, ``value``, ``unit``, ``as_of`` (an ISO date) and ``source`` (the
pricing page's URL). The packaged sheet holds AWS us-east-1 list prices;
users pass their own file with the same row names to use other prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from stampede.capacity._topology import Arch
from stampede.core.errors import ConfigError

DEFAULT_SHEET = "aws-us-east-1.yaml"

REQUIRED_ROWS: tuple[str, ...] = (
    "fargate.x86.vcpu_hour",
    "fargate.x86.gb_hour",
    "fargate.arm.vcpu_hour",
    "fargate.arm.gb_hour",
    "fargate.spot.discount",
    "savings_plan.compute.discount",
    "aurora.io.per_million",
    "aurora.storage.gb_month",
    "sqs.standard.per_million",
    "alb.hour",
    "alb.lcu_hour",
    "data_transfer.out.gb",
)

_ROW_FIELDS = ("name", "value", "unit", "as_of", "source")


@dataclass(frozen=True)
class PriceRow:
    """One price: its value in the sheet's currency per ``unit``, when and where it was read."""

    name: str
    value: float
    unit: str
    as_of: dt.date
    source: str


@dataclass(frozen=True)
class PriceSheet:
    """All rows of one sheet, by name, and the file they came from."""

    region: str
    currency: str
    rows: Mapping[str, PriceRow]
    path: str

    def price(self, name: str) -> float:
        """The value of one row.

        Raises
        ------
        ConfigError
            Naming the row and the file when the row is missing.
        """
        try:
            return self.rows[name].value
        except KeyError:
            raise ConfigError(
                f"price sheet {self.path} has no row {name!r}; add it with value, unit, "
                "as_of and source."
            ) from None

    def task_hour(self, vcpu: float, memory_gb: float, arch: Arch = "x86") -> float:
        """On-demand price of one Fargate task for an hour."""
        return vcpu * self.price(f"fargate.{arch}.vcpu_hour") + memory_gb * self.price(
            f"fargate.{arch}.gb_hour"
        )

    def aurora_instance_hour(self, instance: str) -> float:
        """Aurora PostgreSQL on-demand price of one instance type for an hour."""
        return self.price(f"aurora.postgresql.{instance}")

    def elasticache_node_hour(self, node_type: str) -> float:
        """ElastiCache on-demand price of one node type for an hour."""
        return self.price(f"elasticache.{node_type}")


def _row(raw: Any, where: str) -> PriceRow:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping with {', '.join(_ROW_FIELDS)}.")
    missing = [f for f in _ROW_FIELDS if f not in raw]
    if missing:
        raise ConfigError(
            f"{where} lacks {', '.join(missing)}; every row needs {', '.join(_ROW_FIELDS)}."
        )
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where} has value {value!r}; it must be a number >= 0.")
    as_of = raw["as_of"]
    try:
        date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise ConfigError(
            f"{where} has as_of {as_of!r}; write an ISO date like 2024-06-01."
        ) from None
    source = str(raw["source"])
    if not source.startswith("https://"):
        raise ConfigError(f"{where} has source {source!r}; give the https URL of the pricing page.")
    return PriceRow(str(raw["name"]), float(value), str(raw["unit"]), date, source)


def price_sheet_from_mapping(data: Mapping[str, Any], *, path: str = "price sheet") -> PriceSheet:
    """Validate parsed YAML into a :class:`PriceSheet`.

    Raises
    ------
    ConfigError
        On a malformed row, a duplicate, or a missing required row (named
        with the file).
    """
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list):
        raise ConfigError(f"price sheet {path} needs a 'rows' list.")
    rows: dict[str, PriceRow] = {}
    for i, raw in enumerate(raw_rows):
        row = _row(raw, f"price sheet {path} row {i + 1}")
        if row.name in rows:
            raise ConfigError(f"price sheet {path} has row {row.name!r} twice; keep one.")
        rows[row.name] = row
    for name in REQUIRED_ROWS:
        if name not in rows:
            raise ConfigError(
                f"price sheet {path} has no row {name!r}; add it with value, unit, as_of "
                "and source."
            )
    return PriceSheet(str(data.get("region", "")), str(data.get("currency", "USD")), rows, path)


def load_prices(path: str | Path | None = None) -> PriceSheet:
    """Load a price sheet: the given file, or the packaged AWS us-east-1 sheet.

    Parameters
    ----------
    path : str or Path, optional
        A YAML price sheet; ``None`` for ``capacity/prices/aws-us-east-1.yaml``.

    Returns
    -------
    PriceSheet

    Raises
    ------
    ConfigError
        If the file is missing, not YAML, or a row is missing or malformed.
    """
    if path is None:
        resource = resources.files("stampede.capacity").joinpath("prices", DEFAULT_SHEET)
        text, where = resource.read_text(encoding="utf-8"), f"capacity/prices/{DEFAULT_SHEET}"
    else:
        file = Path(path)
        try:
            text, where = file.read_text(encoding="utf-8"), str(file)
        except FileNotFoundError:
            raise ConfigError(
                f"price sheet {file} does not exist; pass an existing YAML file."
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"price sheet {where} is not valid YAML ({exc}).") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"price sheet {where} must hold a mapping at the top level.")
    return price_sheet_from_mapping(data, path=where)
