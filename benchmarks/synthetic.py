"""Synthetic industrial parks of any size, for scale benchmarks and solver cross-checks.

`make_park_scenario(n)` returns a scenario dict in the format of model/input/schema.py (inline
lists); `write_scenario(n, folder)` writes the same park as a YAML file whose enterprises
and projects live in two CSV tables, so it runs through `python -m model.run`.

Everything is drawn from one `numpy.random.default_rng(seed)`: the same (n, seed,
budget_share) always gives the same park, byte for byte. The *structure* follows a real
park (enterprises by key industry, shared facilities, exclusive alternatives); the
*figures* are invented magnitudes, not
domain facts, and must never be quoted as such:

* about n/5 enterprises from the key-industry sectors, each with 3-6 pollutants from a
  sector list and electricity plus its fuels (coal, coke, natural gas, heat, fuel oil);
* about 5 projects per enterprise: pollution projects remove 5-60 % of a pollutant's
  baseline (sometimes a second one), some with a cross-media increase (sludge as
  hazardous waste, a little of another medium's pollutant, or extra electricity);
  energy projects save 3-25 % of a carrier (coal savings also cut SO2/NOx/soot); fuel
  switches replace coal by natural gas; capex is lognormal, scaled by enterprise size;
* exclusive groups of 2-3 alternatives cover about 20 % of the projects; about 2 % of
  the projects require an earlier project of the same enterprise;
* one shared park facility per 500 projects (central wastewater plant, central heating,
  VOC treatment centre, in turn): a park-owned project with a capacity, connection
  projects of eligible enterprises that use part of it (and require it), and the
  facility's own energy use on the park's row; capacity is 60 % of the connections' use;
* permits on each enterprise's two main pollutants, most non-binding (5-30 % above the
  baseline); one in four enterprises gets a binding permit that one of its own projects
  (a "witness") can meet alone, and the witnesses together cost at most half the budget,
  so every hard permit is achievable;
* budget = budget_share x total capex; park caps on the three pollutants with the most
  pollution equivalents and a reduction target on the fourth, both met by a reference selection
  (witnesses + greedy cheap projects within 70 % of the budget), so the scenario is
  feasible by construction;
* objective: weighted, pollution equivalents (EP Tax Law) + 20 x tce saved.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SIG_DIGITS = 6
"""Every number is rounded to this many significant digits, so YAML and CSV round-trip it
exactly and every reader sees the same float."""

ENERGY_WEIGHT = 20.0
"""Objective weight of one tce saved, against 1.0 per pollution equivalent avoided."""

SECTOR_PROFILES: dict[str, tuple[list[str], list[str]]] = {
    # sector: (pollutants, the first two are always present; carriers)
    "energy": (["SO2", "NOx", "soot", "general_dust", "Hg_air"], ["electricity", "coal"]),
    "metallurgy": (
        ["SO2", "NOx", "soot", "general_dust", "Pb_air", "Cd_air", "COD"],
        ["electricity", "coal", "coke"],
    ),
    "steel": (
        ["SO2", "NOx", "soot", "general_dust", "fluoride_air", "COD", "petroleum"],
        ["electricity", "coal", "coke"],
    ),
    "coking": (
        [
            "SO2",
            "NOx",
            "soot",
            "benzo_a_pyrene_air",
            "H2S",
            "NH3",
            "volatile_phenol",
            "cyanide_water",
            "COD",
            "NH3N",
        ],
        ["electricity", "coal"],
    ),
    "building_materials": (
        ["NOx", "SO2", "general_dust", "soot", "fluoride_air"],
        ["electricity", "coal"],
    ),
    "non_ferrous": (
        [
            "SO2",
            "Pb_air",
            "NOx",
            "Cd_air",
            "Pb_water",
            "Cd_water",
            "As_water",
            "Cu_water",
            "Zn_water",
            "COD",
        ],
        ["electricity", "coal"],
    ),
    "chemicals": (
        ["COD", "NH3N", "TP", "volatile_phenol", "SO2", "NOx", "toluene_air", "methanol", "HCl"],
        ["electricity", "coal", "natural_gas", "heat"],
    ),
    "petrochemicals": (
        ["COD", "SO2", "NOx", "NH3N", "petroleum", "sulfide", "benzene_air", "H2S"],
        ["electricity", "natural_gas", "fuel_oil"],
    ),
    "printing_dyeing": (
        ["COD", "NH3N", "TP", "SS", "sulfide", "anilines_water", "SO2", "NOx", "soot"],
        ["electricity", "coal", "heat"],
    ),
    "paper": (
        ["COD", "SS", "BOD5", "NH3N", "AOX", "SO2", "NOx", "soot"],
        ["electricity", "coal", "heat"],
    ),
    "pharmaceutical_raw_materials": (
        ["COD", "NH3N", "TP", "methanol", "toluene_air", "formaldehyde_air", "HCl"],
        ["electricity", "coal", "heat"],
    ),
    "electroplating": (
        [
            "COD",
            "Cr6",
            "NH3N",
            "TP",
            "Cr_total",
            "Ni_water",
            "Cu_water",
            "Zn_water",
            "cyanide_water",
            "sulfuric_acid_mist",
        ],
        ["electricity", "natural_gas"],
    ),
    "agri_food_processing": (
        ["COD", "NH3N", "BOD5", "TP", "animal_veg_oil", "SS", "soot", "SO2"],
        ["electricity", "coal", "natural_gas"],
    ),
    "industrial_coating": (
        ["toluene_air", "xylene_air", "benzene_air", "general_dust", "NOx", "COD"],
        ["electricity", "natural_gas"],
    ),
    "packaging_printing": (
        ["toluene_air", "xylene_air", "benzene_air", "COD", "NOx"],
        ["electricity", "natural_gas"],
    ),
}
"""Pollutants and carriers by sector (registry ids); synthetic choices, not an inventory."""

MEDIUM: dict[str, str] = {
    **dict.fromkeys(
        [
            "SO2",
            "NOx",
            "soot",
            "general_dust",
            "Hg_air",
            "Pb_air",
            "Cd_air",
            "fluoride_air",
            "benzo_a_pyrene_air",
            "H2S",
            "NH3",
            "toluene_air",
            "xylene_air",
            "benzene_air",
            "methanol",
            "formaldehyde_air",
            "HCl",
            "sulfuric_acid_mist",
        ],
        "air",
    ),
    **dict.fromkeys(
        [
            "COD",
            "NH3N",
            "TP",
            "SS",
            "BOD5",
            "petroleum",
            "sulfide",
            "volatile_phenol",
            "cyanide_water",
            "anilines_water",
            "AOX",
            "animal_veg_oil",
            "Cr6",
            "Cr_total",
            "Ni_water",
            "Cu_water",
            "Zn_water",
            "Pb_water",
            "Cd_water",
            "As_water",
        ],
        "water",
    ),
}

BASELINE_T: dict[str, float] = {
    "COD": 60, "NH3N": 6, "TP": 0.8, "SS": 40, "BOD5": 25, "petroleum": 2, "sulfide": 0.5,
    "volatile_phenol": 0.3, "cyanide_water": 0.05, "anilines_water": 0.5, "AOX": 1,
    "animal_veg_oil": 3, "Cr6": 0.02, "Cr_total": 0.08, "Ni_water": 0.1, "Cu_water": 0.2,
    "Zn_water": 0.4, "Pb_water": 0.05, "Cd_water": 0.01, "As_water": 0.02,
    "SO2": 80, "NOx": 90, "soot": 30, "general_dust": 40, "Hg_air": 0.002, "Pb_air": 0.2,
    "Cd_air": 0.02, "fluoride_air": 3, "benzo_a_pyrene_air": 0.00005, "H2S": 2, "NH3": 10,
    "toluene_air": 10, "xylene_air": 12, "benzene_air": 3, "methanol": 8,
    "formaldehyde_air": 1, "HCl": 5, "sulfuric_acid_mist": 1,
}  # fmt: skip
"""Median baseline of a mid-sized enterprise, t/yr (invented orders of magnitude)."""

BASELINE_ENERGY: dict[str, float] = {
    "electricity": 8000, "coal": 6000, "coke": 20000, "natural_gas": 80, "heat": 30000,
    "fuel_oil": 800,
}  # fmt: skip
"""Median baseline energy use, carrier units/yr (MWh, t, t, 10^4 m3, GJ, t; invented)."""

NATURAL_GAS_TCE = 13.3
COAL_TCE = 0.7143
"""tce per 10^4 m3 natural gas and per t raw coal (model/reference/carriers.csv, GB/T 2589),
used only to size a coal-to-gas switch's extra gas use."""

FACILITY_KINDS = ("wastewater", "heating", "voc")
VOC_SPECIES = ("toluene_air", "xylene_air", "benzene_air")
COMBUSTION = ("SO2", "NOx", "soot")


def _round(value: float) -> float:
    """`value` to SIG_DIGITS significant digits (0 stays 0)."""
    return float(f"{value:.{SIG_DIGITS}g}")


@dataclass
class _Project:
    id: str
    owner: str
    name: str
    capex: float
    opex_change: float
    lifetime: int
    reduces: dict[str, float] = field(default_factory=dict)
    saves: dict[str, float] = field(default_factory=dict)
    exclusive_group: str | None = None
    requires: list[str] = field(default_factory=list)
    serves: dict[str, float] = field(default_factory=dict)
    capacity: float | None = None
    divisible: bool = False
    connection: bool = False

    def as_dict(self) -> dict:
        out: dict = {
            "id": self.id,
            "owner": self.owner,
            "name": self.name,
            "capex": self.capex,
            "opex_change": self.opex_change,
            "lifetime": self.lifetime,
        }
        for key in ("reduces", "saves", "serves", "requires"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.exclusive_group:
            out["exclusive_group"] = self.exclusive_group
        if self.capacity is not None:
            out["capacity"] = self.capacity
        if self.divisible:
            out["divisible"] = True
        return out


@dataclass
class _Enterprise:
    id: str
    sector: str
    size: float
    emissions: dict[str, float]
    energy: dict[str, float]
    permit: dict[str, float] = field(default_factory=dict)
    projects: list[_Project] = field(default_factory=list)
    targeted: dict[str, int] = field(default_factory=dict)

    def pick(self, rng: np.random.Generator, names: list[str]) -> str:
        """One of `names`, drawn among those the enterprise's projects target least."""
        fewest = min(self.targeted.get(name, 0) for name in names)
        options = [name for name in names if self.targeted.get(name, 0) == fewest]
        name = options[int(rng.integers(len(options)))]
        self.targeted[name] = fewest + 1
        return name


def _split_counts(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """`parts` positive integers summing to `total`, each about total/parts (Poisson)."""
    mean = total / parts
    counts = np.maximum(1, rng.poisson(mean, parts))
    while counts.sum() != total:
        i = int(rng.integers(parts))
        if counts.sum() > total and counts[i] > 1:
            counts[i] -= 1
        elif counts.sum() < total:
            counts[i] += 1
    return counts


def _make_enterprise(rng: np.random.Generator, index: int) -> _Enterprise:
    sectors = list(SECTOR_PROFILES)
    sector = sectors[int(rng.integers(len(sectors)))]
    pollutants, carriers = SECTOR_PROFILES[sector]
    extra = int(rng.integers(1, 5))  # 1-4 more than the two main ones: 3-6 in all
    chosen = pollutants[:2] + [
        pollutants[2 + i] for i in sorted(rng.permutation(len(pollutants) - 2)[:extra])
    ]
    size = float(rng.lognormal(0.0, 0.7))
    emissions = {p: _round(BASELINE_T[p] * size * rng.lognormal(0.0, 0.5)) for p in chosen}
    energy = {c: _round(BASELINE_ENERGY[c] * size * rng.lognormal(0.0, 0.5)) for c in carriers}
    return _Enterprise(
        id=f"E{index:05d}", sector=sector, size=size, emissions=emissions, energy=energy
    )


def _capex(rng: np.random.Generator, size: float, median: float = 4.0e5) -> float:
    return _round(median * np.sqrt(size) * rng.lognormal(0.0, 1.0))


def _pollution_project(rng: np.random.Generator, e: _Enterprise) -> tuple[dict, dict, str]:
    """Reduce one pollutant by 5-60 % (sometimes a second of the same medium by 5-40 %),
    sometimes with a cross-media increase."""
    names = list(e.emissions)
    p = e.pick(rng, names)
    reduces = {p: _round(rng.uniform(0.05, 0.6) * e.emissions[p])}
    same = [q for q in names if q != p and MEDIUM[q] == MEDIUM[p]]
    if same and rng.random() < 0.4:
        q = same[int(rng.integers(len(same)))]
        reduces[q] = _round(rng.uniform(0.05, 0.4) * e.emissions[q])
    saves: dict[str, float] = {}
    draw = rng.random()
    if draw < 0.12 and MEDIUM[p] == "water":
        # treatment sludge, tracked as hazardous waste (no pollution equivalent)
        reduces["hazardous_waste"] = _round(-rng.uniform(0.2, 1.0) * reduces[p])
    elif draw < 0.2:
        other = [q for q in names if MEDIUM[q] != MEDIUM[p]]
        if other:
            q = other[int(rng.integers(len(other)))]
            reduces[q] = _round(-rng.uniform(0.01, 0.08) * e.emissions[q])
    elif draw < 0.35:
        saves["electricity"] = _round(-rng.uniform(0.005, 0.03) * e.energy["electricity"])
    return reduces, saves, f"cut {p}"


def _energy_project(rng: np.random.Generator, e: _Enterprise) -> tuple[dict, dict, str]:
    """Save 3-25 % of one carrier; coal savings cut combustion pollutants alike."""
    c = e.pick(rng, list(e.energy))
    share = rng.uniform(0.03, 0.25)
    saves = {c: _round(share * e.energy[c])}
    reduces = {}
    if c == "coal":
        reduces = {p: _round(share * e.emissions[p]) for p in COMBUSTION if p in e.emissions}
    return reduces, saves, f"save {c}"


def _fuel_switch(rng: np.random.Generator, e: _Enterprise) -> tuple[dict, dict, str]:
    """Replace 20-60 % of the coal by natural gas (85 % of the tce); SO2/soot fall with
    the coal, NOx by a third of that."""
    share = rng.uniform(0.2, 0.6)
    coal = share * e.energy["coal"]
    gas = 0.85 * coal * COAL_TCE / NATURAL_GAS_TCE
    saves = {"coal": _round(coal), "natural_gas": _round(-gas)}
    reduces = {}
    for p, factor in (("SO2", 0.95), ("soot", 0.9), ("NOx", 0.3)):
        if p in e.emissions:
            reduces[p] = _round(factor * share * e.emissions[p])
    return reduces, saves, "coal to gas"


def _enterprise_projects(rng: np.random.Generator, e: _Enterprise, count: int) -> None:
    """`count` projects for `e`: slots of one project or of 2-3 exclusive alternatives."""
    k = 0
    while k < count:
        draw = rng.random()
        if draw < 0.55:
            make = _pollution_project
        elif draw < 0.9 or "coal" not in e.energy:
            make = _energy_project
        else:
            make = _fuel_switch
        reduces, saves, label = make(rng, e)
        capex = _capex(rng, e.size)
        group_size = int(rng.integers(2, 4)) if rng.random() < 0.13 else 1
        group_size = min(group_size, count - k)
        group = f"{e.id}-G{k + 1:02d}" if group_size > 1 else None
        divisible = make is _energy_project and group is None and rng.random() < 0.08
        for variant in range(group_size):
            scale = 1.0 if variant == 0 else rng.uniform(0.7, 1.3)
            price = 1.0 if variant == 0 else rng.uniform(0.6, 1.6)
            e.projects.append(
                _Project(
                    id=f"{e.id}-P{k + 1:02d}",
                    owner=e.id,
                    name=f"{label} ({chr(ord('A') + variant)})" if group else label,
                    capex=_round(capex * price),
                    opex_change=_round(capex * price * rng.uniform(-0.05, 0.08)),
                    lifetime=int(rng.integers(5, 21)),
                    reduces={p: _round(v * scale) for p, v in reduces.items()},
                    saves={c: _round(v * scale) for c, v in saves.items()},
                    exclusive_group=group,
                    divisible=bool(divisible),
                )
            )
            k += 1
    # prerequisites: ~2 % of projects need an earlier project of the same enterprise
    for i, project in enumerate(e.projects):
        if i == 0 or rng.random() >= 0.02:
            continue
        options = [
            q
            for q in e.projects[:i]
            if project.exclusive_group is None or q.exclusive_group != project.exclusive_group
        ]
        if options:
            project.requires.append(options[int(rng.integers(len(options)))].id)


def _eligible(e: _Enterprise, kind: str) -> bool:
    if kind == "wastewater":
        return any(MEDIUM[p] == "water" for p in e.emissions)
    if kind == "heating":
        return "coal" in e.energy
    return any(p in e.emissions for p in VOC_SPECIES)


def _connection(rng: np.random.Generator, e: _Enterprise, kind: str, fid: str) -> _Project:
    """An enterprise's connection to shared facility `fid`: its effect and capacity use."""
    reduces: dict[str, float] = {}
    saves: dict[str, float] = {}
    if kind == "wastewater":
        for p in e.emissions:
            if MEDIUM[p] == "water":
                reduces[p] = _round(rng.uniform(0.4, 0.9) * e.emissions[p])
        use = _round(e.size * rng.lognormal(np.log(300.0), 0.4))  # m3/d of wastewater
        label = "connect to central wastewater plant"
    elif kind == "heating":
        share = rng.uniform(0.6, 0.95)
        saves["coal"] = _round(share * e.energy["coal"])
        for p in COMBUSTION:
            if p in e.emissions:
                reduces[p] = _round(share * e.emissions[p])
        use = saves["coal"]  # t/yr of coal-fired heat taken over
        label = "replace boiler by central heating"
    else:
        for p in VOC_SPECIES:
            if p in e.emissions:
                reduces[p] = _round(rng.uniform(0.5, 0.9) * e.emissions[p])
        use = _round(sum(reduces.values()))  # t/yr of VOC treated
        label = "send VOC to the park treatment centre"
    return _Project(
        id="",
        owner=e.id,
        name=label,
        capex=_capex(rng, e.size, median=2.0e5),
        opex_change=_round(rng.uniform(0.0, 0.05) * 2.0e5),
        lifetime=15,
        reduces=reduces,
        saves=saves,
        requires=[fid],
        serves={fid: use},
        connection=True,
    )


def _facility(rng: np.random.Generator, kind: str, fid: str, uses: list[float]) -> _Project:
    """The shared facility: capacity 60 % of its connections' use, its own energy (and, for
    central heating, emissions) on the park's row."""
    capacity = _round(0.6 * sum(uses))
    if kind == "wastewater":
        capex = 3.0e7
        saves = {"electricity": _round(-capacity * 365 * 1.0 / 1000)}  # ~1 kWh per m3
        reduces: dict[str, float] = {}
        label = "central wastewater plant"
    elif kind == "heating":
        capex = 1.0e8
        saves = {"coal": _round(-0.8 * capacity)}  # more efficient than the old boilers
        reduces = {"SO2": _round(-0.0005 * capacity), "NOx": _round(-0.001 * capacity)}
        label = "central heating plant"
    else:
        capex = 2.0e7
        saves = {"natural_gas": _round(-0.01 * capacity)}
        reduces = {}
        label = "VOC treatment centre"
    return _Project(
        id=fid,
        owner="park",
        name=label,
        capex=_round(capex * rng.lognormal(0.0, 0.3)),
        opex_change=_round(0.03 * capex),
        lifetime=20,
        reduces=reduces,
        saves=saves,
        capacity=capacity,
    )


def _emissions_after(enterprises: list[_Enterprise], chosen: set[str]) -> dict[str, float]:
    """Park-wide t/yr of each pollutant after the projects in `chosen` (saturated at 0)."""
    total: dict[str, float] = {}
    for e in enterprises:
        removed: dict[str, float] = {}
        for project in e.projects:
            if project.id in chosen:
                for p, value in project.reduces.items():
                    removed[p] = removed.get(p, 0.0) + value
        for p in set(e.emissions) | set(removed):
            after = max(0.0, e.emissions.get(p, 0.0) - removed.get(p, 0.0))
            total[p] = total.get(p, 0.0) + after
    return total


def _pe_kg() -> dict[str, float]:
    """kg per pollution equivalent from the shipped registry table."""
    table = pd.read_csv(Path(__file__).resolve().parents[1] / "model/reference/pollutants.csv")
    return {row.id: float(row.pe_kg) for row in table.itertuples() if not pd.isna(row.pe_kg)}


def make_park_scenario(n_projects: int, seed: int = 0, budget_share: float = 0.3) -> dict:
    """A feasible synthetic park with exactly `n_projects` projects, as a scenario dict.

    The dict validates as `model.input.schema.Scenario`; see the module docstring for the
    structure. Same arguments, same dict.
    """
    if n_projects < 10:
        raise ValueError("a synthetic park needs at least 10 projects")
    rng = np.random.default_rng(seed)
    n_facilities = max(1, round(n_projects / 500))
    n_enterprises = max(2, round(n_projects / 5))
    counts = _split_counts(rng, n_projects - n_facilities, n_enterprises)
    enterprises = [_make_enterprise(rng, i + 1) for i in range(n_enterprises)]

    # connections: each facility takes eligible enterprises with at least two projects
    connections: dict[int, list[tuple[int, str]]] = {}
    facility_kinds = [FACILITY_KINDS[s % len(FACILITY_KINDS)] for s in range(n_facilities)]
    per_facility = max(3, round(0.05 * n_projects / n_facilities))
    for s, kind in enumerate(facility_kinds):
        fid = f"PARK-F{s + 1:03d}"
        free = [
            i
            for i, e in enumerate(enterprises)
            if _eligible(e, kind)
            and counts[i] - len(connections.get(i, [])) >= 2
            and all(k != kind for k, _ in connections.get(i, []))
        ]
        for i in sorted(rng.permutation(free)[:per_facility].tolist()):
            connections.setdefault(i, []).append((kind, fid))

    facility_uses: dict[str, list[float]] = {}
    for i, e in enumerate(enterprises):
        links = connections.get(i, [])
        _enterprise_projects(rng, e, int(counts[i]) - len(links))
        for kind, fid in links:
            project = _connection(rng, e, kind, fid)
            project.id = f"{e.id}-P{len(e.projects) + 1:02d}"
            e.projects.append(project)
            facility_uses.setdefault(fid, []).append(project.serves[fid])
    facilities = [
        _facility(rng, kind, f"PARK-F{s + 1:03d}", facility_uses.get(f"PARK-F{s + 1:03d}", []))
        for s, kind in enumerate(facility_kinds)
    ]

    all_projects = [p for e in enterprises for p in e.projects] + facilities
    total_capex = sum(p.capex for p in all_projects)
    budget = _round(budget_share * total_capex)

    # permits: non-binding on the two main pollutants, binding for one in four enterprises
    witnesses: list[_Project] = []
    for e in enterprises:
        main = list(e.emissions)[:2]
        e.permit = {p: _round(e.emissions[p] * rng.uniform(1.05, 1.3)) for p in main}
        if rng.random() >= 0.25:
            continue
        candidates = [
            (project, p)
            for project in e.projects
            if not project.exclusive_group and not project.requires and not project.connection
            for p, value in project.reduces.items()
            if value > 0
            and p in e.emissions
            and all(project.reduces.get(q, 0.0) >= 0 for q in {*main, p})
            and all(v >= 0 for v in project.reduces.values())
        ]
        if not candidates:
            continue
        project, p = candidates[int(rng.integers(len(candidates)))]
        need = rng.uniform(0.3, 0.9) * project.reduces[p]
        e.permit[p] = _round(e.emissions[p] - need)
        witnesses.append(project)
    witnesses.sort(key=lambda project: project.capex)
    while witnesses and sum(p.capex for p in witnesses) > 0.5 * budget:
        dropped = witnesses.pop()
        e = next(e for e in enterprises if e.id == dropped.owner)
        for p in list(e.permit):
            if e.permit[p] < e.emissions[p]:
                e.permit[p] = _round(e.emissions[p] * rng.uniform(1.05, 1.3))

    # reference selection: witnesses + greedy pollution equivalents per yuan, 70 % of budget
    pe_kg = _pe_kg()

    def gain(project: _Project) -> float:
        return sum(v * 1000.0 / pe_kg.get(p, np.inf) for p, v in project.reduces.items())

    chosen = {p.id for p in witnesses}
    spent = sum(p.capex for p in witnesses)
    greedy = sorted(
        (
            p
            for p in all_projects
            if not p.exclusive_group
            and not p.requires
            and not p.connection
            and p.capacity is None
            and p.id not in chosen
            and all(v >= 0 for v in p.reduces.values())
        ),
        key=lambda p: -gain(p) / max(p.capex, 1.0),
    )
    for project in greedy:
        if spent + project.capex <= 0.7 * budget:
            chosen.add(project.id)
            spent += project.capex
    baseline = _emissions_after(enterprises, set())
    after = _emissions_after(enterprises, chosen)
    by_load = sorted(
        (p for p in baseline if p in pe_kg), key=lambda p: -baseline[p] * 1000.0 / pe_kg[p]
    )
    park_caps = {
        p: _round(after[p] + 0.3 * (baseline[p] - after[p]) + 1e-6 * baseline[p])
        for p in by_load[:3]
    }
    reduction: dict[str, float] = {}
    if len(by_load) > 3 and baseline[by_load[3]] > 0:
        p = by_load[3]
        fraction = float(f"{0.5 * (baseline[p] - after[p]) / baseline[p]:.4f}")
        if fraction > 0:
            reduction[p] = fraction

    targets: dict = {"park_caps": park_caps, "permits": "hard"}
    if reduction:
        targets["reduction"] = reduction
    return {
        "name": f"synthetic-{n_projects}",
        "description": (
            f"Synthetic park: {n_projects} projects, {n_enterprises} enterprises, "
            f"{n_facilities} shared facilities (seed {seed}, budget share {budget_share}); "
            "generated by benchmarks/synthetic.py, figures invented."
        ),
        "horizon": {"start": 2025, "end": 2025},
        "enterprises": [
            {
                "id": e.id,
                "name": f"{e.sector} works {e.id}",
                "sector": e.sector,
                "baseline": {"emissions": e.emissions, "energy": e.energy},
                "permit": e.permit,
            }
            for e in enterprises
        ],
        "park": {"baseline": {"energy": {"electricity": 2000.0}}},
        "projects": [p.as_dict() for p in all_projects],
        "budget": {"total": budget},
        "targets": targets,
        "objective": {
            "minimize": "weighted",
            "weights": {"pollution": 1.0, "energy": ENERGY_WEIGHT},
        },
        "solver": {"name": "highs", "mip_gap": 1.0e-4, "time_limit": 600.0},
    }


def _enterprise_table(enterprises: list[dict]) -> pd.DataFrame:
    rows = []
    for e in enterprises:
        row = {"id": e["id"], "name": e["name"], "sector": e["sector"]}
        row.update({f"emissions.{p}": v for p, v in e["baseline"]["emissions"].items()})
        row.update({f"energy.{c}": v for c, v in e["baseline"]["energy"].items()})
        row.update({f"permit.{p}": v for p, v in e["permit"].items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    fixed = ["id", "name", "sector"]
    return frame[fixed + sorted(c for c in frame.columns if c not in fixed)]


def _project_table(projects: list[dict]) -> pd.DataFrame:
    rows = []
    for p in projects:
        row = {
            "id": p["id"],
            "owner": p["owner"],
            "name": p["name"],
            "capex": p["capex"],
            "opex_change": p["opex_change"],
            "lifetime": p["lifetime"],
            "exclusive_group": p.get("exclusive_group"),
            "requires": ";".join(p.get("requires", [])) or None,
            "divisible": "true" if p.get("divisible") else "false",
            "capacity": p.get("capacity"),
        }
        row.update({f"reduces.{k}": v for k, v in p.get("reduces", {}).items()})
        row.update({f"saves.{k}": v for k, v in p.get("saves", {}).items()})
        row.update({f"serves.{k}": v for k, v in p.get("serves", {}).items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    fixed = list(rows[0])[:10]
    return frame[fixed + sorted(c for c in frame.columns if c not in fixed)]


def write_scenario(n: int, folder: str | Path, seed: int = 0, budget_share: float = 0.3) -> Path:
    """Write `synthetic-<n>.yaml` with its tables `synthetic-<n>-enterprises.csv` and
    `synthetic-<n>-projects.csv` (paths relative to the YAML) into `folder`; return the
    YAML path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scenario = make_park_scenario(n, seed=seed, budget_share=budget_share)
    stem = scenario["name"]
    enterprise_csv = f"{stem}-enterprises.csv"
    project_csv = f"{stem}-projects.csv"
    _enterprise_table(scenario["enterprises"]).to_csv(folder / enterprise_csv, index=False)
    _project_table(scenario["projects"]).to_csv(folder / project_csv, index=False)
    document = {
        **scenario,
        "enterprises": {"csv": enterprise_csv},
        "projects": {"csv": project_csv},
    }
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of projects")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget-share", type=float, default=0.3)
    args = parser.parse_args()
    print(write_scenario(args.n, args.folder, seed=args.seed, budget_share=args.budget_share))


if __name__ == "__main__":
    main()
