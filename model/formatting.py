"""Numbers and text formatted for people: money, physical amounts, percentages, one-line
messages and did-you-mean suggestions.

One rule for each kind of number, so that every message says the same thing the same way
(today the infeasibility messages of `model.optimise.infeasibility`; the summary and the
report are to follow):

* `money(value)`: from one million up, millions with one decimal (`101.1 M CNY`,
  `1,319.8 M CNY`); below that whole CNY with thousands separators (`950,000 CNY`); below
  1 CNY two significant figures (`0.37 CNY`).
* `amount(value, unit)`: from 1,000 up, whole numbers with thousands separators
  (`1,004 t/yr`); from 0.0001 up, four significant figures without trailing zeros
  (`576 t/yr`, `76.02 t/yr`, `0.0004 t/yr`); below 0.0001 (trace pollutants), scientific
  notation with two significant figures (`2.0e-10 t/yr`).
* `percent(fraction)`: a fraction as a percentage with one decimal (`0.3` -> `30.0%`),
  two significant figures below 0.1 % (`0.00012` -> `0.012%`).

Zero is `0` (`0 CNY`, `0 t/yr`, `0.0%`); NaN is `n/a`; infinity is `no limit` (a limit
that is not set). Rounding is to the nearest value (a tie of the binary value to even).

Tables of the terminal summary and the HTML report use their own rule (`table_number`):
thousands separators; no decimals from 100,000 up, two decimals from 1 up, three
significant digits below 1 (`1,234,567`, `76.02`, `0.000400`); infinity is `unlimited`.
`change_percent` is a signed percentage change with one decimal (`-12.5%`).

Text: `printable(text)` writes control characters, line breaks and lone surrogates as
escapes, so an error message stays one printable line; `suggest(word, candidates)` is the
"; did you mean 'X'?" of every message about an unknown name.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Iterable

MILLION = 1.0e6


def _special(value: float) -> str | None:
    """The text for NaN and the infinities, None for an ordinary number."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "no limit" if value > 0 else "-no limit"
    return None


def _significant(value: float, digits: int) -> str:
    """`value` rounded to `digits` significant figures, without exponent or trailing
    zeros (0.00060000001 -> '0.0006', 576.02 -> '576' with 4 digits)."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - exponent)
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(value: float) -> str:
    """A physical quantity without its unit, by the rule of `amount`."""
    special = _special(value)
    if special is not None:
        return special
    if value == 0:
        return "0"
    if abs(value) < 1e-4:
        return f"{value:.1e}"
    rounded = float(_significant(value, 4))
    if abs(rounded) >= 1000:
        return f"{value:,.0f}"
    return _significant(value, 4)


def amount(value: float, unit: str) -> str:
    """A physical quantity with its unit: `amount(576.02, "t/yr")` -> '576 t/yr',
    `amount(2e-10, "t/yr")` -> '2.0e-10 t/yr', `amount(650784.3, "tce/yr")` ->
    '650,784 tce/yr'. The rule is in the module docstring."""
    return f"{number(value)} {unit}"


def money(value: float) -> str:
    """An amount of money in CNY: `money(1.011e8)` -> '101.1 M CNY', `money(950000)` ->
    '950,000 CNY', `money(30)` -> '30 CNY'. The rule is in the module docstring."""
    special = _special(value)
    if special is not None:
        return special
    if value == 0:
        return "0 CNY"
    if abs(round(value)) >= MILLION:
        return f"{value / MILLION:,.1f} M CNY"
    if abs(value) >= 1:
        return f"{value:,.0f} CNY"
    return f"{_significant(value, 2)} CNY"


def percent(fraction: float) -> str:
    """A fraction as a percentage: `percent(0.3)` -> '30.0%', `percent(0.29734)` ->
    '29.7%', `percent(1.2e-4)` -> '0.012%'."""
    special = _special(fraction)
    if special is not None:
        return special
    share = 100.0 * fraction
    if share == 0:
        return "0.0%"
    if abs(share) < 0.1:
        return f"{_significant(share, 2)}%"
    return f"{share:.1f}%"


def table_number(value: float) -> str:
    """A number in a table of the summary or the report (module docstring): thousands
    separators; no decimals from 100,000 up, 2 decimals from 1 up, 3 significant digits
    below 1; NaN and None are 'n/a', infinity 'unlimited'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "unlimited" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def change_percent(value: float) -> str:
    """A percentage change, signed, one decimal: `-12.5%` ('n/a' for NaN or None)."""
    return "n/a" if value is None or math.isnan(value) else f"{value:+.1f}%"


_ESCAPED = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Unicode categories written as escapes by `printable`: controls, surrogates, line and
paragraph separators."""


def printable(text: str) -> str:
    """`text` with control characters, line breaks and lone surrogates written as Python
    escapes (`\\x07`, `\\n`, `\\ud800`), so a message stays one printable line."""
    return "".join(
        repr(char)[1:-1] if unicodedata.category(char) in _ESCAPED else char for char in text
    )


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" for the closest candidate (case-insensitive), or ""."""
    lowered: dict[str, str] = {}
    for candidate in candidates:
        lowered.setdefault(str(candidate).lower(), str(candidate))
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[match[0]]}'?" if match else ""


__all__ = [
    "amount",
    "change_percent",
    "money",
    "number",
    "percent",
    "printable",
    "suggest",
    "table_number",
]
