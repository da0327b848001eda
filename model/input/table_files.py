"""Reading the enterprise and project tables of a scenario from CSV or Excel (.xlsx) files
into plain Python data. Validation is model/input/loading.py's job; every problem is an
`InputError` (model/errors.py) naming the file, row and column.

A scenario may give `enterprises:` or `projects:` as `{csv: FILE}` or
`{xlsx: FILE, sheet: NAME}` instead of an inline list (FILE relative to the YAML file that
names it). The first row names the columns; every further row is one enterprise or one
project. An empty cell means "absent": the schema's default applies. Column layout:

* enterprises: `id, name, sector, source, output_value, value_added, energy_quota_tce, toxic,
  cp_index`,
  `emissions.<pollutant>` (t/yr), `energy.<carrier>` (carrier units/yr),
  `permit.<pollutant>` (t/yr), `indicators.<indicator>` (CP evaluation index values).
* projects: `id, owner, name, category, capex, opex_change, lifetime, lead_time,
  exclusive_group, requires, divisible, capacity, source, rule`, `reduces.<pollutant>` (t/yr),
  `saves.<carrier>` (carrier units/yr), `serves.<facility project id>`; `requires` lists
  project ids separated by ';', `divisible` is true/false (also 1/0, yes/no).

This module only converts cells (text, numbers, lists, true/false); it does not validate.
A cell that cannot be converted stays text, so the schema reports it with its row and
column. Header problems (unknown, duplicate or missing columns) are reported here; a
file whose first row lacks a required column is not taken for a table, and nothing of
it is quoted. In Excel, merged cells and formulas without a value saved by Excel are
errors naming the sheet and cell (both would otherwise read as empty cells).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.formatting import suggest

TABLE_KEYS: tuple[str, ...] = ("enterprises", "projects")
_INTEGER = re.compile(r"[-+]?\d+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def _text(value: Any) -> str | None:
    """A cell as text; None for an empty cell. Whole floats (Excel ids) lose '.0'."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Any:
    """A cell as int/float; text that is not a number is returned unchanged (reported later)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return text


def _id_list(value: Any) -> list[str] | None:
    text = _text(value)
    if text is None:
        return None
    return [part.strip() for part in text.split(";") if part.strip()]


@dataclass(frozen=True)
class Layout:
    """Columns of one table kind: fixed columns with their converters, and prefixed
    columns `prefix.<name>` whose values go to the key path `prefixes[prefix] + (name,)`."""

    fixed: dict[str, Callable[[Any], Any]]
    prefixes: dict[str, tuple[str, ...]]
    required: tuple[str, ...]


LAYOUTS: dict[str, Layout] = {
    "enterprises": Layout(
        fixed={
            "id": _text,
            "name": _text,
            "sector": _text,
            "source": _text,
            "output_value": _number,
            "value_added": _number,
            "energy_quota_tce": _number,
            "toxic": _boolean,
            "cp_index": _text,
        },
        prefixes={
            "emissions": ("baseline", "emissions"),
            "energy": ("baseline", "energy"),
            "permit": ("permit",),
            "indicators": ("indicators",),
        },
        required=("id",),
    ),
    "projects": Layout(
        fixed={
            "id": _text,
            "owner": _text,
            "name": _text,
            "category": _text,
            "capex": _number,
            "opex_change": _number,
            "lifetime": _number,
            "lead_time": _number,
            "exclusive_group": _text,
            "requires": _id_list,
            "divisible": _boolean,
            "capacity": _number,
            "source": _text,
            "rule": _text,
        },
        prefixes={
            "reduces": ("reduces",),
            "saves": ("saves",),
            "serves": ("serves",),
            "indicators": ("indicators",),
        },
        required=("id", "owner", "capex"),
    ),
}


@dataclass(frozen=True)
class TableRef:
    """A table named in a scenario file, not yet read. `shown` is the path as the user
    would type it (relative to the working directory when the scenario path was)."""

    kind: str
    fmt: str
    path: Path
    shown: str
    declared_in: str
    sheet: str | None = None

    @property
    def label(self) -> str:
        return f"{self.shown} (sheet {self.sheet})" if self.sheet else self.shown


def parse_table_spec(kind: str, spec: dict, folder: Path, declared_in: str) -> TableRef:
    """Check `{csv: FILE}` / `{xlsx: FILE, sheet: NAME}`; FILE is relative to `folder`."""
    table = "a table {csv: FILE} / {xlsx: FILE, sheet: NAME}"
    formats = [key for key in ("csv", "xlsx") if key in spec]
    for key in spec:
        hint = suggest(key, ("csv", "xlsx", "sheet"))
        if key not in ("csv", "xlsx", "sheet") and (hint or formats):
            raise InputError(declared_in, f"{kind}.{key}", f"unknown key '{key}'{hint} ({table})")
    if not formats:
        raise InputError(declared_in, kind, f"must be a list, or {table}")
    if len(formats) != 1:
        raise InputError(declared_in, kind, "give either 'csv: FILE' or 'xlsx: FILE', not both")
    fmt = formats[0]
    name = spec[fmt]
    if not isinstance(name, str) or not name.strip():
        raise InputError(declared_in, f"{kind}.{fmt}", "must be a file name")
    sheet = spec.get("sheet")
    if sheet is not None and fmt == "csv":
        raise InputError(declared_in, f"{kind}.sheet", "a sheet only exists in an xlsx file")
    shown = os.path.normpath(os.path.join(os.path.dirname(declared_in), name))
    return TableRef(kind, fmt, folder / name, shown, declared_in, _text(sheet))


def column_for(kind: str, rest: tuple) -> str:
    """The table column that holds the value at key path `rest` inside one row."""
    for prefix, target in LAYOUTS[kind].prefixes.items():
        if tuple(rest[: len(target)]) == target and len(rest) > len(target):
            return f"{prefix}.{rest[len(target)]}"
    return str(rest[0]) if rest else ""


def read_table(ref: TableRef) -> tuple[list[dict], list[int]]:
    """Rows of the table as dicts in the schema's nesting, and each row's data-row number
    (1 = the row below the header). Rows whose cells are all empty are skipped."""
    if not ref.path.is_file():
        raise InputError(ref.declared_in, f"{ref.kind}.{ref.fmt}", f"file not found: {ref.shown}")
    grid = _read_csv(ref) if ref.fmt == "csv" else _read_xlsx(ref)
    if not grid or all(_text(cell) is None for cell in grid[0]):
        raise InputError(ref.label, ref.kind, "the first row must name the columns")
    header, body = grid[0], grid[1:]
    columns = _columns(ref, header, body)
    rows: list[dict] = []
    numbers: list[int] = []
    for number, cells in enumerate(body, start=1):
        if all(_text(cell) is None for cell in cells):
            continue
        if any(_text(cell) is not None for cell in cells[len(header) :]):
            raise InputError(ref.label, f"{ref.kind}[{number}]", "more cells than header columns")
        row: dict = {}
        for index, target, convert in columns:
            value = convert(cells[index]) if index < len(cells) else None
            if value is None:
                continue
            node = row
            for key in target[:-1]:
                node = node.setdefault(key, {})
            node[target[-1]] = value
        rows.append(row)
        numbers.append(number)
    return rows, numbers


def _columns(ref: TableRef, header: list, body: list[list]) -> list[tuple[int, tuple, Callable]]:
    """(cell index, key path in the row, converter) for every named column.

    A first row without every required column is not taken for a table of this kind, and
    nothing of the file is quoted (it may be any file, `/etc/passwd` say); in a table of
    the right kind, unknown column names are quoted with a did-you-mean."""
    layout = LAYOUTS[ref.kind]
    names = {_text(cell) for cell in header}
    missing = [name for name in layout.required if name not in names]
    if missing:
        *first, last = [f"'{name}'" for name in missing]
        listed = f"{', '.join(first)} and {last}" if first else last
        raise InputError(
            ref.label,
            ref.kind,
            f"not a table of {ref.kind}: its first row has no {listed} column"
            + ("s" if first else ""),
        )
    columns: list[tuple[int, tuple, Callable]] = []
    seen: set[str] = set()
    for index, cell in enumerate(header):
        name = _text(cell)
        if name is None:
            if any(index < len(cells) and _text(cells[index]) is not None for cells in body):
                raise InputError(ref.label, ref.kind, f"column {index + 1} has values but no name")
            continue
        if name in seen:
            raise InputError(ref.label, ref.kind, f"column '{name}' appears twice")
        seen.add(name)
        prefix, _, rest = name.partition(".")
        if name in layout.fixed:
            columns.append((index, (name,), layout.fixed[name]))
        elif prefix in layout.prefixes and rest.strip():
            columns.append((index, (*layout.prefixes[prefix], rest.strip()), _number))
        else:
            known = list(layout.fixed) + [f"{p}.{rest or 'NAME'}" for p in layout.prefixes]
            allowed = ", ".join(list(layout.fixed) + [f"{p}.NAME" for p in layout.prefixes])
            hint = suggest(name, known) or f" (columns: {allowed})"
            raise InputError(ref.label, ref.kind, f"unknown column '{name}'{hint}")
    return columns


def _read_csv(ref: TableRef) -> list[list]:
    """CSV cells as text. UTF-8 (with or without BOM) first, then GB18030 (Excel 'ANSI'
    exports on Chinese Windows)."""
    try:
        data = ref.path.read_bytes()
    except OSError as error:
        raise InputError(ref.label, "", f"cannot read: {error.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(ref.label, "", "not readable text: save it as 'CSV UTF-8'")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise InputError(ref.label, "", f"CSV syntax error: {error}") from None


def _open_workbook(ref: TableRef, **options: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(ref.path, **options)
    except Exception as error:  # openpyxl raises zip, XML and key errors on a bad file
        message = f"cannot read as an Excel .xlsx workbook ({type(error).__name__})"
        raise InputError(ref.shown, "", message) from None


def _sheet_title(ref: TableRef, sheetnames: list[str]) -> str:
    """The sheet the table names (the first one if it names none)."""
    if ref.sheet is None:
        return sheetnames[0]
    if ref.sheet in sheetnames:
        return ref.sheet
    raise InputError(
        ref.declared_in,
        f"{ref.kind}.sheet",
        f"no sheet '{ref.sheet}' in {ref.shown}{suggest(ref.sheet, sheetnames)} "
        f"(sheets: {', '.join(sheetnames)})",
    )


def _read_xlsx(ref: TableRef) -> list[list]:
    """Cell values of one sheet (the first if none is named), from A1. A formula gives the
    value Excel saved with it. Merged cells, and formulas without a saved value (a
    workbook written by a program and never saved by Excel), are errors naming the sheet
    and cell: both would otherwise read as empty cells, i.e. silently "not given"."""
    from openpyxl.utils import get_column_letter

    book = _open_workbook(ref, data_only=True)  # not read-only: only then are merges known
    try:
        title = _sheet_title(ref, book.sheetnames)
        sheet = book[title]
        merged = sorted(sheet.merged_cells.ranges, key=lambda cells: (cells.min_row, cells.min_col))
        if merged:
            raise InputError(
                ref.shown,
                f"sheet '{title}' cells {merged[0].coord}",
                "merged cells are not allowed in tables; unmerge them",
            )
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    book = _open_workbook(ref, read_only=True, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        for r, row in enumerate(sheet.iter_rows()):
            for c, cell in enumerate(row):
                saved = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                if cell.data_type == "f" and saved is None:
                    raise InputError(
                        ref.shown,
                        f"sheet '{title}' cell {get_column_letter(c + 1)}{r + 1}",
                        "a formula without a value saved by Excel: open and save the "
                        "workbook in Excel, or type the value",
                    )
    finally:
        book.close()
    return grid
