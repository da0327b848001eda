"""OR-Library mknap1 knapsacks: parser and translation into ParkCP park scenarios.

(Test helper, not a test. Run `python tests/orlib.py` from the repository root to
regenerate `scenarios/validation/mknap1_*.yaml` and `mknap1_expected.csv`.)

The file `mknap1.txt` (7 problems from C.C. Petersen 1967, "Computational experience with
variants of the Balas algorithm applied to the selection of R&D projects", Management
Science 13(9), 736-750; distributed by J.E. Beasley's OR-Library) holds multidimensional
0-1 knapsacks: maximise sum_j p_j x_j subject to sum_j a_ij x_j <= b_i (i = 1..m),
x_j in {0, 1}. It is a whitespace token stream: K, then per problem `n m z`, n profits,
m rows of n coefficients, m capacities (problem 2 has decimals). A byte-for-byte copy
(md5 20155ed4f6feb900a8e12979193879cd) is kept in scenarios/validation/mknap1.txt.

The park scenario of a problem (see `mknap_as_scenario`) has exactly the knapsack's
feasible set and an objective that is an affine, decreasing function of the profit:

* one enterprise E1 emits S = sum_j p_j t/yr of a declared pollutant BENEFIT whose
  pe_kg is 1000, so 1 t = 1 pollution equivalent; project j removes p_j t of it. Since
  every p_j >= 0 and their total is S, S - sum_j p_j x_j >= 0 for every x: the floor at
  zero never binds, and pollution equivalents after = S - sum_j p_j x_j exactly;
* knapsack constraint 1 is the budget: capex_j = a_1j, budget.total = b_1;
* knapsack constraint i >= 2 is a park cap on a declared pollutant Ri (medium other,
  no pe_kg, so it adds nothing to pollution equivalents). E1 has no baseline of Ri and
  project j raises it by a_ij >= 0 (reduces Ri = -a_ij), so Ri after =
  max(0, 0 + sum_j a_ij x_j) = sum_j a_ij x_j and the cap says sum_j a_ij x_j <= b_i;
* no permits, carriers or other targets; objective 'pollution'.

Hence minimising pollution equivalents after = maximising profit, and the scenario's
optimal objective is S - z for the published optimum z.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp

REPO = Path(__file__).resolve().parents[1]
VALIDATION_DIR = REPO / "scenarios" / "validation"
MKNAP1_PATH = VALIDATION_DIR / "mknap1.txt"
MKNAP1_MD5 = "20155ed4f6feb900a8e12979193879cd"
EXPECTED_CSV = VALIDATION_DIR / "mknap1_expected.csv"

BENEFIT = "BENEFIT"
ENTERPRISE = "E1"
HORIZON_YEAR = 2024

PUBLISHED_Z = {1: 3800.0, 2: 8706.1, 3: 4015.0, 4: 6120.0, 5: 12400.0, 6: 10618.0, 7: 16537.0}
"""Optimal values of mknap1 problems 1-7 as published (OR-Library file header values)."""

SOURCE = "OR-Library mknap1.txt; Petersen (1967), Management Science 13(9), 736-750"


class MknapProblem(NamedTuple):
    """One knapsack: n items, m constraints, published optimum z (0 = unknown),
    profits (n,), A (m, n) coefficients and b (m,) capacities."""

    n: int
    m: int
    z: float
    profits: np.ndarray
    A: np.ndarray
    b: np.ndarray


def parse_mknap(path: Path | str = MKNAP1_PATH) -> list[MknapProblem]:
    """Read an OR-Library mknap1/mknapcb-layout file (token stream, floats allowed)."""
    tokens = Path(path).read_text(encoding="ascii").split()
    position = 0

    def take(count: int) -> list[float]:
        nonlocal position
        if position + count > len(tokens):
            raise ValueError(f"{path}: file ends after {len(tokens)} numbers")
        values = [float(t) for t in tokens[position : position + count]]
        position += count
        return values

    (count,) = take(1)
    problems = []
    for _ in range(int(count)):
        n_float, m_float, z = take(3)
        n, m = int(n_float), int(m_float)
        profits = np.array(take(n))
        matrix = np.array(take(m * n)).reshape(m, n)
        capacities = np.array(take(m))
        problems.append(MknapProblem(n, m, z, profits, matrix, capacities))
    if position != len(tokens):
        raise ValueError(f"{path}: {len(tokens) - position} numbers left after the last problem")
    return problems


def file_md5(path: Path | str = MKNAP1_PATH) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def exact_sum(values: np.ndarray) -> Decimal:
    """Sum of decimal data without binary rounding (each float read back as its shortest
    decimal text, e.g. 600.1, which is what the file holds)."""
    return sum((Decimal(repr(float(v))) for v in values), Decimal(0))


def profit_total(problem: MknapProblem) -> float:
    """S = sum_j p_j, the BENEFIT baseline in t/yr (= pollution equivalents)."""
    return float(exact_sum(problem.profits))


def expected_after(problem: MknapProblem, z: float | None = None) -> float:
    """Pollution equivalents after at the optimum: S - z (z defaults to the file's)."""
    optimum = problem.z if z is None else z
    return float(exact_sum(problem.profits) - Decimal(repr(float(optimum))))


def _number(value: float) -> int | float:
    """Integral values as int so the YAML reads like the source data."""
    value = float(value)
    return int(value) if value.is_integer() else value


def project_ids(problem: MknapProblem) -> list[str]:
    width = len(str(problem.n))
    return [f"P{j + 1:0{width}d}" for j in range(problem.n)]


def resource_ids(problem: MknapProblem) -> list[str]:
    """Pollutant ids of knapsack constraints 2..m (constraint 1 is the budget)."""
    return [f"R{i + 1}" for i in range(1, problem.m)]


def mknap_as_scenario(problem: MknapProblem, name: str = "mknap1") -> dict[str, Any]:
    """The park scenario (plain dict in the YAML format of model/input/schema.py) whose optimum
    equals the knapsack's: pollution equivalents after = S - (profit of the selection);
    see the module docstring for why the mapping is exact."""
    if np.any(problem.profits < 0) or np.any(problem.A < 0) or np.any(problem.b < 0):
        raise ValueError("the mapping needs non-negative profits, coefficients and capacities")
    resources = resource_ids(problem)
    pollutants: dict[str, Any] = {
        BENEFIT: {
            "medium": "other",
            "pe_kg": 1000.0,
            "name": "knapsack profit (1 t = 1 pollution equivalent)",
            "source": SOURCE,
        }
    }
    for i, rid in enumerate(resources, start=2):
        pollutants[rid] = {"medium": "other", "name": f"knapsack resource {i} (no equivalent)"}
    projects = []
    for j, pid in enumerate(project_ids(problem)):
        reduces: dict[str, int | float] = {BENEFIT: _number(problem.profits[j])}
        for i, rid in enumerate(resources, start=1):
            if problem.A[i, j] != 0:
                reduces[rid] = -_number(problem.A[i, j])
        projects.append(
            {
                "id": pid,
                "owner": ENTERPRISE,
                "capex": _number(problem.A[0, j]),
                "reduces": reduces,
            }
        )
    return {
        "name": name,
        "description": (
            f"OR-Library mknap1 knapsack as a park (n={problem.n}, m={problem.m}); "
            f"optimal pollution equivalents after = {_number(expected_after(problem))}"
        ),
        "horizon": {"start": HORIZON_YEAR, "end": HORIZON_YEAR},
        "pollutants": pollutants,
        "enterprises": [
            {
                "id": ENTERPRISE,
                "sector": "other",
                "baseline": {"emissions": {BENEFIT: _number(profit_total(problem))}},
                "source": SOURCE,
            }
        ],
        "projects": projects,
        "budget": {"total": _number(problem.b[0])},
        "targets": {
            "park_caps": {rid: _number(problem.b[i]) for i, rid in enumerate(resources, start=1)}
        },
        "objective": {"minimize": "pollution"},
        "solver": {"name": "highs", "mip_gap": 0.0},
    }


def scenario_path(k: int) -> Path:
    return VALIDATION_DIR / f"mknap1_{k}.yaml"


def scenario_header(k: int, problem: MknapProblem) -> str:
    """The comment block at the top of scenarios/validation/mknap1_k.yaml."""
    total = _number(profit_total(problem))
    after = _number(expected_after(problem))
    lines = [
        f"OR-Library mknap1, problem {k} of 7 (n = {problem.n} items, m = {problem.m} "
        "constraints), as a ParkCP park.",
        "Source: J.E. Beasley's OR-Library file mknap1.txt (copy: scenarios/validation/"
        "mknap1.txt),",
        "  from C.C. Petersen (1967), Computational experience with variants of the Balas",
        "  algorithm applied to the selection of R&D projects, Management Science 13(9),",
        "  736-750.",
        f"Published optimum (maximum total profit): z = {_number(problem.z)}.",
        f"Mapping: item j = project P<j>. E1 emits BENEFIT = sum of all profits = {total} t/yr",
        "  (pe_kg 1000: 1 t = 1 pollution equivalent); project j removes p_j t. Knapsack",
        "  constraint 1 is the budget (capex_j = a_1j, budget.total = b_1); constraint",
        "  i >= 2 is a park cap on Ri (no pollution equivalent), which project j raises by",
        "  a_ij t/yr.",
        "Reading the answer: objective = pollution equivalents after = sum p - chosen profit;",
        f"  at the optimum: sum p - z = {total} - {_number(problem.z)} = {after}.",
        "Generated by tests/orlib.py (python tests/orlib.py); do not edit by hand.",
    ]
    return "".join(f"# {line}\n" for line in lines)


def scenario_yaml(k: int, problem: MknapProblem) -> str:
    body = yaml.safe_dump(
        mknap_as_scenario(problem, name=f"mknap1_{k}"),
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )
    return scenario_header(k, problem) + body


def expected_rows(problems: list[MknapProblem]) -> list[dict[str, Any]]:
    """Rows of mknap1_expected.csv: k, n, m, z, sum_p, expected_pollution_eq_after."""
    return [
        {
            "k": k,
            "n": problem.n,
            "m": problem.m,
            "z": _number(problem.z),
            "sum_p": _number(profit_total(problem)),
            "expected_pollution_eq_after": _number(expected_after(problem)),
        }
        for k, problem in enumerate(problems, start=1)
    ]


def write_validation_files(
    problems: list[MknapProblem] | None = None, out_dir: Path = VALIDATION_DIR
) -> list[Path]:
    """Write mknap1_k.yaml for every problem and mknap1_expected.csv into out_dir."""
    problems = parse_mknap() if problems is None else problems
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k, problem in enumerate(problems, start=1):
        path = out_dir / f"mknap1_{k}.yaml"
        path.write_text(scenario_yaml(k, problem), encoding="utf-8")
        written.append(path)
    csv_path = out_dir / EXPECTED_CSV.name
    rows = expected_rows(problems)
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    written.append(csv_path)
    return written


def milp_optimum(problem: MknapProblem) -> tuple[float, np.ndarray]:
    """Solve the knapsack itself with scipy.optimize.milp (HiGHS, gap 0): an independent
    solver path. Returns (maximum profit, 0/1 selection)."""
    result = milp(
        c=-problem.profits,
        constraints=LinearConstraint(problem.A, -np.inf, problem.b),
        integrality=np.ones(problem.n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0:
        raise RuntimeError(f"milp failed: {result.message}")
    x = np.round(result.x)
    return float(problem.profits @ x), x


def knapsack_feasible(problem: MknapProblem, x: np.ndarray, tol: float = 1e-9) -> bool:
    """True when sum_j a_ij x_j <= b_i for every constraint i (x a 0/1 vector)."""
    return bool(np.all(problem.A @ np.asarray(x, dtype=float) <= problem.b + tol))


def main() -> int:
    if file_md5() != MKNAP1_MD5:
        print(f"error: {MKNAP1_PATH} is not the OR-Library copy (md5 mismatch)", file=sys.stderr)
        return 1
    for path in write_validation_files():
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
