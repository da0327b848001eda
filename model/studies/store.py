"""Finished study points on disk, so a killed study resumes without redoing them.

Each point is one small `.npz` file (written atomically) in a folder whose name is a
hash of the scenario input and the study's specification: a changed scenario or study
never reuses stale points. The folder is removed once the study's Dataset is written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from model.atomic import atomic_path
from model.studies.frontier import StudyPoint

_SCALARS = ("pollution_avoided", "tce_saved", "capex", "gap", "budget", "budget_dual")


class PointStore:
    """`save(key, point)` / `load(key)` for points of one study run."""

    def __init__(self, parent: Path, input_hash: str, spec: dict) -> None:
        digest = hashlib.sha256(
            json.dumps({"input": input_hash, "study": spec}, sort_keys=True).encode()
        ).hexdigest()[:16]
        self.folder = Path(parent) / f".points-{digest}"

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def save(self, key: str, point: StudyPoint) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        scalars = {
            name: np.nan if getattr(point, name) is None else getattr(point, name)
            for name in _SCALARS
        }
        with atomic_path(self._path(key)) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, x=point.x, status=point.status, **scalars)

    def load(self, key: str) -> StudyPoint | None:
        path = self._path(key)
        if not path.exists():
            return None
        with np.load(path) as data:
            values = {name: float(data[name]) for name in _SCALARS}
            return StudyPoint(
                pollution_avoided=values["pollution_avoided"],
                tce_saved=values["tce_saved"],
                capex=values["capex"],
                x=data["x"].copy(),
                status=str(data["status"]),
                gap=values["gap"],
                budget=values["budget"],
                budget_dual=values["budget_dual"],
            )

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
