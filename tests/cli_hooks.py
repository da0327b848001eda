"""Run the ParkCP command line with test hooks: `python tests/cli_hooks.py HOOK... -- ARGS`.

Used by tests/test_cli_output.py to stop a real CLI run at an exact point (SIGKILL, as a
power cut or `kill -9` would) or to count its solves, without timing races. Hooks:

* `kill-at-solve=N`: SIGKILL this process when the budget sweep's N-th solve starts
  (levels are solved in order with one worker, so N - 1 levels are finished);
* `kill-after-write=NAME`: SIGKILL right after the run's file NAME is written;
* `kill-mid-swap`: force the fallback swap (no RENAME_EXCHANGE) and SIGKILL between its
  two renames, after the previous run was moved away;
* `record-levels=FILE`: append every budget level the sweep is asked to solve to FILE;
* `slow-sweep=FILE`: each budget-sweep task (in its dask worker) writes FILE, then
  sleeps 120 s before solving (to interrupt a sweep while workers are busy).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def slow_sweep_chunk(task: tuple, marker: str):
    """A budget-sweep task that announces itself and then takes two minutes."""
    import model.studies.budget as budget

    Path(marker).write_text(str(os.getpid()))
    time.sleep(120)
    return getattr(budget, "_original_sweep_chunk", budget._sweep_chunk)(task)


def install(hook: str) -> None:
    name, _, value = hook.partition("=")
    if name == "kill-at-solve":
        import model.studies.budget as budget

        original_make_solver = budget.make_solver
        solves = [0]

        def make_solver(park_model, options):
            solver = original_make_solver(park_model, options)
            solve = solver.solve

            def solve_or_die():
                solves[0] += 1
                if solves[0] >= int(value):
                    _kill()
                return solve()

            solver.solve = solve_or_die
            return solver

        budget.make_solver = make_solver
    elif name == "kill-after-write":
        import model.results.atomic as atomic

        original_write = atomic.atomic_write

        def write(path, write_fn):
            written = original_write(path, write_fn)
            if Path(path).name == value:
                _kill()
            return written

        atomic.atomic_write = write
        import model.results.dataset as results

        results.atomic_write = write
    elif name == "kill-mid-swap":
        import model.results.run_folder as runfolder

        runfolder._exchange = lambda a, b: False
        real_rename = os.rename

        def rename(src, dst):
            real_rename(src, dst)
            if ".old-" in Path(dst).name:
                _kill()

        runfolder.os.rename = rename
    elif name == "record-levels":
        import model.studies.budget as budget

        original_levels = budget.solve_levels

        def solve_levels(park_model, solver, budgets, *args, **kwargs):
            with open(value, "a") as handle:
                handle.writelines(f"{float(level)!r}\n" for level in budgets)
            return original_levels(park_model, solver, budgets, *args, **kwargs)

        budget.solve_levels = solve_levels
    elif name == "slow-sweep":
        import functools

        import model.studies.budget as budget

        budget._original_sweep_chunk = budget._sweep_chunk
        budget._sweep_chunk = functools.partial(slow_sweep_chunk, marker=value)
    else:
        raise SystemExit(f"unknown hook {hook}")


if __name__ == "__main__":
    split = sys.argv.index("--")
    for hook in sys.argv[1:split]:
        install(hook)
    from model.run import main

    sys.exit(main(sys.argv[split + 1 :]))
