"""Numbers for people (model/formatting.py): every expected text is written by hand from
the rules in the module docstring."""

from __future__ import annotations

import math

import pytest

from model.formatting import amount, money, number, percent


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.011e8, "101.1 M CNY"),  # millions, one decimal
        (101_128_000.0, "101.1 M CNY"),
        (1_128_000.0, "1.1 M CNY"),
        (729_610_000.0, "729.6 M CNY"),
        (1_319_755_000.0, "1,319.8 M CNY"),  # thousands separator on the millions
        (1.0e6, "1.0 M CNY"),
        (999_999.6, "1.0 M CNY"),  # rounds to a million: written in millions
        (950_000.0, "950,000 CNY"),  # below a million: whole CNY
        (999_999.4, "999,999 CNY"),
        (30.0, "30 CNY"),
        (150.4, "150 CNY"),
        (0.37, "0.37 CNY"),  # below 1 CNY: two significant figures
        (0.004, "0.004 CNY"),
        (0.0, "0 CNY"),
        (-1_128_000.0, "-1.1 M CNY"),
        (math.inf, "no limit"),
        (math.nan, "n/a"),
    ],
)
def test_money(value: float, text: str) -> None:
    assert money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5.0, "5 t/yr"),  # four significant figures, trailing zeros dropped
        (6.000000000001, "6 t/yr"),
        (576.02, "576 t/yr"),
        (76.02, "76.02 t/yr"),
        (938.628, "938.6 t/yr"),
        (10.852, "10.85 t/yr"),
        (12.345678, "12.35 t/yr"),
        (0.0004, "0.0004 t/yr"),  # trace amounts down to 0.0001 stay decimal
        (0.0006000000000000001, "0.0006 t/yr"),
        (0.0001, "0.0001 t/yr"),
        (0.00012345, "0.0001234 t/yr"),
        (9.0e-5, "9.0e-05 t/yr"),  # below 0.0001: scientific, two significant figures
        (2.0e-10, "2.0e-10 t/yr"),
        (1.56e-6, "1.6e-06 t/yr"),
        (1004.4, "1,004 t/yr"),  # from 1,000: whole numbers with separators
        (999.96, "1,000 t/yr"),  # 4 significant figures round to 1,000
        (650_784.3, "650,784 t/yr"),
        (0.0, "0 t/yr"),
        (-3.5, "-3.5 t/yr"),
    ],
)
def test_amount(value: float, text: str) -> None:
    assert amount(value, "t/yr") == text


def test_amount_other_units_and_number() -> None:
    assert amount(650_784.3, "tce/yr") == "650,784 tce/yr"
    assert number(0.0004) == "0.0004"
    assert number(math.nan) == "n/a"


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.3, "30.0%"),  # one decimal
        (0.29734, "29.7%"),
        (0.03, "3.0%"),
        (1.0, "100.0%"),
        (0.0, "0.0%"),
        (1.2e-4, "0.012%"),  # below 0.1 %: two significant figures
        (5.0e-4, "0.05%"),
        (-0.05, "-5.0%"),
    ],
)
def test_percent(fraction: float, text: str) -> None:
    assert percent(fraction) == text
