"""Budget-sweep benchmark: ParkCP's persistent re-solves against raw highspy.

    python benchmarks/sweep.py [--n 10000] [--points 20] [--skip-milp]

On one synthetic park of N projects (benchmarks/synthetic.py), measured in the same run:

1. LP sweep (every project divisible), `points` budget levels:
   * ParkCP: `run_budget_sweep` as a run makes it: build the Pyomo model once, hand it to
     HiGHS once, then per level change the budget parameter and re-solve (persistent
     interface, LP basis kept), reading each level's budget dual from its own solve;
   * raw: build the same LP from arrays with highspy once, then per level change the
     budget row's bound (`changeRowBounds`) and re-run (HiGHS warm-starts from its basis).
   Target: ParkCP / raw <= 2.0.
2. MILP sweep, the same levels:
   * ParkCP: `run_budget_sweep` with ParkCP's default workers (the machine's cores for
     more than 8 levels; dask), each building its model once and MIP-starting each
     level from its previous one; includes the LP shadow prices of the budget that
     ParkCP reports;
   * raw: the MILP built and solved cold from arrays at each level, one after another.
   Target: ParkCP faster than raw.

Both sides agree on every level's objective within the MIP gap (checked and printed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.raw_highs import build_raw_highs, raw_from_park, solve_raw_highs  # noqa: E402
from benchmarks.synthetic import write_scenario  # noqa: E402
from model.compile.compile import compile_park
from model.input.loading import load_scenario  # noqa: E402
from model.input.run_options import SolverOptions
from model.studies.budget import run_budget_sweep  # noqa: E402
from model.studies.runner import sweep_workers  # noqa: E402


def budget_row_index(park) -> int:
    """Row of the budget in the raw model: after the emission-link, soft-permit and
    energy-link rows (benchmarks/raw_highs.py builds rows in the formulation's order)."""
    soft = 0
    if park.permit_mode == "soft":
        pairs = park.emission_pairs()
        soft = int((~np.isnan(park.permit[pairs[:, 0], pairs[:, 1]])).sum())
    return len(park.emission_pairs()) + soft + len(park.energy_pairs())


def lp_sweep(park, budgets: np.ndarray, options: SolverOptions) -> dict:
    """ParkCP's LP sweep as a run makes it (`run_budget_sweep`: one model, warm-started
    re-solves, the budget duals read from those solves) against raw highspy re-runs."""
    lp = replace(park, divisible=np.ones(park.n_projects, dtype=bool))
    started = time.perf_counter()
    points = run_budget_sweep(lp, options, budgets)
    ours_total = time.perf_counter() - started
    assert all(p.budget_dual is not None for p in points if p.status == "optimal")
    ours_resolve = float("nan")  # build and re-solves are not separated inside the sweep

    started = time.perf_counter()
    h = build_raw_highs(raw_from_park(lp), mip_gap=options.mip_gap)
    row = budget_row_index(lp)
    ready = time.perf_counter()
    raw_values = []
    for budget in budgets:
        h.changeRowBounds(row, -np.inf, float(budget) / h.row_unit[row])  # in its unit
        raw_values.append(solve_raw_highs(h).objective)
    raw_total, raw_resolve = time.perf_counter() - started, time.perf_counter() - ready
    ours_values = [
        lp.weight_pollution * p.pollution_avoided + lp.weight_energy * p.tce_saved for p in points
    ]
    return {
        "ours_total": ours_total,
        "raw_total": raw_total,
        "ours_resolve": ours_resolve,
        "raw_resolve": raw_resolve,
        "max_rel_diff": _max_rel_diff(ours_values, raw_values),
    }


def milp_sweep(park, budgets: np.ndarray, options: SolverOptions, workers: int) -> dict:
    started = time.perf_counter()
    points = run_budget_sweep(park, options, budgets, workers=workers)
    ours = time.perf_counter() - started

    started = time.perf_counter()
    raw_values = []
    for budget in budgets:
        h = build_raw_highs(
            raw_from_park(replace(park, budget_total=float(budget))), mip_gap=options.mip_gap
        )
        raw_values.append(solve_raw_highs(h).objective)
    raw = time.perf_counter() - started
    ours_values = [
        park.weight_pollution * p.pollution_avoided + park.weight_energy * p.tce_saved
        for p in points
    ]
    return {"ours": ours, "raw": raw, "max_rel_diff": _max_rel_diff(ours_values, raw_values)}


def _max_rel_diff(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, help="MILP sweep processes (default: ParkCP's own default)"
    )
    parser.add_argument("--skip-milp", action="store_true")
    parser.add_argument(
        "--mip-gap", type=float, help="override the scenario's MIP gap (both sides)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        path = write_scenario(args.n, Path(folder))
        loaded = load_scenario(path)
    park = compile_park(loaded.scenario, loaded.registry)
    options = loaded.scenario.solver
    if args.mip_gap is not None:
        options = options.model_copy(update={"mip_gap": args.mip_gap})
    budgets = np.linspace(0.1, 0.6, args.points) * park.capex.sum()
    print(
        f"synthetic park: {park.n_projects} projects, {len(park.enterprise_ids)} rows, "
        f"{args.points} budget levels {budgets[0]:.3g}..{budgets[-1]:.3g} CNY, "
        f"MIP gap {options.mip_gap}"
    )

    lp = lp_sweep(park, budgets, options)
    print("\nLP sweep (all divisible), seconds")
    print(
        f"  ParkCP build + {args.points} re-solves: {lp['ours_total']:8.2f}   "
        f"re-solves only: {lp['ours_resolve']:8.2f}"
    )
    print(
        f"  raw highspy build + {args.points} runs: {lp['raw_total']:8.2f}   "
        f"re-runs only:   {lp['raw_resolve']:8.2f}"
    )
    print(
        f"  ratio total {lp['ours_total'] / lp['raw_total']:.2f}  "
        f"re-solves {lp['ours_resolve'] / lp['raw_resolve']:.2f}   (target <= 2.0)   "
        f"objectives agree to {lp['max_rel_diff']:.1e}"
    )

    if not args.skip_milp:
        workers = sweep_workers(args.workers, len(budgets))
        milp = milp_sweep(park, budgets, options, workers)
        print(f"\nMILP sweep, seconds (ParkCP: {workers} processes, MIP starts, + LP duals)")
        print(
            f"  ParkCP: {milp['ours']:8.2f}   raw highspy cold, serial: {milp['raw']:8.2f}   "
            f"ratio {milp['ours'] / milp['raw']:.2f} (target < 1)   "
            f"objectives agree to {milp['max_rel_diff']:.1e} (gap {options.mip_gap})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
