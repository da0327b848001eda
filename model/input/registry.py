"""Built-in pollutant and carrier registries, merged with a scenario's overrides.

The built-in tables are `model/reference/pollutants.csv` (Environmental Protection Tax
Law pollution-equivalent values, kg per equivalent) and `model/reference/carriers.csv`
(GB/T 2589 tce factors and CO2 factors per carrier unit). Every row carries its source.
A scenario may change any field of a built-in entry or declare a new entry; a new
pollutant needs `medium`, a new carrier needs `unit` and `tce_per_unit`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from model.errors import RegistryError
from model.input.reference import builtin_carriers, builtin_pollutants
from model.input.schema import CarrierDef, PollutantDef, Scenario


@dataclass(frozen=True)
class Registry:
    pollutants: dict[str, PollutantDef]
    carriers: dict[str, CarrierDef]


def _merge(kind: str, builtin: dict, overrides: dict, model_class: type) -> dict:
    merged = dict(builtin)
    for key, override in overrides.items():
        changes = override.model_dump(exclude_unset=True)
        base = builtin[key].model_dump() if key in builtin else {}
        try:
            merged[key] = model_class(**{**base, **changes})
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            what = "a new entry needs it" if first["type"] == "missing" else first["msg"]
            raise RegistryError(f"{kind}.{key}.{field}", what) from None
    return merged


def build_registry(scenario: Scenario) -> Registry:
    """Built-in tables with the scenario's `pollutants:` and `carriers:` applied."""
    return Registry(
        pollutants=_merge("pollutants", builtin_pollutants(), scenario.pollutants, PollutantDef),
        carriers=_merge("carriers", builtin_carriers(), scenario.carriers, CarrierDef),
    )
