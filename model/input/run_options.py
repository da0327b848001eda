"""How to solve and study a scenario: solver options, the frontier and budget-sweep
studies and the why-not analysis (sections `solver:`, `study:`, `analysis:`), and
`StrictModel`, the base of every scenario section (model/input/schema.py).

Like the rest of the schema, this only *describes* valid values; the command line lays
its options (`--solver`, `--time-limit`, `--frontier`, ...) over these sections and
validates them again (model/run.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class StrictModel(BaseModel):
    """Base for every scenario section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class Analysis(StrictModel):
    why_not_max_projects: int = Field(default=0, ge=0)
    """How many left-out projects get an exact break-even capex by re-solves (largest
    effect first; each costs several MILP solves). When above 0, every left-out project
    also gets the LP estimate (one LP relaxation solve). 0 = no why-not analysis."""


class SolverOptions(StrictModel):
    """The solver and its limits. `options` go to the solver unchanged; for HiGHS their
    names, types and values are checked against HiGHS when loading (model/input/checks.py,
    model/input/highs_options.py)."""

    name: str = "highs"
    time_limit: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Seconds."""
    mip_gap: float = 1.0e-4
    """Relative MIP gap, in [0, 1)."""
    threads: int | None = Field(default=None, ge=1)
    options: dict[str, float | int | str | bool] = Field(default_factory=dict)

    @field_validator("mip_gap")
    @classmethod
    def _gap_below_one(cls, gap: float) -> float:
        if not 0 <= gap < 1:  # also refuses NaN
            raise ValueError("must be in [0, 1), e.g. 1e-4 for 0.01 %")
        return gap


class FrontierStudy(StrictModel):
    """Pareto frontier of pollution equivalents against tce (docs/studies.md)."""

    method: Literal["grid", "exact"] = "grid"
    points: int = Field(default=11, ge=2, le=1000)
    """Grid method: number of epsilon levels between the two extremes (both included)."""
    step: float | None = Field(default=None, gt=0)
    """Exact method: smallest tce difference between two reported points (default 1)."""
    max_points: int | None = Field(default=None, ge=2, le=100_000)
    """Exact method: stop after this many points (the two extremes included)."""
    time_limit: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Exact method: stop after this many seconds; the points found so far are kept."""
    budgets: list[float] = Field(default_factory=list)
    """Optional third axis: one frontier per budget level (CNY)."""


class BudgetSweepStudy(StrictModel):
    """Funding-priority study: re-solve at `steps` budget levels from `start` to `stop`."""

    start: float = Field(ge=0, allow_inf_nan=False)
    stop: float = Field(gt=0, allow_inf_nan=False)
    steps: int = Field(default=20, ge=2, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> BudgetSweepStudy:
        if self.stop <= self.start:
            raise ValueError(f"stop {self.stop} must be above start {self.start}")
        return self


class Study(StrictModel):
    frontier: FrontierStudy | None = None
    budget_sweep: BudgetSweepStudy | None = None
    workers: int | None = Field(default=None, ge=1, le=64)
    """Processes for MILP sweeps (dask.distributed LocalCluster); 1 = in this process;
    not given: the machine's cores for a sweep of more than AUTO_PARALLEL_LEVELS levels,
    else 1 (model.studies.runner.sweep_workers)."""
    scheduler: str | None = None
    """Address of an existing dask scheduler, e.g. tcp://10.0.0.5:8786."""
