"""The reference data shipped with ParkCP: where it lives, and its readers.

`REFERENCE_DIR` is the one location of the package data in model/reference/: the
pollutant and carrier tables, emission-right prices, the cleaner-production index tables
and the technology directory. Every module that reads one of them takes the path from
here.
"""

from __future__ import annotations

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
"""model/reference/: the CSV and YAML tables shipped with the package."""
