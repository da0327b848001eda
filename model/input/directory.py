"""The technology directory: known cleaner-production options per key industry.

`model/reference/technologies.yaml` lists one entry per option and sector; each entry is a
`TechnologyOption` (model/input/technology_option.py, which also says what every basis
quantity and cost rule means). docs/directory.md states the rules a generator applies to
turn an entry into a project for one enterprise; this module only reads and validates
the data: each entry alone, then the entries together (`load_directory`).

`load_directory()` raises `DirectoryError` with one line
"technologies.yaml: [12] (id x.y).cost.exponent: must be > 0" (list index from 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from model.errors import DirectoryError
from model.input.reference import REFERENCE_DIR
from model.input.schema import KEY_INDUSTRIES
from model.input.technology_option import TechnologyOption

__all__ = ["DIRECTORY_PATH", "load_directory"]

DIRECTORY_PATH = REFERENCE_DIR / "technologies.yaml"
"""The shipped directory."""


def _message(error: dict[str, Any]) -> tuple[tuple[Any, ...], str]:
    """(location, message) of one pydantic error in the directory's words."""
    loc = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error" and msg.startswith("@"):
        _, path, text = msg.split("@", 2)
        return (*loc, *path.split(".")), text
    limits = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in limits:
        limit = next(iter(context.values()), "")
        return loc, f"must be {limits[kind]} {limit}"
    if kind == "extra_forbidden":
        return loc, f"unknown key '{loc[-1]}'"
    if kind == "string_too_short":
        return loc, "must not be empty"
    if kind == "missing":
        return loc, "missing required key"
    if kind == "literal_error":
        return loc, f"{error.get('input')!r} is not one of {context.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return loc, f"{error.get('input')!r}: use lower-case letters, digits and '_'"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return loc, f"not a number of the right kind: {error.get('input')!r}"
    # a Range error: drop the union/validator noise from the location
    loc = tuple(part for part in loc if not str(part).startswith("function-"))
    return loc, msg


def _path(index: int, ident: Any, loc: Iterable[Any]) -> str:
    """ "[12] (id x.y).cost.exponent": list positions as [n], keys joined by dots."""
    text = f"[{index}]" + (f" (id {ident})" if isinstance(ident, str) and ident else "")
    for part in loc:
        is_position = isinstance(part, int) or (isinstance(part, str) and part.isdigit())
        text += f"[{part}]" if is_position else f".{part}"
    return text


def load_directory(path: str | Path | None = None) -> list[TechnologyOption]:
    """Read and validate the technology directory (default: the shipped YAML).

    Checks each entry (keys, units, ranges, ids of pollutants and carriers against the
    built-in registry) and then the entries together: ids unique, the generated project
    id suffix unique among the options one enterprise can receive, every `requires`
    names an existing option (a connection names exactly one facility, and only a
    connection names one; every facility is named by a connection), no option of an
    exclusive group is a prerequisite of another member of that group, and every member
    of an exclusive group shares a sector with another member.
    """
    source = Path(path) if path is not None else DIRECTORY_PATH
    shown = source.name
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DirectoryError(shown, "", f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise DirectoryError(shown, "", f"not valid YAML{where}") from None
    if not isinstance(data, list) or not data:
        raise DirectoryError(shown, "", "must be a non-empty list of options")
    options: list[TechnologyOption] = []
    for index, entry in enumerate(data):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            raise DirectoryError(shown, _path(index, None, ()), "must be a mapping")
        try:
            options.append(TechnologyOption.model_validate(entry))
        except ValidationError as exc:
            loc, message = _message(exc.errors()[0])
            raise DirectoryError(shown, _path(index, ident, loc), message) from None
    _check_together(options, shown)
    return options


def _check_together(options: list[TechnologyOption], shown: str) -> None:
    """Cross-entry rules of `load_directory`; raises the first violation."""

    def fail(index: int, loc: str, message: str) -> DirectoryError:
        parts = re.findall(r"[^.\[\]]+", loc)
        return DirectoryError(shown, _path(index, options[index].id, parts), message)

    by_id: dict[str, int] = {}
    for index, option in enumerate(options):
        if option.id in by_id:
            raise fail(index, "id", f"duplicate id (also entry [{by_id[option.id]}])")
        by_id[option.id] = index
    # one enterprise receives options of its sector and cross-sector options that list it
    for sector in KEY_INDUSTRIES:
        seen: dict[str, int] = {}
        for index, option in enumerate(options):
            listed = option.applies_when.sectors or [option.sector]
            if option.role == "facility" or sector not in listed:
                continue
            if option.suffix in seen:
                other = options[seen[option.suffix]].id
                raise fail(
                    index,
                    "id",
                    f"suffix '{option.suffix}' also used by {other} "
                    f"(both can land on a {sector} enterprise)",
                )
            seen[option.suffix] = index
    required_facilities: dict[str, int] = {}
    for index, option in enumerate(options):
        facilities = []
        for position, needed in enumerate(option.requires):
            if needed not in by_id:
                raise fail(index, f"requires[{position}]", f"unknown option '{needed}'")
            target = options[by_id[needed]]
            if needed == option.id:
                raise fail(index, f"requires[{position}]", "an option cannot require itself")
            if target.role == "facility":
                facilities.append(needed)
                continue
            listed = set(option.applies_when.sectors or [option.sector])
            reach = set(target.applies_when.sectors or [target.sector])
            if not listed <= reach:
                raise fail(
                    index,
                    f"requires[{position}]",
                    f"'{needed}' does not apply to every sector this option applies to",
                )
            if option.exclusive_group and option.exclusive_group == target.exclusive_group:
                raise fail(
                    index, f"requires[{position}]", f"'{needed}' is in the same exclusive group"
                )
        if option.role == "connection" and len(facilities) != 1:
            raise fail(index, "requires", "a connection requires exactly one facility")
        if option.role != "connection" and facilities:
            raise fail(index, "requires", "only a connection may require a facility")
        for facility in facilities:
            required_facilities.setdefault(facility, index)
    for index, option in enumerate(options):
        if option.role == "facility" and option.id not in required_facilities:
            raise fail(index, "", "no connection requires this facility")
    # an exclusive group names alternatives: each member must meet another on some sector
    for index, option in enumerate(options):
        if not option.exclusive_group:
            continue
        mine = set(option.applies_when.sectors or [option.sector])
        partners = [
            other
            for other in options
            if other is not option
            and other.exclusive_group == option.exclusive_group
            and mine & set(other.applies_when.sectors or [other.sector])
        ]
        if not partners:
            raise fail(
                index,
                "exclusive_group",
                f"no other option of group '{option.exclusive_group}' applies to its sectors",
            )
