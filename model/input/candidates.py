"""Candidate projects generated from the technology directory for an inventory.

`generate_candidates` applies every directory entry to every enterprise of a scenario
(docs/directory.md, "From an entry to a project"): which options apply, the project's
identity, its effects, cost and operating-cost change at the chosen end of their ranges,
and then one park facility per facility that a generated connection requires, sized to
the sum of what its connections use. Each project carries a `source` text (the entry's
public sources) and a `rule` text (how its numbers were obtained), and every generated
quantity keeps its low..high range in `CandidateSet.ranges` (the `uncertainty:` feed).

`DirectoryRequest` is the `projects: {directory: {...}}` section of a scenario (and what
`parkcp candidates` reads): which enterprises and options, size thresholds, and which end
of the ranges to use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from model.input.candidate_rules import (
    Spread,
    applies,
    basis_value,
    capex_spread,
    effects,
    exact,
    opex_spread,
    sig6,
    sig6_up,
    spread,
)
from model.input.ranges import Range
from model.input.run_options import StrictModel
from model.input.schema import PARK_ID, Enterprise, Sector
from model.input.technology_option import TechnologyOption

__all__ = ["CandidateSet", "DirectoryRequest", "generate_candidates", "FACILITY_PREFIX"]

FACILITY_PREFIX = "PARK"
"""Generated facility ids are `PARK-<suffix>`."""

SOURCE_GROUPS = ("effect", "cost", "opex", "lifetime", "cross_media", "capacity")
"""Order of the entry's source texts in a generated row's `source`."""


class DirectoryRequest(StrictModel):
    """`projects: {directory: {...}}`: which candidates to generate, and how.

    `sectors` / `enterprises`: only enterprises of these sectors / with these ids;
    `options` / `exclude`: only / not these directory ids (a facility is generated
    whenever a generated connection needs it); `min_output_value` (10^4 CNY/yr) and
    `min_energy_tce` (tce/yr, GB/T 2589 equivalent value): only enterprises at least this
    large (one without an output value is left out by `min_output_value`); `range`: which
    end of every generated quantity's range becomes the project's figure; `file`: a
    directory YAML to use instead of the shipped one (relative to the scenario file)."""

    sectors: list[Sector] | None = None  # type: ignore[valid-type]
    enterprises: list[str] | None = None
    options: list[str] | None = None
    exclude: list[str] = Field(default_factory=list)
    min_output_value: float | None = Field(default=None, ge=0)
    min_energy_tce: float | None = Field(default=None, ge=0)
    range: Literal["low", "central", "high"] = "central"
    file: str | None = None


@dataclass
class CandidateSet:
    """Generated projects (rows in the schema's nesting plus `source` and `rule`), the
    directory id behind each, and the range of every generated quantity by project id
    and quantity name (`capex`, `opex_change`, `capacity`, `reduces.<p>`, `saves.<c>`,
    `serves.<facility>`)."""

    projects: list[dict] = field(default_factory=list)
    option_of: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, dict[str, Spread]] = field(default_factory=dict)

    def range_rows(self) -> list[dict]:
        """One row per (project, quantity): project, option, quantity, low, central, high."""
        return [
            {
                "project": project,
                "option": self.option_of[project],
                "quantity": quantity,
                "low": sig6(value.low),
                "central": sig6(value.central),
                "high": sig6(value.high),
            }
            for project, quantities in self.ranges.items()
            for quantity, value in quantities.items()
        ]


def _source(option: TechnologyOption) -> str:
    texts = option.sources.model_dump()
    parts = [
        f"{group}: {' '.join(texts[group].split())}" for group in SOURCE_GROUPS if texts[group]
    ]
    return f"directory {option.id}: " + " | ".join(parts)


def _rule(option: TechnologyOption, size: float, unit: str, capex: float) -> str:
    cost = option.cost
    fixed = f"{cost.fixed.central:g} + " if cost.fixed.central else ""
    return (
        f"{option.id} | basis {cost.basis} = {size:.6g} {unit} | capex = {fixed}"
        f"{cost.reference_capex.central:g} x ({size:.6g}/{cost.reference_size:g})"
        f"^{cost.exponent.central:g} = {capex:.6g} CNY"
    )


def _unit(expr: str, carrier_units: Mapping[str, str]) -> str:
    kind, _, name = expr.partition(".")
    if expr == "output_value":
        return "10^4 CNY/yr"
    if kind == "energy":
        return f"{carrier_units.get(name, '')}/yr"
    return "t/yr"


def _energy_tce(enterprise: Enterprise, tce_per_unit: Mapping[str, float]) -> float:
    return sum(q * tce_per_unit.get(c, 0.0) for c, q in enterprise.baseline.energy.items())


def _enterprises(
    enterprises: Sequence[Enterprise], request: DirectoryRequest, tce: Mapping[str, float]
) -> list[Enterprise]:
    """The enterprises the request covers, in inventory order."""
    chosen = []
    for enterprise in enterprises:
        if request.sectors is not None and enterprise.sector not in request.sectors:
            continue
        if request.enterprises is not None and enterprise.id not in request.enterprises:
            continue
        if request.min_output_value is not None and (
            enterprise.output_value is None or enterprise.output_value < request.min_output_value
        ):
            continue
        if request.min_energy_tce is not None and _energy_tce(enterprise, tce) < (
            request.min_energy_tce
        ):
            continue
        chosen.append(enterprise)
    return chosen


def _wanted(option: TechnologyOption, request: DirectoryRequest) -> bool:
    if option.id in request.exclude:
        return False
    return request.options is None or option.id in request.options


def _generated_options(
    enterprise: Enterprise,
    directory: Sequence[TechnologyOption],
    by_id: Mapping[str, TechnologyOption],
    request: DirectoryRequest,
    media: Mapping[str, str],
) -> list[TechnologyOption]:
    """Options that apply to the enterprise, are wanted, do something there (some
    reduction or saving > 0) and whose non-facility prerequisites are generated too."""
    kept: dict[str, TechnologyOption] = {}
    for option in directory:
        if not (_wanted(option, request) and applies(option, enterprise, by_id)):
            continue
        reduces, saves = effects(option, enterprise, media)
        if any(v.central > 0 for v in (*reduces.values(), *saves.values())):
            kept[option.id] = option
    changed = True
    while changed:  # drop options whose prerequisite was dropped, until none is
        changed = False
        for ident, option in list(kept.items()):
            needs = [n for n in option.requires if by_id[n].role != "facility"]
            if any(n not in kept for n in needs) or any(
                by_id[n].role == "facility" and n in request.exclude for n in option.requires
            ):
                del kept[ident]
                changed = True
    return list(kept.values())


def _project_id(owner: str, option: TechnologyOption) -> str:
    return f"{owner}-{option.suffix}"


def _enterprise_project(
    option: TechnologyOption,
    enterprise: Enterprise,
    by_id: Mapping[str, TechnologyOption],
    end: str,
    media: Mapping[str, str],
    carrier_units: Mapping[str, str],
) -> tuple[dict, dict[str, Spread]]:
    """One generated project row of an enterprise option, and its quantity ranges."""
    size = basis_value(option.cost.basis, enterprise, option) or 0.0
    capex = capex_spread(option, exact(size))
    quantities: dict[str, Spread] = {
        "capex": capex,
        "opex_change": opex_spread(option, exact(size), capex),
    }
    reduces, saves = effects(option, enterprise, media)
    quantities.update({f"reduces.{k}": v for k, v in reduces.items()})
    quantities.update({f"saves.{k}": v for k, v in saves.items()})
    requires = [
        f"{FACILITY_PREFIX}-{by_id[n].suffix}"
        if by_id[n].role == "facility"
        else _project_id(enterprise.id, by_id[n])
        for n in option.requires
    ]
    serves: dict[str, float] = {}
    if option.serves is not None:
        per = basis_value(option.serves.per, enterprise, option) or 0.0
        use = spread(lambda v, q=per: v * q, [option.serves.value])
        facility = next(r for r in requires if r.startswith(f"{FACILITY_PREFIX}-"))
        quantities[f"serves.{facility}"] = use
        serves[facility] = sig6(use.pick(end))
    row = {
        "id": _project_id(enterprise.id, option),
        "owner": enterprise.id,
        "name": option.name,
        "category": option.category,
        "capex": sig6(capex.pick(end)),
        "opex_change": sig6(quantities["opex_change"].pick(end)),
        "lifetime": option.lifetime,
        "lead_time": option.lead_time,
        "divisible": False,
        "reduces": {k: sig6(v.pick(end)) for k, v in reduces.items()},
        "saves": {k: sig6(v.pick(end)) for k, v in saves.items()},
        "serves": serves,
        "requires": requires,
        "source": _source(option),
        "rule": _rule(option, size, _unit(option.cost.basis, carrier_units), capex.central),
    }
    if option.exclusive_group:
        row["exclusive_group"] = f"{enterprise.id}-{option.exclusive_group}"
    return row, quantities


def _facility_project(
    facility: TechnologyOption, uses: list[Spread], picked: list[float], end: str
) -> tuple[dict, dict[str, Spread]]:
    """The park project of a facility sized to its connections' use: capacity =
    design_share x the sum of their use (the picked values for the row, the ranges' ends
    for the range), rounded up so every connection fits."""
    assert facility.capacity is not None
    share = facility.capacity.design_share
    total = Range(
        low=sum(u.low for u in uses),
        central=sum(u.central for u in uses),
        high=sum(u.high for u in uses),
    )
    capacity = spread(lambda s, t: s * t, [share, total])
    size = sig6_up(getattr(share, end) * sum(picked))
    capacity_range = Range(low=capacity.low, central=capacity.central, high=capacity.high)
    capex = capex_spread(facility, capacity_range)
    quantities: dict[str, Spread] = {
        "capacity": capacity,
        "capex": capex,
        "opex_change": opex_spread(facility, capacity_range, capex),
    }
    row_capex = capex_spread(facility, exact(size))
    row_opex = opex_spread(facility, exact(size), row_capex)
    reduces: dict[str, float] = {}
    for pollutant, amount in facility.adds.items():
        quantity = spread(lambda v, c: -v * c, [amount.value, capacity_range])
        quantities[f"reduces.{pollutant}"] = quantity
        reduces[pollutant] = sig6(spread(lambda v: -v * size, [amount.value]).pick(end))
    saves: dict[str, float] = {}
    for carrier, amount in facility.uses.items():
        quantity = spread(lambda v, c: -v * c, [amount.value, capacity_range])
        quantities[f"saves.{carrier}"] = quantity
        saves[carrier] = sig6(spread(lambda v: -v * size, [amount.value]).pick(end))
    row = {
        "id": f"{FACILITY_PREFIX}-{facility.suffix}",
        "owner": PARK_ID,
        "name": facility.name,
        "category": facility.category,
        "capex": sig6(row_capex.pick(end)),
        "opex_change": sig6(row_opex.pick(end)),
        "lifetime": facility.lifetime,
        "lead_time": facility.lead_time,
        "divisible": False,
        "capacity": size,
        "reduces": reduces,
        "saves": saves,
        "source": _source(facility),
        "rule": _rule(facility, size, facility.capacity.unit, capex.central),
    }
    return row, quantities


def generate_candidates(
    enterprises: Sequence[Enterprise],
    directory: Sequence[TechnologyOption],
    request: DirectoryRequest,
    media: Mapping[str, str],
    carrier_units: Mapping[str, str],
    tce_per_unit: Mapping[str, float],
) -> CandidateSet:
    """Every candidate the directory gives the inventory (docs/directory.md): enterprise
    options in inventory order and directory order, then the facilities their
    connections need. `media`: pollutant id -> medium of the scenario's registry;
    `carrier_units`, `tce_per_unit`: the registry's carriers."""
    by_id = {option.id: option for option in directory}
    end = request.range
    result = CandidateSet()
    connected: dict[str, tuple[list[Spread], list[float]]] = {}
    for enterprise in _enterprises(enterprises, request, tce_per_unit):
        for option in _generated_options(enterprise, directory, by_id, request, media):
            row, quantities = _enterprise_project(
                option, enterprise, by_id, end, media, carrier_units
            )
            result.projects.append(row)
            result.option_of[row["id"]] = option.id
            result.ranges[row["id"]] = quantities
            for facility_id, use in row["serves"].items():
                uses, picked = connected.setdefault(facility_id, ([], []))
                uses.append(quantities[f"serves.{facility_id}"])
                picked.append(use)
    facilities = {f"{FACILITY_PREFIX}-{o.suffix}": o for o in directory if o.role == "facility"}
    for facility_id, (uses, picked) in connected.items():
        row, quantities = _facility_project(facilities[facility_id], uses, picked, end)
        result.projects.append(row)
        result.option_of[row["id"]] = facilities[facility_id].id
        result.ranges[row["id"]] = quantities
    return result
