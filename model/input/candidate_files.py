"""Writing generated candidates as a projects table (CSV and Excel) for the planner.

The table has the columns of a projects table (model/input/table_files.py), so the
planner can edit it and load it back as `projects: {csv: FILE}`: `id, owner, name,
category, capex, opex_change, lifetime, lead_time, exclusive_group, requires, divisible,
capacity`, `reduces.<p>`, `saves.<c>`, `serves.<facility>`, then `source` and `rule`.
A second table holds the range of every generated quantity (project, option, quantity,
low, central, high): `<stem>_ranges.csv`, and the sheet `ranges` of the workbook.
Each file is written to a temporary name in the same folder and then renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from model.input.candidates import CandidateSet

__all__ = ["candidate_columns", "candidate_rows", "write_candidates"]

FIXED_COLUMNS = (
    "id",
    "owner",
    "name",
    "category",
    "capex",
    "opex_change",
    "lifetime",
    "lead_time",
    "exclusive_group",
    "requires",
    "divisible",
    "capacity",
)
RANGE_COLUMNS = ("project", "option", "quantity", "low", "central", "high")


def candidate_columns(candidates: CandidateSet) -> list[str]:
    """The table's header: fixed columns, then every reduces/saves/serves key used."""
    keyed: dict[str, set[str]] = {"reduces": set(), "saves": set(), "serves": set()}
    for row in candidates.projects:
        for prefix, names in keyed.items():
            names.update(row.get(prefix, {}))
    prefixed = [f"{p}.{name}" for p, names in keyed.items() for name in sorted(names)]
    return [*FIXED_COLUMNS, *prefixed, "source", "rule"]


def candidate_rows(candidates: CandidateSet) -> list[dict[str, Any]]:
    """The generated projects as flat table rows (`requires` joined by ';')."""
    flat = []
    for row in candidates.projects:
        cells: dict[str, Any] = {k: v for k, v in row.items() if not isinstance(v, (dict, list))}
        cells["requires"] = ";".join(row.get("requires", [])) or None
        for prefix in ("reduces", "saves", "serves"):
            cells.update({f"{prefix}.{k}": v for k, v in row.get(prefix, {}).items()})
        flat.append(cells)
    return flat


def _text(value: Any) -> str:
    """A cell as CSV text: whole numbers without '.0', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _replace(target: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the target's folder, then rename it."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_csv(path: Path, columns: list[str] | tuple[str, ...], rows: list[dict]) -> None:
    def write(temporary: Path) -> None:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([[_text(row.get(c)) for c in columns] for row in rows])

    _replace(path, write)


def write_candidates(candidates: CandidateSet, csv_path: Path) -> list[Path]:
    """Write `<stem>.csv`, `<stem>_ranges.csv` and `<stem>.xlsx` (sheets `projects` and
    `ranges`) next to each other; returns the paths written."""
    csv_path = Path(csv_path)
    columns = candidate_columns(candidates)
    rows = candidate_rows(candidates)
    ranges = candidates.range_rows()
    ranges_path = csv_path.with_name(f"{csv_path.stem}_ranges.csv")
    xlsx_path = csv_path.with_suffix(".xlsx")
    _write_csv(csv_path, columns, rows)
    _write_csv(ranges_path, RANGE_COLUMNS, ranges)

    def write_book(temporary: Path) -> None:
        book = Workbook()
        sheet = book.active
        sheet.title = "projects"
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
        other = book.create_sheet("ranges")
        other.append(RANGE_COLUMNS)
        for row in ranges:
            other.append([row[column] for column in RANGE_COLUMNS])
        book.save(temporary)

    _replace(xlsx_path, write_book)
    return [csv_path, ranges_path, xlsx_path]
