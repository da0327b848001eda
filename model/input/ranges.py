"""Uncertain figures of the technology directory: `Range` (low <= central <= high).

Every uncertain figure of model/reference/technologies.yaml may be written as a number or
as `{low, central, high}`; either way it is held as a `Range` (a number x becomes low =
central = high = x). The annotated types below add bounds checked on every end of the
range (a fraction in [0, 1], a non-negative amount, an exponent in (0, 2], ...).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(Strict):
    """An uncertain figure: low <= central <= high (all finite)."""

    low: float
    central: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not all(math.isfinite(v) for v in (self.low, self.central, self.high)):
            raise ValueError("low, central and high must be finite numbers")
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"needs low <= central <= high (got {self.low:g}, {self.central:g}, {self.high:g})"
            )
        return self

    @property
    def is_range(self) -> bool:
        """True when low and high differ (an uncertain figure)."""
        return self.low != self.high


def _to_range(value: Any) -> Any:
    """A plain number becomes the range x..x; a mapping is left to `Range`."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return {"low": value, "central": value, "high": value}
    return value


def _within(lo: float | None, hi: float | None, lo_open: bool = False):
    """Validator: every bound of the range lies in [lo, hi] (or (lo, hi] if lo_open)."""

    def check(figure: Range) -> Range:
        for value in (figure.low, figure.high):
            if lo is not None and (value <= lo if lo_open else value < lo):
                raise ValueError(f"must be {'>' if lo_open else '>='} {lo:g} (got {value:g})")
            if hi is not None and value > hi:
                raise ValueError(f"must be <= {hi:g} (got {value:g})")
        return figure

    return check


Figure = Annotated[Range, BeforeValidator(_to_range)]
Fraction01 = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, 1.0))]
Fraction11 = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(-1.0, 1.0))]
NonNegative = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, None))]
Positive = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, None, True))]
Exponent = Annotated[Range, BeforeValidator(_to_range), AfterValidator(_within(0.0, 2.0, True))]
