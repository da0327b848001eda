"""Cleaner-production evaluation index systems: the tables, their reader and the check of
indicator data.

An index system (清洁生产评价指标体系) is a table of second-level indicators grouped under
weighted first-level indicators, with a benchmark for each of the levels I (international
leading), II (domestic advanced) and III (domestic basic). The shipped tables live in
`model/reference/cp_index_<name>.csv` (one row per measurable condition; see
docs/cp-level.md for the columns and what the electroplating table leaves out).

A level's benchmark is "x <= t" or "x >= t" by the indicator's direction; a blank
benchmark means the table sets no requirement on that quantity at that level (always
met). Benchmarks are checked to be monotone on loading, so reaching I also reaches II and
III (cumulative levels). A table row (a *criterion*) may have several conditions; its
weight may be written "a/n" (a / the number of applicable "/n" criteria of its group).
Scoring an enterprise on a table is model/appraise/cp_level.py's job.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from model.errors import CPIndexError, Loc
from model.input.reference import REFERENCE_DIR
from model.input.schema import Enterprise, Project

LEVELS: tuple[str, str, str] = ("I", "II", "III")
"""The CP levels, best first."""

TOLERANCE = 1e-9
"""Slack when a value is compared with a benchmark or a weight sum with 1."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMNS = (
    "indicator",
    "criterion",
    "group",
    "group_weight",
    "weight",
    "direction",
    "level_I",
    "level_II",
    "level_III",
    "restrictive",
    "unit",
    "name_zh",
    "name_en",
    "note",
    "source",
)

Direction = Literal["<=", ">="]


@dataclass(frozen=True)
class Indicator:
    """One measurable condition of an index table (one CSV row)."""

    id: str
    criterion: str
    """The table row it belongs to; the criterion carries the second-level weight."""
    group: str
    group_weight: float
    weight: float
    """Second-level weight of the criterion, or its numerator when `per_n`."""
    per_n: bool
    """The weight is `weight / n`, n = applicable "/n" criteria of the group."""
    direction: Direction
    thresholds: tuple[float | None, float | None, float | None]
    """Benchmarks of levels I, II, III; None = no requirement at that level."""
    restrictive: bool
    unit: str
    name_zh: str
    name_en: str
    note: str
    source: str

    def reaches(self, value: float, level: str) -> bool:
        """True if `value` meets this indicator's benchmark of `level` (I, II or III)."""
        threshold = self.thresholds[LEVELS.index(level)]
        if threshold is None:
            return True
        if self.direction == "<=":
            return value <= threshold + TOLERANCE
        return value >= threshold - TOLERANCE

    def best(self, values: Iterable[float]) -> float:
        """The best of `values` in this indicator's direction (smallest for <=)."""
        return min(values) if self.direction == "<=" else max(values)


@dataclass(frozen=True)
class IndexTable:
    """A CP evaluation index system: its indicators in table order."""

    name: str
    indicators: dict[str, Indicator]
    path: str

    @property
    def groups(self) -> dict[str, float]:
        """First-level groups and their weights, in table order."""
        return {ind.group: ind.group_weight for ind in self.indicators.values()}

    @property
    def criteria(self) -> dict[str, tuple[Indicator, ...]]:
        """Second-level criteria (table rows) and their indicators, in table order."""
        out: dict[str, list[Indicator]] = {}
        for ind in self.indicators.values():
            out.setdefault(ind.criterion, []).append(ind)
        return {name: tuple(items) for name, items in out.items()}

    @property
    def restrictive(self) -> tuple[str, ...]:
        """Ids of the restrictive (限定性, *) indicators."""
        return tuple(ind.id for ind in self.indicators.values() if ind.restrictive)

    @property
    def table_weight(self) -> float:
        """Sum of the first-level weights present in the table (1 for a complete system)."""
        return math.fsum(self.groups.values())


def _number(text: str, where: Loc, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CPIndexError(where, f"{what} '{text}' is not a number") from None
    if not math.isfinite(value):
        raise CPIndexError(where, f"{what} must be finite")
    return value


def _weight(text: str, where: Loc) -> tuple[float, bool]:
    text = text.replace(" ", "")
    per_n = text.endswith("/n")
    value = _number(text[:-2] if per_n else text, where, "weight")
    if not 0 < value <= 1:
        raise CPIndexError(where, f"weight {text} must be in (0, 1]")
    return value, per_n


def _row(row: dict[str, str], where: Loc) -> Indicator:
    ident = row["indicator"].strip()
    for key in ("indicator", "criterion", "group"):
        if not _ID.match(row[key].strip()):
            raise CPIndexError((*where, key), f"'{row[key]}' is not a snake_case id")
    direction = row["direction"].strip()
    if direction not in ("<=", ">="):
        raise CPIndexError((*where, "direction"), f"'{direction}' must be <= or >=")
    thresholds = tuple(
        _number(row[f"level_{g}"], (*where, f"level_{g}"), "benchmark")
        if row[f"level_{g}"].strip()
        else None
        for g in LEVELS
    )
    given = [t for t in thresholds if t is not None]
    if not given:
        raise CPIndexError(where, f"indicator '{ident}' has no benchmark at any level")
    pattern = [t is not None for t in thresholds]
    if pattern != sorted(pattern, reverse=True):
        raise CPIndexError(
            where, f"indicator '{ident}': blank benchmarks may only follow the given ones"
        )
    ordered = sorted(given) if direction == "<=" else sorted(given, reverse=True)
    if given != ordered:
        raise CPIndexError(
            where, f"indicator '{ident}': benchmarks I, II, III must get easier in turn"
        )
    group_weight = _number(row["group_weight"], (*where, "group_weight"), "group weight")
    if not 0 < group_weight <= 1:
        raise CPIndexError((*where, "group_weight"), "group weight must be in (0, 1]")
    weight, per_n = _weight(row["weight"], (*where, "weight"))
    restrictive = row["restrictive"].strip().lower()
    if restrictive not in ("yes", "no"):
        raise CPIndexError((*where, "restrictive"), "must be yes or no")
    return Indicator(
        id=ident,
        criterion=row["criterion"].strip(),
        group=row["group"].strip(),
        group_weight=group_weight,
        weight=weight,
        per_n=per_n,
        direction=direction,  # type: ignore[arg-type]
        thresholds=thresholds,  # type: ignore[arg-type]
        restrictive=restrictive == "yes",
        unit=row["unit"].strip(),
        name_zh=row["name_zh"].strip(),
        name_en=row["name_en"].strip(),
        note=row["note"].strip(),
        source=row["source"].strip(),
    )


def read_index(path: str | Path, name: str | None = None) -> IndexTable:
    """Read and check an index table CSV (columns as in model/reference/cp_index_*.csv).

    Checks: ids are snake_case and unique; a group has one weight and the group weights sum
    to at most 1; the indicators of a criterion share its group, weight and restrictive
    flag; the "/n" criteria of a group share one numerator and the fixed weights plus that
    numerator sum to at most 1; benchmarks are monotone and blanks only follow given ones.
    """
    path = Path(path)
    shown = path.name
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CPIndexError((shown,), f"missing column(s): {', '.join(missing)}")
        rows = list(reader)
    indicators: dict[str, Indicator] = {}
    for number, row in enumerate(rows, start=2):
        ind = _row(row, (shown, f"line {number}"))
        if ind.id in indicators:
            raise CPIndexError((shown, f"line {number}"), f"duplicate indicator '{ind.id}'")
        indicators[ind.id] = ind
    if not indicators:
        raise CPIndexError((shown,), "no indicators")
    table = IndexTable(
        name=name or path.stem.removeprefix("cp_index_"), indicators=indicators, path=str(path)
    )
    for ind in indicators.values():
        if table.groups[ind.group] != ind.group_weight:
            raise CPIndexError((shown, ind.id), f"group '{ind.group}' has two weights")
    if table.table_weight > 1 + TOLERANCE:
        raise CPIndexError((shown,), f"first-level weights sum to {table.table_weight:g} > 1")
    by_group: dict[str, list[Indicator]] = {}
    for criterion, members in table.criteria.items():
        head = members[0]
        for ind in members[1:]:
            if (ind.group, ind.weight, ind.per_n, ind.restrictive) != (
                head.group,
                head.weight,
                head.per_n,
                head.restrictive,
            ):
                raise CPIndexError(
                    (shown, ind.id),
                    f"criterion '{criterion}': group, weight and restrictive flag must agree",
                )
        by_group.setdefault(head.group, []).append(head)
    for group, heads in by_group.items():
        numerators = {h.weight for h in heads if h.per_n}
        if len(numerators) > 1:
            raise CPIndexError((shown, group), "the a/n weights of a group must share 'a'")
        total = math.fsum(h.weight for h in heads if not h.per_n) + sum(numerators)
        if total > 1 + TOLERANCE:
            raise CPIndexError((shown, group), f"second-level weights sum to {total:g} > 1")
    return table


@cache
def load_index(name: str) -> IndexTable:
    """The shipped index system `name` (model/reference/cp_index_<name>.csv)."""
    available = sorted(
        p.stem.removeprefix("cp_index_") for p in REFERENCE_DIR.glob("cp_index_*.csv")
    )
    if not _ID.match(name) or name not in available:
        raise CPIndexError(
            ("cp_index",), f"unknown CP index system '{name}' (shipped: {', '.join(available)})"
        )
    return read_index(REFERENCE_DIR / f"cp_index_{name}.csv", name)


def check_values(index: IndexTable, values: Mapping[str, float], loc: Loc = ()) -> None:
    """Raise CPIndexError at `loc` + (indicator,) for an unknown indicator or a non-finite
    value."""
    for key, value in values.items():
        if key not in index.indicators:
            known = ", ".join(index.indicators)
            raise CPIndexError(
                (*loc, key), f"unknown indicator of the '{index.name}' index (known: {known})"
            )
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise CPIndexError((*loc, key), f"value {value!r} must be a finite number")


def check_indicators(enterprises: Sequence[Enterprise], projects: Sequence[Project]) -> None:
    """Raise CPIndexError (loc in the scenario's key path notation) for indicator data
    that cannot be scored: an unknown `cp_index`, `indicators` without a `cp_index`, an
    unknown indicator id or a non-finite value, or project `indicators` whose owner has no
    `cp_index`. Suitable for the scenario loader (`ctx.error(err.loc, err.message)`)."""
    by_id: dict[str, Enterprise] = {}
    for i, enterprise in enumerate(enterprises):
        by_id[enterprise.id] = enterprise
        if enterprise.cp_index is None:
            if enterprise.indicators:
                raise CPIndexError(
                    ("enterprises", i, "indicators"),
                    "indicators need a cp_index (e.g. cp_index: electroplating)",
                )
            continue
        try:
            index = load_index(enterprise.cp_index)
        except CPIndexError as error:
            raise CPIndexError(("enterprises", i, "cp_index"), error.message) from None
        check_values(index, enterprise.indicators, ("enterprises", i, "indicators"))
    for j, project in enumerate(projects):
        if not project.indicators:
            continue
        owner = by_id.get(project.owner)
        if owner is None or owner.cp_index is None:
            raise CPIndexError(
                ("projects", j, "indicators"),
                f"owner '{project.owner}' has no cp_index, so its indicators cannot be scored",
            )
        check_values(load_index(owner.cp_index), project.indicators, ("projects", j, "indicators"))
