"""Finished study points on disk, so a killed study resumes without redoing them.

Each finished point is one small `.npz` file (written atomically, as soon as the point is
solved, also inside dask workers) in the folder

    <out>/.parkcp-store/<scenario>-<key>/

beside the run folders, so the swap of a run folder (model/results/run_folder.py) never throws it
away. `<key>` is a SHA-256 over everything that changes an answer (`store_key`): the
scenario input (its hash), the study's kind and specification, the solver name and every
solver setting (MIP gap, time limit, threads, options), the ParkCP version, a digest of
ParkCP's code and reference tables, and the HiGHS version. A study run under any other
setting therefore never reuses a point; the settings are also written to `key.json`
in the folder and checked on every load. The folder is removed once the run folder with
the study's files is in place (`clear_stores`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np

from model.input.run_options import SolverOptions
from model.results.atomic import atomic_path, write_text_atomic
from model.studies.frontier import StudyPoint
from model.version import code_digest, parkcp_version

STORE_FOLDER = ".parkcp-store"
"""Hidden folder under `--out` that holds the stores of unfinished studies."""

_SCALARS = ("pollution_avoided", "tce_saved", "capex", "gap", "budget", "budget_dual")


def _highs_version() -> str:
    try:
        return metadata.version("highspy")
    except metadata.PackageNotFoundError:
        return ""


def store_key(input_hash: str, kind: str, spec: dict, options: SolverOptions) -> dict:
    """Everything that decides a study point's answer, as a JSON-able dict."""
    return {
        "input_hash": input_hash,
        "study": {"kind": kind, **spec},
        "solver": options.model_dump(mode="json"),
        "parkcp_version": parkcp_version(),
        "code": code_digest(),
        "highspy": _highs_version(),
    }


class PointStore:
    """`save(key, point)` / `load(key)` for the points of one study under one setting."""

    def __init__(self, root: Path, scenario: str, key: dict) -> None:
        self.key = json.loads(json.dumps(key, sort_keys=True, default=str))
        digest = hashlib.sha256(json.dumps(self.key, sort_keys=True).encode()).hexdigest()
        self.folder = Path(root) / STORE_FOLDER / f"{scenario}-{digest[:24]}"

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def _key_matches(self) -> bool:
        try:
            return json.loads((self.folder / "key.json").read_text()) == self.key
        except (OSError, ValueError):
            return False

    def save(self, key: str, point: StudyPoint) -> None:
        if not (self.folder / "key.json").exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.folder / "key.json", json.dumps(self.key, indent=1))
        scalars = {
            name: np.nan if getattr(point, name) is None else getattr(point, name)
            for name in _SCALARS
        }
        with atomic_path(self._path(key)) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, x=point.x, status=point.status, **scalars)

    def load(self, key: str) -> StudyPoint | None:
        """The stored point, or None when there is none under exactly this setting."""
        path = self._path(key)
        if not path.exists() or not self._key_matches():
            return None
        with np.load(path) as data:
            values = {name: float(data[name]) for name in _SCALARS}
            return StudyPoint(
                pollution_avoided=values["pollution_avoided"],
                tce_saved=values["tce_saved"],
                capex=values["capex"],
                x=data["x"].copy(),
                status=str(data["status"]),
                gap=None if np.isnan(values["gap"]) else values["gap"],
                budget=values["budget"],
                budget_dual=None if np.isnan(values["budget_dual"]) else values["budget_dual"],
            )

    def count(self) -> int:
        """How many points are stored."""
        return len(list(self.folder.glob("*.npz"))) if self.folder.is_dir() else 0

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            self.folder.parent.rmdir()  # only when no other store is left
        except OSError:
            pass


def clear_stores(root: Path, scenario: str) -> None:
    """Remove every store of `scenario` under `root` (after its run folder was written:
    points of other settings belong to a run that was superseded), and the store folder
    when nothing else is left in it."""
    base = Path(root) / STORE_FOLDER
    if not base.is_dir():
        return
    for folder in base.glob(f"{scenario}-*"):
        if folder.is_dir() and len(folder.name) == len(scenario) + 25:
            shutil.rmtree(folder, ignore_errors=True)
    try:
        base.rmdir()
    except OSError:
        pass


def stored_points(root: Path, scenario: str) -> int:
    """How many finished points the stores of `scenario` under `root` hold."""
    base = Path(root) / STORE_FOLDER
    if not base.is_dir():
        return 0
    return sum(
        len(list(folder.glob("*.npz")))
        for folder in base.glob(f"{scenario}-*")
        if folder.is_dir() and len(folder.name) == len(scenario) + 25
    )
