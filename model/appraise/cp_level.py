"""Cleaner-production level of an enterprise from a CP evaluation index system.

The index tables and their reader are in model/input/cp_index.py (docs/cp-level.md).

The scoring is the method of 《清洁生产评价指标体系编制通则》 (trial, NDRC, MEP and MIIT,
2013), as docs/cp-level.md explains:

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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from model.errors import CPIndexError
from model.input.cp_index import (
    LEVELS,
    TOLERANCE,
    IndexTable,
    check_indicators,
    check_values,
    load_index,
)
from model.input.schema import Enterprise, Project, Scenario

BELOW_III = "below III"
PASS_MARK = 85.0
"""Composite score needed for levels I and II (《清洁生产评价指标体系编制通则》, 2013)."""


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
        if self.table_weight < 1 - TOLERANCE:
            text += (
                f"; the shipped '{self.index}' table has {self.table_weight:.4g}, its other "
                "first-level groups were not retrieved"
            )
        text += "); weights renormalised over the indicators given (docs/cp-level.md)"
        if self.restrictive_missing:
            missing = ", ".join(self.restrictive_missing)
            text += f"; restrictive indicator(s) without a value (rule not applied): {missing}"
        return text


# --- scoring ------------------------------------------------------------------------------


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
    if scores["I"] >= PASS_MARK - TOLERANCE and not restrictive_failing["I"]:
        level = "I"
    elif scores["II"] >= PASS_MARK - TOLERANCE and not restrictive_failing["II"]:
        level = "II"
    elif scores["III"] >= 100.0 - TOLERANCE:
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
        "CP level per 《清洁生产评价指标体系编制通则》 (2013): level I if Y_I >= 85 and all "
        "restrictive indicators meet I, II if Y_II >= 85 and all restrictive meet II, III if "
        "Y_III = 100; scores use only the indicators given, with first- and second-level "
        "weights renormalised over them (docs/cp-level.md)."
    )
    return table
