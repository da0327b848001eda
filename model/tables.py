"""Reading scenario input files into plain Python data: YAML files, `--set` values and
key paths, and the enterprise and project tables in CSV or Excel (.xlsx) files.
Validation is model/scenario.py's job; `ScenarioError` (re-exported there) is defined here
because reading a file is the first place it can be raised.

YAML is read with YAML 1.2 scalars: only true/false are booleans (`permits: off` stays
text) and `1e6`, `2.0e7` are numbers (PyYAML's YAML 1.1 reads them as text); duplicate
keys are errors; mapping keys become text (`2021:` -> "2021"), dates become ISO text.

A scenario may give `enterprises:` or `projects:` as `{csv: FILE}` or
`{xlsx: FILE, sheet: NAME}` instead of an inline list (FILE relative to the YAML file that
names it). The first row names the columns; every further row is one enterprise or one
project. An empty cell means "absent": the schema's default applies. Column layout:

* enterprises: `id, name, sector, source, output_value, energy_quota_tce, toxic, cp_index`,
  `emissions.<pollutant>` (t/yr), `energy.<carrier>` (carrier units/yr),
  `permit.<pollutant>` (t/yr), `indicators.<indicator>` (CP evaluation index values).
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
import datetime as dt
import difflib
import io
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from model.text import printable

TABLE_KEYS: tuple[str, ...] = ("enterprises", "projects")
_INTEGER = re.compile(r"[-+]?\d+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


class ScenarioError(Exception):
    """Bad scenario input. `file`: the file to open; `path`: key path in the user's
    notation ("" for a whole-file problem); `message`; `line`: 1-based line if known."""

    def __init__(self, file: str | Path, path: str, message: str, line: int | None = None):
        self.file = str(file)
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        """One printable line: control characters, line breaks and lone surrogates in
        the parts are written as escapes (model/text.py `printable`)."""
        parts = [self.file, self.path, self.message] if self.path else [self.file, self.message]
        return ": ".join(printable(part) for part in parts)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" for the closest candidate (case-insensitive), or ""."""
    lowered: dict[str, str] = {}
    for candidate in candidates:
        lowered.setdefault(str(candidate).lower(), str(candidate))
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[match[0]]}'?" if match else ""


class _Loader(yaml.SafeLoader):
    """YAML 1.2 style scalars: `off`/`no` stay text (targets.permits: off), `1e6` is a
    float (PyYAML's YAML 1.1 reads it as text). Duplicate keys are errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_BOOL, _FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float"
_Loader.yaml_implicit_resolvers = {
    first: [item for item in resolvers if item[0] not in (_BOOL, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def plain(value: Any) -> Any:
    """Copy of parsed YAML with text keys (YAML reads `2021:` as int) and dates as text."""
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str) else json.dumps(plain(k)).strip('"')): plain(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def kind_of(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "empty")


def read_yaml(path: Path, shown: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(shown, "", "file not found") from None
    except UnicodeDecodeError:
        raise ScenarioError(shown, "", "not UTF-8 text: save the file as UTF-8") from None
    except OSError as error:
        raise ScenarioError(shown, "", f"cannot read: {error.strerror}") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise ScenarioError(shown, "", f"YAML syntax error{where}: {problem}", line) from None
    except yaml.YAMLError as error:
        raise ScenarioError(shown, "", f"YAML syntax error: {error}") from None
    if not isinstance(data, dict):
        what = "empty" if data is None else kind_of(data)
        raise ScenarioError(
            shown,
            "",
            f"the top level must be a mapping (name: ..., horizon: "
            f"..., enterprises: ...), but the file is {what}",
        )
    return plain(data)


def split_key_path(text: str) -> list[tuple[str, bool]] | None:
    """`projects[E01-P1].reduces.COD` -> [('projects', False), ('E01-P1', True), ...]."""
    parts: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "[":
            j = text.find("]", i)
            if j <= i + 1:
                return None
            parts.append((text[i + 1 : j].strip(), True))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ".[":
                j += 1
            if j == i:
                return None
            parts.append((text[i:j].strip(), False))
            i = j
        if i < n and text[i] == ".":
            i += 1
            if i == n:
                return None
    return parts or None


def yaml_value(text: str) -> Any:
    """One value written on the command line (`--set key=VALUE`), read as YAML."""
    try:
        return plain(yaml.load(text, Loader=_Loader))
    except yaml.YAMLError as error:
        raise ScenarioError("", "", f"cannot read the value: {error}") from None


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
            raise ScenarioError(
                declared_in, f"{kind}.{key}", f"unknown key '{key}'{hint} ({table})"
            )
    if not formats:
        raise ScenarioError(declared_in, kind, f"must be a list, or {table}")
    if len(formats) != 1:
        raise ScenarioError(declared_in, kind, "give either 'csv: FILE' or 'xlsx: FILE', not both")
    fmt = formats[0]
    name = spec[fmt]
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(declared_in, f"{kind}.{fmt}", "must be a file name")
    sheet = spec.get("sheet")
    if sheet is not None and fmt == "csv":
        raise ScenarioError(declared_in, f"{kind}.sheet", "a sheet only exists in an xlsx file")
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
        raise ScenarioError(
            ref.declared_in, f"{ref.kind}.{ref.fmt}", f"file not found: {ref.shown}"
        )
    grid = _read_csv(ref) if ref.fmt == "csv" else _read_xlsx(ref)
    if not grid or all(_text(cell) is None for cell in grid[0]):
        raise ScenarioError(ref.label, ref.kind, "the first row must name the columns")
    header, body = grid[0], grid[1:]
    columns = _columns(ref, header, body)
    rows: list[dict] = []
    numbers: list[int] = []
    for number, cells in enumerate(body, start=1):
        if all(_text(cell) is None for cell in cells):
            continue
        if any(_text(cell) is not None for cell in cells[len(header) :]):
            raise ScenarioError(
                ref.label, f"{ref.kind}[{number}]", "more cells than header columns"
            )
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
                raise ScenarioError(
                    ref.label, ref.kind, f"column {index + 1} has values but no name"
                )
            continue
        if name in seen:
            raise ScenarioError(ref.label, ref.kind, f"column '{name}' appears twice")
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
            raise ScenarioError(ref.label, ref.kind, f"unknown column '{name}'{hint}")
    for name in layout.required:
        if name not in seen:
            raise ScenarioError(ref.label, ref.kind, f"missing column '{name}'")
    return columns


def _read_csv(ref: TableRef) -> list[list]:
    """CSV cells as text. UTF-8 (with or without BOM) first, then GB18030 (Excel 'ANSI'
    exports on Chinese Windows)."""
    try:
        data = ref.path.read_bytes()
    except OSError as error:
        raise ScenarioError(ref.label, "", f"cannot read: {error.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ScenarioError(ref.label, "", "not readable text: save it as 'CSV UTF-8'")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise ScenarioError(ref.label, "", f"CSV syntax error: {error}") from None


def _read_xlsx(ref: TableRef) -> list[list]:
    """Cell values of one sheet (the first if none is named). Formulas give their value as
    last saved by Excel."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(ref.path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors on a bad file
        message = f"cannot read as an Excel .xlsx workbook ({type(error).__name__}: {error})"
        raise ScenarioError(ref.shown, "", message) from None
    try:
        if ref.sheet is None:
            sheet = book.worksheets[0]
        elif ref.sheet in book.sheetnames:
            sheet = book[ref.sheet]
        else:
            names = ", ".join(book.sheetnames)
            raise ScenarioError(
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
