"""Input speed: reading a park's CSV tables against `pandas.read_csv` of the same files.

    python benchmarks/input_speed.py [--n 100000] [--repeat 3] [--folder DIR]

Writes the synthetic park of N projects (benchmarks/synthetic.py, seed 0; or reuses the
one in --folder), then times, in this process, alternating, `repeat` times each:

* pandas: `pandas.read_csv` of the enterprise and the project table (pandas' own type
  inference, nothing else): the yardstick;
* tables: ParkCP's `read_table` of both tables (model/input/table_files.py: the cells
  converted column-wise, the rows built in the schema's nesting), the step the issue's
  target is about (at most 1.5x pandas at N = 100,000);
* load: the whole `load_scenario` (tables, text checks, pydantic validation, the named
  checks and the input hash).

Both wall and CPU seconds are reported (medians): on a shared machine the CPU seconds of
this process are the steadier measure. Prints one table and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402
from synthetic import write_scenario  # noqa: E402

from model.input.loading import load_scenario  # noqa: E402
from model.input.table_files import TableRef, read_table  # noqa: E402

TARGET = 1.5
"""ParkCP's table reading may take at most this many times pandas.read_csv."""


def _timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(yaml_path: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each way of reading the park's tables."""
    tables = {
        kind: next(yaml_path.parent.glob(f"*-{kind}.csv")) for kind in ("enterprises", "projects")
    }
    refs = [TableRef(kind, "csv", path, str(path), str(yaml_path)) for kind, path in tables.items()]
    ways = {
        "pandas.read_csv": lambda: [pd.read_csv(path) for path in tables.values()],
        "ParkCP read_table": lambda: [read_table(ref) for ref in refs],
        "ParkCP load_scenario": lambda: load_scenario(yaml_path),
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for _ in range(repeat):
        for name, work in ways.items():
            runs[name].append(_timed(work))
    return {
        name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
        for name, r in runs.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="write the park here (reused if present)")
    args = parser.parse_args(argv)
    folder = args.folder or Path(f"/tmp/parkcp-input-{args.n}")
    yaml_path = folder / f"synthetic-{args.n}.yaml"
    if not yaml_path.exists():
        yaml_path = write_scenario(args.n, folder)
    load_scenario(yaml_path)  # imports and first-use costs out of the way
    load_before = os.getloadavg()[0]
    results = measure(yaml_path, args.repeat)
    base_wall, base_cpu = results["pandas.read_csv"]
    print(f"N = {args.n}, medians of {args.repeat} alternating runs, load average "
          f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'':22s} {'wall s':>8s} {'x pandas':>9s} {'CPU s':>8s} {'x pandas':>9s}")
    for name, (wall, cpu) in results.items():
        print(f"{name:22s} {wall:8.2f} {wall / base_wall:8.2f}x {cpu:8.2f} {cpu / base_cpu:8.2f}x")
    wall, cpu = results["ParkCP read_table"]
    verdict = "met" if cpu / base_cpu <= TARGET else "NOT met"
    print(f"target: tables <= {TARGET}x pandas.read_csv (CPU seconds): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
