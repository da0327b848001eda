"""Cleaner-production level of an enterprise from a CP evaluation index system (DOMAIN.md 4).

An index system (清洁生产评价指标体系) is a table of second-level indicators grouped under
weighted first-level indicators, with a benchmark for each of the levels I (international
leading), II (domestic advanced) and III (domestic basic). The shipped tables live in
`model/reference/cp_index_<name>.csv` (one row per measurable condition; see
docs/cp-level.md for the columns and what the electroplating table leaves out).

The scoring is the post-2013 "编制通则" method of DOMAIN.md 4.2:

* membership: Y_g(x) = 100 if the indicator reaches level g, else 0. A level's benchmark
  is "x <= t" or "x >= t" by the indicator's direction; a blank benchmark means the table
  sets no requirement on that quantity at that level (always met). Benchmarks are checked
  to be monotone on loading, so reaching I also reaches II and III (cumulative levels).
  A table row (a *criterion*) may have several conditions (e.g. "energy-saving measures
  and >= 70 % automatic lines"); it reaches a level when every condition given does.
* composite: Y_g = sum_i w_i * sum_j w_ij * Y_g(criterion ij), over applicable criteria.
  A criterion is applicable when at least one of its indicators has a value. Second-level
  weights are renormalised over the applicable criteria of a group (w_ij / sum w_ij) and
  first-level weights over the groups with an applicable criterion (w_i / sum w_i), the
  "indicator not applicable" rule. A weight written "a/n" is a / (number of applicable
  criteria of the group with an "/n" weight), e.g. 0.8/n for the metal utilisation rates.
* level I: Y_I >= 85 and every restrictive (*) indicator with a value reaches I;
  level II: Y_II >= 85 and every restrictive indicator reaches II;
  level III: Y_III = 100; otherwise "below III".

Projects change indicator values: a selected project's value replaces the owner's current
one; when several selected projects set the same indicator the best value in the
indicator's direction is used (`levels_before_after`, `cp_level_table`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd

from model.errors import CPIndexError, Loc
from model.input.reference import REFERENCE_DIR
from model.input.schema import Enterprise, Project, Scenario

LEVELS: tuple[str, str, str] = ("I", "II", "III")
BELOW_III = "below III"
PASS_MARK = 85.0
"""Composite score needed for levels I and II (DOMAIN.md 4.2)."""
_EPS = 1e-9
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
            return value <= threshold + _EPS
        return value >= threshold - _EPS

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


@dataclass(frozen=True)
class CPScore:
    """The composite scores and level of one set of indicator values.

    `scores` maps "I"/"II"/"III" to Y_g (0-100). `failing[g]` lists the indicators with a
    value that do not reach level g; `restrictive_failing[g]` the restrictive ones among
    them. `restrictive_missing` lists restrictive indicators without a value (not applied,
    so the level rests on the rest). `groups_scored` are the first-level groups with an
    applicable criterion, `covered_weight` the sum of their table weights (before
    renormalisation), `weights` the effective weight (w_i' * w_ij') of each applicable
    criterion, summing to 1.
    """

    index: str
    scores: dict[str, float]
    level: str
    failing: dict[str, tuple[str, ...]]
    restrictive_failing: dict[str, tuple[str, ...]]
    restrictive_missing: tuple[str, ...]
    groups_scored: tuple[str, ...]
    covered_weight: float
    table_weight: float
    weights: dict[str, float] = field(default_factory=dict)

    def coverage(self) -> str:
        """One sentence on what the score rests on (for reports)."""
        text = (
            f"scored on {', '.join(self.groups_scored)} (first-level weight "
            f"{self.covered_weight:.4g} of 1"
        )
        if self.table_weight < 1 - _EPS:
            text += (
                f"; the shipped '{self.index}' table has {self.table_weight:.4g}, its other "
                "first-level groups were not retrieved"
            )
        text += "); weights renormalised over the indicators given (DOMAIN.md 4.2)"
        if self.restrictive_missing:
            missing = ", ".join(self.restrictive_missing)
            text += f"; restrictive indicator(s) without a value (rule not applied): {missing}"
        return text


# --- loading ------------------------------------------------------------------------------


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
    if table.table_weight > 1 + _EPS:
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
        if total > 1 + _EPS:
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


# --- scoring ------------------------------------------------------------------------------


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


def criterion_weights(index: IndexTable, values: Mapping[str, float]) -> dict[str, float]:
    """Effective weight w_i' * w_ij' of each applicable criterion (they sum to 1).

    Applicable criteria have at least one indicator with a value. Within a group the
    second-level weights (a/n resolved with n = the group's applicable "/n" criteria) are
    divided by their sum; the first-level weights are divided by their sum over the groups
    with an applicable criterion.
    """
    applicable = {
        name: members[0]
        for name, members in index.criteria.items()
        if any(ind.id in values for ind in members)
    }
    groups: dict[str, dict[str, float]] = {}
    for name, head in applicable.items():
        groups.setdefault(head.group, {})[name] = head.weight
    out: dict[str, float] = {}
    group_total = math.fsum(index.groups[g] for g in groups)
    for group, raw in groups.items():
        n = sum(1 for name in raw if applicable[name].per_n)
        resolved = {name: (w / n if applicable[name].per_n else w) for name, w in raw.items()}
        inner_total = math.fsum(resolved.values())
        for name, w in resolved.items():
            out[name] = index.groups[group] / group_total * w / inner_total
    return out


def score(index: IndexTable, values: Mapping[str, float]) -> CPScore:
    """Composite scores Y_I, Y_II, Y_III and the level of one enterprise (module docstring).

    `values` maps indicator ids to current values (units of the table); indicators left
    out are not applicable. Raises CPIndexError for unknown ids, non-finite values or no
    values at all.
    """
    check_values(index, values)
    if not values:
        raise CPIndexError((), f"no indicator values to score on the '{index.name}' index")
    weights = criterion_weights(index, values)
    criteria = index.criteria
    scores: dict[str, float] = {}
    failing: dict[str, tuple[str, ...]] = {}
    for level in LEVELS:
        failed = tuple(
            ind.id
            for ind in index.indicators.values()
            if ind.id in values and not ind.reaches(float(values[ind.id]), level)
        )
        failing[level] = failed
        reached = math.fsum(
            weight
            for name, weight in weights.items()
            if not any(ind.id in failed for ind in criteria[name])
        )
        scores[level] = 100.0 * reached
    restrictive_failing = {
        level: tuple(i for i in failing[level] if index.indicators[i].restrictive)
        for level in LEVELS
    }
    if scores["I"] >= PASS_MARK - _EPS and not restrictive_failing["I"]:
        level = "I"
    elif scores["II"] >= PASS_MARK - _EPS and not restrictive_failing["II"]:
        level = "II"
    elif scores["III"] >= 100.0 - _EPS:
        level = "III"
    else:
        level = BELOW_III
    scored = tuple(g for g in index.groups if any(criteria[c][0].group == g for c in weights))
    return CPScore(
        index=index.name,
        scores=scores,
        level=level,
        failing=failing,
        restrictive_failing=restrictive_failing,
        restrictive_missing=tuple(i for i in index.restrictive if i not in values),
        groups_scored=scored,
        covered_weight=math.fsum(index.groups[g] for g in scored),
        table_weight=index.table_weight,
        weights=weights,
    )


# --- before and after the chosen projects -------------------------------------------------


@dataclass(frozen=True)
class CPLevelChange:
    """One enterprise's CP level before and after its selected projects."""

    enterprise: str
    index: str
    before: CPScore
    after: CPScore
    values_before: dict[str, float]
    values_after: dict[str, float]
    changed_by: dict[str, str]
    """Indicator -> id of the selected project whose value was applied."""


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


def levels_before_after(
    enterprises: Sequence[Enterprise], projects: Sequence[Project], selected: Iterable[str]
) -> list[CPLevelChange]:
    """CP level of every enterprise with a `cp_index` and `indicators`, before and after
    the `selected` projects (ids; each counts as fully done).

    After: each indicator set by a selected project of the enterprise takes that project's
    value (even if worse than the current one); if several selected projects set it, the
    best value in the indicator's direction. Enterprises without indicator data are left
    out. Raises CPIndexError for data `check_indicators` rejects, ValueError for an
    unknown selected id.
    """
    check_indicators(enterprises, projects)
    chosen = set(selected)
    known = {p.id for p in projects}
    unknown = sorted(chosen - known)
    if unknown:
        raise ValueError(f"unknown selected project id(s): {', '.join(unknown)}")
    out: list[CPLevelChange] = []
    for enterprise in enterprises:
        if enterprise.cp_index is None or not enterprise.indicators:
            continue
        index = load_index(enterprise.cp_index)
        proposals: dict[str, list[tuple[float, str]]] = {}
        for project in projects:
            if project.owner == enterprise.id and project.id in chosen:
                for key, value in project.indicators.items():
                    proposals.setdefault(key, []).append((float(value), project.id))
        before = {k: float(v) for k, v in enterprise.indicators.items()}
        after = dict(before)
        changed_by: dict[str, str] = {}
        for key, offers in proposals.items():
            best = index.indicators[key].best(v for v, _ in offers)
            after[key] = best
            changed_by[key] = next(pid for v, pid in offers if v == best)
        out.append(
            CPLevelChange(
                enterprise=enterprise.id,
                index=index.name,
                before=score(index, before),
                after=score(index, after),
                values_before=before,
                values_after=after,
                changed_by=changed_by,
            )
        )
    return out


def _restrictive_text(result: CPScore) -> str:
    """'rinse_water_l_per_m2 (I, II)': each failing restrictive indicator and its levels."""
    parts = []
    for ind in dict.fromkeys(i for g in LEVELS for i in result.restrictive_failing[g]):
        levels = [g for g in LEVELS if ind in result.restrictive_failing[g]]
        parts.append(f"{ind} ({', '.join(levels)})")
    return "; ".join(parts)


CP_TABLE_COLUMNS: tuple[str, ...] = (
    "enterprise",
    "index",
    "Y_I_before",
    "Y_II_before",
    "Y_III_before",
    "level_before",
    "Y_I_after",
    "Y_II_after",
    "Y_III_after",
    "level_after",
    "restrictive_failing_before",
    "restrictive_failing_after",
    "changed_indicators",
    "coverage",
)


def cp_level_table(scenario: Scenario, selected_project_ids: Iterable[str]) -> pd.DataFrame:
    """One row per enterprise with CP indicator data (columns `CP_TABLE_COLUMNS`).

    Scores are Y_g in 0-100; levels are "I", "II", "III" or "below III"; the
    restrictive columns name each failing restrictive indicator with the levels it fails;
    `changed_indicators` reads "id: old -> new (project)"; `coverage` says which groups the
    score rests on and that weights were renormalised. `df.attrs["note"]` repeats the
    method in one sentence.
    """
    rows = []
    for change in levels_before_after(
        scenario.enterprises, scenario.projects, selected_project_ids
    ):
        row: dict[str, object] = {"enterprise": change.enterprise, "index": change.index}
        for when, result in (("before", change.before), ("after", change.after)):
            for g in LEVELS:
                row[f"Y_{g}_{when}"] = result.scores[g]
            row[f"level_{when}"] = result.level
        row["restrictive_failing_before"] = _restrictive_text(change.before)
        row["restrictive_failing_after"] = _restrictive_text(change.after)
        row["changed_indicators"] = "; ".join(
            f"{key}: {change.values_before[key]:g} -> {change.values_after[key]:g} ({pid})"
            if key in change.values_before
            else f"{key}: (none) -> {change.values_after[key]:g} ({pid})"
            for key, pid in change.changed_by.items()
        )
        row["coverage"] = change.after.coverage()
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(CP_TABLE_COLUMNS))
    table.attrs["note"] = (
        "CP level per DOMAIN.md 4.2: level I if Y_I >= 85 and all restrictive indicators meet "
        "I, II if Y_II >= 85 and all restrictive meet II, III if Y_III = 100; scores use only "
        "the indicators given, with first- and second-level weights renormalised over them "
        "(docs/cp-level.md)."
    )
    return table
