"""Bi-objective 0-1 knapsacks with published Pareto fronts: parsers and park scenarios.

(Test helper, not a test. Run `python tests/mokp.py` from the repository root to
regenerate `scenarios/validation/vopt_*.yaml` and `scenarios/validation/zt_100_2.yaml`
from the copies in `scenarios/validation/fronts/`.)

Two benchmark families, both with integer data and both objectives maximised:

* vOptLib UKP set 1A (X. Gandibleux and A. Freville, "Tabu search based procedure for
  solving the 0-1 multiobjective knapsack problem: the two objectives case", Journal of
  Heuristics 6(3), 361-383, 2000), from github.com/vOptSolver/vOptLib @ 16ecd822af03,
  MIT license (kept as fronts/LICENSE.vOptLib.md): max (c1 x, c2 x) s.t. w x <= W. The
  instance `<id>.dat` is a token stream once `#` comment lines are dropped: n, p (= 2),
  k (= 1), n costs of objective 1, n costs of objective 2, n weights, the capacity W.
  `<id>.Y_N.min` lists the complete non-dominated set Y_N, one `f1 f2` per line.
* Zitzler and Thiele (1999), "Multiobjective evolutionary algorithms: a comparative case
  study and the strength Pareto approach", IEEE Trans. Evol. Comput. 3(4), 257-271;
  copied from github.com/Matyxus/Moea @ 7052fd9b0e38 (MIT repository):
  max (p1 x, p2 x) s.t. w1 x <= c1, w2 x <= c2. `knapsack.100.2` is line-structured
  (`knapsack k:`, ` capacity: +c`, ` item j:`, `  weight: +w`, `  profit: +p`), and
  `knapsack.100.2.pareto` holds the exact front, one `f1 f2` per line.

The park of a problem (see `as_scenario`) has exactly the knapsack's feasible set, and its
two study objectives ARE the knapsack's objectives:

* one enterprise E emits F1 = sum_j c1_j t/yr of a declared pollutant F1 whose pe_kg is
  1000 (1 t = 1 pollution equivalent) and uses F2 = sum_j c2_j units/yr of a declared
  carrier F2 with 1 tce per unit; project j removes c1_j t of F1 and saves c2_j units of
  F2. The costs are non-negative and the baselines are their totals, so the floors at
  zero never bind: pollution equivalents avoided = c1 x = f1 and tce saved = c2 x = f2;
* knapsack constraint 1 is the budget: capex_j = w1_j, budget.total = capacity 1;
* knapsack constraint i >= 2 (Zitzler-Thiele) is a park cap on a declared pollutant Ri
  (medium other, no pe_kg, so it adds no pollution equivalents): E has no baseline of Ri
  and project j raises it by w_ij (reduces Ri = -w_ij), so Ri after = sum_j w_ij x_j and
  the cap reads sum_j w_ij x_j <= capacity i.

Hence the (PE avoided, tce saved) Pareto frontier of the park is the published Y_N, point
for point. A plain run (objective 'weighted', both weights 1) maximises f1 + f2, whose
optimum is the largest f1 + f2 over Y_N.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp

REPO = Path(__file__).resolve().parents[1]
VALIDATION_DIR = REPO / "scenarios" / "validation"
FRONTS_DIR = VALIDATION_DIR / "fronts"

POLLUTANT = "F1"
CARRIER = "F2"
ENTERPRISE = "E"
HORIZON_YEAR = 2024
STUDY = {"frontier": {"method": "exact", "step": 1}}
SOLVER = {"mip_gap": 0.0}

VOPT_SOURCE = (
    "vOptLib UKP set 1A (github.com/vOptSolver/vOptLib @ 16ecd822af03, MIT); "
    "Gandibleux & Freville (2000), J. Heuristics 6(3), 361-383"
)
ZT_SOURCE = (
    "Zitzler & Thiele (1999), IEEE Trans. Evol. Comput. 3(4), 257-271; copy from "
    "github.com/Matyxus/Moea @ 7052fd9b0e38 (MIT repository)"
)


@dataclass(frozen=True)
class BiKnapsack:
    """max (f1, f2) = (profits[0] @ x, profits[1] @ x) s.t. weights @ x <= capacities,
    x in {0, 1}^n. profits (2, n), weights (m, n), capacities (m,); integers."""

    profits: np.ndarray
    weights: np.ndarray
    capacities: np.ndarray

    @property
    def n(self) -> int:
        return int(self.profits.shape[1])

    @property
    def m(self) -> int:
        return int(self.weights.shape[0])

    def values(self, x: np.ndarray) -> tuple[int, int]:
        """(f1, f2) of a 0/1 selection."""
        x = np.asarray(x)
        return int(self.profits[0] @ x), int(self.profits[1] @ x)

    def feasible(self, x: np.ndarray) -> bool:
        """True when every knapsack constraint holds for the 0/1 selection x."""
        return bool(np.all(self.weights @ np.asarray(x) <= self.capacities))


@dataclass(frozen=True)
class Instance:
    """One benchmark: where its files are, the scenario made of it, and the figures of
    the table in shared/validation/mokp/FORMAT.md (the published answer)."""

    id: str
    family: str  # 'vopt' or 'zt'
    scenario_name: str
    data_file: str
    front_file: str
    n: int
    capacities: tuple[int, ...]
    n_points: int
    max_f1: int
    max_f2: int
    data_md5: str
    front_md5: str
    n_supported: int | None = None  # vOptLib only
    slow: bool = False

    @property
    def data_path(self) -> Path:
        return FRONTS_DIR / self.data_file

    @property
    def front_path(self) -> Path:
        return FRONTS_DIR / self.front_file

    @property
    def scenario_path(self) -> Path:
        return VALIDATION_DIR / f"{self.scenario_name}.yaml"


def _vopt(
    ident: str,
    n: int,
    capacity: int,
    points: int,
    supported: int,
    f1: int,
    f2: int,
    md5s: tuple[str, str],
    slow: bool = False,
) -> Instance:
    return Instance(
        id=ident,
        family="vopt",
        scenario_name=f"vopt_{ident}",
        data_file=f"{ident}.dat",
        front_file=f"{ident}.Y_N.min",
        n=n,
        capacities=(capacity,),
        n_points=points,
        max_f1=f1,
        max_f2=f2,
        data_md5=md5s[0],
        front_md5=md5s[1],
        n_supported=supported,
        slow=slow,
    )


INSTANCES: dict[str, Instance] = {
    inst.id: inst
    for inst in (
        _vopt(
            "2KP50-11",
            50,
            187,
            43,
            10,
            637,
            592,
            ("b97f8c2495b96e93c83a0ccbf8fe428d", "ffd43069ebcb670faf8a762ddee255ad"),
        ),
        _vopt(
            "2KP50-50",
            50,
            828,
            51,
            12,
            2179,
            1940,
            ("e7bf18f5d37f294d7b0d88f2b896d1b8", "09e65706b89d87d064b620c2789cb53b"),
        ),
        _vopt(
            "2KP50-92",
            50,
            1524,
            2,
            2,
            3247,
            2847,
            ("8e0db0c8637beb4411ec00c1f1f33be3", "977da0436b09d5eda56c1994999aad91"),
        ),
        _vopt(
            "2KP100-50",
            100,
            750,
            149,
            27,
            2951,
            3344,
            ("cfd23ceddc6b0fe504a8231056443370", "233ca781782a2a053864a7c010c67598"),
            slow=True,
        ),
        Instance(
            id="knapsack.100.2",
            family="zt",
            scenario_name="zt_100_2",
            data_file="knapsack.100.2",
            front_file="knapsack.100.2.pareto",
            n=100,
            capacities=(2732, 2753),
            n_points=121,
            max_f1=4266,
            max_f2=4037,
            data_md5="2b1b13ba5fb4b28a7b99603cf386af0d",
            front_md5="0958ea43651081a7cd36384893b9f447",
            slow=True,
        ),
    )
}
"""Figures from the table and text of shared/validation/mokp/FORMAT.md; md5 of the
byte-for-byte copies in scenarios/validation/fronts/."""

LICENSE_PATH = FRONTS_DIR / "LICENSE.vOptLib.md"
LICENSE_MD5 = "0586f8dc1b9fc093749ee188957277ef"


# --- parsers ------------------------------------------------------------------------------


def parse_vopt_dat(path: Path | str) -> BiKnapsack:
    """Read a vOptLib UKP `.dat` file: after dropping `#` lines the numbers are n, p, k,
    p*n objective costs (objective by objective), k*n weights and, for k = 1, the
    capacity as the very last number. Only p = 2, k = 1 is accepted."""
    tokens: list[int] = []
    for line in Path(path).read_text(encoding="ascii").splitlines():
        if not line.lstrip().startswith("#"):
            tokens.extend(int(t) for t in line.split())
    if len(tokens) < 3:
        raise ValueError(f"{path}: fewer than 3 numbers")
    n, p, k = tokens[:3]
    if p != 2 or k != 1:
        raise ValueError(f"{path}: p = {p}, k = {k}; only p = 2, k = 1 is handled")
    expected = 3 + p * n + k * n + k
    if len(tokens) != expected:
        raise ValueError(f"{path}: {len(tokens)} numbers, expected {expected} for n = {n}")
    data = np.array(tokens[3:], dtype=np.int64)
    profits = data[: p * n].reshape(p, n)
    weights = data[p * n : (p + k) * n].reshape(k, n)
    capacities = data[(p + k) * n :]
    return BiKnapsack(profits=profits, weights=weights, capacities=capacities)


_ZT_HEADER = re.compile(r"knapsack problem specification \((\d+) knapsacks, (\d+) items\)")


def parse_zt(path: Path | str) -> BiKnapsack:
    """Read a Zitzler-Thiele `knapsack.<n>.<m>` file: a header, `=`, then per knapsack k
    `knapsack k:` and ` capacity: +c`, then per item j ` item j:`, `  weight: +w`,
    `  profit: +p`. Knapsack k's profits make objective k, its weights constraint k."""
    lines = [line.strip() for line in Path(path).read_text(encoding="ascii").splitlines()]
    lines = [line for line in lines if line]
    header = _ZT_HEADER.fullmatch(lines[0]) if lines else None
    if header is None:
        raise ValueError(f"{path}: first line is not a knapsack specification header")
    m, n = int(header.group(1)), int(header.group(2))
    position = 1

    def take(pattern: str) -> int:
        nonlocal position
        if position >= len(lines):
            raise ValueError(f"{path}: file ends before `{pattern}`")
        match = re.fullmatch(pattern, lines[position])
        if match is None:
            raise ValueError(f"{path}: line {lines[position]!r} does not match `{pattern}`")
        position += 1
        return int(match.group(1)) if match.groups() else 0

    profits = np.zeros((m, n), dtype=np.int64)
    weights = np.zeros((m, n), dtype=np.int64)
    capacities = np.zeros(m, dtype=np.int64)
    for k in range(m):
        take(r"=")
        if take(r"knapsack (\d+):") != k + 1:
            raise ValueError(f"{path}: knapsack {k + 1} out of order")
        capacities[k] = take(r"capacity: \+(\d+)")
        for j in range(n):
            if take(r"item (\d+):") != j + 1:
                raise ValueError(f"{path}: knapsack {k + 1}: item {j + 1} out of order")
            weights[k, j] = take(r"weight: \+(\d+)")
            profits[k, j] = take(r"profit: \+(\d+)")
    if position != len(lines):
        raise ValueError(f"{path}: {len(lines) - position} lines left after knapsack {m}")
    if m != 2:
        raise ValueError(f"{path}: {m} knapsacks; only 2 objectives are handled")
    return BiKnapsack(profits=profits, weights=weights, capacities=capacities)


def parse_front(path: Path | str) -> list[tuple[int, int]]:
    """Points `f1 f2` of a published front file (.Y_N.min or .pareto), in file order."""
    points = []
    for number, line in enumerate(Path(path).read_text(encoding="ascii").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(f"{path}:{number}: expected two numbers, got {line!r}")
        points.append((int(parts[0]), int(parts[1])))
    return points


def load_problem(instance: Instance) -> BiKnapsack:
    parse = parse_vopt_dat if instance.family == "vopt" else parse_zt
    return parse(instance.data_path)


def published_front(instance: Instance) -> list[tuple[int, int]]:
    return parse_front(instance.front_path)


def file_md5(path: Path | str) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


# --- independent checks on point sets and on the raw knapsack -----------------------------


def dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """a dominates b (maximisation): a >= b in both objectives and a != b."""
    return a[0] >= b[0] and a[1] >= b[1] and (a[0] > b[0] or a[1] > b[1])


def dominated_points(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Every point some other point of the list dominates (by pairwise comparison)."""
    return [p for p in points if any(dominates(q, p) for q in points)]


def supported_points(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The points that maximise lambda1 f1 + lambda2 f2 over the set for some strictly
    positive weights: those on the upper-right convex hull, hull edges included (the
    supported non-extreme points). Exact integer arithmetic."""
    front = sorted(set(points))  # f1 ascending, so f2 descending on a non-dominated set
    hull: list[tuple[int, int]] = []
    for p in front:
        # Keep the upper hull concave: drop the last vertex while it lies below or on the
        # segment from the vertex before it to p (points on an edge are added back by
        # `on_hull`).
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            cross = (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1)
            if cross < 0:
                break
            hull.pop()
        hull.append(p)

    def on_hull(p: tuple[int, int]) -> bool:
        if p in hull:
            return True
        for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
            if x1 <= p[0] <= x2 and (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) == 0:
                return True
        return False

    return [p for p in front if on_hull(p)]


def lexicographic_optimum(problem: BiKnapsack, first: int) -> tuple[int, int]:
    """(f1, f2) of the lexicographic maximum with objective `first` (0 or 1) ahead of the
    other, solved on the raw knapsack with scipy.optimize.milp (HiGHS, gap 0): an
    independent solver path. These are the two extremes of the front."""
    second = 1 - first
    rows = [LinearConstraint(problem.weights, -np.inf, problem.capacities)]

    def solve(objective: np.ndarray, constraints: list[LinearConstraint]) -> np.ndarray:
        result = milp(
            c=-objective.astype(float),
            constraints=constraints,
            integrality=np.ones(problem.n),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0.0},
        )
        if result.status != 0:
            raise RuntimeError(f"milp failed: {result.message}")
        return np.round(result.x).astype(np.int64)

    best = int(problem.profits[first] @ solve(problem.profits[first], rows))
    floor = LinearConstraint(problem.profits[first][None, :], best, np.inf)
    x = solve(problem.profits[second], [*rows, floor])
    return problem.values(x)


# --- park scenarios -----------------------------------------------------------------------


def project_ids(problem: BiKnapsack) -> list[str]:
    width = len(str(problem.n))
    return [f"P{j + 1:0{width}d}" for j in range(problem.n)]


def resource_ids(problem: BiKnapsack) -> list[str]:
    """Pollutant ids of knapsack constraints 2..m (constraint 1 is the budget)."""
    return [f"R{i + 1}" for i in range(1, problem.m)]


def as_scenario(problem: BiKnapsack, name: str, description: str, source: str) -> dict[str, Any]:
    """The park scenario (plain dict in the YAML format of model/input/schema.py, plus the
    `study:` section) whose (PE avoided, tce saved) frontier is the knapsack's Y_N; see
    the module docstring for why the mapping is exact."""
    if np.any(problem.profits < 0) or np.any(problem.weights < 0):
        raise ValueError("the mapping needs non-negative profits and weights")
    resources = resource_ids(problem)
    pollutants: dict[str, Any] = {
        POLLUTANT: {
            "medium": "other",
            "pe_kg": 1000,
            "name": "knapsack objective 1 (1 t = 1 pollution equivalent)",
            "source": source,
        }
    }
    for i, rid in enumerate(resources, start=2):
        pollutants[rid] = {"medium": "other", "name": f"knapsack constraint {i} (no equivalent)"}
    projects = []
    for j, pid in enumerate(project_ids(problem)):
        reduces: dict[str, int] = {POLLUTANT: int(problem.profits[0, j])}
        for i, rid in enumerate(resources, start=1):
            if problem.weights[i, j] != 0:
                reduces[rid] = -int(problem.weights[i, j])
        projects.append(
            {
                "id": pid,
                "owner": ENTERPRISE,
                "capex": int(problem.weights[0, j]),
                "reduces": reduces,
                "saves": {CARRIER: int(problem.profits[1, j])},
            }
        )
    scenario: dict[str, Any] = {
        "name": name,
        "description": description,
        "horizon": {"start": HORIZON_YEAR, "end": HORIZON_YEAR},
        "pollutants": pollutants,
        "carriers": {
            CARRIER: {"unit": "u", "tce_per_unit": 1.0, "source": f"{source} (objective 2)"}
        },
        "enterprises": [
            {
                "id": ENTERPRISE,
                "sector": "other",
                "baseline": {
                    "emissions": {POLLUTANT: int(problem.profits[0].sum())},
                    "energy": {CARRIER: int(problem.profits[1].sum())},
                },
                "source": source,
            }
        ],
        "projects": projects,
        "budget": {"total": int(problem.capacities[0])},
    }
    if resources:
        scenario["targets"] = {
            "park_caps": {rid: int(problem.capacities[i]) for i, rid in enumerate(resources, 1)}
        }
    scenario["objective"] = {"minimize": "weighted", "weights": {"pollution": 1.0, "energy": 1.0}}
    scenario["solver"] = dict(SOLVER)
    scenario["study"] = {key: dict(value) for key, value in STUDY.items()}
    return scenario


def scenario_header(instance: Instance, problem: BiKnapsack) -> str:
    """The comment block at the top of the instance's scenario YAML."""
    front = published_front(instance)
    best_sum = max(f1 + f2 for f1, f2 in front)
    at_best = [p for p in front if sum(p) == best_sum]
    total1, total2 = int(problem.profits[0].sum()), int(problem.profits[1].sum())
    by_f1 = sorted(front)
    if instance.family == "vopt":
        lines = [
            f"vOptLib bi-objective knapsack {instance.id} (UKP set 1A; n = {problem.n} items,",
            f"  capacity W = {problem.capacities[0]}), as a ParkCP park.",
            "Source: github.com/vOptSolver/vOptLib @ 16ecd822af03c3590db44026a4e4160c31d2a996,",
            f"  UKP/instances/1A/{instance.id}.dat and UKP/Y/{instance.id}.min (copies:",
            f"  scenarios/validation/fronts/{instance.data_file}, {instance.front_file}); from",
            "  X. Gandibleux & A. Freville (2000), Tabu search based procedure for solving the",
            "  0-1 multiobjective knapsack problem: the two objectives case, Journal of",
            "  Heuristics 6(3), 361-383.",
            "License: MIT, Xavier Gandibleux and contributors (scenarios/validation/fronts/",
            "  LICENSE.vOptLib.md).",
            "Problem: max f1 = c1 x, max f2 = c2 x subject to w x <= W, x binary.",
            "Mapping: item j = project P<j>, capex w_j, budget.total = W. E emits",
            f"  F1 = sum c1 = {total1} t/yr (pe_kg 1000: 1 t = 1 pollution equivalent) and uses",
            f"  F2 = sum c2 = {total2} u/yr (1 u = 1 tce); project j removes c1_j t of F1 and",
            "  saves c2_j u of F2. So pollution equivalents avoided = f1, tce saved = f2.",
        ]
    else:
        lines = [
            "Zitzler-Thiele bi-objective 2-knapsack problem knapsack.100.2 (n = "
            f"{problem.n} items,",
            f"  capacities {problem.capacities[0]} and {problem.capacities[1]}), as a ParkCP park.",
            "Source: E. Zitzler & L. Thiele (1999), Multiobjective evolutionary algorithms: a",
            "  comparative case study and the strength Pareto approach, IEEE Trans. Evol.",
            "  Comput. 3(4), 257-271; files copied from github.com/Matyxus/Moea @",
            "  7052fd9b0e386d14547c6c5bc7d618094f49a08e, data/knapsack/knapsack.100.2(.pareto)",
            "  (copies: scenarios/validation/fronts/knapsack.100.2, knapsack.100.2.pareto).",
            "License: the Matyxus/Moea repository is MIT; the instance is the authors'",
            "  published benchmark (originally on the ETH Zurich TIK pages).",
            "Problem: max f_k = p_k x (k = 1, 2) subject to w_k x <= c_k (k = 1, 2), x binary.",
            "Mapping: item j = project P<j>; knapsack 1's weights are capex, budget.total =",
            "  c_1; knapsack 2's weights are a pollutant R2 (no pollution equivalent) that",
            "  project j raises by w2_j, with the park cap R2 <= c_2. E emits",
            f"  F1 = sum p1 = {total1} t/yr (pe_kg 1000: 1 t = 1 pollution equivalent) and",
            f"  uses F2 = sum p2 = {total2} u/yr (1 u = 1 tce); project j removes p1_j t of F1",
            "  and saves p2_j u of F2. So pollution equivalents avoided = f1, tce saved = f2.",
        ]
    lines += [
        "Reading the answer: `python -m model.run <this file> --frontier exact` writes",
        "  frontier.nc; its points (pollution_avoided, tce_saved) must be the published",
        f"  set of {len(front)} non-dominated points (f1, f2), from the best-energy extreme",
        f"  {by_f1[0]} to the best-pollution extreme {by_f1[-1]}.",
        "  A plain run maximises f1 + f2 (objective weighted 1:1); the optimum is",
        f"  max over the front of f1 + f2 = {best_sum} (at {', '.join(map(str, at_best))}),",
        f"  i.e. pollution equivalents after + tce after = {total1 + total2 - best_sum}.",
        "The `study:` section asks for the exact frontier (epsilon step 1 on integer data).",
        "Generated by tests/mokp.py (python tests/mokp.py); do not edit by hand.",
    ]
    return "".join(f"# {line}\n" for line in lines)


def scenario_yaml(instance: Instance, problem: BiKnapsack | None = None) -> str:
    """The full text of the instance's scenario YAML (header comments + body)."""
    problem = load_problem(instance) if problem is None else problem
    if instance.family == "vopt":
        description = (
            f"vOptLib bi-objective knapsack {instance.id} as a park; the (PE avoided, tce "
            f"saved) frontier is the published Y_N ({instance.n_points} points)"
        )
        source = VOPT_SOURCE
    else:
        description = (
            "Zitzler-Thiele knapsack.100.2 as a park; the (PE avoided, tce saved) frontier "
            f"is the published Pareto front ({instance.n_points} points)"
        )
        source = ZT_SOURCE
    body = yaml.safe_dump(
        as_scenario(problem, instance.scenario_name, description, source),
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )
    return scenario_header(instance, problem) + body


def write_scenarios(out_dir: Path = VALIDATION_DIR) -> list[Path]:
    """Write every instance's scenario YAML into out_dir."""
    written = []
    for instance in INSTANCES.values():
        path = out_dir / instance.scenario_path.name
        path.write_text(scenario_yaml(instance), encoding="utf-8")
        written.append(path)
    return written


def load_park(path: Path | str):
    """Validate and compile a scenario YAML into ParkData.

    Goes through model.input.loading.load_scenario when the schema knows the `study:` section;
    until then (the section is being added) the YAML is read with `study` removed and
    validated with Scenario.model_validate + build_registry.
    """
    from model.compile.compile import compile_park
    from model.input.schema import Scenario

    if "study" in Scenario.model_fields:
        from model.input.loading import load_scenario

        loaded = load_scenario(path)
        return compile_park(loaded.scenario, loaded.registry)
    from model.input.registry import build_registry

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    data.pop("study", None)
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def main() -> int:
    for instance in INSTANCES.values():
        for path, md5 in (
            (instance.data_path, instance.data_md5),
            (instance.front_path, instance.front_md5),
        ):
            if file_md5(path) != md5:
                print(f"error: {path} is not the published copy (md5 mismatch)", file=sys.stderr)
                return 1
    for path in write_scenarios():
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
