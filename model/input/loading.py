"""Load a scenario: YAML + `extends:` + CSV/Excel tables + named override sets + `--set`.

Steps, each working on the result of the one before:

1. read the file (or take the mapping given instead) and, recursively, the file it
   `extends` (base first, at most MAX_EXTENDS files), and deep-merge each file over its
   base: mappings merge key by key, lists and plain values replace (YAML too deep or
   with runaway aliases is refused while it is read, model/input/yaml_files.py);
2. read `enterprises:` / `projects:` tables (model/input/table_files.py) into lists of rows
   (`projects: {directory: ...}` stays a mapping until step 4);
3. apply the override set chosen by `scenario_name` from `scenarios:`, then every
   `--set key.path=value` in order; drop `scenarios:`;
4. check every text against model/input/text_rules.py (no control characters or lone
   surrogates; names one line), generate the projects asked for by
   `projects: {directory: ...}` (model/input/directory_projects.py), validate with the
   pydantic schema (model/input/schema.py, errors worded by model/input/messages.py),
   then check the rules the schema cannot state alone (model/input/checks.py): every
   cross-reference (names against the registry, ids against each other) and, for
   HiGHS, `solver.options` against HiGHS.

`input_hash` is the SHA-256 of the merged input as canonical JSON (sorted keys), so two
runs with the same hash had the same input whatever files it was spread over.

Every problem is one `InputError`, "FILE: key.path: message". FILE is where the bad
value was written (a base file, a table, or the scenario file for `--set`); key.path uses
the list index from 0 (`projects[3] (id E01-P1).reduces.COD`), or for a table the data
row counted from 1 and the column (`projects[4] (id E01-P1).reduces.COD`); the origin of
every value is kept by model/input/origins.py.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from model.errors import InputError, Loc
from model.formatting import suggest
from model.input.checks import check_scenario
from model.input.messages import pydantic_message
from model.input.origins import MergedInput, Origin
from model.input.registry import Registry
from model.input.schema import Scenario
from model.input.table_files import TABLE_KEYS, TableRef, parse_table_spec, read_table
from model.input.text_rules import MULTILINE_KEYS, text_problem
from model.input.yaml_files import kind_of, read_yaml, split_key_path, yaml_value

if TYPE_CHECKING:
    from model.input.candidates import CandidateSet

__all__ = ["LoadedScenario", "load_scenario"]

MAX_EXTENDS = 20
"""Most files in one `extends` chain (the scenario file and its bases)."""

MAX_KEY_PATH = 100
"""Most parts in one override key path (`--set a.b.c=...`)."""


def is_directory_spec(key: str, value: object) -> bool:
    """True for a `projects:` mapping that asks for candidates generated from the
    technology directory (model/input/directory_projects.py, imported only then)."""
    return key == "projects" and isinstance(value, dict) and "directory" in value


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
    shown: str = ""
    """The scenario as errors name it: the file as it was given, or SCENARIO_MAPPING."""
    candidates: CandidateSet | None = None
    """Projects generated from the directory (`projects: {directory: ...}`), with ranges."""


# --- files, extends, tables -----------------------------------------------------------------


def _load_file(
    path: Path,
    shown: str,
    ctx: MergedInput,
    chain: tuple[tuple[Path, str], ...],
    given: Mapping | None = None,
) -> dict:
    """The file deep-merged over the chain of files it extends (each relative to the one
    that names it). `given`: the scenario as a mapping instead of the file's text."""
    if given is None:
        data = read_yaml(path, shown)
    elif isinstance(given, Mapping):
        data = copy.deepcopy(dict(given))
    else:
        raise InputError(shown, "", f"a scenario must be a mapping, not {kind_of(given)}")
    for key in TABLE_KEYS:
        if is_directory_spec(key, data.get(key)):  # generated: model/input/directory_projects.py
            data[key]["directory"] = data[key]["directory"] or {}
        elif isinstance(data.get(key), dict):
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
    _merge_into(merged, data, (), Origin(shown, path.parent), ctx)
    return merged


def _merge_into(base: dict, overlay: dict, prefix: Loc, origin: Origin, ctx: MergedInput) -> None:
    """Deep merge: mappings merge key by key; anything else in `overlay` replaces."""
    for key, value in overlay.items():
        loc = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_into(base[key], value, loc, origin, ctx)
        else:
            base[key] = value
            ctx.mark(loc, origin)


def _inline_tables(ctx: MergedInput) -> None:
    for key in TABLE_KEYS:
        ref = ctx.merged.get(key)
        if isinstance(ref, TableRef):
            rows, numbers = read_table(ref)
            ctx.merged[key] = rows
            ctx.mark((key,), Origin(ref.label, table=ref, rows=tuple(numbers)))


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


def _set_path(ctx: MergedInput, key_path: str, value: Any, origin: Origin, where: tuple) -> None:
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
    table_spec = isinstance(value, dict) and not is_directory_spec(parts[0][0], value)
    if len(parts) == 1 and parts[0][0] in TABLE_KEYS and table_spec:
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


def _apply_file_overrides(ctx: MergedInput) -> None:
    """`overrides: {key.path: value}` in a file: applied after `extends` and the tables,
    before a named set, so a variant can change one row of a base file's table."""
    overrides = ctx.merged.pop("overrides", None)
    if overrides is None:
        return
    if not isinstance(overrides, dict):
        raise ctx.error(("overrides",), "must be a mapping of key.path: value")
    for key, value in overrides.items():
        source, _ = ctx.origin(("overrides", key))
        origin = Origin(source.file, source.folder, "set by overrides")
        _set_path(ctx, key, value, origin, (source.file, f"overrides.{key}", ""))


def _apply_named(ctx: MergedInput, name: str | None) -> None:
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
        origin = Origin(source.file, source.folder, f"set by scenario '{name}'")
        _set_path(ctx, key, value, origin, (source.file, f"scenarios.{name}.{key}", ""))
    if "name" not in chosen and isinstance(ctx.merged.get("name"), str):
        ctx.merged["name"] = f"{ctx.merged['name']}-{name}"


def _apply_set(ctx: MergedInput, text: str) -> None:
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
    origin = Origin(ctx.main.file, ctx.main.folder, f"from --set {_short(text)}")
    _set_path(ctx, key_path, value, origin, (ctx.main.file, key_path.strip(), "--set: "))


def _apply_value(ctx: MergedInput, key_path: str, value: Any) -> None:
    """One override given as a Python value (`load(..., set={key.path: value})`)."""
    shown = f"{key_path}={value!r}"
    origin = Origin(ctx.main.file, ctx.main.folder, f"from set {_short(shown)}")
    where = (ctx.main.file, key_path.strip(), "set: ")
    _set_path(ctx, key_path, copy.deepcopy(value), origin, where)


# --- validation ------------------------------------------------------------------------------


def _tidy(node: Any, ctx: MergedInput) -> Any:
    """Drop empty (null) mapping values, so `key:` with nothing after it means "absent"
    (the schema default), as an empty table cell does. Non-finite numbers are errors, and
    so is text that breaks the rules of model/input/text_rules.py (control characters, lone
    surrogates, line breaks outside free text), in keys as in values: in each mapping
    its keys are checked before its values, depth first, and the first problem found is
    reported with its key path."""
    try:
        return _tidied(node, False)
    except _Untidy as problem:
        raise ctx.error(tuple(reversed(problem.path)), problem.message) from None


class _Untidy(Exception):
    """A problem found by `_tidied`; `path` is filled in reverse while it unwinds."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list = []


def _tidied(node: Any, multiline: bool) -> Any:
    """`_tidy` without key paths (they are only built for an error, on the way out):
    one call per node, the commonest types first, since a park of 100,000 projects
    has millions of nodes."""
    kind = type(node)
    if kind is str:
        problem = text_problem(node, multiline=multiline)
        if problem:
            raise _Untidy(problem)
        return node
    if kind is int or kind is bool:
        return node
    if kind is float or isinstance(node, float):
        if not math.isfinite(node):
            raise _Untidy("must be a finite number")
        return node
    if isinstance(node, dict):
        for key in node:
            problem = text_problem(key)
            if problem:
                error = _Untidy(f"the key {problem}")
                error.path.append(key)
                raise error
        tidied = {}
        for key, value in node.items():
            if value is None:
                continue
            try:
                tidied[key] = _tidied(value, key in MULTILINE_KEYS)
            except _Untidy as error:
                error.path.append(key)
                raise
        return tidied
    if isinstance(node, list):
        items = []
        for index, item in enumerate(node):
            try:
                items.append(_tidied(item, False))
            except _Untidy as error:
                error.path.append(index)
                raise
        return items
    if isinstance(node, str):
        problem = text_problem(node, multiline=multiline)
        if problem:
            raise _Untidy(problem)
    return node


SCENARIO_MAPPING = "<scenario mapping>"
"""How errors name a scenario given as a mapping rather than a file."""


def load_scenario(
    path: str | Path | Mapping[str, Any],
    scenario_name: str | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    solver_name: str | None = None,
    folder: str | Path | None = None,
) -> LoadedScenario:
    """Read, merge, override and validate a scenario file; see the module docstring.

    `path` may also be the scenario as a mapping (what the YAML file would hold); its
    `extends:` and table files are then found relative to `folder` (default: the current
    folder), and errors name it SCENARIO_MAPPING. `overrides`: `--set` texts
    "key.path=value" (the value read as YAML), or a mapping {key.path: value}, applied in
    order. `solver_name`: the solver the run will use when not the scenario's
    (`--solver`), so that `solver.options` are checked against the right solver.

    Raises InputError (and nothing else) for any bad input."""
    given = path if not isinstance(path, (str, os.PathLike)) else None
    if given is None:
        file = Path(path)
        shown = os.path.normpath(str(path))
    else:
        file = Path(folder if folder is not None else ".") / SCENARIO_MAPPING
        shown = SCENARIO_MAPPING
    ctx = MergedInput(shown, file.parent)
    ctx.merged = _load_file(file, shown, ctx, (), given)
    _inline_tables(ctx)
    _apply_file_overrides(ctx)
    _apply_named(ctx, scenario_name)
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            _apply_value(ctx, str(key), value)
    else:
        for text in [overrides] if isinstance(overrides, str) else overrides:
            _apply_set(ctx, text)
    ctx.merged = _tidy(ctx.merged, ctx)
    candidates = None
    if is_directory_spec("projects", ctx.merged.get("projects")):
        from model.input.directory_projects import expand_directory_projects

        candidates = expand_directory_projects(ctx)
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
        loc, message = pydantic_message(first)
        raise ctx.error(ctx.trim(loc), message) from None
    registry = check_scenario(scenario, ctx, solver_name)
    digest = hashlib.sha256(
        json.dumps(ctx.merged, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    return LoadedScenario(scenario, registry, file.resolve(), ctx.merged, digest, shown, candidates)
