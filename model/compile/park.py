"""A park as plain arrays (`ParkData`), and the containers it holds.

`ParkData` is what every stage after input works on (formulation, evaluation, results,
studies, benchmarks): numpy arrays on the axes N projects, E enterprise rows (the
scenario's enterprises in file order, then the park's own row `PARK_ID` on which shared
facilities act), P pollutants, C carriers and Y planning years. Limits that may change by
year are kept once, by year (`permit_by_year`, ...); the final year's values are
read-only properties (`permit`, `park_cap`, `reduction_target`, `energy_cap_tce`,
`energy_reduction`), since a single-year park is its final year.

Built by `model.compile.compile.compile_park`; the appraise stage then adds the project
economics once (`model.appraise.economics.attach_economics`): the funding the optimiser
uses (subsidy, public budget, options done at once, options screened out, with the
reasons) as fields, and the appraisal figures the results report as a `ProjectEconomics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from model.input.reference import RightPrices


@dataclass(frozen=True)
class Facility:
    """A park-shared facility: project `index` offers `capacity`; `users[i]` needs `use[i]`."""

    index: int
    capacity: float
    users: np.ndarray
    use: np.ndarray


@dataclass(frozen=True)
class ProjectEconomics:
    """Every project's economics, computed once right after compiling
    (model/appraise/economics.py) and read by the results. (N,) arrays, money in CNY.

    Each project is valued alone, at full adoption and without subsidy unless said
    otherwise (docs/finance.md): the annual net operating saving P and its parts; the
    feasibility figures (cash flow F, payback, NPV, NPVR, IRR at the benchmark rate);
    the cost class; whether it pays without public money; the NPV with its subsidy and
    the least grant for NPV 0; whether a grant to it would be additional, and what a
    public yuan buys (pollution equivalents or tce per year per CNY of subsidy).
    """

    benchmark_rate: float
    income_tax_rate: float
    right_prices: RightPrices
    """Emission-right prices by pollutant: (transfer CNY/t, lease CNY/t/yr)."""
    energy_cost_saved: np.ndarray  # CNY/yr
    env_tax_saved: np.ndarray  # CNY/yr
    rights_value: np.ndarray  # CNY/yr
    annual_saving: np.ndarray  # P, CNY/yr
    saving_notes: tuple[str, ...]
    """What the saving leaves out (carriers without a price, untaxed pollutants)."""
    cash_flow: np.ndarray  # F, CNY/yr
    payback: np.ndarray  # yr, inf when F <= 0
    npv: np.ndarray  # CNY
    npvr: np.ndarray  # NPV / capex, NaN without capex
    irr: np.ndarray  # fraction, NaN where none or not computed
    irr_for_all: bool
    """True when `irr` was computed for every project; else it is NaN everywhere and the
    results compute it for the chosen projects only (parks above `irr_limit` projects)."""
    irr_limit: int
    cost_class: np.ndarray  # 'no_low', 'medium' or 'high'
    privately_profitable: np.ndarray  # bool: NPV >= 0 without subsidy
    npv_with_subsidy: np.ndarray  # CNY: the enterprise invests capex - subsidy
    subsidy_for_npv_zero: np.ndarray  # CNY: 0 when profitable, inf when never
    additionality_verdict: np.ndarray  # text, for the project if it were chosen
    pe_per_public_yuan: np.ndarray  # pollution equivalents/yr per CNY, NaN unsubsidised
    tce_per_public_yuan: np.ndarray  # tce/yr per CNY, NaN unsubsidised


@dataclass
class ParkData:
    """A park as arrays. Shapes: N projects, E enterprises (+ park row), P pollutants,
    C carriers, Y planning years. Missing permits/caps/targets are NaN."""

    name: str
    years: list[int]
    project_ids: list[str]
    project_names: list[str]
    project_categories: list[str]
    enterprise_ids: list[str]
    enterprise_names: list[str]
    enterprise_sectors: list[str]
    pollutant_ids: list[str]
    pollutant_media: list[str]
    carrier_ids: list[str]
    carrier_units: list[str]
    owner: np.ndarray  # (N,) int: row of the owning enterprise
    capex: np.ndarray  # (N,) CNY
    opex_change: np.ndarray  # (N,) CNY/yr
    lifetime: np.ndarray  # (N,) yr
    lead_time: np.ndarray  # (N,) yr
    divisible: np.ndarray  # (N,) bool
    reduces: sp.csr_array  # (N, P) t/yr removed from the owner's row
    saves: sp.csr_array  # (N, C) carrier units/yr saved by the owner
    baseline_emissions: np.ndarray  # (E, P) t/yr
    baseline_energy: np.ndarray  # (E, C) carrier units/yr
    pe_per_t: np.ndarray  # (P,) pollution equivalents per tonne (0 = none defined)
    tax_rate: np.ndarray  # (P,) CNY per equivalent (per t for solid waste), NaN = none
    tce_per_unit: np.ndarray  # (C,) on the scenario's energy basis
    tce_equivalent_per_unit: np.ndarray  # (C,) equivalent-value basis
    co2_per_unit: np.ndarray  # (C,) tCO2 per unit
    carrier_price: np.ndarray  # (C,) CNY per unit, NaN = none
    exclusive_groups: dict[str, np.ndarray]
    prerequisites: list[tuple[int, int]]  # (j, k): j may only be chosen with k
    facilities: list[Facility]
    budget_total: float  # CNY, inf = no budget limit
    permit_mode: str
    permit_penalty: float
    objective: str
    weight_pollution: float
    weight_energy: float
    energy_basis: str
    discount_rate: float
    # --- limits by planning year
    permit_by_year: np.ndarray  # (Y, E, P) t/yr, NaN = no permit
    park_cap_by_year: np.ndarray  # (Y, P) t/yr, NaN = no cap
    reduction_by_year: np.ndarray  # (Y, P) fraction of the park baseline to remove, NaN = none
    energy_cap_by_year: np.ndarray  # (Y,) tce/yr, NaN = none
    energy_reduction_by_year: np.ndarray  # (Y,) fraction of baseline tce to save, NaN = none
    budget_per_year: np.ndarray  # (Y,) CNY, inf = no limit that year
    carry_over: bool = False
    horizon_objective: str = "total"
    # --- funding, set by the appraise stage (model/appraise/economics.py)
    subsidy: np.ndarray | None = None  # (N,) CNY of public money per project
    public_budget: float = float("inf")
    forced: np.ndarray | None = None  # (N,) bool: done at once, outside the budget
    excluded: np.ndarray | None = None  # (N,) bool: failed the acceptance screening
    screening_reasons: list[str] = field(default_factory=list)
    """(N,) the acceptance rules each project fails, with their figures ('' = passes)."""
    economics: ProjectEconomics | None = None
    """The appraisal figures of every project (None until the appraise stage ran)."""

    def __post_init__(self) -> None:
        n = len(self.project_ids)
        if self.subsidy is None:
            self.subsidy = np.zeros(n)
        if self.forced is None:
            self.forced = np.zeros(n, dtype=bool)
        if self.excluded is None:
            self.excluded = np.zeros(n, dtype=bool)
        if not self.screening_reasons:
            self.screening_reasons = [""] * n

    # --- the final planning year's limits (a single-year park is its final year)
    @property
    def permit(self) -> np.ndarray:
        """(E, P) t/yr, permits of the final planning year (NaN = no permit)."""
        return _read_only(self.permit_by_year[-1])

    @property
    def park_cap(self) -> np.ndarray:
        """(P,) t/yr, park caps of the final planning year (NaN = no cap)."""
        return _read_only(self.park_cap_by_year[-1])

    @property
    def reduction_target(self) -> np.ndarray:
        """(P,) fraction of the park baseline to remove by the final year (NaN = none)."""
        return _read_only(self.reduction_by_year[-1])

    @property
    def energy_cap_tce(self) -> float:
        """tce/yr, the park energy cap of the final planning year (NaN = none)."""
        return float(self.energy_cap_by_year[-1])

    @property
    def energy_reduction(self) -> float:
        """Fraction of baseline tce to save by the final year (NaN = none)."""
        return float(self.energy_reduction_by_year[-1])

    @property
    def multi_year(self) -> bool:
        return len(self.years) > 1

    def discount_factors(self) -> np.ndarray:
        """(Y,) 1 / (1 + r)^(t - start): what a year's reduction is worth today."""
        offsets = np.arange(len(self.years), dtype=float)
        return 1.0 / (1.0 + self.discount_rate) ** offsets

    def budget_capex(self) -> np.ndarray:
        """(N,) what each project takes from the budget: capex net of subsidy; nothing
        for options done at once outside the budget."""
        return np.where(self.forced, 0.0, self.capex - self.subsidy)

    def effective_from(self) -> np.ndarray:
        """(N,) years after its start year at which a project takes effect. A single
        planning year is a steady-state snapshot: lead times do not apply there."""
        return (
            self.lead_time.astype(int) if self.multi_year else np.zeros(len(self.project_ids), int)
        )

    @property
    def n_projects(self) -> int:
        return len(self.project_ids)

    @property
    def park_row(self) -> int:
        return len(self.enterprise_ids) - 1

    def in_effect(self, starts: np.ndarray) -> np.ndarray:
        """(Y, N) level in effect each year from the (Y, N) levels started each year: a
        project started in year s acts from year s + lead time on (math.md 10)."""
        lead = self.effective_from()
        levels = np.zeros_like(np.asarray(starts, dtype=float))
        for t in range(len(self.years)):
            for s in range(t + 1):
                levels[t] += np.where(s + lead <= t, starts[s], 0.0)
        return levels

    def emission_pairs(self) -> np.ndarray:
        """(K, 2) array of (enterprise row, pollutant) pairs that can be non-zero:
        a baseline, a permit, or a project of that enterprise acting on that pollutant."""
        active = (self.baseline_emissions > 0) | ~np.isnan(self.permit_by_year).all(axis=0)
        coo = self.reduces.tocoo()
        active[self.owner[coo.row], coo.col] = True
        return np.argwhere(active)

    def energy_pairs(self) -> np.ndarray:
        """(K, 2) array of (enterprise row, carrier) pairs with a baseline or a project."""
        active = self.baseline_energy > 0
        coo = self.saves.tocoo()
        active[self.owner[coo.row], coo.col] = True
        return np.argwhere(active)

    def baseline_pollution_eq(self) -> float:
        return float((self.baseline_emissions @ self.pe_per_t).sum())

    def baseline_tce(self) -> float:
        return float((self.baseline_energy @ self.tce_per_unit).sum())


def _read_only(view: np.ndarray) -> np.ndarray:
    """`view` (a view into a by-year array) marked read-only, so that the final year's
    values cannot be changed apart from the year's row they come from."""
    view = view.view()
    view.flags.writeable = False
    return view
