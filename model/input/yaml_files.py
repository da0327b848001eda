"""Reading YAML for a scenario: files, `--set` values and key paths, safely.

YAML is read with YAML 1.2 scalars: only true/false are booleans (`permits: off` stays
text) and `1e6`, `2.0e7` are numbers (PyYAML's YAML 1.1 reads them as text); duplicate
keys are errors, and `{total: 5,000,000}` (thousands separators, which YAML reads as the
entries total: 5, '000', '000') is refused saying so; mapping keys become text (`2021:`
-> "2021"), dates become ISO text.
Nesting deeper than MAX_YAML_DEPTH and aliases that would expand to more than
MAX_ALIAS_VALUES repeated values are refused while the text is read. Every problem is an
`InputError` (model/errors.py) naming the file; validation is model/input/loading.py's
job.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError

MAX_YAML_DEPTH = 100
"""Deepest nesting of lists and mappings in one YAML text (a scenario needs about 8)."""

MAX_ALIAS_VALUES = 100_000
"""Most values that aliases (`*name`) may add when they are expanded, over the values
written in the text. Every step after reading copies aliased values, so a few hundred
bytes of nested aliases ("billion laughs") would otherwise expand to billions."""


class YAMLLimitError(yaml.YAMLError):
    """YAML nested deeper than MAX_YAML_DEPTH, aliases expanding to more than
    MAX_ALIAS_VALUES values, or an alias inside the value it names."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """YAML 1.2 style scalars: `off`/`no` stay text (targets.permits: off), `1e6` is a
    float (PyYAML's YAML 1.1 reads it as text). Duplicate keys are errors.

    Hostile text fails while it is composed, before anything is built from it: nesting
    deeper than MAX_YAML_DEPTH, and aliases that would repeat more than MAX_ALIAS_VALUES
    values in all. Each node's size with every alias expanded is counted once, as the
    node is composed (an alias reuses the count of the node it names), so the check
    costs one step per value written, however far the aliases would expand."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0
        self._expanded: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        is_alias = self.check_event(yaml.AliasEvent)
        mark = self.peek_event().start_mark
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YAMLLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels", mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        expanded = self._expanded.get(id(node))
        if expanded is None:
            if is_alias:
                raise YAMLLimitError("an alias (*name) is used inside the value it names", mark)
            self._composed += 1
            children = (
                [part for pair in node.value for part in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
                if isinstance(node, yaml.SequenceNode)
                else []
            )
            expanded = 1 + sum(self._expanded[id(child)] for child in children)
            self._expanded[id(node)] = expanded
        if expanded - self._composed > MAX_ALIAS_VALUES:
            raise YAMLLimitError(
                f"its aliases (*name) would expand to more than {MAX_ALIAS_VALUES:,} "
                "repeated values",
                mark,
            )
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        _refuse_thousands_separators(node)
        seen: set[str] = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_DIGIT_GROUP = re.compile(r"^\d{3}(?:\.\d*)?$")


def _refuse_thousands_separators(node: yaml.Node) -> None:
    """`{total: 5,000,000}` is the mapping {total: 5, '000': null, '000': null} in YAML
    (a comma separates the entries of {...}): refuse it with what was meant."""
    if not isinstance(node, yaml.MappingNode) or not node.flow_style:
        return
    pairs = node.value
    for i, (key, value) in enumerate(pairs):
        if not (isinstance(value, yaml.ScalarNode) and re.fullmatch(r"-?\d{1,3}", value.value)):
            continue
        groups = []
        for next_key, next_value in pairs[i + 1 :]:
            empty = isinstance(next_value, yaml.ScalarNode) and next_value.value == ""
            if not (isinstance(next_key, yaml.ScalarNode) and empty):
                break
            if not _DIGIT_GROUP.match(next_key.value):
                break
            groups.append(next_key.value)
        if groups:
            written = ",".join([value.value, *groups])
            plain = written.replace(",", "")
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"'{key.value}: {written}' has thousands separators, but in YAML a comma "
                f"separates the entries of {{...}}: write {plain}",
                value.start_mark,
            )


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
        raise InputError(shown, "", "file not found") from None
    except UnicodeDecodeError:
        raise InputError(shown, "", "not UTF-8 text: save the file as UTF-8") from None
    except OSError as error:
        raise InputError(shown, "", f"cannot read: {error.strerror}") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except YAMLLimitError as error:
        mark = error.mark
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        raise InputError(shown, "", f"refused: {error.message}{where}", line) from None
    except yaml.reader.ReaderError as error:
        raise InputError(shown, "", _reader_problem(error)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(shown, "", f"YAML syntax error{where}: {problem}", line) from None
    except yaml.YAMLError as error:
        raise InputError(shown, "", f"YAML syntax error: {error}") from None
    if not isinstance(data, dict):
        what = "empty" if data is None else kind_of(data)
        raise InputError(
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


def _reader_problem(error: yaml.reader.ReaderError) -> str:
    """A YAML reader error (a character YAML does not allow) in one line."""
    character = error.character
    code = f"U+{character:04X}" if isinstance(character, int) else repr(character)
    return f"the character {code} at position {error.position} is not allowed in YAML"


def yaml_value(text: str) -> Any:
    """One value written on the command line (`--set key=VALUE`), read as YAML. A
    InputError's message says why it cannot be read."""
    try:
        return plain(yaml.load(text, Loader=_Loader))
    except YAMLLimitError as error:
        raise InputError("", "", f"refused: {error.message}") from None
    except yaml.reader.ReaderError as error:
        raise InputError("", "", _reader_problem(error)) from None
    except yaml.MarkedYAMLError as error:
        problem = error.problem or error.context or "invalid YAML"
        raise InputError("", "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError:
        raise InputError("", "", "YAML syntax error") from None
