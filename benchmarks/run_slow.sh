#!/usr/bin/env bash
# The long cases kept out of the default test run (and CI): the tests marked slow (the
# largest published Pareto fronts) and the scale and sweep benchmarks at 10,000 projects.
# Run from the repository root in an environment with the test extra installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest -m slow -q
python benchmarks/scale.py --n 10000
python benchmarks/sweep.py --n 10000 --points 20
