"""What text a user may give (names, ids, free text, the scenario name), and safe forms of
any text for one-line messages and for NetCDF.

Scenario text ends up in results.nc (NetCDF-4 strings are UTF-8 and cannot hold NUL), in
selected_projects.csv and summary.html, in one-line error messages, and the scenario name
becomes the results folder. The rules, checked when a scenario is loaded:

* no text holds a lone surrogate (U+D800-U+DFFF alone is not a character: it cannot be
  written as UTF-8; it comes from `"\\ud800"` in YAML or from bytes that were not UTF-8)
  or a control character (Unicode category Cc: NUL, BEL, ESC, DEL, the C1 controls ...);
* free text (`description`, every `source`) may hold tab and line breaks; every other
  text (names, ids, categories, keys) must be one line;
* everything else is allowed: Chinese, emoji, accents.

The scenario name is also a folder name (`folder_name_problem`): ASCII letters, digits,
`_`, `.` and `-`, starting with a letter or digit, not ending with `.`, at most
`MAX_FOLDER_NAME` characters, and not a name Windows reserves for a device (`CON`,
`NUL`, `COM1`, ...), so `.` and `..` can never lead outside `--out`.
"""

from __future__ import annotations

import re
import unicodedata

MULTILINE_KEYS: frozenset[str] = frozenset({"description", "source"})
"""Keys whose text values may span several lines (free text)."""

_ALLOWED_IN_FREE_TEXT = frozenset("\t\n\r\u2028\u2029")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

MAX_FOLDER_NAME = 100
"""Longest scenario name: far below every file system's limit (255 bytes for a name on
ext4, NTFS and APFS), leaving room for `--scenario` suffixes and temporary names."""

_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{stem}{digit}" for stem in ("COM", "LPT") for digit in "123456789"]
)


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Every character a rule below can refuse: the Cc controls (U+0000-U+001F, U+007F-U+009F,
which include every line break but two), U+2028/U+2029 and the surrogates. Text without
any of them (nearly all text) is settled by one regular-expression search."""


def text_problem(text: str, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as given ("contains ..."), or None when it can.

    `multiline`: free text, where tab and line breaks are allowed."""
    if not _SUSPECT.search(text):
        return None
    for char in text:
        if "\ud800" <= char <= "\udfff":
            return (
                f"contains {_code(char)}, a lone surrogate, which is not a character "
                "(text that was not valid UTF-8?); remove it"
            )
        if multiline and char in _ALLOWED_IN_FREE_TEXT:
            continue
        if not multiline and char in _LINE_BREAKS:
            return f"contains a line break ({_code(char)}); names, ids and keys must be one line"
        if unicodedata.category(char) == "Cc":
            return f"contains the control character {_code(char)}; remove it"
    return None


def folder_name_problem(name: str) -> str | None:
    """Why `name` cannot be the results folder `<out>/<name>/`, or None when it can."""
    if not _FOLDER_NAME.fullmatch(name):
        if name in (".", ".."):
            return f"'{name}' would name --out itself or its parent, not a folder of its own"
        if re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
            return "must start with a letter or a digit"
        return None  # other characters: the schema's pattern reports them
    if name.endswith("."):
        return "must not end with '.'"
    if len(name) > MAX_FOLDER_NAME:
        return f"is {len(name)} characters long; at most {MAX_FOLDER_NAME} are allowed"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        return f"'{name}' is a device name on Windows, not a folder name: choose another name"
    return None
