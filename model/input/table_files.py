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

import contextlib
import csv
import gc
import io
import os
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.formatting import suggest
from model.input.table_columns import (
    Converter,
    boolean_column,
    cell_text,
    given_cells,
    id_list_column,
    number_column,
    text_column,
)

TABLE_KEYS: tuple[str, ...] = ("enterprises", "projects")


@dataclass(frozen=True)
class Layout:
    """Columns of one table kind: fixed columns with their converters, and prefixed
    columns `prefix.<name>` whose values go to the key path `prefixes[prefix] + (name,)`."""

    fixed: dict[str, Converter]
    prefixes: dict[str, tuple[str, ...]]
    required: tuple[str, ...]


LAYOUTS: dict[str, Layout] = {
    "enterprises": Layout(
        fixed={
            "id": text_column,
            "name": text_column,
            "sector": text_column,
            "source": text_column,
            "output_value": number_column,
            "value_added": number_column,
            "energy_quota_tce": number_column,
            "toxic": boolean_column,
            "cp_index": text_column,
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
            "id": text_column,
            "owner": text_column,
            "name": text_column,
            "category": text_column,
            "capex": number_column,
            "opex_change": number_column,
            "lifetime": number_column,
            "lead_time": number_column,
            "exclusive_group": text_column,
            "requires": id_list_column,
            "divisible": boolean_column,
            "capacity": number_column,
            "source": text_column,
            "rule": text_column,
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
    return TableRef(kind, fmt, folder / name, shown, declared_in, cell_text(sheet))


def column_for(kind: str, rest: tuple) -> str:
    """The table column that holds the value at key path `rest` inside one row."""
    for prefix, target in LAYOUTS[kind].prefixes.items():
        if tuple(rest[: len(target)]) == target and len(rest) > len(target):
            return f"{prefix}.{rest[len(target)]}"
    return str(rest[0]) if rest else ""


def read_table(ref: TableRef) -> tuple[list[dict], list[int]]:
    """Rows of the table as dicts in the schema's nesting, and each row's data-row number
    (1 = the row below the header). Rows whose cells are all empty are skipped.

    The cells are converted column by column (model/input/table_columns.py); the rows
    are then filled column by column with the cells that are given, so the work grows
    with the cells given, not with rows x columns."""
    if not ref.path.is_file():
        raise InputError(ref.declared_in, f"{ref.kind}.{ref.fmt}", f"file not found: {ref.shown}")
    with _no_cyclic_gc():
        return _rows(ref)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused: reading a large table creates millions
    of objects and no cycles, and each collection would scan them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows(ref: TableRef) -> tuple[list[dict], list[int]]:
    header_cells, body = _read_csv(ref) if ref.fmt == "csv" else _read_xlsx(ref)
    header = [cell_text(cell) for cell in header_cells]
    if all(name is None for name in header):
        raise InputError(ref.label, ref.kind, "the first row must name the columns")
    csv_text = ref.fmt == "csv" and not body.attrs.get("cell_by_cell", False)
    given = [given_cells(body.iloc[:, index], csv_text) for index in range(body.shape[1])]
    columns = _columns(ref, header, [positions.size > 0 for positions, _ in given])
    extra = [positions.min() for positions, _ in given[len(header) :] if positions.size]
    if extra:
        number = int(min(extra)) + 1
        raise InputError(ref.label, f"{ref.kind}[{number}]", "more cells than header columns")
    nonempty = np.zeros(body.shape[0], dtype=bool)
    for positions, _ in given:
        nonempty[positions] = True
    kept = np.flatnonzero(nonempty)
    row_of = np.cumsum(nonempty) - 1  # data row -> its place among the rows kept
    rows = _Rows(len(kept))
    for index, target, convert in columns:
        positions, cells = given[index]
        rows.fill(row_of[positions], target, convert(cells).tolist())
    return rows.top.tolist(), (kept + 1).tolist()


class _Rows:
    """The rows being built, as numpy object arrays of dicts: `top` holds each row's
    dict, and `nodes[path]` each row's mapping at a key path (`("baseline",
    "emissions")`), where `made[path]` says the row has one already. Every step is a numpy or a
    `map` operation over a whole column: no Python loop runs per cell."""

    def __init__(self, count: int) -> None:
        self.top = _new_dicts(count)
        self.nodes: dict[tuple, np.ndarray] = {(): self.top}
        self.made: dict[tuple, np.ndarray] = {(): np.ones(count, dtype=bool)}

    def fill(self, positions: np.ndarray, target: tuple, values: list) -> None:
        """row[target[0]]...[target[-1]] = value for each row position and its value."""
        parents = self.mappings(positions, target[:-1])
        deque(map(dict.__setitem__, parents.tolist(), repeat(target[-1]), values), maxlen=0)

    def mappings(self, positions: np.ndarray, path: tuple) -> np.ndarray:
        """The mapping at `path` of each row in `positions`, created where missing."""
        if path not in self.nodes:
            self.nodes[path] = np.full(self.top.size, None, dtype=object)
            self.made[path] = np.zeros(self.top.size, dtype=bool)
        nodes, made = self.nodes[path], self.made[path]
        missing = positions[~made[positions]]
        if missing.size:
            created = _new_dicts(missing.size)
            parents = self.mappings(missing, path[:-1])
            deque(map(dict.__setitem__, parents.tolist(), repeat(path[-1]), created), maxlen=0)
            nodes[missing] = created
            made[missing] = True
        return nodes[positions]


def _new_dicts(count: int) -> np.ndarray:
    """`count` new empty dicts in a numpy object array."""
    array = np.empty(count, dtype=object)
    array[:] = [{} for _ in range(count)]
    return array


def _columns(
    ref: TableRef, header: list, has_values: list[bool]
) -> list[tuple[int, tuple, Converter]]:
    """(cell index, key path in the row, converter) for every named column.

    A first row without every required column is not taken for a table of this kind, and
    nothing of the file is quoted (it may be any file, `/etc/passwd` say); in a table of
    the right kind, unknown column names are quoted with a did-you-mean. `has_values`:
    whether each column of the body has a non-empty cell."""
    layout = LAYOUTS[ref.kind]
    names = set(header)
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
    columns: list[tuple[int, tuple, Converter]] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        if name is None:
            if index < len(has_values) and has_values[index]:
                raise InputError(ref.label, ref.kind, f"column {index + 1} has values but no name")
            continue
        if name in seen:
            raise InputError(ref.label, ref.kind, f"column '{name}' appears twice")
        seen.add(name)
        prefix, _, rest = name.partition(".")
        if name in layout.fixed:
            columns.append((index, (name,), layout.fixed[name]))
        elif prefix in layout.prefixes and rest.strip():
            columns.append((index, (*layout.prefixes[prefix], rest.strip()), number_column))
        else:
            known = list(layout.fixed) + [f"{p}.{rest or 'NAME'}" for p in layout.prefixes]
            allowed = ", ".join(list(layout.fixed) + [f"{p}.NAME" for p in layout.prefixes])
            hint = suggest(name, known) or f" (columns: {allowed})"
            raise InputError(ref.label, ref.kind, f"unknown column '{name}'{hint}")
    return columns


def _read_csv(ref: TableRef) -> tuple[list, pd.DataFrame]:
    """The CSV file's first row (the header) and the cells below it.
    UTF-8 (with or without BOM) first, then GB18030 (Excel 'ANSI' exports on Chinese
    Windows).

    pandas' C parser reads the file: number columns (`_is_number_column`) as numbers
    where every cell is one (empty cells are NaN), as text otherwise; every other column
    as text. A file it refuses (a row longer than the first, a syntax it rejects) is read
    again, all as text, with Python's csv module, whose rules decide what the file says
    and which error is reported."""
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
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise InputError(ref.label, "", f"CSV syntax error: {error}") from None
    has_nul = "\0" in text
    cells = None if has_nul or not header else _parse_csv(data, encoding, header, ref.kind)
    if cells is not None:
        return header, cells
    try:
        grid = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise InputError(ref.label, "", f"CSV syntax error: {error}") from None
    width = max((len(row) for row in grid), default=0)
    rows = [[cell or None for cell in row] + [None] * (width - len(row)) for row in grid[1:]]
    cells = pd.DataFrame(rows, columns=range(width), dtype=object)
    cells.attrs["cell_by_cell"] = True  # converted by Python's rules, cell by cell (rare)
    return grid[0] if grid else [], cells


def _parse_csv(data: bytes, encoding: str, header: list[str], kind: str) -> pd.DataFrame | None:
    """The table's body parsed by pandas, or None when pandas
    refuses it or would drop cells (a first data row longer than the header)."""
    numeric = [i for i, name in enumerate(header) if _is_number_column(kind, name.strip())]
    options = dict(
        header=0,
        names=list(range(len(header))),
        index_col=False,
        keep_default_na=False,
        na_values=[""],  # an empty cell, and nothing else, is missing
        skip_blank_lines=False,  # blank lines count in the row numbers
        engine="c",
        encoding=encoding,
    )
    text_columns = {i: object for i in range(len(header)) if i not in numeric}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            body = pd.read_csv(io.BytesIO(data), dtype=text_columns, **options)
            booleans = [i for i in numeric if body[i].dtype == bool]  # "true" in a number
            if booleans:  # column: read it again as text, to report it as written
                again = pd.read_csv(io.BytesIO(data), usecols=booleans, dtype=object, **options)
                body[booleans] = again[booleans]
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError):
        return None
    return body


def _is_number_column(kind: str, name: str) -> bool:
    """Whether the column `name` of a table of `kind` holds numbers."""
    layout = LAYOUTS[kind]
    prefix, _, rest = name.partition(".")
    if name in layout.fixed:
        return layout.fixed[name] is number_column
    return prefix in layout.prefixes and bool(rest.strip())


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


def _read_xlsx(ref: TableRef) -> tuple[list, pd.DataFrame]:
    """Cell values of one sheet (the first if none is named), from A1: the first row
    and the rows below it. A formula gives the value Excel saved with it. Merged cells, and formulas
    without a saved value (a workbook written by a program and never saved by Excel), are
    errors naming the sheet and cell: both would otherwise read as empty cells, i.e.
    silently "not given"."""
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
        width = max((len(row) for row in grid), default=0)
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
    rows = [row + [None] * (width - len(row)) for row in grid[1:]]
    return grid[0] if grid else [], pd.DataFrame(rows, columns=range(width), dtype=object)
