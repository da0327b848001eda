"""Load a scenario: YAML + `extends:` + CSV/Excel tables + named override sets + `--set`.

Steps, each working on the result of the one before:

1. read the file and, recursively, the file it `extends` (base first, at most
   MAX_EXTENDS files), and deep-merge each file over its base: mappings merge key by
   key, lists and plain values replace (YAML too deep or with runaway aliases is refused
   while it is read, model/input/table_files.py);
2. read `enterprises:` / `projects:` tables (model/input/table_files.py) into lists of rows;
3. apply the override set chosen by `scenario_name` from `scenarios:`, then every
   `--set key.path=value` in order; drop `scenarios:`;
4. check every text against model/input/text_rules.py (no control characters or lone surrogates;
   names one line), validate with the pydantic schema (model/input/schema.py), then check
   every cross-reference (names against the registry, ids against each other), the
   rules the schema cannot state alone and, for HiGHS, `solver.options` against HiGHS.

`input_hash` is the SHA-256 of the merged input as canonical JSON (sorted keys), so two
runs with the same hash had the same input whatever files it was spread over.

Every problem is one `InputError`, "FILE: key.path: message". FILE is where the bad
value was written (a base file, a table, or the scenario file for `--set`); key.path uses
the list index from 0 (`projects[3] (id E01-P1).reduces.COD`), or for a table the data
row counted from 1 and the column (`projects[4] (id E01-P1).reduces.COD`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from model.appraise.cp_level import check_indicators
from model.errors import CPIndexError, InputError, RegistryError
from model.formatting import suggest
from model.input.registry import (
    Registry,
    build_registry,
    builtin_carriers,
    builtin_pollutants,
)
from model.input.schema import PARK_ID, Scenario
from model.input.table_files import (
    TABLE_KEYS,
    TableRef,
    column_for,
    kind_of,
    parse_table_spec,
    read_table,
    read_yaml,
    split_key_path,
    yaml_value,
)
from model.input.text_rules import MULTILINE_KEYS, text_problem

__all__ = ["LoadedScenario", "command_line_error", "load_scenario"]

Loc = tuple  # a key path: str keys and int list indexes

MAX_EXTENDS = 20
"""Most files in one `extends` chain (the scenario file and its bases)."""

MAX_KEY_PATH = 100
"""Most parts in one override key path (`--set a.b.c=...`)."""


def _short(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class LoadedScenario:
    scenario: Scenario
    registry: Registry
    path: Path
    """The scenario file, absolute."""
    merged: dict
    """The merged input (tables inlined, overrides applied), JSON-serialisable."""
    input_hash: str
    """SHA-256 hex digest of `merged` as JSON with sorted keys."""


# --- where each value came from, and the user's notation for a key path --------------------


@dataclass(frozen=True)
class _Origin:
    file: str
    folder: Path | None = None
    note: str = ""
    table: TableRef | None = None
    rows: tuple[int, ...] = ()


class _Context:
    """The merged input being built, and the origin (file, table rows, override) of every
    value that was written as a whole, so an error names the file to fix."""

    def __init__(self, main: str, folder: Path) -> None:
        self.main = _Origin(main, folder)
        self.merged: dict = {}
        self.origins: dict[Loc, _Origin] = {}

    def mark(self, loc: Loc, origin: _Origin) -> None:
        depth = len(loc)
        for key in [k for k in self.origins if len(k) > depth and k[:depth] == loc]:
            del self.origins[key]
        self.origins[loc] = origin

    def origin(self, loc: Loc) -> tuple[_Origin, int]:
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

    def where(self, loc: Loc) -> tuple[_Origin, str]:
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


# --- files, extends, tables -----------------------------------------------------------------


def _load_file(path: Path, shown: str, ctx: _Context, chain: tuple[tuple[Path, str], ...]) -> dict:
    """The file deep-merged over the chain of files it extends (each relative to the one
    that names it)."""
    data = read_yaml(path, shown)
    for key in TABLE_KEYS:
        if isinstance(data.get(key), dict):
            data[key] = parse_table_spec(key, data[key], path.parent, shown)
    base_name = data.pop("extends", None)
    merged: dict = {}
    if base_name is not None:
        if not isinstance(base_name, str) or not base_name.strip():
            raise InputError(shown, "extends", "must be a file name, e.g. extends: base.yaml")
        base_path = path.parent / base_name
        base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), base_name))
        here = (*chain, (path.resolve(), shown))
        if len(here) >= MAX_EXTENDS:
            raise InputError(
                shown,
                "extends",
                f"more than {MAX_EXTENDS} files in one extends chain "
                f"(from {here[0][1]}); join some of them",
            )
        if base_path.resolve() in [real for real, _ in here]:
            cycle = " -> ".join([name for _, name in here] + [base_shown])
            raise InputError(shown, "extends", f"extends cycle: {cycle}")
        if not base_path.is_file():
            raise InputError(shown, "extends", f"file not found: {base_shown}")
        merged = _load_file(base_path, base_shown, ctx, here)
    _merge_into(merged, data, (), _Origin(shown, path.parent), ctx)
    return merged


def _merge_into(base: dict, overlay: dict, prefix: Loc, origin: _Origin, ctx: _Context) -> None:
    """Deep merge: mappings merge key by key; anything else in `overlay` replaces."""
    for key, value in overlay.items():
        loc = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_into(base[key], value, loc, origin, ctx)
        else:
            base[key] = value
            ctx.mark(loc, origin)


def _inline_tables(ctx: _Context) -> None:
    for key in TABLE_KEYS:
        ref = ctx.merged.get(key)
        if isinstance(ref, TableRef):
            rows, numbers = read_table(ref)
            ctx.merged[key] = rows
            ctx.mark((key,), _Origin(ref.label, table=ref, rows=tuple(numbers)))


# --- named override sets and --set ------------------------------------------------------------


def _list_index(items: list, token: str, bracketed: bool, name: str) -> int | str:
    """Position of the entry `token` names (an id, or an index from 0); text on failure."""
    ids = [str(item.get("id")) if isinstance(item, dict) else None for item in items]
    if re.fullmatch(r"[0-9]+", token) and not (bracketed and token in ids):
        index = int(token)
        return (
            index
            if index < len(items)
            else f"index {index} is past the end ({name} has {len(items)} entries, numbered from 0)"
        )
    if token in ids:
        return ids.index(token)
    known = [i for i in ids if i is not None]
    return f"no entry with id '{token}' in {name}{suggest(token, known)}"


def _set_path(ctx: _Context, key_path: str, value: Any, origin: _Origin, where: tuple) -> None:
    """Replace the value at `key_path` (mappings on the way are created when missing).
    `where` = (file, key path, message prefix) for errors in the override itself."""

    def fail(message: str) -> InputError:
        return InputError(where[0], _short(where[1]), where[2] + message)

    parts = split_key_path(key_path.strip())
    if parts is None:
        raise fail(
            f"not a key path: '{_short(key_path)}' "
            "(write e.g. budget.total or projects[E01-P1].capex)"
        )
    if len(parts) > MAX_KEY_PATH:
        raise fail(f"a key path has at most {MAX_KEY_PATH} parts, this one {len(parts)}")
    if parts[0][0] in ("scenarios", "extends"):
        raise fail(f"'{parts[0][0]}' cannot be changed by an override")
    if len(parts) == 1 and parts[0][0] in TABLE_KEYS and isinstance(value, dict):
        try:
            value = parse_table_spec(parts[0][0], value, origin.folder or Path("."), where[0])
        except InputError as error:
            raise fail(error.message) from None
    node: Any = ctx.merged
    loc: list = []
    for number, (token, bracketed) in enumerate(parts):
        last = number == len(parts) - 1
        name = ".".join(str(part) for part in loc) or "the top level"
        if isinstance(node, dict):
            key: Any = token
            if not last and not isinstance(node.get(key), (dict, list)):
                if node.get(key) is not None:
                    below = parts[number + 1][0]
                    raise fail(f"{name}.{key} is {kind_of(node[key])}, it has no key '{below}'")
                node[key] = {}
        elif isinstance(node, list):
            key = _list_index(node, token, bracketed, name)
            if isinstance(key, str):
                raise fail(key)
        else:
            raise fail(f"{name} is {kind_of(node)}, it has no key '{token}'")
        loc.append(key)
        if last:
            node[key] = value
        else:
            node = node[key]
    ctx.mark(tuple(loc), origin)
    _inline_tables(ctx)


def _apply_file_overrides(ctx: _Context) -> None:
    """`overrides: {key.path: value}` in a file: applied after `extends` and the tables,
    before a named set, so a variant can change one row of a base file's table."""
    overrides = ctx.merged.pop("overrides", None)
    if overrides is None:
        return
    if not isinstance(overrides, dict):
        raise ctx.error(("overrides",), "must be a mapping of key.path: value")
    for key, value in overrides.items():
        source, _ = ctx.origin(("overrides", key))
        origin = _Origin(source.file, source.folder, "set by overrides")
        _set_path(ctx, key, value, origin, (source.file, f"overrides.{key}", ""))


def _apply_named(ctx: _Context, name: str | None) -> None:
    sets = ctx.merged.pop("scenarios", None)
    if sets is not None and not isinstance(sets, dict):
        raise ctx.error(("scenarios",), "must be a mapping NAME: {key.path: value, ...}")
    if name is None:
        return
    sets = sets or {}
    if name not in sets:
        available = ", ".join(sorted(sets)) or "none defined"
        raise InputError(
            ctx.main.file,
            "scenarios",
            f"no scenario named '{name}'{suggest(name, sets)} (available: {available})",
        )
    chosen = sets[name]
    if not isinstance(chosen, dict):
        raise ctx.error(("scenarios", name), "must be a mapping of key.path: value")
    for key, value in chosen.items():
        source, _ = ctx.origin(("scenarios", name, key))
        origin = _Origin(source.file, source.folder, f"set by scenario '{name}'")
        _set_path(ctx, key, value, origin, (source.file, f"scenarios.{name}.{key}", ""))
    if "name" not in chosen and isinstance(ctx.merged.get("name"), str):
        ctx.merged["name"] = f"{ctx.merged['name']}-{name}"


def _apply_set(ctx: _Context, text: str) -> None:
    key_path, equals, value_text = text.partition("=")
    if not equals or not key_path.strip():
        raise InputError(
            ctx.main.file, "--set", f"'{_short(text)}' is not of the form key.path=value"
        )
    try:
        value = yaml_value(value_text)
    except InputError as error:
        raise InputError(
            ctx.main.file,
            _short(key_path.strip()),
            f"--set: cannot read the value '{_short(value_text, 40)}': {error.message}",
        ) from None
    origin = _Origin(ctx.main.file, ctx.main.folder, f"from --set {_short(text)}")
    _set_path(ctx, key_path, value, origin, (ctx.main.file, key_path.strip(), "--set: "))


# --- validation ------------------------------------------------------------------------------


def _tidy(node: Any, ctx: _Context, loc: Loc = ()) -> Any:
    """Drop empty (null) mapping values, so `key:` with nothing after it means "absent"
    (the schema default), as an empty table cell does. Non-finite numbers are errors, and
    so is text that breaks the rules of model/input/text_rules.py (control characters, lone
    surrogates, line breaks outside free text), in keys as in values."""
    if isinstance(node, float) and not math.isfinite(node):
        raise ctx.error(loc, "must be a finite number")
    if isinstance(node, str):
        problem = text_problem(node, multiline=bool(loc) and loc[-1] in MULTILINE_KEYS)
        if problem:
            raise ctx.error(loc, problem)
    if isinstance(node, dict):
        for key in node:
            problem = text_problem(key)
            if problem:
                raise ctx.error((*loc, key), f"the key {problem}")
        return {k: _tidy(v, ctx, (*loc, k)) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_tidy(item, ctx, (*loc, i)) for i, item in enumerate(node)]
    return node


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model that describes the mapping at key path `loc`, if any."""

    def as_model(tp: Any) -> type[BaseModel] | None:
        for candidate in (tp, *get_args(tp)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return candidate
        return None

    current: Any = Scenario
    for part in loc:
        model = as_model(current)
        if get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        elif model is not None and part in model.model_fields:
            current = model.model_fields[part].annotation
        else:
            return None
    return as_model(current)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_message(error: dict) -> tuple[Loc, str]:
    """The first pydantic error as (key path, short plain message)."""
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    context, is_key = error.get("ctx") or {}, bool(loc) and loc[-1] == "[key]"
    shown = _shown(value)
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        fields = list(model.model_fields) if model else []
        hint = suggest(str(loc[-1]), fields) or (
            f" (allowed: {', '.join(fields)})" if fields else ""
        )
        return loc, f"unknown key '{loc[-1]}'{hint}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        hint = suggest(str(value), allowed)
        if is_key:
            return loc[
                :-1
            ], f"unknown key {shown}{hint or ' (allowed: ' + ', '.join(allowed) + ')'}"
        return loc, f"{shown} is not allowed{hint or ' (one of: ' + ', '.join(allowed) + ')'}"
    if is_key:
        loc = loc[:-1]
    if kind == "value_error" and loc == ("horizon",):
        return ("horizon", "end"), str(error["msg"]).removeprefix("Value error, ")
    limits = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in limits:
        sign, name = limits[kind]
        limit = context.get(name)
        return loc, f"must be {sign} {limit:g}" if isinstance(
            limit, (int, float)
        ) else f"must be {sign} {limit}"
    messages = {
        "missing": "missing required key",
        "finite_number": "must be a finite number",
        "float": f"not a number: {shown}",
        "int": f"not a whole number: {shown}",
        "bool": f"not true/false: {shown}",
        "string_type": f"must be text, not {shown} (put it in quotes)",
        "string_too_short": "must not be empty",
        "string_pattern_mismatch": f"{shown}: use only letters, digits, '_', '.' and '-'",
        "too_short": f"needs at least {context.get('min_length', 1)} entry",
        "dict": f"must be a mapping (key: value), not {kind_of(value)}",
        "model": f"must be a mapping (key: value), not {kind_of(value)}",
        "list_type": f"must be a list, not {kind_of(value)}",
    }
    group = (
        kind.split("_")[0]
        if kind.split("_")[0] in ("float", "int", "bool", "dict", "model")
        else kind
    )
    message = messages.get(group, str(error["msg"]).removeprefix("Value error, "))
    if kind == "list_type" and loc and loc[0] in TABLE_KEYS and len(loc) == 1:
        message += " (or {csv: FILE} / {xlsx: FILE, sheet: NAME})"
    return loc, message


def command_line_error(error: ValidationError, flags: dict[str, str]) -> InputError:
    """The first problem of a section validated with command-line values on top, as
    "command line: --flag: message"; `flags` maps field names to the options that set
    them (e.g. {"mip_gap": "--mip-gap"})."""
    loc, message = _pydantic_message(error.errors(include_url=False)[0])
    field = str(loc[0]) if loc else ""
    return InputError("command line", flags.get(field, field), message)


def _registry(scenario: Scenario, ctx: _Context) -> Registry:
    builtin = builtin_pollutants()
    for name, entry in scenario.pollutants.items():
        if name not in builtin and entry.medium is None:
            raise ctx.error(
                ("pollutants", name),
                f"'{name}' is not a built-in pollutant{suggest(name, builtin) or '.'} "
                "A new pollutant needs 'medium' (air, water, solid or other)",
            )
    carriers = builtin_carriers()
    for name, entry in scenario.carriers.items():
        missing = [key for key in ("unit", "tce_per_unit") if getattr(entry, key) is None]
        if name not in carriers and missing:
            raise ctx.error(
                ("carriers", name),
                f"'{name}' is not a built-in carrier{suggest(name, carriers) or '.'} "
                f"A new carrier needs {' and '.join(missing)}",
            )
    try:
        return build_registry(scenario)
    except RegistryError as error:
        raise ctx.error(tuple(error.path.split(".")), error.message) from None


def _check_solver_options(scenario: Scenario, ctx: _Context, solver_name: str | None) -> None:
    """`solver.options` against HiGHS's own option list when HiGHS will solve (the
    scenario's solver, or `solver_name` from the command line). Other solvers' options
    cannot be checked: Pyomo hands them to the solver unread."""
    name = solver_name or scenario.solver.name
    if name.lower() != "highs" or not scenario.solver.options:
        return
    from model.input.highs_options import highs_option_problem

    for key, value in scenario.solver.options.items():
        problem = highs_option_problem(key, value)
        if problem:
            given = f" (with --solver {solver_name})" if solver_name else ""
            raise ctx.error(("solver", "options", key), problem + given)


def _check(scenario: Scenario, ctx: _Context, solver_name: str | None = None) -> Registry:
    """Rules beyond the schema; the first broken one is raised. Returns the registry."""
    horizon = scenario.horizon
    registry = _registry(scenario, ctx)
    _check_solver_options(scenario, ctx, solver_name)

    def by_year(loc: Loc, value, low: float | None, high: float | None = None) -> None:
        """A number, or {year: number} with every year inside the horizon."""
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for year, number in items:
            where = loc if year is None else (*loc, str(year))
            if year is not None and year not in horizon.years:
                raise ctx.error(
                    where, f"year {year} is outside the horizon {horizon.start}-{horizon.end}"
                )
            if low is not None and number < low:
                raise ctx.error(where, f"must be >= {low:g}")
            if high is not None and not low < number <= high:
                raise ctx.error(where, "must be a fraction in (0, 1], e.g. 0.1 for 10 %")

    def known(loc: Loc, name: str, names: Sequence[str], what: str, hint: str = "") -> None:
        if name not in names:
            raise ctx.error(loc, f"unknown {what} '{name}'{suggest(name, names) or hint}")

    def amounts(loc: Loc, values: dict, names: Sequence[str], what: str, low: float | None) -> None:
        for name, value in values.items():
            known((*loc, name), name, names, what, f" (declare it under {what}s:)")
            by_year((*loc, name), value, low)

    pollutants, carriers = list(registry.pollutants), list(registry.carriers)
    enterprise_ids: dict[str, int] = {}
    rows = [(("enterprises", i), e.baseline, e.permit) for i, e in enumerate(scenario.enterprises)]
    for i, enterprise in enumerate(scenario.enterprises):
        loc = ("enterprises", i, "id")
        if enterprise.id == PARK_ID:
            raise ctx.error(loc, f"'{PARK_ID}' is reserved for the park's shared facilities")
        if enterprise.id in enterprise_ids:
            other = ctx.where(("enterprises", enterprise_ids[enterprise.id]))[1]
            raise ctx.error(loc, f"duplicate enterprise id '{enterprise.id}' (also {other})")
        enterprise_ids[enterprise.id] = i
    for loc, baseline, permit in [*rows, (("park",), scenario.park.baseline, scenario.park.permit)]:
        amounts((*loc, "baseline", "emissions"), baseline.emissions, pollutants, "pollutant", 0)
        amounts((*loc, "baseline", "energy"), baseline.energy, carriers, "carrier", 0)
        amounts((*loc, "permit"), permit, pollutants, "pollutant", 0)

    projects = scenario.projects
    project_ids: dict[str, int] = {}
    for j, project in enumerate(projects):
        loc = ("projects", j)
        if project.id == PARK_ID or project.id in enterprise_ids:
            raise ctx.error(
                (*loc, "id"),
                f"'{project.id}' is already an enterprise id: project "
                "ids must differ from enterprise ids and 'park'",
            )
        if project.id in project_ids:
            other = ctx.where(("projects", project_ids[project.id]))[1]
            raise ctx.error((*loc, "id"), f"duplicate project id '{project.id}' (also {other})")
        project_ids[project.id] = j
        if project.capacity is not None and project.owner != PARK_ID:
            raise ctx.error(
                (*loc, "capacity"), "only shared facilities (owner: park) have a capacity"
            )
    owners = [*enterprise_ids, PARK_ID]
    for j, project in enumerate(projects):
        loc = ("projects", j)
        known((*loc, "owner"), project.owner, owners, "owner", " (an enterprise id or 'park')")
        amounts((*loc, "reduces"), project.reduces, pollutants, "pollutant", None)
        amounts((*loc, "saves"), project.saves, carriers, "carrier", None)
        for k, required in enumerate(project.requires):
            if required == project.id:
                raise ctx.error((*loc, "requires", k), "a project cannot require itself")
            known((*loc, "requires", k), required, list(project_ids), "project")
        for facility, use in project.serves.items():
            where = (*loc, "serves", facility)
            known(where, facility, list(project_ids), "facility")
            if facility == project.id:
                raise ctx.error(where, "a facility cannot serve itself")
            if projects[project_ids[facility]].capacity is None:
                raise ctx.error(
                    where,
                    f"'{facility}' has no capacity: only a shared facility "
                    "(owner: park, with capacity) can be served",
                )
            if use < 0:
                raise ctx.error(where, "must be >= 0")

    for year, amount in scenario.budget.per_year.items():
        if year not in horizon.years:
            raise ctx.error(
                ("budget", "per_year", str(year)),
                f"year {year} is outside the horizon {horizon.start}-{horizon.end}",
            )
        if amount < 0:
            raise ctx.error(("budget", "per_year", str(year)), "must be >= 0")
    targets = scenario.targets
    amounts(("targets", "park_caps"), targets.park_caps, pollutants, "pollutant", 0)
    amounts(("targets", "reduction"), targets.reduction, pollutants, "pollutant", None)
    for name, fraction in targets.reduction.items():
        by_year(("targets", "reduction", name), fraction, 0, 1)
    if targets.energy_cap_tce is not None:
        by_year(("targets", "energy_cap_tce"), targets.energy_cap_tce, 0)
    if targets.energy_reduction is not None:
        by_year(("targets", "energy_reduction"), targets.energy_reduction, 0, 1)
    for name, weight in scenario.objective.weights.items():
        if weight < 0:
            raise ctx.error(("objective", "weights", name), "must be >= 0")
    try:
        check_indicators(scenario.enterprises, projects)
    except CPIndexError as error:
        raise ctx.error(error.loc, error.message) from None
    classes = scenario.finance.classes
    if classes.low_max > classes.medium_max:
        raise ctx.error(
            ("finance", "classes", "low_max"),
            f"{classes.low_max:g} is above medium_max {classes.medium_max:g}",
        )
    has_target = bool(targets.park_caps or targets.reduction) or (
        targets.energy_cap_tce is not None or targets.energy_reduction is not None
    )
    if scenario.objective.minimize == "cost" and not has_target:
        raise ctx.error(
            ("objective", "minimize"),
            "cost objective needs at least one target "
            "(targets.park_caps, targets.reduction, targets.energy_cap_tce or "
            "targets.energy_reduction)",
        )
    return registry


def load_scenario(
    path: str | Path,
    scenario_name: str | None = None,
    overrides: Sequence[str] = (),
    solver_name: str | None = None,
) -> LoadedScenario:
    """Read, merge, override and validate a scenario file; see the module docstring.
    `solver_name`: the solver the run will use when not the scenario's (`--solver`), so
    that `solver.options` are checked against the right solver.

    Raises InputError (and nothing else) for any bad input."""
    file = Path(path)
    shown = os.path.normpath(str(path))
    ctx = _Context(shown, file.parent)
    ctx.merged = _load_file(file, shown, ctx, ())
    _inline_tables(ctx)
    _apply_file_overrides(ctx)
    _apply_named(ctx, scenario_name)
    for text in [overrides] if isinstance(overrides, str) else overrides:
        _apply_set(ctx, text)
    ctx.merged = _tidy(ctx.merged, ctx)
    try:
        scenario = Scenario.model_validate(ctx.merged)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        first = errors[0]
        if first["type"] == "missing":  # a misspelt key is both missing and unknown:
            parent = tuple(first["loc"][:-1])  # name the unknown one, with a suggestion
            typos = [
                e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent
            ]
            first = typos[0] if typos else first
        loc, message = _pydantic_message(first)
        raise ctx.error(ctx.trim(loc), message) from None
    registry = _check(scenario, ctx, solver_name)
    digest = hashlib.sha256(
        json.dumps(ctx.merged, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    return LoadedScenario(scenario, registry, file.resolve(), ctx.merged, digest)
