"""Read Locust's ``<prefix>_stats_history.csv`` into one normalized frame.

Locust writes the file with ``--csv-full-history``: one row a second for the
"Aggregated" total and, with full history, one row per endpoint. Percentiles
are the current (rolling) window in milliseconds and may be ``N/A``; request
and failure counts are cumulative since the start of the run.

The normalized frame has snake_case columns (see :data:`HISTORY_COLUMNS`),
floats with ``NaN`` for ``N/A``, and is sorted by time. A frame that already
has those columns (built by a test or by other code) passes through the same
validation, so every model downstream sees one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from stampede.core.errors import ConfigError

AGGREGATED = "Aggregated"

LOCUST_COLUMNS: Mapping[str, str] = {
    "Timestamp": "timestamp",
    "User Count": "users",
    "Type": "type",
    "Name": "name",
    "Requests/s": "requests_per_s",
    "Failures/s": "failures_per_s",
    "50%": "p50_ms",
    "66%": "p66_ms",
    "75%": "p75_ms",
    "80%": "p80_ms",
    "90%": "p90_ms",
    "95%": "p95_ms",
    "98%": "p98_ms",
    "99%": "p99_ms",
    "99.9%": "p999_ms",
    "99.99%": "p9999_ms",
    "100%": "p100_ms",
    "Total Request Count": "total_requests",
    "Total Failure Count": "total_failures",
    "Total Median Response Time": "total_median_ms",
    "Total Average Response Time": "total_avg_ms",
    "Total Min Response Time": "total_min_ms",
    "Total Max Response Time": "total_max_ms",
    "Total Average Content Size": "total_avg_content_size",
}

HISTORY_COLUMNS: tuple[str, ...] = tuple(LOCUST_COLUMNS.values())

REQUIRED_COLUMNS: tuple[str, ...] = (
    "timestamp",
    "users",
    "name",
    "requests_per_s",
    "total_requests",
    "total_failures",
    "total_avg_ms",
    "p95_ms",
)

_TEXT_COLUMNS = ("type", "name")


def load_stats_history(path: str | Path) -> pd.DataFrame:
    """Read a Locust ``_stats_history.csv`` file into a normalized frame.

    Parameters
    ----------
    path : str or Path
        The CSV file Locust wrote with ``--csv PREFIX --csv-full-history``.

    Returns
    -------
    pandas.DataFrame
        The normalized history, see :func:`normalize_history`.

    Raises
    ------
    ConfigError
        If the file is missing, empty or lacks a required column.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"stats history {file} does not exist; run the capacity-probe profile "
            "with --csv-full-history to write it."
        )
    try:
        raw = pd.read_csv(file, na_values=["N/A"], keep_default_na=True)
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    return normalize_history(raw, source=str(file))


def normalize_history(frame: pd.DataFrame, *, source: str = "history frame") -> pd.DataFrame:
    """Validate a history frame and give it the normalized columns and types.

    Parameters
    ----------
    frame : pandas.DataFrame
        Either Locust's columns (``"User Count"``, ``"95%"`` …) or the
        normalized snake_case ones (``users``, ``p95_ms`` …).
    source : str
        What to name in error messages (a file path, usually).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_COLUMNS` (missing optional ones filled with
        ``NaN``), numeric columns as floats, ``timestamp`` and ``users`` as
        integers, sorted by ``timestamp`` then ``name``.

    Raises
    ------
    ConfigError
        If the frame is empty or a required column is missing.
    """
    renamed = frame.rename(columns=dict(LOCUST_COLUMNS))
    if renamed.empty:
        raise ConfigError(
            f"{source} has no rows; run the capacity-probe profile with "
            "--csv-full-history to record a stats history."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in renamed.columns]
    if missing:
        raise ConfigError(
            f"{source} lacks the column(s) {', '.join(missing)}; pass Locust's "
            "_stats_history.csv written with --csv-full-history."
        )
    out = pd.DataFrame(index=renamed.index)
    for column in HISTORY_COLUMNS:
        if column in _TEXT_COLUMNS:
            values = renamed[column] if column in renamed.columns else ""
            out[column] = pd.Series(values, index=renamed.index).fillna("").astype(str)
        elif column in renamed.columns:
            out[column] = pd.to_numeric(renamed[column], errors="coerce").astype(float)
        else:
            out[column] = np.nan
    if out["timestamp"].isna().any() or out["users"].isna().any():
        raise ConfigError(
            f"{source} has rows without a timestamp or user count; pass an unedited "
            "Locust stats history."
        )
    out["timestamp"] = out["timestamp"].astype(np.int64)
    out["users"] = out["users"].astype(np.int64)
    return out.sort_values(["timestamp", "name"], kind="stable").reset_index(drop=True)


def aggregated_rows(history: pd.DataFrame) -> pd.DataFrame:
    """The "Aggregated" (total) rows of a normalized history, in time order."""
    return history[history["name"] == AGGREGATED].reset_index(drop=True)


def endpoint_rows(history: pd.DataFrame) -> pd.DataFrame:
    """The per-endpoint rows of a normalized history (everything but the total)."""
    return history[history["name"] != AGGREGATED].reset_index(drop=True)
