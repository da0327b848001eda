"""What a run leaves on disk and says, at the edges: infeasible study levels, killed and
interrupted runs, resumed sweeps, concurrent runs, and an unusable `--out`.

Every test runs the command line as a subprocess on the three-project park of
tests/test_cli.py. Runs are stopped at exact points by tests/cli_hooks.py (SIGKILL, as
`kill -9` or a power cut would), so no test depends on timing.

By hand, for that park (budget 200, E1's COD permit 8 t/yr forces E1-P1, capex 100):
no portfolio exists below a budget of 100; at 100-149 only E1-P1; at 150-179 E1-P1 +
E1-P2 (150); at 180-229 E1-P1 + E2-P1 (180, the most pollution equivalents: 4,000 + 9,000
= 13,000); from 230 all three.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
import xarray as xr
from test_cli import BASE, ROOT, mutated, run_cli, write

HOOKS = ROOT / "tests" / "cli_hooks.py"
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def run_hooked(hooks: list[str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOKS), *hooks, "--", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=ENV,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


def assert_whole_run(folder: Path) -> dict:
    """The folder holds exactly the files its manifest lists, with their sizes and
    SHA-256 (recomputed here); returns the manifest."""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) | {"manifest.json"} == {p.name for p in folder.iterdir()}
    for name, entry in listed.items():
        data = (folder / name).read_bytes()
        assert entry["bytes"] == len(data), name
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
    return manifest


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error: ")]


# --------------------------------------------------------------------------- item 3


def test_sweep_marks_infeasible_levels_and_all_infeasible_is_exit_3(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    sweep = ("--budget-sweep", "0:230:5", "--no-report", "--out", str(out))
    proc = run_cli(str(scenario), *sweep, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # levels 0, 57.5, 115, 172.5, 230: the first two have no portfolio (see the header)
    assert (
        "budget sweep: 2 of 5 levels (from 0 CNY to 58 CNY): no portfolio meets the "
        "scenario's limits with a budget of 58 CNY or less; the least budget that meets "
        "them is 100 CNY"
    ) in proc.stderr
    folder = out / "cli-park"
    with xr.open_dataset(folder / "budget_sweep.nc") as ds:
        assert ds["feasible"].values.tolist() == [False, False, True, True, True]
        assert ds["status"].values.tolist()[:2] == ["infeasible", "infeasible"]
        assert np.isnan(ds["capex"].values[:2]).all()
        assert np.isnan(ds["pollution_avoided"].values[:2]).all()
        assert np.isnan(ds["budget_dual"].values[:2]).all()
        assert ds["capex"].values[2:].tolist() == [100.0, 150.0, 230.0]
        assert ds.attrs["least_budget"] == 100.0
    with open(folder / "budget_levels.csv", newline="") as handle:
        levels = list(csv.DictReader(handle))
    assert [row["feasible"] for row in levels] == ["False", "False", "True", "True", "True"]
    assert [row["capex_CNY"] for row in levels] == ["", "", "100.0", "150.0", "230.0"]
    with open(folder / "budget_priority.csv", newline="") as handle:
        priority = {row["project"]: row for row in csv.DictReader(handle)}
    assert priority["E1-P1"]["entry_budget_CNY"] == "115.0"
    assert (
        "lowest level with one (115 CNY); the 2 lower levels have none"
        in (priority["E1-P1"]["entry_note"])
    )
    assert priority["E2-P1"]["entry_note"] == ""
    page = (folder / "budget_sweep.html").read_text()
    assert "No portfolio:</strong> 2 of 5 levels" in page
    assert "no portfolio at this budget" in page  # the marker trace of the budget curve
    before = snapshot(folder)

    proc = run_cli(str(scenario), "--budget-sweep", "0:90:3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert error_lines(proc) == [
        "error: budget sweep: no portfolio meets the scenario's limits at any of the 3 "
        "budget levels (0 CNY, 45 CNY, 90 CNY); the least budget that meets them is 100 CNY"
    ]
    assert "Traceback" not in proc.stderr
    assert snapshot(folder) == before, "the previous run must stay as it was"
    assert hidden(out) == []


def test_frontier_budget_levels_without_portfolio(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    proc = run_cli(
        str(scenario),
        *("--set", "study.frontier.budgets=[50, 200]", "--set", "study.frontier.points=3"),
        *("--no-report", "--out", str(out)),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "frontier: no frontier at 50 CNY: no portfolio meets the scenario's limits; the least "
        "budget that meets them is 100 CNY"
    ) in proc.stderr
    with xr.open_dataset(out / "cli-park" / "frontier.nc") as ds:
        assert ds["feasible"].values.tolist() == [False, True, True]
        assert ds["frontier_budget"].values.tolist() == [50.0, 200.0, 200.0]
        # at 200: best pollution E1-P1 + E2-P1 (13,000 eq, 0 tce); best energy E1-P1 +
        # E1-P2 (4,000 + 0.005 t Cr6 x 50,000 eq/t = 4,250 eq; 100 MWh = 12.29 tce)
        assert ds["pollution_avoided"].values[1:].tolist() == pytest.approx([13000.0, 4250.0])
        assert ds["tce_saved"].values[1:].tolist() == pytest.approx([0.0, 12.29])
        assert np.isnan(ds["pollution_avoided"].values[0])
    before = snapshot(out / "cli-park")

    proc = run_cli(
        str(scenario), "--set", "study.frontier.budgets=[50, 60]", "--out", str(out), cwd=tmp_path
    )
    assert proc.returncode == 3, proc.stderr
    assert error_lines(proc) == [
        "error: frontier: no portfolio meets the scenario's limits at any of the 2 budget "
        "levels (50 CNY, 60 CNY); the least budget that meets them is 100 CNY"
    ]
    assert "Traceback" not in proc.stderr
    assert snapshot(out / "cli-park") == before


# --------------------------------------------------------------------------- item 4


def store_points(out: Path) -> list[Path]:
    """Stored study points anywhere under `out` (hidden folders included)."""
    return sorted(out.rglob("*.npz"))


def test_killed_sweep_resumes_with_the_numbers_of_an_uninterrupted_run(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    sweep = ("--budget-sweep", "0:230:5", "--no-report", "--out", str(out))
    proc = run_cli(str(scenario), *sweep, cwd=tmp_path)  # uninterrupted, and the previous run
    assert proc.returncode == 0, proc.stderr
    folder = out / "cli-park"
    previous = snapshot(folder)
    assert not (out / ".parkcp-store").exists(), "the store is removed once the run is written"

    killed = run_hooked(["kill-at-solve=4"], str(scenario), *sweep, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL  # while solving the 4th level
    assert len(store_points(out)) == 3, "each finished level is kept as it finishes"
    assert snapshot(folder) == previous, "the killed run left the previous run whole"

    record = tmp_path / "levels.txt"
    resumed = run_hooked([f"record-levels={record}"], str(scenario), *sweep, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert [float(v) for v in record.read_text().split()] == [172.5, 230.0]
    assert not (out / ".parkcp-store").exists() and hidden(out) == []
    assert_whole_run(folder)
    with xr.open_dataset(folder / "budget_sweep.nc") as ds:
        resumed_ds = ds.load()
    (tmp_path / "previous.nc").write_bytes(previous["budget_sweep.nc"])
    with xr.open_dataset(tmp_path / "previous.nc") as ds:
        first_ds = ds.load()
    for name in ("status", "feasible", "selected", "pollution_avoided", "tce_saved", "capex"):
        assert resumed_ds[name].equals(first_ds[name]), name
    assert (folder / "budget_priority.csv").read_bytes() == previous["budget_priority.csv"]


def test_points_of_a_sweep_killed_under_another_mip_gap_are_not_reused(tmp_path) -> None:
    """Killed after every level was solved with a 30 % gap (while writing the study): a
    run with the scenario's gap of 0 must solve every level again."""
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    sweep = ("--budget-sweep", "0:230:5", "--no-report", "--out", str(out))
    killed = run_hooked(
        ["kill-after-write=budget_sweep.nc"],
        str(scenario),
        *sweep,
        "--mip-gap",
        "0.3",
        cwd=tmp_path,
    )
    assert killed.returncode == -signal.SIGKILL
    assert len(store_points(out)) == 5
    record = tmp_path / "levels.txt"
    proc = run_hooked([f"record-levels={record}"], str(scenario), *sweep, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [float(v) for v in record.read_text().split()] == [0.0, 57.5, 115.0, 172.5, 230.0]
    assert not (out / ".parkcp-store").exists()


# --------------------------------------------------------------------------- item 5


def test_run_folder_is_one_run_with_its_manifest(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    proc = run_cli(str(scenario), "--budget-sweep", "100:230:3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (out / "cli-park" / "budget_sweep.nc").exists()
    proc = run_cli(str(scenario), "--set", "budget.total=190", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = out / "cli-park"
    manifest = assert_whole_run(folder)  # the sweep files of the other input are gone
    assert sorted(entry["name"] for entry in manifest["files"]) == [
        "results.nc",
        "selected_projects.csv",
        "summary.html",
        "summary_audit.csv",
        "summary_economics.csv",
        "summary_limits.csv",
        "summary_pollutants.csv",
    ]
    with xr.open_dataset(folder / "results.nc") as ds:
        assert manifest["input_hash"] == ds.attrs["input_hash"]
        assert ds.attrs["budget_total"] == 190.0
    assert manifest["argv"] == [str(scenario), "--set", "budget.total=190", "--out", str(out)]
    assert "--set budget.total=190" in manifest["command"]
    assert manifest["parkcp_version"] and manifest["scenario"] == "cli-park"
    assert "manifest.json" in proc.stdout.splitlines()[-1]


def test_killed_runs_never_leave_a_mixed_folder(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    folder = out / "cli-park"
    proc = run_cli(str(scenario), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    previous = snapshot(folder)
    other = ("--set", "budget.total=150", "--out", str(out))

    # killed after its results.nc is complete: the folder is still the previous run
    killed = run_hooked(["kill-after-write=results.nc"], str(scenario), *other, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL
    assert snapshot(folder) == previous
    assert any(name.startswith(".cli-park.staging-") for name in hidden(out))

    # killed between the two renames of the fallback swap: the previous run is moved
    # away, not lost; the next run puts it back before anything else
    killed = run_hooked(["kill-mid-swap"], str(scenario), *other, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL
    assert not folder.exists()
    assert any(name.startswith(".cli-park.old-") for name in hidden(out))

    infeasible = write(
        tmp_path / "infeasible.yaml",
        mutated(lambda d: d["enterprises"][0]["permit"].update({"COD": 5.0})),
    )
    proc = run_cli(str(infeasible), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert snapshot(folder) == previous
    assert hidden(out) == [], "leftovers of the killed runs are removed"


def test_out_that_is_a_file_is_exit_2_before_solving(tmp_path) -> None:
    # the scenario is infeasible: exit 2 (not 3) shows --out is checked before the solve
    infeasible = write(
        tmp_path / "scenario.yaml",
        mutated(lambda d: d["enterprises"][0]["permit"].update({"COD": 5.0})),
    )
    target = tmp_path / "taken"
    target.write_text("not a folder")
    proc = run_cli(str(infeasible), "--out", str(target), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"error: command line: --out {target}: is a file, not a folder"
    ]
    assert target.read_text() == "not a folder"


def test_out_that_cannot_be_written_is_exit_2(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    if os.geteuid() == 0:  # root writes anywhere: use a folder no one may create files in
        target = Path("/sys/parkcp-test-out")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out"
    proc = run_cli(str(scenario), "--out", str(target), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: command line: --out {target}: ")
    assert "cannot create the folder" in lines[0] or "cannot write" in lines[0]


def test_second_run_into_a_folder_in_use_is_refused(tmp_path) -> None:
    import fcntl

    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".cli-park.lock", "w") as lock:  # what a run in progress holds
        lock.write("4242\n")
        lock.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = run_cli(str(scenario), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"error: command line: --out {out}: another ParkCP run (process 4242) is writing "
        "cli-park/ there now; wait until it ends or choose another --out"
    ]
    assert not (out / "cli-park").exists()


# --------------------------------------------------------------------------- Ctrl-C


def _session_processes(session: int) -> list[psutil.Process]:
    """Live (not zombie) processes of a session: the run and everything it started."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def test_ctrl_c_during_a_parallel_sweep(tmp_path) -> None:
    """Ctrl-C at the terminal sends SIGINT to the whole process group while both dask
    workers are busy: one line, exit 130, the previous run untouched, no process left."""
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    (out / "cli-park").mkdir(parents=True)
    (out / "cli-park" / "results.nc").write_text("previous run")
    marker = tmp_path / "sweep-started"
    run = subprocess.Popen(
        [
            *(sys.executable, str(HOOKS), f"slow-sweep={marker}", "--", str(scenario)),
            *("--budget-sweep", "0:230:5", "--workers", "2", "--no-report", "--out", str(out)),
        ],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job has
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the sweep did not start"
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
    assert run.returncode == 130, stderr
    assert stderr.splitlines() == [
        f"interrupted: nothing was written; {out}/cli-park/ still holds the previous run"
    ]
    assert stdout == ""
    assert (out / "cli-park" / "results.nc").read_text() == "previous run"
    assert hidden(out) == []
    deadline = time.monotonic() + 10
    while _session_processes(run.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _session_processes(run.pid) == [], "a worker process was left behind"


PHASES = [
    "load", "imports", "compile", "appraise", "precheck", "build", "solve", "verify",
    "results", "appraisal", "write_csv", "report", "total",
]  # fmt: skip


def test_every_phase_is_timed_and_results_nc_writing_is_in_the_manifest(tmp_path) -> None:
    """results.nc holds a time for each phase up to its own writing; manifest.json holds
    the same and the writing of results.nc (which that file cannot contain) and the
    studies; both totals cover their phases."""
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    proc = run_cli(str(scenario), "--budget-sweep", "100:230:3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = out / "cli-park"
    manifest = json.loads((folder / "manifest.json").read_text())
    with xr.open_dataset(folder / "results.nc") as ds:
        attrs = {k[5:-2]: v for k, v in ds.attrs.items() if k.startswith("time_")}
    assert set(PHASES) <= set(attrs)
    assert all(attrs[phase] >= 0 for phase in PHASES)
    assert sum(attrs[phase] for phase in PHASES if phase != "total") <= attrs["total"] + 1e-3
    timings = manifest["timings_s"]
    assert set(PHASES) | {"write_results_nc", "studies"} <= set(timings)
    assert timings["write_results_nc"] > 0 and timings["studies"] > 0
    assert timings["total"] >= attrs["total"] + timings["write_results_nc"] - 1e-3
    assert sum(v for k, v in timings.items() if k != "total") <= timings["total"] + 1e-3
