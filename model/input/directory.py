"""The technology directory: known cleaner-production options per key industry.

`model/reference/technologies.yaml` lists one entry per option and sector. Each entry says
where the option applies (sector, baseline pollutants and carriers that must be present,
minimum size), what it does as fractions of an enterprise's baseline (`removes`, `saves`)
plus amounts tied to a basis quantity (`adds`, `uses`), what it costs as a function of a
basis quantity, and where every figure comes from. docs/directory.md states the rules a
generator applies to turn an entry into a project for one enterprise; this module only
reads and validates the data.

Figures. Every uncertain figure may be written as a number or as `{low, central, high}`;
either way it is held as a `Range` (a number x becomes low = central = high = x).

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
basis + capex_fraction * capex (CNY/yr, negative = saving, energy excluded).

`load_directory()` raises `DirectoryError` with one line
"technologies.yaml: [12] (id x.y).cost.exponent: must be > 0" (list index from 0).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from model.errors import DirectoryError
from model.input.reference import REFERENCE_DIR
from model.input.schema import KEY_INDUSTRIES

__all__ = [
    "CATEGORIES",
    "CROSS_SECTOR",
    "DECLARED_POLLUTANTS",
    "DIRECTORY_PATH",
    "DirectoryError",
    "PARK_SECTOR",
    "POLLUTANT_GROUPS",
    "Range",
    "TechnologyOption",
    "builtin_carrier_ids",
    "builtin_pollutant_media",
    "load_directory",
]

DIRECTORY_PATH = REFERENCE_DIR / "technologies.yaml"

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


@cache
def builtin_pollutant_media() -> dict[str, str]:
    """{pollutant id: medium} of model/reference/pollutants.csv."""
    with open(REFERENCE_DIR / "pollutants.csv", newline="", encoding="utf-8") as handle:
        return {row["id"]: row["medium"] for row in csv.DictReader(handle)}


@cache
def builtin_carrier_ids() -> dict[str, str]:
    """{carrier id: unit} of model/reference/carriers.csv."""
    with open(REFERENCE_DIR / "carriers.csv", newline="", encoding="utf-8") as handle:
        return {row["id"]: row["unit"] for row in csv.DictReader(handle)}


def known_pollutants() -> dict[str, str]:
    """Built-in pollutants plus the ones options may use if a scenario declares them."""
    return {**builtin_pollutant_media(), **DECLARED_POLLUTANTS}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(Strict):
    """An uncertain figure: low <= central <= high (all finite)."""

    low: float
    central: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not all(math.isfinite(v) for v in (self.low, self.central, self.high)):
            raise ValueError("low, central and high must be finite numbers")
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"needs low <= central <= high (got {self.low:g}, {self.central:g}, {self.high:g})"
            )
        return self

    @property
    def is_range(self) -> bool:
        """True when low and high differ (an uncertain figure)."""
        return self.low != self.high


def _to_range(value: Any) -> Any:
    """A plain number becomes the range x..x; a mapping is left to `Range`."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return {"low": value, "central": value, "high": value}
    return value


def _within(lo: float | None, hi: float | None, lo_open: bool = False):
    """Validator: every bound of the range lies in [lo, hi] (or (lo, hi] if lo_open)."""

    def check(figure: Range) -> Range:
        for value in (figure.low, figure.high):
            if lo is not None and (value <= lo if lo_open else value < lo):
                raise ValueError(f"must be {'>' if lo_open else '>='} {lo:g} (got {value:g})")
            if hi is not None and value > hi:
                raise ValueError(f"must be <= {hi:g} (got {value:g})")
        return figure

    return check


Figure = Annotated[Range, BeforeValidator(_to_range)]
Fraction01 = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, 1.0))]
Fraction11 = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(-1.0, 1.0))]
NonNegative = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, None))]
Positive = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, None, True))]
Exponent = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, 2.0, True))]


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


def _message(error: dict[str, Any]) -> tuple[tuple[Any, ...], str]:
    """(location, message) of one pydantic error in the directory's words."""
    loc = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error" and msg.startswith("@"):
        _, path, text = msg.split("@", 2)
        return (*loc, *path.split(".")), text
    limits = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in limits:
        limit = next(iter(context.values()), "")
        return loc, f"must be {limits[kind]} {limit}"
    if kind == "extra_forbidden":
        return loc, f"unknown key '{loc[-1]}'"
    if kind == "string_too_short":
        return loc, "must not be empty"
    if kind == "missing":
        return loc, "missing required key"
    if kind == "literal_error":
        return loc, f"{error.get('input')!r} is not one of {context.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return loc, f"{error.get('input')!r}: use lower-case letters, digits and '_'"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return loc, f"not a number of the right kind: {error.get('input')!r}"
    # a Range error: drop the union/validator noise from the location
    loc = tuple(part for part in loc if not str(part).startswith("function-"))
    return loc, msg


def _path(index: int, ident: Any, loc: Iterable[Any]) -> str:
    """ "[12] (id x.y).cost.exponent": list positions as [n], keys joined by dots."""
    text = f"[{index}]" + (f" (id {ident})" if isinstance(ident, str) and ident else "")
    for part in loc:
        is_position = isinstance(part, int) or (isinstance(part, str) and part.isdigit())
        text += f"[{part}]" if is_position else f".{part}"
    return text


def load_directory(path: str | Path | None = None) -> list[TechnologyOption]:
    """Read and validate the technology directory (default: the shipped YAML).

    Checks each entry (keys, units, ranges, ids of pollutants and carriers against the
    built-in registry) and then the entries together: ids unique, the generated project
    id suffix unique among the options one enterprise can receive, every `requires`
    names an existing option (a connection names exactly one facility, and only a
    connection names one; every facility is named by a connection), no option of an
    exclusive group is a prerequisite of another member of that group, and every member
    of an exclusive group shares a sector with another member.
    """
    source = Path(path) if path is not None else DIRECTORY_PATH
    shown = source.name
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DirectoryError(shown, "", f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise DirectoryError(shown, "", f"not valid YAML{where}") from None
    if not isinstance(data, list) or not data:
        raise DirectoryError(shown, "", "must be a non-empty list of options")
    options: list[TechnologyOption] = []
    for index, entry in enumerate(data):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            raise DirectoryError(shown, _path(index, None, ()), "must be a mapping")
        try:
            options.append(TechnologyOption.model_validate(entry))
        except ValidationError as exc:
            loc, message = _message(exc.errors()[0])
            raise DirectoryError(shown, _path(index, ident, loc), message) from None
    _check_together(options, shown)
    return options


def _check_together(options: list[TechnologyOption], shown: str) -> None:
    """Cross-entry rules of `load_directory`; raises the first violation."""

    def fail(index: int, loc: str, message: str) -> DirectoryError:
        parts = re.findall(r"[^.\[\]]+", loc)
        return DirectoryError(shown, _path(index, options[index].id, parts), message)

    by_id: dict[str, int] = {}
    for index, option in enumerate(options):
        if option.id in by_id:
            raise fail(index, "id", f"duplicate id (also entry [{by_id[option.id]}])")
        by_id[option.id] = index
    # one enterprise receives options of its sector and cross-sector options that list it
    for sector in KEY_INDUSTRIES:
        seen: dict[str, int] = {}
        for index, option in enumerate(options):
            listed = option.applies_when.sectors or [option.sector]
            if option.role == "facility" or sector not in listed:
                continue
            if option.suffix in seen:
                other = options[seen[option.suffix]].id
                raise fail(
                    index,
                    "id",
                    f"suffix '{option.suffix}' also used by {other} "
                    f"(both can land on a {sector} enterprise)",
                )
            seen[option.suffix] = index
    required_facilities: dict[str, int] = {}
    for index, option in enumerate(options):
        facilities = []
        for position, needed in enumerate(option.requires):
            if needed not in by_id:
                raise fail(index, f"requires[{position}]", f"unknown option '{needed}'")
            target = options[by_id[needed]]
            if needed == option.id:
                raise fail(index, f"requires[{position}]", "an option cannot require itself")
            if target.role == "facility":
                facilities.append(needed)
                continue
            listed = set(option.applies_when.sectors or [option.sector])
            reach = set(target.applies_when.sectors or [target.sector])
            if not listed <= reach:
                raise fail(
                    index,
                    f"requires[{position}]",
                    f"'{needed}' does not apply to every sector this option applies to",
                )
            if option.exclusive_group and option.exclusive_group == target.exclusive_group:
                raise fail(
                    index, f"requires[{position}]", f"'{needed}' is in the same exclusive group"
                )
        if option.role == "connection" and len(facilities) != 1:
            raise fail(index, "requires", "a connection requires exactly one facility")
        if option.role != "connection" and facilities:
            raise fail(index, "requires", "only a connection may require a facility")
        for facility in facilities:
            required_facilities.setdefault(facility, index)
    for index, option in enumerate(options):
        if option.role == "facility" and option.id not in required_facilities:
            raise fail(index, "", "no connection requires this facility")
    # an exclusive group names alternatives: each member must meet another on some sector
    for index, option in enumerate(options):
        if not option.exclusive_group:
            continue
        mine = set(option.applies_when.sectors or [option.sector])
        partners = [
            other
            for other in options
            if other is not option
            and other.exclusive_group == option.exclusive_group
            and mine & set(other.applies_when.sectors or [other.sector])
        ]
        if not partners:
            raise fail(
                index,
                "exclusive_group",
                f"no other option of group '{option.exclusive_group}' applies to its sectors",
            )
