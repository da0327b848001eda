"""A pydantic validation error in the user's words: one short message and its key path.

`pydantic_message` turns the first error of a `ValidationError` into (key path, message):
an unknown key gets a did-you-mean or the allowed keys, a literal the allowed values, a
bound "must be >= 0", a wrong type "not a number: 'abc'". `command_line_error` does the
same for a section validated with command-line values on top ("command line: --mip-gap:
must be < 1").
"""

from __future__ import annotations

import json
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from model.errors import InputError, Loc
from model.formatting import suggest
from model.input.schema import Scenario
from model.input.table_files import TABLE_KEYS
from model.input.yaml_files import kind_of


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


def pydantic_message(error: dict) -> tuple[Loc, str]:
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
    loc, message = pydantic_message(error.errors(include_url=False)[0])
    field = str(loc[0]) if loc else ""
    return InputError("command line", flags.get(field, field), message)
