"""The scenario schema: what a valid, fully merged scenario looks like (pydantic).

This module only *describes* a scenario; how to solve and study it (solver options,
frontier and budget-sweep studies, why-not analysis) is in model/input/run_options.py.
Reading files, `extends:`, named override sets,
CSV/Excel tables and turning validation errors into one-line messages live in
`model/input/loading.py`; cross-references (unknown pollutant, unknown owner, ...) are checked
there too, because they need the registry. Units are fixed:

* emissions, permits, caps, reductions: tonnes per year (t/yr)
* energy: carrier units per year (the unit is named in the carrier registry)
* money: CNY (capex), CNY per year (opex_change)
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from model.input.run_options import Analysis, SolverOptions, StrictModel, Study
from model.input.text_rules import folder_name_problem

KEY_INDUSTRIES: tuple[str, ...] = (
    "energy",
    "metallurgy",
    "steel",
    "coking",
    "building_materials",
    "non_ferrous",
    "chemicals",
    "petrochemicals",
    "printing_dyeing",
    "paper",
    "pharmaceutical_raw_materials",
    "electroplating",
    "agri_food_processing",
    "industrial_coating",
    "packaging_printing",
    "other",
)
"""Sectors accepted for an enterprise: the key industries of the 2020 notice and the
2023 pilot notice (环办科财函〔2023〕79号), plus 'other'."""

PARK_ID = "park"
"""Owner id of park-shared facilities; their effects act on the park's own row."""

Sector = Literal[KEY_INDUSTRIES]  # type: ignore[valid-type]

YearValue = float | dict[int, float]
"""A limit that may change by year: one number for every year, or {year: value}. With a
mapping, a year takes the value of the latest listed year at or before it; years before
the first listed one take the first value (so {2021: 10, 2023: 8} means 10, 10, 8)."""


def value_in_year(value: YearValue | None, year: int) -> float | None:
    """The value of a `YearValue` in `year` (None stays None)."""
    if value is None or not isinstance(value, dict):
        return value
    listed = sorted(value)
    earlier = [y for y in listed if y <= year]
    return float(value[earlier[-1] if earlier else listed[0]])


MAX_CAPEX_CNY = 1.0e12
"""Plausibility bound on one project's capex, CNY (10^12 = 1,000 billion CNY, more than
the largest single industrial investments). A larger number is almost always a unit
slip, and it would sit next to capex of 10^4..10^9 CNY in one budget row, a spread the
solver cannot resolve reliably (HiGHS refuses coefficients of 10^15 outright)."""


class PollutantDef(StrictModel):
    """One pollutant of the registry (built-in, overridden or declared by the scenario).

    `pe_kg` is the Environmental Protection Tax Law pollution-equivalent value: kg of the
    pollutant per pollution equivalent. A pollutant without it (solid waste, a VOC mass
    total) is tracked and may be capped but adds nothing to pollution equivalents.
    """

    medium: Literal["air", "water", "solid", "other"]
    pe_kg: float | None = Field(default=None, gt=0)
    tax_rate: float | None = Field(default=None, ge=0)
    name: str | None = None
    source: str | None = None


class PollutantOverride(StrictModel):
    """A scenario's change to a built-in pollutant, or a new pollutant (then `medium` is
    required). Fields left out keep the registry's values."""

    medium: Literal["air", "water", "solid", "other"] | None = None
    pe_kg: float | None = Field(default=None, gt=0)
    tax_rate: float | None = Field(default=None, ge=0)
    name: str | None = None
    source: str | None = None


class CarrierDef(StrictModel):
    """One energy carrier: its unit, tce and CO2 factors and (assumed) price.

    `tce_per_unit` is the GB/T 2589 equivalent-value coefficient (tonnes of standard coal
    per carrier unit); `tce_per_unit_equal_value` the equal-value one (electricity only).
    """

    unit: str
    tce_per_unit: float = Field(ge=0)
    tce_per_unit_equal_value: float | None = Field(default=None, ge=0)
    co2_t_per_unit: float = Field(default=0.0, ge=0)
    price: float | None = Field(default=None, ge=0)
    source: str | None = None


class CarrierOverride(StrictModel):
    """A scenario's change to a built-in carrier, or a new carrier (then `unit` and
    `tce_per_unit` are required). Fields left out keep the registry's values."""

    unit: str | None = None
    tce_per_unit: float | None = Field(default=None, ge=0)
    tce_per_unit_equal_value: float | None = Field(default=None, ge=0)
    co2_t_per_unit: float | None = Field(default=None, ge=0)
    price: float | None = Field(default=None, ge=0)
    source: str | None = None


class Horizon(StrictModel):
    """Planning years, inclusive. One year (start == end) is the single-year model."""

    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))


class Baseline(StrictModel):
    """What an enterprise emits (t/yr) and uses (carrier units/yr) before any project."""

    emissions: dict[str, float] = Field(default_factory=dict)
    energy: dict[str, float] = Field(default_factory=dict)


class Enterprise(StrictModel):
    id: str = Field(min_length=1)
    name: str | None = None
    sector: Sector = "other"  # type: ignore[valid-type]
    baseline: Baseline = Field(default_factory=Baseline)
    permit: dict[str, YearValue] = Field(default_factory=dict)
    """Emission-permit caps, t/yr, by pollutant (may tighten by year)."""
    source: str | None = None
    """Where the enterprise's figures come from (free text)."""
    output_value: float | None = Field(default=None, gt=0)
    """Industrial output value, 10^4 CNY/yr (for pollution and energy intensity)."""
    value_added: float | None = Field(default=None, gt=0)
    """Industrial value added, 10^4 CNY/yr (for the HJ 274-2015 park indicators)."""
    energy_quota_tce: float | None = Field(default=None, gt=0)
    """Energy quota from the unit-product consumption standard, tce/yr (audit criterion 2)."""
    toxic: bool | None = None
    """Uses or emits toxic/hazardous substances (audit criterion 3); None = judge from the
    pollutants it emits (water class I heavy metals, hazardous waste)."""
    cp_index: str | None = None
    """Cleaner-production evaluation index system that applies, e.g. 'electroplating'."""
    indicators: dict[str, float] = Field(default_factory=dict)
    """Current values of that system's indicators (units as in the index table)."""


class ParkRow(StrictModel):
    """The park's own row: emissions/energy of existing shared facilities, if any."""

    baseline: Baseline = Field(default_factory=Baseline)
    permit: dict[str, YearValue] = Field(default_factory=dict)


class Project(StrictModel):
    id: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    name: str | None = None
    category: str | None = None
    capex: float = Field(ge=0)
    opex_change: float = 0.0
    lifetime: int = Field(default=10, ge=1)
    lead_time: int = Field(default=0, ge=0)
    reduces: dict[str, float] = Field(default_factory=dict)
    """t/yr removed from the owner's emissions; negative = an increase (cross-media)."""
    saves: dict[str, float] = Field(default_factory=dict)
    """carrier units/yr saved by the owner; negative = more use."""
    exclusive_group: str | None = None
    requires: list[str] = Field(default_factory=list)
    serves: dict[str, float] = Field(default_factory=dict)
    """Capacity used of each named shared facility (in that facility's capacity unit)."""
    capacity: float | None = Field(default=None, ge=0)
    """Only on shared facilities: the capacity that connected projects may use."""
    divisible: bool = False
    source: str | None = None
    rule: str | None = None
    """How a generated project's numbers were obtained (free text, docs/directory.md)."""
    indicators: dict[str, float] = Field(default_factory=dict)
    """New values of the owner's CP evaluation indicators once the project is done."""

    @field_validator("capex")
    @classmethod
    def _plausible_capex(cls, capex: float) -> float:
        if capex > MAX_CAPEX_CNY:
            raise ValueError(
                f"{capex:g} CNY is above the plausibility bound of {MAX_CAPEX_CNY:g} CNY "
                "for one project (is the unit CNY, not 10^4 CNY?)"
            )
        return capex


class Subsidy(StrictModel):
    """Public co-funding of projects by category (e.g. 20-50 % for park 'green island'
    facilities, docs/finance.md section 5)."""

    rates: dict[str, float] = Field(default_factory=dict)
    """Share of capex paid from public money, by project `category` (0..1)."""
    caps: dict[str, float] = Field(default_factory=dict)
    """Largest subsidy for one project of the category, CNY."""
    public_total: float | None = Field(default=None, ge=0)
    """Public budget for subsidies, CNY (None = no limit)."""


class Budget(StrictModel):
    total: float | None = Field(default=None, ge=0)
    """Money for capex, CNY: net of subsidies when `subsidy` is set (enterprises' own)."""
    per_year: dict[int, float] = Field(default_factory=dict)
    """Money for capex started in each year, CNY (multi-year horizons)."""
    carry_over: bool = False
    """Unspent money of a year may be spent in later years."""
    subsidy: Subsidy = Field(default_factory=Subsidy)


class CostClasses(StrictModel):
    """Option classes by capex (CNY): no/low-cost up to `low_max`, medium up to
    `medium_max`, high above. No national thresholds exist: set yours."""

    low_max: float = Field(default=100_000.0, ge=0)
    medium_max: float = Field(default=5_000_000.0, ge=0)


class Screening(StrictModel):
    """Acceptance rules of the feasibility analysis (docs/finance.md); a project failing an
    active rule is not offered to the optimiser."""

    payback: bool = False
    npv: bool = False
    irr: bool = False
    payback_ceiling: dict[Literal["no_low", "medium", "high"], float] = Field(
        default_factory=lambda: {"medium": 3.0, "high": 10.0}
    )
    """Largest simple payback by class, years (CP-audit acceptance rules: medium < 2-3,
    high < 10; docs/finance.md)."""


class Finance(StrictModel):
    """Feasibility-analysis settings (docs/finance.md)."""

    income_tax_rate: float = Field(default=0.25, ge=0, lt=1)
    benchmark_rate: float | None = Field(default=None, ge=0, lt=1)
    """Rate for NPV and the IRR hurdle; default: the scenario's discount_rate."""
    env_tax_saving: bool = True
    """Count environmental protection tax avoided in the annual saving."""
    surplus_rights: Literal["none", "lease", "transfer"] = "none"
    """Count the value of surplus emission rights in the annual saving: as an annual
    lease, or the one-off transfer value spread over the lifetime."""
    classes: CostClasses = Field(default_factory=CostClasses)
    screening: Screening = Field(default_factory=Screening)
    implement_no_low_cost: bool = False
    """Privately profitable no/low-cost options are done at once, outside the budget."""


class RightPrice(StrictModel):
    transfer: float | None = Field(default=None, ge=0)
    """One-off transfer price of an emission right, CNY per t."""
    lease: float | None = Field(default=None, ge=0)
    """Annual lease (paid-use) price, CNY per t per year."""


class Trading(StrictModel):
    prices: dict[str, RightPrice] = Field(default_factory=dict)
    """Emission-right prices by pollutant; built-in defaults from
    model/reference/emission_rights.csv."""


class Targets(StrictModel):
    park_caps: dict[str, YearValue] = Field(default_factory=dict)
    """Park-wide caps on emissions after projects, t/yr, by pollutant (may tighten)."""
    reduction: dict[str, YearValue] = Field(default_factory=dict)
    """Minimum fraction (0..1] of the park's baseline of a pollutant to be removed."""
    energy_cap_tce: YearValue | None = None
    energy_reduction: YearValue | None = None
    """Minimum fraction of the park's baseline energy (tce) to be saved."""
    permits: Literal["hard", "soft", "off"] = "hard"
    permit_penalty: float = Field(default=1.0e6, gt=0)
    """Soft permits: objective units charged per tonne over a permit."""


class Objective(StrictModel):
    minimize: Literal["weighted", "pollution", "energy", "cost"] = "weighted"
    weights: dict[Literal["pollution", "energy"], float] = Field(
        default_factory=lambda: {"pollution": 1.0, "energy": 1.0}
    )
    """Weights of pollution equivalents and of tce in the weighted objective."""
    energy_basis: Literal["equivalent", "equal_value"] = "equivalent"
    horizon: Literal["total", "final"] = "total"
    """Multi-year: count pollution and energy summed over the horizon (discounted at
    `discount_rate`, so earlier is worth more) or in the final year only."""


class Scenario(StrictModel):
    """A fully merged, validated scenario (after `extends:` and overrides were applied)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str | None = None
    horizon: Horizon
    discount_rate: float = Field(default=0.08, ge=0, lt=1)
    pollutants: dict[str, PollutantOverride] = Field(default_factory=dict)
    carriers: dict[str, CarrierOverride] = Field(default_factory=dict)
    enterprises: list[Enterprise] = Field(min_length=1)
    park: ParkRow = Field(default_factory=ParkRow)
    projects: list[Project] = Field(default_factory=list)
    budget: Budget = Field(default_factory=Budget)
    targets: Targets = Field(default_factory=Targets)
    objective: Objective = Field(default_factory=Objective)
    solver: SolverOptions = Field(default_factory=SolverOptions)
    study: Study = Field(default_factory=Study)
    finance: Finance = Field(default_factory=Finance)
    trading: Trading = Field(default_factory=Trading)
    analysis: Analysis = Field(default_factory=Analysis)

    @field_validator("name")
    @classmethod
    def _folder_name(cls, name: str) -> str:
        """The name is the results folder `<out>/<name>/` (rules: model/input/text_rules.py)."""
        problem = folder_name_problem(name)
        if problem:
            raise ValueError(problem)
        return name
