"""Enterprise and project tables in CSV or Excel (.xlsx) files, read into plain dicts.

A scenario may give `enterprises:` or `projects:` as `{csv: FILE}` or
`{xlsx: FILE, sheet: NAME}` instead of an inline list (FILE relative to the YAML file that
names it). The first row names the columns; every further row is one enterprise or one
project. An empty cell means "absent": the schema's default applies. Column layout:

* enterprises: `id, name, sector, source`, `emissions.<pollutant>` (t/yr),
  `energy.<carrier>` (carrier units/yr), `permit.<pollutant>` (t/yr).
* projects: `id, owner, name, category, capex, opex_change, lifetime, lead_time,
  exclusive_group, requires, divisible, capacity, source`, `reduces.<pollutant>` (t/yr),
  `saves.<carrier>` (carrier units/yr), `serves.<facility project id>`; `requires` lists
  project ids separated by ';', `divisible` is true/false (also 1/0, yes/no).

This module only converts cells (text, numbers, lists, true/false); it does not validate.
A cell that cannot be converted stays text, so the schema reports it with its row and
column. Header problems (unknown, duplicate or missing columns) are reported here.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE_KEYS: tuple[str, ...] = ("enterprises", "projects")
_INTEGER = re.compile(r"[-+]?\d+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


class TableError(Exception):
    """A table problem: `file` to open, `path` (key path, may be ""), `message`."""

    def __init__(self, file: str, path: str, message: str) -> None:
        super().__init__(f"{file}: {path}: {message}")
        self.file = file
        self.path = path
        self.message = message


def suggest(word: str, candidates: Iterable[str]) -> str:
    """"; did you mean 'X'?" for the closest candidate (case-insensitive difflib), or ""."""
    lowered: dict[str, str] = {}
    for candidate in candidates:
        lowered.setdefault(str(candidate).lower(), str(candidate))
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[match[0]]}'?" if match else ""


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
        fixed={"id": _text, "name": _text, "sector": _text, "source": _text},
        prefixes={
            "emissions": ("baseline", "emissions"),
            "energy": ("baseline", "energy"),
            "permit": ("permit",),
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
        },
        prefixes={"reduces": ("reduces",), "saves": ("saves",), "serves": ("serves",)},
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
    for key in spec:
        if key not in ("csv", "xlsx", "sheet"):
            raise TableError(
                declared_in,
                f"{kind}.{key}",
                f"unknown key '{key}'{suggest(key, ('csv', 'xlsx', 'sheet'))} "
                "(a table is {csv: FILE} or {xlsx: FILE, sheet: NAME})",
            )
    formats = [key for key in ("csv", "xlsx") if key in spec]
    if len(formats) != 1:
        raise TableError(
            declared_in, kind, "give exactly one of 'csv: FILE' or 'xlsx: FILE', or a list"
        )
    fmt = formats[0]
    name = spec[fmt]
    if not isinstance(name, str) or not name.strip():
        raise TableError(declared_in, f"{kind}.{fmt}", "must be a file name")
    sheet = spec.get("sheet")
    if sheet is not None and fmt == "csv":
        raise TableError(declared_in, f"{kind}.sheet", "a sheet only exists in an xlsx file")
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
        raise TableError(ref.declared_in, f"{ref.kind}.{ref.fmt}", f"file not found: {ref.shown}")
    grid = _read_csv(ref) if ref.fmt == "csv" else _read_xlsx(ref)
    if not grid or all(_text(cell) is None for cell in grid[0]):
        raise TableError(ref.label, ref.kind, "the first row must name the columns")
    header, body = grid[0], grid[1:]
    columns = _columns(ref, header, body)
    rows: list[dict] = []
    numbers: list[int] = []
    for number, cells in enumerate(body, start=1):
        if all(_text(cell) is None for cell in cells):
            continue
        if any(_text(cell) is not None for cell in cells[len(header) :]):
            raise TableError(ref.label, f"{ref.kind}[{number}]", "more cells than header columns")
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
    """(cell index, key path in the row, converter) for every named column."""
    layout = LAYOUTS[ref.kind]
    columns: list[tuple[int, tuple, Callable]] = []
    seen: set[str] = set()
    for index, cell in enumerate(header):
        name = _text(cell)
        if name is None:
            if any(index < len(cells) and _text(cells[index]) is not None for cells in body):
                raise TableError(ref.label, ref.kind, f"column {index + 1} has values but no name")
            continue
        if name in seen:
            raise TableError(ref.label, ref.kind, f"column '{name}' appears twice")
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
            raise TableError(ref.label, ref.kind, f"unknown column '{name}'{hint}")
    for name in layout.required:
        if name not in seen:
            raise TableError(ref.label, ref.kind, f"missing column '{name}'")
    return columns


def _read_csv(ref: TableRef) -> list[list]:
    """CSV cells as text. UTF-8 (with or without BOM) first, then GB18030 (Excel 'ANSI'
    exports on Chinese Windows)."""
    try:
        data = ref.path.read_bytes()
    except OSError as error:
        raise TableError(ref.label, "", f"cannot read: {error.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(ref.label, "", "not readable text: save it as 'CSV UTF-8'")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise TableError(ref.label, "", f"CSV syntax error: {error}") from None


def _read_xlsx(ref: TableRef) -> list[list]:
    """Cell values of one sheet (the first if none is named). Formulas give their value as
    last saved by Excel."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(ref.path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors on a bad file
        message = f"cannot read as an Excel .xlsx workbook ({type(error).__name__}: {error})"
        raise TableError(ref.shown, "", message) from None
    try:
        if ref.sheet is None:
            sheet = book.worksheets[0]
        elif ref.sheet in book.sheetnames:
            sheet = book[ref.sheet]
        else:
            names = ", ".join(book.sheetnames)
            raise TableError(
                ref.declared_in,
                f"{ref.kind}.sheet",
                f"no sheet '{ref.sheet}' in {ref.shown}{suggest(ref.sheet, book.sheetnames)} "
                f"(sheets: {names})",
            )
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
