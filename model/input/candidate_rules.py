"""The rules that turn one directory entry into numbers for one enterprise (docs/directory.md,
"From an entry to a project", steps 1, 3, 4 and 6).

Everything here is a pure function of a `TechnologyOption`, an `Enterprise` and the
pollutant media of the scenario's registry; `model/input/candidates.py` applies it to a
whole inventory and adds identities, facilities and the source and rule texts.

* A basis quantity B (`basis_value`): an enterprise's baseline emission of a pollutant,
  its baseline use of a carrier, its output value, or what the option itself removes or
  saves (central fraction x baseline).
* Applicability (`applies`): sector listed, every named pollutant and carrier present,
  B > 0 inside [min_basis, max_basis], every non-facility prerequisite applies too.
* Effects: reduces[p] = f_p b_p - a_p per(e), saves[c] = s_c q_c - u_c per(e), where f_p is
  the option's own fraction for p or that of the group containing p.
* Cost: capex = fixed + reference_capex (B / reference_size) ^ exponent;
  opex = fixed + per_basis B + capex_fraction capex.
* Ranges (`spread`): every quantity is a `Spread` (low, central, high) = the minimum, the
  value at the central figures, and the maximum of its formula over every combination of
  the low and high ends of the ranged figures it uses.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from model.input.ranges import Range
from model.input.schema import Enterprise
from model.input.technology_option import (
    HEAVY_METALS_WATER,
    VOC_SPECIES,
    TechnologyOption,
)

ZERO = Range(low=0.0, central=0.0, high=0.0)
"""A figure that is absent: exactly 0."""


@dataclass(frozen=True)
class Spread:
    """A generated quantity: its central value and its low..high range."""

    low: float
    central: float
    high: float

    def pick(self, end: str) -> float:
        """The value at `end` ('low', 'central' or 'high')."""
        return float(getattr(self, end))

    def scaled(self, factor: float) -> Spread:
        """The spread times a non-negative factor."""
        return Spread(self.low * factor, self.central * factor, self.high * factor)


def as_range(spread: Spread) -> Range:
    """A `Spread` used as a figure of a further formula (e.g. capex inside opex)."""
    return Range(low=spread.low, central=spread.central, high=spread.high)


def spread(formula: Callable[..., float], figures: Sequence[Range]) -> Spread:
    """`formula` at the central figures, and its min and max over every corner of the
    ranged figures (a figure with low == high is held at that value)."""
    central = formula(*(figure.central for figure in figures))
    ends = [(f.low, f.high) if f.is_range else (f.central,) for f in figures]
    values = [formula(*corner) for corner in itertools.product(*ends)]
    return Spread(min([*values, central]), central, max([*values, central]))


def basis_value(expr: str, enterprise: Enterprise, option: TechnologyOption) -> float | None:
    """The basis quantity `expr` at `enterprise` (docs/directory.md, "Basis quantities");
    None when it does not exist there (no output value)."""
    kind, _, name = expr.partition(".")
    emissions = enterprise.baseline.emissions
    energy = enterprise.baseline.energy
    if expr == "output_value":
        return enterprise.output_value
    if kind == "emissions":
        return float(emissions.get(name, 0.0))
    if kind == "energy":
        return float(energy.get(name, 0.0))
    if kind == "removed":
        return option.removes[name].central * float(emissions.get(name, 0.0))
    if kind == "saved":
        return option.saves[name].central * float(energy.get(name, 0.0))
    raise ValueError(f"not an enterprise basis quantity: {expr}")


def sector_matches(option: TechnologyOption, sector: str) -> bool:
    """Rule 1: the enterprise's sector is listed (or is the option's own sector)."""
    return sector in (option.applies_when.sectors or [option.sector])


def applies(
    option: TechnologyOption,
    enterprise: Enterprise,
    by_id: Mapping[str, TechnologyOption],
) -> bool:
    """Rules 1-4 of docs/directory.md step 1 (rule 5, the facility exists, holds for
    every validated directory)."""
    if option.role == "facility" or not sector_matches(option, enterprise.sector):
        return False
    when = option.applies_when
    emissions = enterprise.baseline.emissions
    energy = enterprise.baseline.energy
    if any(emissions.get(p, 0.0) <= 0 for p in when.emissions):
        return False
    if any(energy.get(c, 0.0) <= 0 for c in when.energy):
        return False
    size = basis_value(option.cost.basis, enterprise, option)
    if size is None or size <= 0 or size < when.min_basis:
        return False
    if when.max_basis is not None and size > when.max_basis:
        return False
    for needed in option.requires:
        target = by_id[needed]
        if target.role != "facility" and not applies(target, enterprise, by_id):
            return False
    return True


def group_of(pollutant: str, media: Mapping[str, str]) -> str | None:
    """The group key of `removes` that contains `pollutant`, checked in the order the
    directory defines them (a pollutant is in at most one group an entry may list)."""
    if pollutant in VOC_SPECIES:
        return "group:voc"
    if pollutant in HEAVY_METALS_WATER:
        return "group:heavy_metals_water"
    if media.get(pollutant) == "water":
        return "group:water"
    return None


def removal_fraction(
    option: TechnologyOption, pollutant: str, media: Mapping[str, str]
) -> Range | None:
    """f_p: the option's own fraction for the pollutant, else its group's, else None.
    A heavy metal in water falls under `group:water` when the entry lists that group."""
    if pollutant in option.removes:
        return option.removes[pollutant]
    group = group_of(pollutant, media)
    if group in option.removes:
        return option.removes[group]
    if group == "group:heavy_metals_water" and "group:water" in option.removes:
        return option.removes["group:water"]
    return None


def effects(
    option: TechnologyOption, enterprise: Enterprise, media: Mapping[str, str]
) -> tuple[dict[str, Spread], dict[str, Spread]]:
    """(reduces, saves) of the option at the enterprise, t/yr and carrier units/yr.
    Keys whose central value is 0 are left out."""
    reduces: dict[str, Spread] = {}
    for pollutant in sorted(set(enterprise.baseline.emissions) | set(option.adds)):
        base = float(enterprise.baseline.emissions.get(pollutant, 0.0))
        fraction = removal_fraction(option, pollutant, media) if base > 0 else None
        added = option.adds.get(pollutant)
        per = (basis_value(added.per, enterprise, option) or 0.0) if added else 0.0
        quantity = spread(
            lambda f, a, b=base, q=per: f * b - a * q,
            [fraction or ZERO, added.value if added else ZERO],
        )
        if quantity.central != 0:
            reduces[pollutant] = quantity
    saves: dict[str, Spread] = {}
    for carrier in sorted(set(enterprise.baseline.energy) | set(option.uses)):
        base = float(enterprise.baseline.energy.get(carrier, 0.0))
        share = option.saves.get(carrier) if base > 0 else None
        used = option.uses.get(carrier)
        per = (basis_value(used.per, enterprise, option) or 0.0) if used else 0.0
        quantity = spread(
            lambda s, u, b=base, q=per: s * b - u * q,
            [share or ZERO, used.value if used else ZERO],
        )
        if quantity.central != 0:
            saves[carrier] = quantity
    return reduces, saves


def capex_spread(option: TechnologyOption, size: Range) -> Spread:
    """capex = fixed + reference_capex (B / reference_size) ^ exponent, CNY, with B a
    figure (a facility's capacity has a range)."""
    cost = option.cost
    return spread(
        lambda fixed, ref_capex, exponent, b: (
            fixed + ref_capex * (b / cost.reference_size) ** exponent
        ),
        [cost.fixed, cost.reference_capex, cost.exponent, size],
    )


def opex_spread(option: TechnologyOption, size: Range, capex: Spread) -> Spread:
    """opex change = fixed + per_basis B + capex_fraction capex, CNY/yr."""
    rule = option.opex_change
    return spread(
        lambda fixed, per_basis, share, b, c: fixed + per_basis * b + share * c,
        [rule.fixed, rule.per_basis, rule.capex_fraction, size, as_range(capex)],
    )


def exact(value: float) -> Range:
    """A figure known exactly."""
    return Range(low=value, central=value, high=value)


def sig6(value: float) -> float:
    """`value` rounded to 6 significant figures (the precision of the candidates table)."""
    return float(f"{value:.6g}")


def sig6_up(value: float) -> float:
    """`value` rounded up to 6 significant figures (a facility's capacity stays at least
    the sum of what its connections use)."""
    if value <= 0 or not math.isfinite(value):
        return sig6(value)
    step = 10 ** (math.floor(math.log10(value)) - 5)
    return sig6(math.ceil(value / step - 1e-9) * step)
