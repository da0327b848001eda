"""The ParkCP MILP built directly with highspy from arrays: the "raw" baseline.

`build_raw_highs(park)` builds the model of model/optimise/formulation.py (docs/math.md) from a
`ParkData` without Pyomo: the same variables, bounds, rows, objective and options. By
default its columns are in its own natural order (x, avoided, excess, saved), which is
how an independent implementation would lay them out; with `column_order="parkcp"` they
are in the order that ParkCP's HiGHS adapter (solvers/highs_bulk.py) produces, so HiGHS
sees the identical LP (tests/test_synthetic.py checks it). Column order changes the
path HiGHS takes through a MILP (its solve time by up to 2x either way on the synthetic
parks), so the scale benchmark uses the natural order: copying ParkCP's would compare
ParkCP against itself on whatever path its order happens to give.

As a script, `python benchmarks/raw_highs.py SCENARIO.yaml [--out DIR]` is the baseline
of benchmarks/scale.py: it reads the YAML with PyYAML and the CSV tables and reference
tables with pandas (no pydantic, no Pyomo, no model.* import), builds the arrays, builds
and solves the model, writes `raw_selected_projects.csv` and prints one JSON line with the
objective and the time of each phase. It reads what benchmarks/synthetic.py writes
(enterprise/project tables as CSV or inline lists; no `extends:`, no named scenarios).

The math, in words (x = project level, binary or in [0, 1] when divisible):

* columns: x[j] per project; avoided[k] per emission pair k = (enterprise row, pollutant)
  with a baseline, a permit or a project acting on it, bounded above by the baseline and,
  under hard permits, below by baseline - permit; excess[i] >= 0 per permit under soft
  permits; saved[l] per energy pair (row, carrier), bounded above by the baseline;
* emission link: avoided[k] - sum of the row's projects' reductions * x <= 0 (so the
  optimum has avoided = min(baseline, R x): reductions saturate, increases are real);
* soft permit: avoided[k] + excess[i] >= baseline[k] - permit[k];
* energy link: saved[l] - sum of the row's projects' savings * x <= 0;
* x bounds: [0, 1], x = 1 for options done at once, x = 0 for options screened out;
* budget: sum (capex - subsidy, 0 if done at once) * x <= budget (none: that total + 1);
  public money: sum subsidy * x <= public budget; the year's own budget likewise;
* park cap on p: sum of avoided over p's pairs >= park baseline of p - cap;
  reduction target on p: the same sum >= fraction * park baseline of p;
* energy cap: sum tce * saved >= park baseline tce - cap; energy target: >= fraction *
  baseline tce;
* exclusive group: sum of its x <= 1; prerequisite j needs k: x[j] - x[k] <= 0;
* shared facility s: sum of users' use * x - capacity * x[s] <= 0;
* epsilon floors (frontier models only, `floors=True`; switched off as in the formulation):
  sum pe_per_t * avoided >= -(its value with every increase taken) - 1, and likewise
  sum tce * saved;
* objective: maximise weight_pollution * sum pe_per_t * avoided + weight_energy * sum
  tce * saved - penalty * sum excess (weighted; "pollution" and "energy" keep one term;
  "cost" minimises capex + penalty).

Units (docs/math.md 13, re-implemented here from the arrays): HiGHS gets the model with
each column, row and the objective divided by a unit, a power of two near the geometric
mean of the sizes of the data it counts (`_power_of_two_near`): avoided and excess of
pollutant p in u_p (from p's baselines, reductions, permits and park cap), saved of
carrier c in v_c (its baselines and savings); emission link, soft-permit, park cap and
target rows of p in u_p, energy link rows in v_c, budget rows in the money unit (capex
net of subsidy), the public-money row in the subsidies' unit, each other row in the
power of two near its own coefficients' sizes, the objective in that of its
coefficients with every weight taken as 1. `solve_raw_highs` reports the objective in
the user's units again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "model" / "reference"
PARK_ID = "park"
INF = highspy.kHighsInf


@dataclass
class RawPark:
    """The arrays the MILP needs (a subset of model.compile.park.ParkData, same meaning).

    Shapes: N projects, E enterprise rows (the park's own row last), P pollutants,
    C carriers. Missing permits, caps and targets are NaN."""

    project_ids: list[str]
    n_rows: int
    owner: np.ndarray  # (N,) row of the owning enterprise
    capex: np.ndarray  # (N,) CNY
    divisible: np.ndarray  # (N,) bool
    reduces: sp.csr_array  # (N, P) t/yr
    saves: sp.csr_array  # (N, C) carrier units/yr
    baseline_emissions: np.ndarray  # (E, P)
    baseline_energy: np.ndarray  # (E, C)
    permit: np.ndarray  # (E, P)
    pe_per_t: np.ndarray  # (P,)
    tce_per_unit: np.ndarray  # (C,)
    exclusive_groups: list[np.ndarray]
    prerequisites: list[tuple[int, int]]
    facilities: list[tuple[int, float, np.ndarray, np.ndarray]]  # index, capacity, users, use
    budget_total: float
    park_cap: np.ndarray  # (P,)
    reduction_target: np.ndarray  # (P,)
    energy_cap_tce: float
    energy_reduction: float
    permit_mode: str
    permit_penalty: float
    objective: str
    weight_pollution: float
    weight_energy: float
    budget_capex: np.ndarray | None = None  # (N,) capex net of subsidy; 0 if forced
    x_lower: np.ndarray | None = None  # (N,) 1 for options done at once
    x_upper: np.ndarray | None = None  # (N,) 0 for options screened out
    subsidy: np.ndarray | None = None  # (N,) CNY of public money
    public_budget: float = float("inf")
    budget_year: float = float("inf")  # the (single) year's own budget

    def __post_init__(self) -> None:
        n = len(self.project_ids)
        if self.budget_capex is None:
            self.budget_capex = self.capex
        if self.x_lower is None:
            self.x_lower = np.zeros(n)
        if self.x_upper is None:
            self.x_upper = np.ones(n)
        if self.subsidy is None:
            self.subsidy = np.zeros(n)


@dataclass
class RawSolution:
    status: str
    objective: float | None
    x: np.ndarray | None
    gap: float | None
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)


def raw_from_park(park: Any) -> RawPark:
    """The arrays of a single-year `model.compile.park.ParkData` (duck-typed: no model.* import)."""
    if len(park.years) > 1:
        raise ValueError("the raw baseline builds single-year models only")
    n = len(park.project_ids)
    forced, excluded = (
        np.zeros(n, bool) if getattr(park, name, None) is None else np.asarray(getattr(park, name))
        for name in ("forced", "excluded")
    )
    per_year = getattr(park, "budget_per_year", None)
    return RawPark(
        project_ids=list(park.project_ids),
        n_rows=len(park.enterprise_ids),
        owner=np.asarray(park.owner),
        capex=np.asarray(park.capex, dtype=float),
        divisible=np.asarray(park.divisible, dtype=bool),
        reduces=sp.csr_array(park.reduces),
        saves=sp.csr_array(park.saves),
        baseline_emissions=park.baseline_emissions,
        baseline_energy=park.baseline_energy,
        permit=park.permit,
        pe_per_t=park.pe_per_t,
        tce_per_unit=park.tce_per_unit,
        exclusive_groups=list(park.exclusive_groups.values()),
        prerequisites=list(park.prerequisites),
        facilities=[(f.index, f.capacity, f.users, f.use) for f in park.facilities],
        budget_total=park.budget_total,
        park_cap=park.park_cap,
        reduction_target=park.reduction_target,
        energy_cap_tce=park.energy_cap_tce,
        energy_reduction=park.energy_reduction,
        permit_mode=park.permit_mode,
        permit_penalty=park.permit_penalty,
        objective=park.objective,
        weight_pollution=park.weight_pollution,
        weight_energy=park.weight_energy,
        budget_capex=park.budget_capex() if hasattr(park, "budget_capex") else None,
        x_lower=np.where(forced, 1.0, 0.0),
        x_upper=np.where(excluded, 0.0, 1.0),
        subsidy=getattr(park, "subsidy", None),
        public_budget=float(getattr(park, "public_budget", np.inf)),
        budget_year=float(per_year[0]) if per_year is not None else float("inf"),
    )


def _pairs(baseline: np.ndarray, effects: sp.csr_array, owner: np.ndarray, extra=None):
    """(K, 2) (row, column) pairs with a baseline, an `extra` flag or a project effect,
    row-major."""
    active = baseline > 0
    if extra is not None:
        active |= extra
    coo = effects.tocoo()
    active[owner[coo.row], coo.col] = True
    return np.argwhere(active)


def _pair_effects(pairs: np.ndarray, effects: sp.csr_array, owner: np.ndarray, n_rows: int):
    """(K, N) CSR: entry [k, j] = effect of project j on pair k (its owner's row)."""
    index = np.full((n_rows, effects.shape[1]), -1)
    index[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
    coo = effects.tocoo()
    matrix = sp.csr_array(
        (coo.data, (index[owner[coo.row], coo.col], coo.row)),
        shape=(len(pairs), effects.shape[0]),
    )
    matrix.sort_indices()
    return matrix


def _power_of_two_near(sizes) -> float:
    """2^round(mean(log2 |s|)) over the non-zero finite sizes; 1.0 when there is none."""
    values = np.abs(np.asarray(sizes, dtype=float).ravel())
    values = values[np.isfinite(values) & (values > 0)]
    return float(np.exp2(np.round(np.mean(np.log2(values))))) if values.size else 1.0


class _Rows:
    """Rows collected in order: lists of (columns, coefficients), lower and upper bounds,
    and the unit each row is counted in."""

    def __init__(self) -> None:
        self.starts: list[np.ndarray] = []
        self.columns: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.units: list[np.ndarray] = []

    def add_csr(self, indptr, columns, values, lower, upper, unit=1.0) -> None:
        offset = sum(len(c) for c in self.columns)
        self.starts.append(np.asarray(indptr[:-1]) + offset)
        self.columns.append(np.asarray(columns, dtype=np.int64))
        self.values.append(np.asarray(values, dtype=float))
        self.lower.append(np.broadcast_to(np.asarray(lower, float), len(indptr) - 1))
        self.upper.append(np.broadcast_to(np.asarray(upper, float), len(indptr) - 1))
        self.units.append(np.broadcast_to(np.asarray(unit, float), len(indptr) - 1))

    def add(self, columns, values, lower: float, upper: float, unit: float = 1.0) -> None:
        self.add_csr([0, len(columns)], columns, values, lower, upper, unit)

    def csr(self, n_cols: int) -> sp.csr_array:
        n_nz = sum(len(c) for c in self.columns)
        indptr = np.append(np.concatenate(self.starts or [np.zeros(0, int)]), n_nz)
        return sp.csr_array(
            (np.concatenate(self.values), np.concatenate(self.columns), indptr),
            shape=(len(indptr) - 1, n_cols),
        )


def _link_rows(rows: _Rows, amount_cols: np.ndarray, matrix: sp.csr_array, units) -> None:
    """amount[k] - sum_j matrix[k, j] x[j] <= 0, amount first then projects ascending."""
    counts = np.diff(matrix.indptr) + 1
    indptr = np.concatenate([[0], np.cumsum(counts)])
    columns = np.empty(indptr[-1], dtype=np.int64)
    values = np.empty(indptr[-1])
    heads = indptr[:-1]
    columns[heads] = amount_cols
    values[heads] = 1.0
    body = np.ones(indptr[-1], dtype=bool)
    body[heads] = False
    columns[body] = matrix.indices
    values[body] = -matrix.data
    rows.add_csr(indptr, columns, values, -INF, 0.0, units)


def build_raw_lp(
    raw: RawPark, floors: bool = False, column_order: str = "natural"
) -> dict[str, Any]:
    """The MILP as arrays: CSC matrix, bounds, costs, integrality.

    Logical columns are x (N), avoided (K), excess (S), saved (L); rows follow
    model/optimise/formulation.py's declaration order. Columns that no row and no
    objective term mentions are left out. `column_order`: "natural" keeps the logical
    order (x, avoided, excess, saved: the baseline's own order, used by the scale
    benchmark); "parkcp" is the order of ParkCP's HiGHS adapter, the order in which the
    rows first mention each column (how the Pyomo interface adds variables), then any
    column only the objective mentions, in objective order (tests/test_synthetic.py
    checks that the LP is then identical to ParkCP's). `floors` adds the two epsilon rows
    that model/optimise/formulation.py builds for frontier studies only."""
    if column_order not in ("natural", "parkcp"):
        raise ValueError(f"column_order must be 'natural' or 'parkcp', not {column_order!r}")
    n = len(raw.project_ids)
    e_pairs = _pairs(raw.baseline_emissions, raw.reduces, raw.owner, ~np.isnan(raw.permit))
    n_pairs = _pairs(raw.baseline_energy, raw.saves, raw.owner)
    b_em = raw.baseline_emissions[e_pairs[:, 0], e_pairs[:, 1]]
    b_en = raw.baseline_energy[n_pairs[:, 0], n_pairs[:, 1]]
    permit_k = raw.permit[e_pairs[:, 0], e_pairs[:, 1]]
    has_permit = ~np.isnan(permit_k)
    soft_k = np.flatnonzero(has_permit) if raw.permit_mode == "soft" else np.zeros(0, int)
    k_count, s_count, l_count = len(e_pairs), len(soft_k), len(n_pairs)
    x_col = np.arange(n)
    avoided_col = n + np.arange(k_count)
    excess_col = n + k_count + np.arange(s_count)
    saved_col = n + k_count + s_count + np.arange(l_count)
    n_cols = n + k_count + s_count + l_count

    lower = np.zeros(n_cols)
    upper = np.ones(n_cols)
    lower[x_col] = raw.x_lower
    upper[x_col] = raw.x_upper
    if raw.permit_mode == "hard":
        lower[avoided_col] = np.where(has_permit, b_em - np.nan_to_num(permit_k), -INF)
    else:
        lower[avoided_col] = -INF
    upper[avoided_col] = b_em
    upper[excess_col] = INF
    lower[saved_col] = -INF
    upper[saved_col] = b_en
    integrality = np.zeros(n_cols, dtype=np.int32)
    integrality[x_col] = np.where(raw.divisible, 0, 1)

    # units (module docstring): per pollutant, per carrier, money
    reduces, saves = sp.csc_array(raw.reduces), sp.csc_array(raw.saves)
    u_p = np.array(
        [
            _power_of_two_near(
                np.concatenate(
                    [
                        raw.baseline_emissions[:, p],
                        reduces[:, [p]].data,
                        np.nan_to_num(raw.permit[:, p]),
                        np.nan_to_num(raw.park_cap[[p]]),
                    ]
                )
            )
            for p in range(raw.baseline_emissions.shape[1])
        ]
    )
    v_c = np.array(
        [
            _power_of_two_near(np.concatenate([raw.baseline_energy[:, c], saves[:, [c]].data]))
            for c in range(raw.baseline_energy.shape[1])
        ]
    )
    u_k, v_l = u_p[e_pairs[:, 1]], v_c[n_pairs[:, 1]]
    col_unit = np.ones(n_cols)
    col_unit[avoided_col] = u_k
    col_unit[excess_col] = u_k[soft_k]
    col_unit[saved_col] = v_l
    money = _power_of_two_near(raw.budget_capex)

    rows = _Rows()
    em_matrix = _pair_effects(e_pairs, raw.reduces, raw.owner, raw.n_rows)
    en_matrix = _pair_effects(n_pairs, raw.saves, raw.owner, raw.n_rows)
    em_rows, en_rows = em_matrix.tocoo(), en_matrix.tocoo()
    _link_rows(rows, avoided_col, em_matrix, u_k)
    for i, k in enumerate(soft_k):
        rows.add([avoided_col[k], excess_col[i]], [1.0, 1.0], b_em[k] - permit_k[k], INF, u_k[k])
    _link_rows(rows, saved_col, en_matrix, v_l)
    # budget on capex net of subsidy; no budget = all of it + 1, never binding
    no_limit = float(raw.budget_capex.sum()) + 1.0
    rows.add(x_col, raw.budget_capex, -INF, min(raw.budget_total, no_limit), money)
    subsidised = np.flatnonzero(raw.subsidy > 0)
    if np.isfinite(raw.public_budget) and len(subsidised):
        rows.add(
            x_col[subsidised],
            raw.subsidy[subsidised],
            -INF,
            raw.public_budget,
            _power_of_two_near(raw.subsidy),
        )
    if np.isfinite(raw.budget_year):
        rows.add(x_col, raw.budget_capex, -INF, raw.budget_year, money)
    park_baseline = raw.baseline_emissions.sum(axis=0)
    pollutant_of = e_pairs[:, 1]
    for p in np.flatnonzero(~np.isnan(raw.park_cap)):
        ks = np.flatnonzero(pollutant_of == p)
        rows.add(avoided_col[ks], np.ones(len(ks)), park_baseline[p] - raw.park_cap[p], INF, u_p[p])
    for p in np.flatnonzero(~np.isnan(raw.reduction_target)):
        ks = np.flatnonzero(pollutant_of == p)
        needed = raw.reduction_target[p] * park_baseline[p]
        rows.add(avoided_col[ks], np.ones(len(ks)), needed, INF, u_p[p])
    pe_k = raw.pe_per_t[e_pairs[:, 1]]
    tce_l = raw.tce_per_unit[n_pairs[:, 1]]
    tce_unit = _power_of_two_near(tce_l * v_l)
    baseline_tce = float((raw.baseline_energy @ raw.tce_per_unit).sum())
    if not np.isnan(raw.energy_cap_tce):
        rows.add(saved_col, tce_l, baseline_tce - raw.energy_cap_tce, INF, tce_unit)
    if not np.isnan(raw.energy_reduction):
        rows.add(saved_col, tce_l, raw.energy_reduction * baseline_tce, INF, tce_unit)
    for members in raw.exclusive_groups:
        rows.add(x_col[members], np.ones(len(members)), -INF, 1.0)
    for j, k in raw.prerequisites:
        rows.add([x_col[j], x_col[k]], [1.0, -1.0], -INF, 0.0)
    for index, capacity, users, use in raw.facilities:
        unit = _power_of_two_near([*use, capacity])
        rows.add([*x_col[users], x_col[index]], [*use, -capacity], -INF, 0.0, unit)

    if floors:  # epsilon rows of frontier models, switched off: below any possible value
        em_increase = np.bincount(em_rows.row, np.clip(-em_rows.data, 0, None), minlength=k_count)
        en_increase = np.bincount(en_rows.row, np.clip(-en_rows.data, 0, None), minlength=l_count)
        pe_unit = _power_of_two_near(pe_k * u_k)
        rows.add(avoided_col, pe_k, -float(pe_k @ em_increase) - 1.0, INF, pe_unit)
        rows.add(saved_col, tce_l, -float(tce_l @ en_increase) - 1.0, INF, tce_unit)

    cost = np.zeros(n_cols)
    if raw.objective == "weighted":
        cost[avoided_col] = raw.weight_pollution * pe_k
        cost[saved_col] = raw.weight_energy * tce_l
        cost[excess_col] = -raw.permit_penalty
        objective_order = [avoided_col, saved_col, excess_col]
    elif raw.objective == "pollution":
        cost[avoided_col] = pe_k
        cost[excess_col] = -raw.permit_penalty
        objective_order = [avoided_col, excess_col]
    elif raw.objective == "energy":
        cost[saved_col] = tce_l
        cost[excess_col] = -raw.permit_penalty
        objective_order = [saved_col, excess_col]
    else:
        cost[x_col] = raw.capex
        cost[excess_col] = raw.permit_penalty
        objective_order = [x_col, excess_col]
    sense = highspy.ObjSense.kMinimize if raw.objective == "cost" else highspy.ObjSense.kMaximize
    penalty = raw.permit_penalty * u_k[soft_k]
    objective_sizes = {
        "weighted": [pe_k * u_k, tce_l * v_l],
        "pollution": [pe_k * u_k],
        "energy": [tce_l * v_l],
        "cost": [raw.capex],
    }[raw.objective]
    objective_unit = _power_of_two_near(np.concatenate([*objective_sizes, penalty]))

    # in the units: entry / row unit * column unit, bounds / their unit
    matrix = rows.csr(n_cols)
    row_unit = np.concatenate(rows.units) if rows.units else np.zeros(0)
    entry_row = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    matrix.data = matrix.data / row_unit[entry_row] * col_unit[matrix.indices]
    cost = cost / objective_unit * col_unit
    lower, upper = lower / col_unit, upper / col_unit

    # the columns mentioned; in ParkCP's order: first mention by the rows, then by the objective
    mentions = np.concatenate([matrix.indices, *objective_order])
    seen, first = np.unique(mentions, return_index=True)  # seen: in logical order
    if column_order == "parkcp":
        order = seen[np.argsort(first, kind="stable")]  # logical column of each HiGHS column
    else:
        order = seen
    position = np.full(n_cols, -1)
    position[order] = np.arange(len(order))
    csc = sp.csc_array(matrix[:, order])
    csc.sort_indices()
    return {
        "num_col": len(order),
        "num_row": matrix.shape[0],
        "sense": sense,
        "col_cost": cost[order],
        "col_lower": lower[order],
        "col_upper": upper[order],
        "row_lower": (np.concatenate(rows.lower) if rows.lower else np.zeros(0)) / row_unit,
        "row_upper": (np.concatenate(rows.upper) if rows.upper else np.zeros(0)) / row_unit,
        "row_unit": row_unit,
        "objective_unit": objective_unit,
        "a_start": csc.indptr.astype(np.int32),
        "a_index": csc.indices.astype(np.int32),
        "a_value": csc.data.astype(float),
        "integrality": integrality[order],
        "x_columns": position[x_col],
    }


def _highs_from_lp(
    lp: dict[str, Any],
    mip_gap: float = 1.0e-4,
    time_limit: float | None = None,
    threads: int | None = None,
    options: dict[str, Any] | None = None,
    log: bool = False,
) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", log)
    h.setOptionValue("log_to_console", log)
    # the options in the order the Pyomo interface sets them before each solve
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    h.passModel(
        lp["num_col"],
        lp["num_row"],
        len(lp["a_value"]),
        int(highspy.MatrixFormat.kColwise),
        int(lp["sense"]),
        0.0,
        lp["col_cost"],
        lp["col_lower"],
        lp["col_upper"],
        lp["row_lower"],
        lp["row_upper"],
        lp["a_start"],
        lp["a_index"],
        lp["a_value"],
        lp["integrality"],
    )
    h.x_columns = lp["x_columns"]
    h.row_unit = lp["row_unit"]  # user units per model unit of each row
    h.objective_unit = lp["objective_unit"]
    return h


def build_raw_highs(
    park: Any,
    mip_gap: float = 1.0e-4,
    time_limit: float | None = None,
    threads: int | None = None,
    options: dict[str, Any] | None = None,
    log: bool = False,
    floors: bool = False,
    column_order: str = "natural",
) -> highspy.Highs:
    """A highspy model of `park` (a single-year ParkData or a RawPark) with the solver
    options set; `.x_columns` holds the HiGHS column of each project's x. `column_order`
    as in `build_raw_lp`."""
    raw = park if isinstance(park, RawPark) else raw_from_park(park)
    lp = build_raw_lp(raw, floors=floors, column_order=column_order)
    return _highs_from_lp(lp, mip_gap, time_limit, threads, options, log)


_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
}


def solve_raw_highs(h: highspy.Highs) -> RawSolution:
    """Run a model from `build_raw_highs`; objective and project levels if it has any."""
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    info = h.getInfo()
    status = _STATUS.get(h.getModelStatus(), "error")
    has_solution = info.primal_solution_status == 2
    details = {
        "mip_node_count": int(info.mip_node_count),
        "simplex_iteration_count": int(info.simplex_iteration_count),
        "highs_run_time": float(h.getRunTime()),
    }
    if not has_solution:
        return RawSolution(status, None, None, None, seconds, details)
    values = np.asarray(h.getSolution().col_value)
    x = np.clip(values[h.x_columns], 0.0, 1.0)
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else 0.0
    objective = float(info.objective_function_value) * h.objective_unit  # user units
    return RawSolution(status, objective, x, gap, seconds, details)


def objective_value(raw: RawPark, x: np.ndarray) -> float:
    """The objective of selection `x`, evaluated from the arrays without a solver.

    At an optimum avoided = min(baseline, reductions x) and saved = min(baseline,
    savings x) per pair (the link rows and upper bounds, maximised); soft-permit excess
    = max(0, baseline - permit - avoided)."""
    x = np.asarray(x, dtype=float)
    owners = sp.csr_array(
        (np.ones(len(x)), (raw.owner, np.arange(len(x)))), shape=(raw.n_rows, len(x))
    )
    removed = (owners @ sp.csr_array(raw.reduces.multiply(x[:, None]))).toarray()
    saved = (owners @ sp.csr_array(raw.saves.multiply(x[:, None]))).toarray()
    avoided = np.minimum(raw.baseline_emissions, removed)
    saved = np.minimum(raw.baseline_energy, saved)
    pollution = float((avoided @ raw.pe_per_t).sum())
    energy = float((saved @ raw.tce_per_unit).sum())
    excess = 0.0
    if raw.permit_mode == "soft":
        need = raw.baseline_emissions - raw.permit - avoided
        excess = float(np.nansum(np.maximum(0.0, need)))
    penalty = raw.permit_penalty * excess
    if raw.objective == "weighted":
        return raw.weight_pollution * pollution + raw.weight_energy * energy - penalty
    if raw.objective == "pollution":
        return pollution - penalty
    if raw.objective == "energy":
        return energy - penalty
    return float(raw.capex @ x) + penalty


# ---------------------------------------------------------------- reading the files


def _registry(document: dict) -> tuple[dict[str, float | None], dict[str, tuple[float, float]]]:
    """pe_kg by pollutant and (tce equivalent, tce equal value) by carrier, registry order:
    the shipped tables, then the scenario's overrides and new entries."""
    pollutants = pd.read_csv(REFERENCE_DIR / "pollutants.csv", usecols=["id", "pe_kg"])
    pe_kg = {
        pid: (None if pd.isna(v) else float(v))
        for pid, v in zip(pollutants["id"], pollutants["pe_kg"], strict=True)
    }
    carriers = pd.read_csv(
        REFERENCE_DIR / "carriers.csv", usecols=["id", "tce_per_unit", "tce_per_unit_equal_value"]
    )
    tce = {
        cid: (float(a), None if pd.isna(b) else float(b))
        for cid, a, b in zip(
            carriers["id"],
            carriers["tce_per_unit"],
            carriers["tce_per_unit_equal_value"],
            strict=True,
        )
    }
    for pid, override in (document.get("pollutants") or {}).items():
        if "pe_kg" in override or pid not in pe_kg:
            pe_kg[pid] = override.get("pe_kg")
    for cid, override in (document.get("carriers") or {}).items():
        old = tce.get(cid, (0.0, None))
        tce[cid] = (
            float(override.get("tce_per_unit", old[0])),
            override.get("tce_per_unit_equal_value", old[1]),
        )
    return pe_kg, tce


def _table(spec: Any, folder: Path) -> pd.DataFrame:
    """A `{csv: file}` table, or an inline list of records flattened to dotted columns."""
    if isinstance(spec, dict) and "csv" in spec:
        return pd.read_csv(folder / spec["csv"])
    frame = pd.json_normalize(spec)
    return frame.rename(columns=lambda c: c.removeprefix("baseline."))


def _columns(frame: pd.DataFrame, prefix: str) -> dict[str, np.ndarray]:
    """Columns `prefix.<name>` with at least one value, as float arrays (NaN = absent)."""
    out = {}
    for column in frame.columns:
        if column.startswith(prefix):
            values = pd.to_numeric(frame[column]).to_numpy(dtype=float)
            if not np.all(np.isnan(values)):
                out[column[len(prefix) :]] = values
    return out


def _sparse(columns: dict[str, np.ndarray], order: list[str], n: int) -> sp.csr_array:
    """(n, len(order)) CSR from per-name value columns (NaN and 0 are no entry)."""
    rows, cols, data = [], [], []
    for c, name in enumerate(order):
        if name in columns:
            values = np.nan_to_num(columns[name])
            nz = np.flatnonzero(values)
            rows.append(nz)
            cols.append(np.full(len(nz), c))
            data.append(values[nz])
    if not rows:
        return sp.csr_array((n, len(order)))
    matrix = sp.csr_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, len(order)),
    )
    matrix.sort_indices()
    return matrix


def _float_or_nan(value: Any) -> float:
    return np.nan if value is None else float(value)


def raw_from_files(path: Path) -> tuple[RawPark, dict]:
    """Read a scenario YAML and its CSV tables straight into arrays; also return the
    solver section."""
    folder = path.parent
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    budget = document.get("budget") or {}
    finance = document.get("finance") or {}
    screening = finance.get("screening") or {}
    horizon = document.get("horizon") or {}
    unsupported = [
        key
        for key, used in (
            ("extends", bool(document.get("extends"))),
            ("horizon (several years)", horizon.get("start") != horizon.get("end")),
            ("budget.per_year", bool(budget.get("per_year"))),
            ("budget.subsidy", bool(budget.get("subsidy"))),
            ("finance.implement_no_low_cost", bool(finance.get("implement_no_low_cost"))),
            ("finance.screening", any(screening.get(k) for k in ("payback", "npv", "irr"))),
        )
        if used
    ]
    if unsupported:
        raise SystemExit(f"raw_highs.py does not read {', '.join(unsupported)}")
    pe_kg, tce = _registry(document)
    enterprises = _table(document["enterprises"], folder)
    projects = _table(document.get("projects") or [], folder)
    park_row = (document.get("park") or {}).get("baseline") or {}
    park_permit = (document.get("park") or {}).get("permit") or {}
    targets = document.get("targets") or {}
    objective = document.get("objective") or {}

    e_emissions = _columns(enterprises, "emissions.")
    e_energy = _columns(enterprises, "energy.")
    e_permit = _columns(enterprises, "permit.")
    p_reduces = _columns(projects, "reduces.")
    p_saves = _columns(projects, "saves.")
    p_serves = _columns(projects, "serves.")
    mentioned_p = (
        set(e_emissions)
        | set(e_permit)
        | set(p_reduces)
        | set(park_row.get("emissions", {}))
        | set(park_permit)
        | set(targets.get("park_caps", {}))
        | set(targets.get("reduction", {}))
    )
    mentioned_c = set(e_energy) | set(p_saves) | set(park_row.get("energy", {}))
    pollutant_ids = [p for p in pe_kg if p in mentioned_p]
    carrier_ids = [c for c in tce if c in mentioned_c]

    enterprise_ids = [*enterprises["id"].astype(str), PARK_ID]
    n_rows, n = len(enterprise_ids), len(projects)

    def row_matrix(columns: dict[str, np.ndarray], park_values: dict, order: list[str]):
        matrix = np.full((n_rows, len(order)), np.nan)
        for c, name in enumerate(order):
            if name in columns:
                matrix[:-1, c] = columns[name]
            if name in park_values:
                matrix[-1, c] = float(park_values[name])
        return matrix

    baseline_emissions = np.nan_to_num(
        row_matrix(e_emissions, park_row.get("emissions", {}), pollutant_ids)
    )
    baseline_energy = np.nan_to_num(row_matrix(e_energy, park_row.get("energy", {}), carrier_ids))
    permit = row_matrix(e_permit, park_permit, pollutant_ids)

    project_ids = projects["id"].astype(str).tolist() if n else []
    row_of = pd.Index(enterprise_ids)
    owner = row_of.get_indexer(projects["owner"].astype(str)) if n else np.zeros(0, int)
    index_of = pd.Index(project_ids)

    def optional(column: str) -> pd.Series:
        return projects[column] if column in projects else pd.Series([np.nan] * n, dtype=object)

    groups = []
    group_column = optional("exclusive_group")
    if group_column.notna().any():
        codes, _ = pd.factorize(group_column, sort=False)
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        for g in range(codes.max() + 1):
            lo, hi = np.searchsorted(sorted_codes, [g, g + 1])
            groups.append(order[lo:hi])
    prerequisites: list[tuple[int, int]] = []
    for j, text in enumerate(optional("requires")):
        if isinstance(text, str) and text:
            needs = [s.strip() for s in text.split(";") if s.strip()]
            prerequisites.extend((j, int(k)) for k in index_of.get_indexer(needs))
        elif isinstance(text, list):
            prerequisites.extend((j, int(k)) for k in index_of.get_indexer(text))
    capacity = pd.to_numeric(optional("capacity")).to_numpy(dtype=float)
    facilities = []
    for j in np.flatnonzero(~np.isnan(capacity)):
        use = p_serves.get(project_ids[j], np.full(n, np.nan))
        users = np.flatnonzero(~np.isnan(use))
        facilities.append((int(j), float(capacity[j]), users, use[users]))
    divisible = optional("divisible").astype(str).str.lower().isin(["true", "1", "yes"])

    equal_value = objective.get("energy_basis", "equivalent") == "equal_value"
    tce_per_unit = np.array(
        [(tce[c][1] or tce[c][0]) if equal_value else tce[c][0] for c in carrier_ids], float
    )
    weights = objective.get("weights") or {"pollution": 1.0, "energy": 1.0}

    def per_pollutant(values: dict) -> np.ndarray:
        out = np.full(len(pollutant_ids), np.nan)
        for name, value in (values or {}).items():
            out[pollutant_ids.index(name)] = float(value)
        return out

    budget_total = (document.get("budget") or {}).get("total")
    raw = RawPark(
        project_ids=project_ids,
        n_rows=n_rows,
        owner=np.asarray(owner, dtype=int),
        capex=pd.to_numeric(projects["capex"]).to_numpy(dtype=float) if n else np.zeros(0),
        divisible=divisible.to_numpy(dtype=bool),
        reduces=_sparse(p_reduces, pollutant_ids, n),
        saves=_sparse(p_saves, carrier_ids, n),
        baseline_emissions=baseline_emissions,
        baseline_energy=baseline_energy,
        permit=permit,
        pe_per_t=np.array([1000.0 / pe_kg[p] if pe_kg[p] else 0.0 for p in pollutant_ids]),
        tce_per_unit=tce_per_unit,
        exclusive_groups=groups,
        prerequisites=prerequisites,
        facilities=facilities,
        budget_total=float("inf") if budget_total is None else float(budget_total),
        park_cap=per_pollutant(targets.get("park_caps")),
        reduction_target=per_pollutant(targets.get("reduction")),
        energy_cap_tce=_float_or_nan(targets.get("energy_cap_tce")),
        energy_reduction=_float_or_nan(targets.get("energy_reduction")),
        permit_mode=targets.get("permits", "hard"),
        permit_penalty=float(targets.get("permit_penalty", 1.0e6)),
        objective=objective.get("minimize", "weighted"),
        weight_pollution=float(weights.get("pollution", 0.0)),
        weight_energy=float(weights.get("energy", 0.0)),
    )
    return raw, document.get("solver") or {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Raw highspy baseline for a scenario file.")
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--log", action="store_true", help="show the HiGHS log")
    parser.add_argument("--mip-gap", type=float, help="override the scenario's mip_gap")
    parser.add_argument("--time-limit", type=float, help="override the scenario's time_limit")
    parser.add_argument("--threads", type=int, help="override the scenario's threads")
    args = parser.parse_args(argv)

    times: dict[str, float] = {}
    started = time.perf_counter()
    raw, solver = raw_from_files(args.scenario)
    for key in ("mip_gap", "time_limit", "threads"):
        if getattr(args, key) is not None:
            solver[key] = getattr(args, key)
    times["read_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    h = _highs_from_lp(
        build_raw_lp(raw),
        mip_gap=float(solver.get("mip_gap", 1.0e-4)),
        time_limit=solver.get("time_limit"),
        threads=solver.get("threads"),
        options=solver.get("options"),
        log=args.log,
    )
    times["build_s"] = time.perf_counter() - mark
    solution = solve_raw_highs(h)
    times["solve_s"] = solution.seconds
    mark = time.perf_counter()
    if solution.x is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        chosen = np.flatnonzero(solution.x > 1e-6)
        pd.DataFrame(
            {"project": np.asarray(raw.project_ids)[chosen], "level": solution.x[chosen]}
        ).to_csv(args.out / "raw_selected_projects.csv", index=False)
    times["write_s"] = time.perf_counter() - mark
    print(
        json.dumps(
            {
                "status": solution.status,
                "objective": solution.objective,
                "gap": solution.gap,
                "selected": None if solution.x is None else int((solution.x > 0.5).sum()),
                **times,
                **solution.info,
            }
        )
    )
    return 0 if solution.x is not None else 4


if __name__ == "__main__":
    sys.exit(main())
