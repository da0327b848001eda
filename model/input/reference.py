"""The reference data shipped with ParkCP: where it lives, and its readers.

`REFERENCE_DIR` is the one location of the package data in model/reference/: the
pollutant and carrier tables, emission-right prices, the cleaner-production index tables
(read by model/input/cp_index.py) and the technology directory (model/input/directory.py).
Every module that reads one of them takes the path from here; the tables below are read
once and cached:

* `builtin_pollutants`, `builtin_carriers`: pollutants.csv and carriers.csv as registry
  entries (Environmental Protection Tax Law pollution-equivalent values and tax rates;
  GB/T 2589 tce factors, CO2 factors and prices per carrier unit), each with its source;
* `builtin_pollutant_media`, `builtin_carrier_ids`: the same tables as {id: medium} and
  {id: unit};
* `water_class_i`: the class I water pollutants of pollutants.csv;
* `default_right_prices`: emission_rights.csv, {pollutant: (transfer CNY/t, lease
  CNY/t/yr)}.
"""

from __future__ import annotations

import csv
import math
from functools import cache, lru_cache
from pathlib import Path

from model.input.schema import CarrierDef, PollutantDef

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
"""model/reference/: the CSV and YAML tables shipped with the package."""

RightPrices = dict[str, tuple[float, float]]
"""Emission-right prices by pollutant: (transfer CNY/t, lease CNY/t/yr); NaN = no price."""


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def builtin_pollutants() -> dict[str, PollutantDef]:
    """The shipped pollutant table, keyed by pollutant id."""
    with open(REFERENCE_DIR / "pollutants.csv", newline="", encoding="utf-8") as handle:
        return {
            row["id"]: PollutantDef(
                medium=row["medium"],
                pe_kg=_optional_float(row["pe_kg"]),
                tax_rate=_optional_float(row["tax_rate"]),
                name=f"{row['name_en']} ({row['name_zh']})",
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        }


@lru_cache(maxsize=1)
def builtin_carriers() -> dict[str, CarrierDef]:
    """The shipped carrier table, keyed by carrier id."""
    with open(REFERENCE_DIR / "carriers.csv", newline="", encoding="utf-8") as handle:
        return {
            row["id"]: CarrierDef(
                unit=row["unit"],
                tce_per_unit=float(row["tce_per_unit"]),
                tce_per_unit_equal_value=_optional_float(row["tce_per_unit_equal_value"]),
                co2_t_per_unit=float(row["co2_t_per_unit"]),
                price=_optional_float(row["price"]),
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        }


@cache
def builtin_pollutant_media() -> dict[str, str]:
    """{pollutant id: medium} of model/reference/pollutants.csv."""
    with open(REFERENCE_DIR / "pollutants.csv", newline="", encoding="utf-8") as handle:
        return {row["id"]: row["medium"] for row in csv.DictReader(handle)}


@cache
def builtin_carrier_ids() -> dict[str, str]:
    """{carrier id: unit} of model/reference/carriers.csv."""
    with open(REFERENCE_DIR / "carriers.csv", newline="", encoding="utf-8") as handle:
        return {row["id"]: row["unit"] for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def water_class_i() -> frozenset[str]:
    """Ids of the class I water pollutants (第一类水污染物) of the built-in table
    model/reference/pollutants.csv (column `water_class` = 'I'; Environmental Protection
    Tax Law, annex 2: Hg, Cd, total Cr, Cr(VI), As, Pb, Ni, benzo(a)pyrene, Be, Ag).
    Pollutants a scenario declares itself have no class and are never class I."""
    with open(REFERENCE_DIR / "pollutants.csv", newline="", encoding="utf-8") as handle:
        return frozenset(
            row["id"] for row in csv.DictReader(handle) if row["water_class"].strip() == "I"
        )


@lru_cache(maxsize=1)
def default_right_prices() -> RightPrices:
    """Built-in emission-right prices from model/reference/emission_rights.csv:
    {pollutant: (transfer CNY/t, lease CNY/t/yr)} (Zhuzhou 2016 price list; each row of
    the file names its source)."""
    prices: RightPrices = {}
    with open(REFERENCE_DIR / "emission_rights.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            prices[row["pollutant"]] = (
                float(row["transfer_cny_per_t"]) if row["transfer_cny_per_t"] else math.nan,
                float(row["lease_cny_per_t_yr"]) if row["lease_cny_per_t_yr"] else math.nan,
            )
    return dict(prices)
