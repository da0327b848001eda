"""Public API, candidate projects from the technology directory (docs/directory.md): what
the directory offers a scenario's inventory, and the table a planner reviews."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.input.candidates import CandidateSet
    from model.input.loading import LoadedScenario


def candidates(loaded: LoadedScenario) -> CandidateSet:
    """The candidate projects the technology directory gives the enterprises of `loaded`
    (from `load`): those its `projects: {directory: ...}` asks for, or, without it, every
    applicable option at its central values. `.projects` holds one row per project (with
    its `source` and `rule`), `.ranges[project][quantity]` the (low, central, high)
    figures. Raises InputError when the directory or the inventory is unusable."""
    from model.input.candidates import DirectoryRequest
    from model.input.directory_projects import candidates_for

    if loaded.candidates is not None:
        return loaded.candidates
    return candidates_for(loaded.scenario, loaded.registry, DirectoryRequest(), loaded.path.parent)


def write_candidates(found: CandidateSet, path: str | os.PathLike[str]) -> list[Path]:
    """Write `found` for review: PATH (.csv), the same table as .xlsx (sheets `projects` and
    `ranges`) and PATH_ranges.csv; returns the paths written. A scenario reads the edited
    table back as `projects: {csv: PATH}`."""
    from model.input.candidate_files import write_candidates as write

    return write(found, Path(path))
