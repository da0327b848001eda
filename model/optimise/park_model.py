"""A built Pyomo model of a park and the maps that tie it back to the park (`ParkModel`).

`model.optimise.formulation.build_model` builds it; the solver adapters (solvers/) read
its Pyomo model and report the project levels through `x_values` and `start_values`,
which round binary projects to exactly 0 or 1 (so "chosen" never depends on solver
noise, model/appraise/evaluate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from model.compile.park import ParkData
from model.optimise.scaling import ModelUnits


@dataclass
class ParkModel:
    """A built model and the index maps that tie its rows/columns back to names."""

    park: ParkData
    model: pyo.ConcreteModel
    emission_pairs: np.ndarray  # (K, 2): enterprise row, pollutant column
    energy_pairs: np.ndarray  # (L, 2): enterprise row, carrier column
    relaxed: bool = False
    units: ModelUnits | None = None  # the units the solver works in (math.md 13)

    def x_values(self) -> np.ndarray:
        """Project levels over the horizon, clipped to [0, 1] (solver tolerances)."""
        values = np.array([v.value if v.value is not None else 0.0 for v in self.model.x.values()])
        values = np.clip(values, 0.0, 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0
        binary = ~(self.park.divisible | self.relaxed)
        values[binary] = np.round(values[binary])
        return values

    def start_values(self) -> np.ndarray:
        """(Y, N) level started in each year (single year: the levels themselves)."""
        if not self.park.multi_year:
            return self.x_values()[None, :]
        years, n = len(self.park.years), self.park.n_projects
        values = np.array(
            [[self.model.start[j, t].value or 0.0 for j in range(n)] for t in range(years)]
        )
        values = np.clip(values, 0.0, 1.0) + 0.0
        binary = ~(self.park.divisible | self.relaxed)
        values[:, binary] = np.round(values[:, binary])
        return values
