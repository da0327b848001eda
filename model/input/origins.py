"""Where each value of a scenario's merged input came from, and the user's notation for a
key path, so that every error names the file to fix.

A scenario is merged from several files (the file, the bases it `extends`, its CSV or
Excel tables) and overrides (`overrides:`, a named set from `scenarios:`, `--set`).
`MergedInput` keeps the merged data and, for every value written as a whole, its
`Origin`. `MergedInput.error(loc, message)` turns a key path (str keys and int list
indexes, from 0) into an `InputError` "FILE: key.path: message": FILE is where the value
was written; a list entry shows its id (`projects[3] (id E01-P1).reduces.COD`), a table
row its data-row number from 1 and its column (`projects[4] (id E01-P1).reduces.COD`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InputError, Loc
from model.input.table_files import TableRef, column_for


@dataclass(frozen=True)
class Origin:
    """Where a value was written: the file (or table) and folder it came from, and a note
    such as "set by scenario 'tight'" for values an override wrote."""

    file: str
    folder: Path | None = None
    note: str = ""
    table: TableRef | None = None
    rows: tuple[int, ...] = ()


class MergedInput:
    """The merged input being built, and the origin (file, table rows, override) of every
    value that was written as a whole, so an error names the file to fix."""

    def __init__(self, main: str, folder: Path) -> None:
        self.main = Origin(main, folder)
        self.merged: dict = {}
        self.origins: dict[Loc, Origin] = {}

    def mark(self, loc: Loc, origin: Origin) -> None:
        depth = len(loc)
        for key in [k for k in self.origins if len(k) > depth and k[:depth] == loc]:
            del self.origins[key]
        self.origins[loc] = origin

    def origin(self, loc: Loc) -> tuple[Origin, int]:
        for depth in range(len(loc), 0, -1):
            if loc[:depth] in self.origins:
                return self.origins[loc[:depth]], depth
        return self.main, 0

    def _node(self, loc: Loc) -> Any:
        node: Any = self.merged
        for part in loc:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    def trim(self, loc: Loc) -> Loc:
        """`loc` up to the first part that is not a key or index of the input (pydantic
        adds union member names such as 'float')."""
        node: Any = self.merged
        for depth, part in enumerate(loc):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            elif part != "[key]":
                return loc[:depth]
        return loc

    def _id(self, loc: Loc) -> str:
        node = self._node(loc)
        ident = node.get("id") if isinstance(node, dict) else None
        return f" (id {ident})" if isinstance(ident, (str, int)) and str(ident) else ""

    def where(self, loc: Loc) -> tuple[Origin, str]:
        """The origin of the value at `loc` and its key path in the user's notation."""
        loc = tuple(part for part in loc if part != "[key]")
        origin, depth = self.origin(loc)
        if origin.table is not None and depth == 1 and len(loc) > 1 and isinstance(loc[1], int):
            row = origin.rows[loc[1]] if loc[1] < len(origin.rows) else loc[1] + 1
            head = f"{loc[0]}[{row}]{self._id(loc[:2])}"
            tail = column_for(origin.table.kind, loc[2:])
            return origin, f"{head}.{tail}" if tail else head
        text = ""
        for depth, part in enumerate(loc):
            if isinstance(part, int):
                text += f"[{part}]{self._id(loc[: depth + 1])}"
            else:
                text += f".{part}" if text else str(part)
        return origin, text

    def error(self, loc: Loc, message: str) -> InputError:
        origin, path = self.where(loc)
        return InputError(
            origin.file, path, f"{message} ({origin.note})" if origin.note else message
        )
