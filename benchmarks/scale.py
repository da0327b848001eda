"""Scale benchmark: ParkCP's whole run against a raw highspy baseline on the same park.

    python benchmarks/scale.py [--n 10000] [--repeat 3] [--lp] [--mip-gap G] [--phases]
    python benchmarks/scale.py --matrix [--skip-large]      # the table of README.md
    python benchmarks/scale.py --scenario scenarios/demo_park.yaml --parkcp-args '--why-not 0'

For each N, the synthetic park of N projects (benchmarks/synthetic.py, seed 0; with
--lp every project divisible, an LP) is written as YAML + CSV tables into a temporary
folder, and two subprocesses are timed from start to exit (Python start-up and imports
included), each as a whole process with its own peak memory (os.wait4):

(a) ParkCP: `python -m model.run <yaml> --out <tmp>` (must exit 0), exactly as a user
    runs it (the CLI's defaults: LP why-not estimates, appraisal, summary.html,
    results.nc); `--parkcp-args` adds arguments, e.g. '--no-report'.
(b) raw: `python benchmarks/raw_highs.py <yaml>`: PyYAML + pandas read the same files
    into arrays, highspy gets the same MILP built in the baseline's own natural column
    order (not ParkCP's: the order changes HiGHS's path through a MILP), solves it and
    writes the selection as CSV.

Both solve the same model with the same options. Reported per N: the median wall time
of each side over `--repeat` runs (the sides alternate), the HiGHS time on each side
(ParkCP's `solver_seconds`, raw's run time), the time outside the solver (wall - HiGHS)
and the median peak memory, with the load average at the start and the end (the
machine may be shared). Both selections are re-evaluated with the raw arrays and must
agree within the MIP gap. The phase breakdown comes from the `time_*_s` attributes of
ParkCP's results.nc; --phases also times each phase in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from raw_highs import objective_value, raw_from_files  # noqa: E402
from synthetic import write_scenario  # noqa: E402

TARGET_RATIO = 1.5
DEFAULT_PARKCP_ARGS = ""


def _timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of one whole process, and its result; `.peak_mb` is the process's peak
    resident memory (its own rusage, from os.wait4, so other processes never count)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(
            command, process.returncode, out.read().decode(), err.read().decode()
        )
    done.peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return seconds, done


def run_parkcp(yaml_path: Path, out: Path, extra: list[str]) -> tuple[float, dict]:
    """Wall time of the CLI, and the results.nc attrs and selection it wrote."""
    import xarray as xr

    command = [sys.executable, "-m", "model.run", str(yaml_path), "--out", str(out), *extra]
    seconds, done = _timed(command)
    if done.returncode != 0:
        raise SystemExit(
            f"ParkCP exited {done.returncode}: {shlex.join(command)}\n{done.stderr[-2000:]}"
        )
    folder = next(p.parent for p in out.glob("*/results.nc"))
    with xr.open_dataset(folder / "results.nc") as ds:
        attrs = dict(ds.attrs)
        attrs["peak_mb"] = done.peak_mb
        selected = ds["selected"]
        level = selected.max("year") if "year" in selected.dims else selected
        x = dict(zip(ds["project"].values.astype(str), level.values.astype(float), strict=True))
    return seconds, {"attrs": attrs, "x": x}


def run_raw(yaml_path: Path, out: Path, extra: list[str]) -> tuple[float, dict]:
    """Wall time of the raw baseline and its JSON report (+ its selection)."""
    command = [
        sys.executable,
        str(HERE / "raw_highs.py"),
        str(yaml_path),
        "--out",
        str(out),
        *extra,
    ]
    seconds, done = _timed(command)
    if done.returncode != 0:
        raise SystemExit(f"raw baseline exited {done.returncode}\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["peak_mb"] = done.peak_mb
    import pandas as pd

    table = pd.read_csv(out / "raw_selected_projects.csv")
    report["x"] = dict(zip(table["project"].astype(str), table["level"], strict=True))
    return seconds, report


def in_process_phases(
    yaml_path: Path,
    out: Path,
    extra_sets: list[str],
    solver_args: list[str],
    profile: Path | None = None,
) -> dict[str, float]:
    """Time ParkCP's phases in this process (imports excluded), following the CLI: load,
    then `model.pipeline.run_scenario` (its own timings), then the three writers. The
    hand-over of the Pyomo model to HiGHS is split off the solve by timing the adapter's
    `prepare` (instrumentation of this process only). With `profile`, a cProfile
    of the whole sequence is written there (open with `python -m pstats`)."""
    import cProfile

    from model.input.loading import load_scenario
    from model.pipeline import run_scenario
    from model.report.page import write_report
    from model.results.io import write_dataset, write_selected_csv
    from solvers.highs_bulk import HighsBulkSolver

    handover = {"seconds": 0.0}
    original = HighsBulkSolver.prepare

    def timed_ensure_instance(self) -> None:
        started = time.perf_counter()
        original(self)
        handover["seconds"] += time.perf_counter() - started

    profiler = cProfile.Profile() if profile else None
    phases: dict[str, float] = {}
    HighsBulkSolver.prepare = timed_ensure_instance
    try:
        if profiler:
            profiler.enable()
        mark = time.perf_counter()
        loaded = load_scenario(yaml_path, None, extra_sets)
        phases["load YAML+CSV, validate"] = time.perf_counter() - mark
        overrides: dict[str, float | int] = {
            solver_args[i][2:].replace("-", "_"): float(solver_args[i + 1])
            for i in range(0, len(solver_args), 2)
        }
        if "threads" in overrides:
            overrides["threads"] = int(overrides["threads"])
        options = loaded.scenario.solver.model_copy(update=overrides)
        timings: dict[str, float] = {}
        outcome = run_scenario(loaded, options, timings)
        for name, seconds in timings.items():
            if name == "solve":
                phases["hand-over to HiGHS (prepare)"] = handover["seconds"]
                phases["solve (HiGHS run + load)"] = seconds - handover["seconds"]
            else:
                phases[f"pipeline: {name}"] = seconds
        folder = out / loaded.scenario.name
        folder.mkdir(parents=True, exist_ok=True)
        for name, writer, file in (
            ("write selected_projects.csv", write_selected_csv, "selected_projects.csv"),
            ("write summary.html", write_report, "summary.html"),
            ("write results.nc", write_dataset, "results.nc"),
        ):
            mark = time.perf_counter()
            writer(outcome.dataset, folder / file)
            phases[name] = time.perf_counter() - mark
    finally:
        HighsBulkSolver.prepare = original
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile))
    return phases


CLI_MODULES = "model.run, model.pipeline, model.report.page, model.results.dataset"
"""The modules a CLI run imports, whose import time is reported."""


def _import_seconds(modules: str) -> float:
    code = f"import time; t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    return float(done.stdout.strip()) if done.returncode == 0 else float("nan")


def make_all_divisible(yaml_path: Path) -> None:
    """Every project of the written park divisible (the LP case), in its CSV table."""
    import pandas as pd

    table = next(yaml_path.parent.glob("*-projects.csv"))
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    frame["divisible"] = "true"
    frame.to_csv(table, index=False)


def _selection(x: dict[str, float], ids: list[str]) -> np.ndarray:
    return np.array([x.get(i, 0.0) for i in ids], dtype=float)


def benchmark(
    n: int,
    repeat: int,
    parkcp_args: list[str],
    solver_args: list[str],
    phases: bool,
    keep: Path | None,
    seed: int = 0,
    profile: Path | None = None,
    lp: bool = False,
    scenario: Path | None = None,
) -> dict:
    """Write the N-project park (every project divisible with `lp`), or take `scenario`,
    time both sides `repeat` times, alternating, compare the answers."""
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"parkcp-scale-{n}-"))
    started = time.perf_counter()
    if scenario is not None:
        yaml_path = scenario.resolve()
        n = len(raw_from_files(yaml_path)[0].project_ids)
    else:
        yaml_path = write_scenario(n, folder / "scenario", seed=seed)
    if lp and scenario is None:
        make_all_divisible(yaml_path)
    print(f"N = {n}: scenario written to {yaml_path} in {time.perf_counter() - started:.1f} s")
    load_before = os.getloadavg()
    parkcp_runs: list[tuple[float, float]] = []  # (wall, HiGHS solve) per run
    raw_runs: list[tuple[float, float]] = []
    peaks: dict[str, list[float]] = {"parkcp": [], "raw": []}
    parkcp = raw = None
    for i in range(repeat):
        order = ("parkcp", "raw") if i % 2 == 0 else ("raw", "parkcp")
        for side in order:
            if side == "parkcp":
                seconds, parkcp = run_parkcp(
                    yaml_path, folder / f"parkcp-{i}", parkcp_args + solver_args
                )
                parkcp_runs.append((seconds, float(parkcp["attrs"]["solver_seconds"])))
                peaks["parkcp"].append(parkcp["attrs"]["peak_mb"])
            else:
                seconds, raw = run_raw(yaml_path, folder / f"raw-{i}", solver_args)
                raw_runs.append((seconds, float(raw["solve_s"])))
                peaks["raw"].append(raw["peak_mb"])
            print(f"  run {i + 1} {side:6s} {seconds:8.2f} s", flush=True)

    arrays, solver = raw_from_files(yaml_path)
    # agreement: within the MIP gap asked for, or the larger gap a time limit left
    gaps = [float(solver.get("mip_gap", 1.0e-4)), raw.get("gap") or 0.0]
    gaps.append(float(parkcp["attrs"].get("gap", 0.0) or 0.0))
    if "--mip-gap" in solver_args:
        gaps[0] = float(solver_args[solver_args.index("--mip-gap") + 1])
    gap = max(g for g in gaps if np.isfinite(g))
    value_parkcp = objective_value(arrays, _selection(parkcp["x"], arrays.project_ids))
    value_raw = objective_value(arrays, _selection(raw["x"], arrays.project_ids))
    agree = abs(value_parkcp - value_raw) <= gap * max(abs(value_parkcp), abs(value_raw), 1.0)

    def medians(runs: list[tuple[float, float]]) -> tuple[float, float, float]:
        """Median wall time, median solve time, median of (wall - solve) per run."""
        return (
            statistics.median(w for w, _ in runs),
            statistics.median(s for _, s in runs),
            statistics.median(w - s for w, s in runs),
        )

    t_parkcp, solve_parkcp, other_parkcp = medians(parkcp_runs)
    t_raw, solve_raw, other_raw = medians(raw_runs)
    row = {
        "n": n,
        "lp": lp,
        "mip_gap": gaps[0],
        "load_average": [round(v, 2) for v in (*load_before, *os.getloadavg())],
        "parkcp_peak_mb": statistics.median(peaks["parkcp"]),
        "raw_peak_mb": statistics.median(peaks["raw"]),
        "parkcp_s": t_parkcp,
        "raw_s": t_raw,
        "ratio": t_parkcp / t_raw,
        "parkcp_runs": parkcp_runs,
        "raw_runs": raw_runs,
        "parkcp_solve_s": solve_parkcp,
        "raw_solve_s": solve_raw,
        "parkcp_other_s": other_parkcp,
        "raw_other_s": other_raw,
        "other_ratio": other_parkcp / other_raw,
        "parkcp_objective": parkcp["attrs"].get("objective"),
        "raw_objective": raw["objective"],
        "parkcp_evaluated": value_parkcp,
        "raw_evaluated": value_raw,
        "agree": bool(agree),
        "tolerance": gap,
        "parkcp_status": parkcp["attrs"].get("status"),
        "raw_status": raw["status"],
        "raw_phases": {k: raw[k] for k in ("read_s", "build_s", "solve_s", "write_s")},
        "parkcp_phases": {
            k: v for k, v in parkcp["attrs"].items() if k.startswith("time_") and k.endswith("_s")
        },
        "raw_nodes": raw.get("mip_node_count"),
        "raw_lp_iterations": raw.get("simplex_iteration_count"),
        "folder": str(folder),
    }
    if phases:
        row["in_process"] = in_process_phases(
            yaml_path, folder / "phases", _sets(parkcp_args), solver_args
        )
    if profile:  # a separate run: the profiler slows the Python parts 2-3x
        in_process_phases(yaml_path, folder / "profiled", _sets(parkcp_args), solver_args, profile)
        print(f"  cProfile of an in-process run written to {profile}")
    return row


def _sets(parkcp_args: list[str]) -> list[str]:
    """The KEY=VALUE parts of `--set KEY=VALUE` arguments."""
    return [parkcp_args[i + 1] for i, a in enumerate(parkcp_args[:-1]) if a == "--set"]


def markdown_table(rows: list[dict]) -> str:
    """The rows as the table of benchmarks/README.md (medians of the runs)."""
    lines = [
        "| work | N | ParkCP s | raw s | ratio | HiGHS ParkCP / raw s | outside HiGHS "
        "ParkCP / raw s (ratio) | peak MB ParkCP / raw | load avg 1 min (start, end) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        work = "LP (all divisible)" if r["lp"] else f"MILP, gap {r['mip_gap']:g}"
        lines.append(
            f"| {work} | {r['n']:,} | {r['parkcp_s']:.2f} | {r['raw_s']:.2f} | "
            f"{r['ratio']:.2f}x | {r['parkcp_solve_s']:.2f} / {r['raw_solve_s']:.2f} | "
            f"{r['parkcp_other_s']:.2f} / {r['raw_other_s']:.2f} ({r['other_ratio']:.2f}x) | "
            f"{r['parkcp_peak_mb']:.0f} / {r['raw_peak_mb']:.0f} | "
            f"{r['load_average'][0]:.2f}, {r['load_average'][3]:.2f} |"
        )
    return "\n".join(lines)


def print_report(rows: list[dict]) -> None:
    print()
    header = (
        f"{'N':>7} {'ParkCP s':>9} {'raw s':>8} {'ratio':>6}  {'ParkCP objective':>18} "
        f"{'raw objective':>18}  agree  target ratio <= {TARGET_RATIO}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        if r["parkcp_status"] != "optimal" or r["raw_status"] != "optimal":
            print(f"{'':>7} status: ParkCP {r['parkcp_status']}, raw {r['raw_status']}")
        verdict = "met" if r["ratio"] <= TARGET_RATIO else "NOT met"
        print(
            f"{r['n']:>7} {r['parkcp_s']:>9.2f} {r['raw_s']:>8.2f} {r['ratio']:>6.2f}  "
            f"{r['parkcp_objective']:>18.6f} {r['raw_objective']:>18.6f}  "
            f"{'yes' if r['agree'] else 'NO':5s}  {verdict}"
        )
    for r in rows:
        print(
            f"\nN = {r['n']}, medians of {len(r['raw_runs'])} run(s): HiGHS solve ParkCP "
            f"{r['parkcp_solve_s']:.2f} s, raw {r['raw_solve_s']:.2f} s (raw: "
            f"{r['raw_nodes']} nodes, {r['raw_lp_iterations']} LP iterations); everything "
            f"else (wall - solve): ParkCP {r['parkcp_other_s']:.2f} s, raw "
            f"{r['raw_other_s']:.2f} s, ratio {r['other_ratio']:.2f}"
        )
        print(
            "  wall s per run: ParkCP "
            + ", ".join(f"{w:.1f}" for w, _ in r["parkcp_runs"])
            + "; raw "
            + ", ".join(f"{w:.1f}" for w, _ in r["raw_runs"])
        )
        print(
            "  ParkCP phases, last run (results.nc attrs; solve includes the hand-over): "
            + ", ".join(f"{k[5:-2]} {v:.2f}" for k, v in r["parkcp_phases"].items())
        )
        print(
            "  raw phases, last run: "
            + ", ".join(f"{k[:-2]} {v:.2f}" for k, v in r["raw_phases"].items())
        )
        if "in_process" in r:
            print("  ParkCP in-process phases:")
            for name, seconds in r["in_process"].items():
                print(f"    {name:32s} {seconds:8.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000], help="project counts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per side (median)")
    parser.add_argument(
        "--parkcp-args",
        default=DEFAULT_PARKCP_ARGS,
        help=f"extra arguments for model.run (default: {DEFAULT_PARKCP_ARGS!r})",
    )
    parser.add_argument("--mip-gap", type=float, help="override the scenario's, both sides")
    parser.add_argument("--time-limit", type=float, help="override the scenario's, both sides")
    parser.add_argument("--threads", type=int, help="override the scenario's, both sides")
    parser.add_argument("--seed", type=int, default=0, help="synthetic park seed")
    parser.add_argument("--phases", action="store_true", help="also time phases in-process")
    parser.add_argument("--cprofile", type=Path, help="profile one more in-process run")
    parser.add_argument("--keep", type=Path, help="write into this folder (kept)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--lp", action="store_true", help="every project divisible (an LP)")
    parser.add_argument(
        "--scenario", type=Path, help="this scenario instead of a synthetic park (e.g. the demo)"
    )
    parser.add_argument(
        "--matrix",
        action="store_true",
        help="the README table: N = 1,000, 10,000 (and 100,000 unless --skip-large), each "
        "as MILP at gap 1e-4 and 1e-2 and as LP, 3 alternating runs per side",
    )
    parser.add_argument("--skip-large", action="store_true", help="no N = 100,000 in --matrix")
    args = parser.parse_args(argv)
    if args.matrix:
        return run_matrix(args)

    extra = shlex.split(args.parkcp_args)
    solver_args = []
    for flag in ("mip_gap", "time_limit", "threads"):
        if getattr(args, flag) is not None:
            solver_args += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    print(
        "import time, fresh process: ParkCP CLI modules "
        f"{_import_seconds(CLI_MODULES):.2f} s, "
        f"raw baseline modules {_import_seconds('highspy, pandas, scipy.sparse, yaml'):.2f} s"
    )
    rows = []
    for n in args.n:
        keep = args.keep / f"n{n}" if args.keep else None
        profile = args.cprofile.with_suffix(f".n{n}.prof") if args.cprofile else None
        rows.append(
            benchmark(
                n,
                args.repeat,
                extra,
                solver_args,
                args.phases,
                keep,
                args.seed,
                profile,
                args.lp,
                args.scenario,
            )
        )
    print_report(rows)
    print()
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=float), encoding="utf-8")
    return 0 if all(r["agree"] for r in rows) else 1


def run_matrix(args: argparse.Namespace) -> int:
    """Every (N, work) of the README table, 3 alternating whole-process runs per side."""
    sizes = [1_000, 10_000] if args.skip_large else [1_000, 10_000, 100_000]
    works = [(["--mip-gap", "1e-4"], False), (["--mip-gap", "1e-2"], False), ([], True)]
    rows = []
    for n in sizes:
        for solver_args, lp in works:
            rows.append(benchmark(n, 3, shlex.split(args.parkcp_args), solver_args, False,
                                  None, args.seed, None, lp))  # fmt: skip
            print(markdown_table(rows[-1:]).splitlines()[-1], flush=True)
    print_report(rows)
    print()
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=float), encoding="utf-8")
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
