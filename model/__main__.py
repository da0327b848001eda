"""`python -m model SCENARIO.yaml` is the same as `python -m model.run SCENARIO.yaml`."""

import sys

from model.run import main

sys.exit(main())
