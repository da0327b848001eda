"""Converting the cells of a table column by column (model/input/table_files.py reads
the file, checks the header and calls these).

A table arrives as a pandas DataFrame of cells: text from a CSV file ('' when empty),
text, numbers or None from an Excel sheet. Each column is converted at once with
vectorised string operations; only the few cells the vectorised check cannot settle
(text that is not a plain number, `nan`, `1_000`, numbers too long for 64-bit integers)
are converted one by one, by the same rules:

* text: the cell stripped of surrounding spaces; None (absent) when empty. A whole
  float from Excel (an id typed as 12) loses its '.0'.
* number: text of an integer (`[-+]?digits`) becomes a Python int, other text Python's
  `float()` accepts becomes a float (numpy's string-to-float cast rounds like
  `float()`: correctly), numbers from Excel stay as they are; any other text is kept
  as text, so the schema reports it with its row and column.
* true/false: true, 1, yes, y / false, 0, no, n in any case; other text is kept.
* id list: text split at ';', parts stripped, empty parts dropped.

The result of a column is a numpy object array: the converted value, or None where the
cell is empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

_INTEGER = re.compile(r"[-+]?\d+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def cell_text(value: Any) -> str | None:
    """One cell as text; None for an empty cell. Whole floats (Excel ids) lose '.0'."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _cell_number(value: Any) -> Any:
    """One cell as int/float; text that is not a number is returned unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


_STRING = np.dtypes.StringDType()


def given_cells(column: pd.Series, csv_text: bool) -> tuple[np.ndarray, np.ndarray]:
    """The rows (positions) whose cell holds something, and those cells: a number
    column pandas read as numbers gives its numbers (empty cells are NaN); CSV text
    (`csv_text`: text or missing) is stripped of surrounding spaces, as numpy strings;
    other values (an Excel sheet's numbers, dates, text) are kept as they are, text
    stripped."""
    values = column.to_numpy()
    if values.dtype.kind == "f":
        positions = np.flatnonzero(~np.isnan(values))
        return positions, values[positions]
    if values.dtype.kind in "iu":
        return np.arange(values.size), values
    values = column.to_numpy(dtype=object)
    if csv_text:
        candidates = np.flatnonzero(pd.notna(values))
        cells = np.strings.strip(values[candidates].astype(_STRING))
        keep = np.strings.str_len(cells) > 0
        return candidates[keep], cells[keep]
    cells = [value.strip() if isinstance(value, str) else value for value in values.tolist()]
    positions = [i for i, value in enumerate(cells) if cell_text(value) is not None]
    return np.array(positions, dtype=np.intp), _objects([cells[i] for i in positions])


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of `values` (which may themselves be lists)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _all_text(cells: np.ndarray) -> bool:
    """True for the cells of a CSV file (numpy strings), False for an Excel sheet's."""
    return cells.dtype == _STRING


def text_column(cells: np.ndarray) -> np.ndarray:
    """Given cells as text."""
    if _all_text(cells):
        return cells.astype(object)
    return _objects([cell_text(cell) for cell in cells])


def number_column(cells: np.ndarray) -> np.ndarray:
    """Given cells as numbers; cells that are not numbers stay text. All cells are cast
    to float at once; only when that fails (some cell is not a number) is the column
    converted cell by cell, to keep the text of the failing cells for the schema."""
    if cells.dtype.kind in "iu":
        return _objects(cells.tolist())
    if cells.dtype.kind == "f":
        return _whole_as_int(cells)
    if cells.size == 0 or not _all_text(cells):
        return _objects([_cell_number(cell) for cell in cells])
    text = cells
    try:
        floats = text.astype(np.float64)
    except ValueError:
        return _objects([_cell_number(cell) for cell in cells])
    signed = np.strings.startswith(text, "-") | np.strings.startswith(text, "+")
    digits = np.where(signed, np.strings.slice(text, 1, None), text)
    is_int = np.strings.isdecimal(digits) & (np.strings.str_len(digits) > 0)
    result = _objects(floats.tolist())
    exact = is_int & (np.abs(floats) < 2.0**53)  # integer text read exactly as a float
    result[exact] = _objects(floats[exact].astype(np.int64).tolist())
    for index in np.flatnonzero(is_int & ~exact):  # long integers: Python's int
        result[index] = int(str(cells[index]))
    return result


def _whole_as_int(numbers: np.ndarray) -> np.ndarray:
    """Floats as Python numbers, whole ones (below 2**53) as ints: a number column that
    pandas read as floats because some cell has a decimal point still gives `5` for a
    cell written 5 (and also for one written 5.0, the same number)."""
    result = _objects(numbers.tolist())
    whole = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0**53)
    whole &= ~np.signbit(numbers) | (numbers != 0)  # -0.0 stays a float
    result[whole] = _objects(numbers[whole].astype(np.int64).tolist())
    return result


def boolean_column(cells: np.ndarray) -> np.ndarray:
    """Given cells as True/False; other text stays text."""
    if not _all_text(cells):
        return _objects([_cell_boolean(cell) for cell in cells])
    result = cells.astype(object)
    lowered = np.strings.lower(cells)
    for words, value in ((_TRUE, True), (_FALSE, False)):
        result[np.isin(lowered, np.array(sorted(words), dtype=_STRING))] = value
    return result


def _cell_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return text


def id_list_column(cells: np.ndarray) -> np.ndarray:
    """Given cells as lists of ids separated by ';'."""
    return _objects(
        [[part.strip() for part in text.split(";") if part.strip()] for text in text_column(cells)]
    )  # a list per cell: built in Python, the column is short (few projects require one)


Converter = Callable[[np.ndarray], np.ndarray]
