"""One entry of the technology directory (`TechnologyOption`) and the names it may use.

Each entry says where the option applies (sector, baseline pollutants and carriers that
must be present, minimum size), what it does as fractions of an enterprise's baseline
(`removes`, `saves`) plus amounts tied to a basis quantity (`adds`, `uses`), what it
costs as a function of a basis quantity, and where every figure comes from
(docs/directory.md lists every key with its unit).

Basis quantities (the `basis` of a cost rule and the `per` of an `adds`/`uses`/`serves`
amount), all per enterprise and year:

* `emissions.<pollutant>`: the baseline emission, t/yr (for `wastewater`, t/yr = m3/yr);
* `energy.<carrier>`: the baseline use, in the carrier's unit per year (carriers.csv);
* `output_value`: the enterprise's industrial output value, 10^4 CNY/yr;
* `removed.<pollutant>`: what this option removes of that pollutant, t/yr (only in `per`,
  and only for a pollutant listed by name in the option's `removes`);
* `saved.<carrier>`: what this option saves of that carrier through `saves`, unit/yr (only
  in `per`, and only for a carrier listed in the option's `saves`);
* `capacity`: a park facility's capacity, in its `capacity.unit` (facilities only).

Capital cost: capex = fixed + reference_capex * (basis / reference_size) ** exponent (CNY);
exponent 0.6 is the six-tenths rule. Operating cost change: opex = fixed + per_basis *
basis + capex_fraction * capex (CNY/yr, negative = saving, energy excluded). Uncertain
figures are `Range`s (model/input/ranges.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from model.input.ranges import (
    Exponent,
    Figure,
    Fraction01,
    Fraction11,
    NonNegative,
    Positive,
    Range,
    Strict,
)
from model.input.reference import builtin_carrier_ids, builtin_pollutant_media
from model.input.schema import KEY_INDUSTRIES

CROSS_SECTOR = "cross_sector"
"""Sector of an option that applies to several key industries (`applies_when.sectors`)."""
PARK_SECTOR = "park"
"""Sector of a park-level shared facility (owned by the park row)."""

DECLARED_POLLUTANTS: dict[str, str] = {"VOCs": "air", "wastewater": "water"}
"""Pollutants the built-in registry lacks but options may use, with their medium. A
scenario that generates such options must declare them under `pollutants:` (as
scenarios/demo_park.yaml does: VOCs total mass in t/yr, wastewater in t/yr = m3/yr)."""

CATEGORIES: tuple[str, ...] = (
    "carbon_regeneration_centre",
    "central_heating",
    "central_wastewater_treatment",
    "coating_centre",
    "end_of_pipe",
    "energy_efficiency",
    "facility_connection",
    "fuel_switch",
    "management",
    "process_improvement",
    "resource_recovery",
    "source_substitution",
    "voc_source_substitution",
    "waste_heat_recovery",
    "waste_reduction",
    "water_saving",
)
"""Project categories (the subsidy-rate keys of `budget.subsidy.rates`), as used by the
demo park's projects table."""

VOC_SPECIES: tuple[str, ...] = (
    "VOCs",
    "benzene_air",
    "toluene_air",
    "xylene_air",
    "formaldehyde_air",
    "acetaldehyde",
    "acrolein",
    "methanol",
    "phenols",
    "anilines_air",
    "chlorobenzenes",
    "nitrobenzene",
    "acrylonitrile_air",
    "vinyl_chloride",
    "styrene",
    "trimethylamine",
    "methyl_mercaptan",
    "dimethyl_sulfide",
    "dimethyl_disulfide",
)
HEAVY_METALS_WATER: tuple[str, ...] = (
    "Hg_water",
    "Cd_water",
    "Cr_total",
    "Cr6",
    "As_water",
    "Pb_water",
    "Ni_water",
    "Be_water",
    "Ag_water",
    "Cu_water",
    "Zn_water",
    "Mn_water",
)
POLLUTANT_GROUPS: dict[str, tuple[str, ...] | None] = {
    "group:voc": VOC_SPECIES,
    "group:heavy_metals_water": HEAVY_METALS_WATER,
    "group:water": None,
}
"""Keys of `removes` that stand for several pollutants: the named VOC species plus the
VOCs total; the water heavy metals; and (None = by medium) every pollutant of medium
water in the scenario's registry, including a declared `wastewater`. A pollutant named in
`removes` itself takes its own fraction instead of the group's."""

OptionClass = Literal["no_low", "medium", "high"]
Role = Literal["enterprise", "facility", "connection"]

_ID_PART = r"[a-z0-9_]+"


def known_pollutants() -> dict[str, str]:
    """Built-in pollutants plus the ones options may use if a scenario declares them."""
    return {**builtin_pollutant_media(), **DECLARED_POLLUTANTS}


def _basis_error(expr: str, allowed: Iterable[str]) -> str | None:
    """Why `expr` is not a basis quantity of one of the `allowed` kinds, or None."""
    kind, _, name = expr.partition(".")
    if expr in ("output_value", "capacity"):
        return None if expr in allowed else f"'{expr}' is not allowed here"
    if kind not in allowed or not name:
        shown = ", ".join(
            f"{k}.<id>" if k not in ("output_value", "capacity") else k for k in allowed
        )
        return f"'{expr}' is not a basis quantity here (use one of: {shown})"
    if kind in ("emissions", "removed") and name not in known_pollutants():
        return f"unknown pollutant '{name}' (not in model/reference/pollutants.csv)"
    if kind in ("energy", "saved") and name not in builtin_carrier_ids():
        return f"unknown carrier '{name}' (not in model/reference/carriers.csv)"
    return None


INVENTORY_BASES = ("emissions", "energy", "output_value")


class PerBasis(Strict):
    """An amount per unit of a basis quantity: `value` x basis(`per`) per year."""

    per: str
    value: Figure


class CapacityUse(Strict):
    """Capacity of the facility a connection uses, per unit of a basis quantity (> 0)."""

    per: str
    value: Positive


class Applicability(Strict):
    """Where an option applies. An enterprise qualifies when its sector is listed (or is
    the option's sector), every listed pollutant and carrier has a baseline > 0, and the
    cost basis quantity lies in [min_basis, max_basis]."""

    sectors: list[str] | None = None
    emissions: list[str] = Field(default_factory=list)
    energy: list[str] = Field(default_factory=list)
    min_basis: float = Field(default=0.0, ge=0)
    max_basis: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _ids(self) -> Applicability:
        checks = (
            ("sectors", self.sectors or [], KEY_INDUSTRIES, "sector"),
            ("emissions", self.emissions, known_pollutants(), "pollutant"),
            ("energy", self.energy, builtin_carrier_ids(), "carrier"),
        )
        for key, listed, known, what in checks:
            for position, name in enumerate(listed):
                if name not in known:
                    raise ValueError(f"@{key}.{position}@unknown {what} '{name}'")
        if self.max_basis is not None and self.max_basis <= self.min_basis:
            raise ValueError("@max_basis@must be > min_basis")
        return self


class CostRule(Strict):
    """capex = fixed + reference_capex * (basis / reference_size) ** exponent, CNY."""

    basis: str
    reference_size: float = Field(gt=0)
    reference_capex: NonNegative
    exponent: Exponent
    fixed: NonNegative = Field(default_factory=lambda: Range(low=0, central=0, high=0))


class OpexRule(Strict):
    """opex change = fixed + per_basis * basis + capex_fraction * capex, CNY/yr."""

    fixed: Figure = Field(default_factory=lambda: Range(low=0, central=0, high=0))
    per_basis: Figure = Field(default_factory=lambda: Range(low=0, central=0, high=0))
    capex_fraction: Fraction11 = Field(default_factory=lambda: Range(low=0, central=0, high=0))


class FacilityCapacity(Strict):
    """A facility's capacity = design_share x the sum of its connections' capacity use."""

    unit: str = Field(min_length=1)
    design_share: Positive


class Sources(Strict):
    """Public source of each figure group (title, publisher or standard number, URL), or
    "ASSUMPTION: ..." with the reasoning for a project's own estimate."""

    effect: str = Field(min_length=1)
    cost: str = Field(min_length=1)
    opex: str = Field(min_length=1)
    lifetime: str = Field(min_length=1)
    cross_media: str | None = Field(default=None, min_length=1)
    capacity: str | None = Field(default=None, min_length=1)


class TechnologyOption(Strict):
    """One option of the directory (see docs/directory.md for every key and its unit)."""

    id: str = Field(pattern=rf"^{_ID_PART}\.{_ID_PART}$")
    sector: str
    role: Role = "enterprise"
    name: str = Field(min_length=1)
    name_zh: str | None = None
    category: str
    option_class: OptionClass
    applies_when: Applicability = Field(default_factory=Applicability)
    removes: dict[str, Fraction01] = Field(default_factory=dict)
    saves: dict[str, Fraction11] = Field(default_factory=dict)
    adds: dict[str, PerBasis] = Field(default_factory=dict)
    uses: dict[str, PerBasis] = Field(default_factory=dict)
    serves: CapacityUse | None = None
    capacity: FacilityCapacity | None = None
    cost: CostRule
    opex_change: OpexRule = Field(default_factory=OpexRule)
    lifetime: int = Field(ge=1, le=60)
    lead_time: int = Field(ge=0, le=10)
    exclusive_group: str | None = Field(default=None, pattern=rf"^{_ID_PART}$")
    requires: list[str] = Field(default_factory=list)
    sources: Sources
    note: str | None = None

    @property
    def suffix(self) -> str:
        """The id without its sector prefix (the generated project id's second part)."""
        return self.id.split(".", 1)[1]

    @model_validator(mode="after")
    def _consistent(self) -> TechnologyOption:
        errors: list[tuple[str, str]] = []
        self._check_sector(errors)
        self._check_effect_keys(errors)
        self._check_bases(errors)
        self._check_role(errors)
        if errors:
            path, message = errors[0]
            raise ValueError(f"@{path}@{message}")
        return self

    def _check_sector(self, errors: list[tuple[str, str]]) -> None:
        prefix = self.id.split(".", 1)[0]
        allowed = (*KEY_INDUSTRIES, CROSS_SECTOR, PARK_SECTOR)
        if self.sector not in allowed:
            errors.append(("sector", f"unknown sector '{self.sector}'"))
            return
        if prefix != self.sector:
            errors.append(("id", f"must start with the sector: '{self.sector}.'"))
        if self.category not in CATEGORIES:
            errors.append(("category", f"unknown category '{self.category}'"))
        sectors = self.applies_when.sectors
        if self.sector == CROSS_SECTOR and not sectors:
            errors.append(("applies_when.sectors", "a cross_sector option must list sectors"))
        if self.sector in KEY_INDUSTRIES and sectors and self.sector not in sectors:
            errors.append(("applies_when.sectors", f"must include the sector '{self.sector}'"))

    def _check_effect_keys(self, errors: list[tuple[str, str]]) -> None:
        pollutants = known_pollutants()
        for key in self.removes:
            if key not in pollutants and key not in POLLUTANT_GROUPS:
                errors.append((f"removes.{key}", f"unknown pollutant or group '{key}'"))
        if "group:water" in self.removes and "group:heavy_metals_water" in self.removes:
            errors.append(("removes", "list group:water or group:heavy_metals_water, not both"))
        for key in self.adds:
            if key not in pollutants:
                errors.append((f"adds.{key}", f"unknown pollutant '{key}'"))
        for key in (*self.saves, *self.uses):
            if key not in builtin_carrier_ids():
                where = "saves" if key in self.saves else "uses"
                errors.append((f"{where}.{key}", f"unknown carrier '{key}'"))
        if self.adds and not self.sources.cross_media:
            errors.append(("sources.cross_media", "required when the option adds pollutants"))
        if self.uses and not self.sources.cross_media:
            errors.append(("sources.cross_media", "required when the option uses energy"))

    def _check_bases(self, errors: list[tuple[str, str]]) -> None:
        cost_kinds = ("capacity",) if self.role == "facility" else INVENTORY_BASES
        problem = _basis_error(self.cost.basis, cost_kinds)
        if problem:
            errors.append(("cost.basis", problem))
        per_kinds: tuple[str, ...] = (
            ("capacity",) if self.role == "facility" else (*INVENTORY_BASES, "removed", "saved")
        )
        amounts = [("adds", k, v.per) for k, v in self.adds.items()]
        amounts += [("uses", k, v.per) for k, v in self.uses.items()]
        if self.serves is not None:
            amounts.append(("serves", "", self.serves.per))
        for group, key, per in amounts:
            path = f"{group}.{key}.per" if key else f"{group}.per"
            problem = _basis_error(per, per_kinds)
            kind, _, name = per.partition(".")
            if not problem and kind == "removed" and name not in self.removes:
                problem = f"'{per}' needs '{name}' listed by name in removes"
            if not problem and kind == "saved" and name not in self.saves:
                problem = f"'{per}' needs '{name}' listed in saves"
            if problem:
                errors.append((path, problem))

    def _check_role(self, errors: list[tuple[str, str]]) -> None:
        facility = self.role == "facility"
        if facility != (self.sector == PARK_SECTOR):
            errors.append(("role", "a facility has sector 'park' and only a facility does"))
        if facility:
            if self.capacity is None:
                errors.append(("capacity", "a facility needs capacity: {unit, design_share}"))
            if self.sources.capacity is None:
                errors.append(("sources.capacity", "required for a facility"))
            if self.removes or self.saves:
                errors.append(("removes", "a facility acts through adds/uses per capacity"))
            if self.requires or self.serves is not None or self.exclusive_group:
                errors.append(("requires", "a facility has no requires/serves/exclusive_group"))
            if self.applies_when != Applicability():
                errors.append(("applies_when", "a facility has no applies_when"))
            return
        if self.capacity is not None:
            errors.append(("capacity", "only a facility has a capacity"))
        if (self.role == "connection") != (self.serves is not None):
            errors.append(("serves", "a connection, and only a connection, has serves"))
        if self.role == "connection" and self.sources.capacity is None:
            errors.append(("sources.capacity", "required for a connection"))
