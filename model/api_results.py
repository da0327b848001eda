"""ParkCP from Python: looking at a result (summary, figures, the plan) and writing and
reading the files the command line writes (docs/api.md, docs/results.md)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from model.api import Result

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    import xarray as xr

    from model.results.run_folder import RunFolder

# --- looking at results -----------------------------------------------------------------------


def _dataset_of(source: Result | xr.Dataset) -> xr.Dataset:
    if isinstance(source, Result):
        if source.dataset is None:
            raise ValueError(f"the run has no portfolio ({source.status})")
        return source.dataset
    return source


def plan(source: Result | xr.Dataset) -> pd.DataFrame:
    """The implementation plan of a multi-year run: one row per started project with its
    start year, the year its effect begins, capex and owner (docs/multi-year.md)."""
    import pandas as pd

    from model.results.plan_tables import plan_table

    return pd.DataFrame(plan_table(_dataset_of(source)))


def figures(source: Result | xr.Dataset) -> dict[str, go.Figure]:
    """The Plotly figures of a run (those of summary.html: reductions by enterprise,
    baseline against after, the portfolio, energy by carrier, the plan figures of a
    multi-year run, the audit and why-not figures) or of a study Dataset (those of
    frontier.html or budget_sweep.html), by name."""
    ds = _dataset_of(source)
    if "study" in ds.attrs:
        from model.report.figures.study_figures import study_figures

        return study_figures(ds)
    from model.report.page import report_figures

    return report_figures(ds)


def summary(source: Result | xr.Dataset) -> str:
    """The text summary the command line prints: status, park totals before and after,
    by pollutant, permits, the largest chosen projects."""
    from model.report.text import summary_text

    return summary_text(_dataset_of(source))


def why_not(source: Result | xr.Dataset) -> str:
    """The why-not table the command line prints with `--why-not N`: for each project left
    out (the N best by pollution equivalents per CNY), the money that would bring it in
    (LP estimate, checked by a re-solve) or what really keeps it out (an exclusive
    alternative, a missing prerequisite, another limit)."""
    from model.report.text import why_not_text

    return why_not_text(_dataset_of(source))


# --- files ------------------------------------------------------------------------------------


def open_output(out: str | os.PathLike[str], name: str) -> RunFolder:
    """Lock the run folder `out/name` and make its staging folder
    (model/results/run_folder.py), before solving; give it to `write` as `out`, and
    close it (or use `with`). Raises InputError when `out` cannot take the run."""
    from model.results.run_folder import RunFolder

    return RunFolder.open(out, name)


def resumable_points(folder: RunFolder) -> int:
    """How many finished study points an interrupted run left for the same command to
    resume from."""
    from model.studies.store import stored_points

    return stored_points(folder.root, folder.name)


def write(
    result: Result,
    out: str | os.PathLike[str] | RunFolder = "results",
    studies: Sequence[xr.Dataset] = (),
    report: bool = True,
    command: str = "model.write (Python)",
    argv: Sequence[str] = (),
    started: float | None = None,
) -> list[Path]:
    """Write the files the command line writes into `out/<scenario name>/`: results.nc,
    selected_projects.csv, summary.html (unless `report` is False), the files of each
    study Dataset (frontier.nc and .html; budget_sweep.nc and .html,
    budget_priority.csv, budget_levels.csv) and manifest.json (file sizes and SHA-256,
    input hash, `command`, `argv`). The files are written into a staging folder and
    swapped in whole (model/results/run_folder.py): a reader never sees half a run.

    `out`: a folder, or a RunFolder from `open_output` (then left open). The stage
    timings, with `write_csv`, `report` and `total` (since `started`, a
    time.perf_counter() value; default the sum of the stages) up to the writing of
    results.nc, go into the Dataset's attributes as time_*_s; manifest.json's
    `timings_s` also has `write_results_nc`, `write_studies` and the whole `total`.
    Returns the paths of the files written, manifest last."""
    from model.report.page import write_report
    from model.results.io import write_dataset, write_selected_csv
    from model.results.run_folder import RunFolder
    from model.studies.runner import write_study_files
    from model.studies.store import clear_stores

    dataset = _dataset_of(result)
    folder = out if isinstance(out, RunFolder) else open_output(out, result.scenario.scenario.name)
    try:
        timings = result.timings
        lap = time.perf_counter()
        write_selected_csv(dataset, folder.staging / "selected_projects.csv")
        timings["write_csv"], lap = time.perf_counter() - lap, time.perf_counter()
        if report:
            write_report(dataset, folder.staging / "summary.html")
        timings["report"], lap = time.perf_counter() - lap, time.perf_counter()
        timings.pop("total", None)
        timings["total"] = sum(timings.values()) if started is None else lap - started
        for key, value in timings.items():  # results.nc cannot hold its own writing time:
            dataset.attrs[f"time_{key}_s"] = float(value)  # manifest.json records it
        write_dataset(dataset, folder.staging / "results.nc")
        timings["write_results_nc"], lap = time.perf_counter() - lap, time.perf_counter()
        for study in studies:
            write_study_files(study, str(study.attrs["study"]), folder.staging)
        timings["write_studies"] = time.perf_counter() - lap
        if started is not None:
            timings["total"] = time.perf_counter() - started
        names = folder.commit(result.scenario.input_hash, command, list(argv), timings)
        clear_stores(folder.root, folder.name)
    finally:
        if folder is not out:
            folder.close()
    return [folder.target / name for name in names]


def read_dataset(path: str | os.PathLike[str]) -> xr.Dataset:
    """Read a results.nc (or frontier.nc, budget_sweep.nc) back into memory exactly as it
    was written (model/results/io.py); `figures`, `summary` and `plan` work on it as on
    a fresh run, without solving."""
    from model.results.io import read_dataset as read

    return read(path)
