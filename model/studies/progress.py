"""A progress bar for long studies (frontiers, budget sweeps), on the terminal only.

`progress_bar(label, total, unit, enabled)` is a tqdm bar on stderr showing the points
done, the total (or, without a total, how many were found so far) and the elapsed time.
It draws only when `enabled` and stderr is a terminal: piped output, a log file, CI and
`--quiet` get no bar (the one-line summaries of model/studies/runner.py still print).
"""

from __future__ import annotations

import sys

from tqdm import tqdm


class ProgressBar:
    """`update_to(done)` moves the bar to `done`; `close()` ends it (also on exit of a
    `with` block)."""

    def __init__(self, label: str, total: int | None, unit: str, enabled: bool) -> None:
        show = enabled and sys.stderr.isatty()
        layout = (
            "{desc}: {n_fmt}/{total_fmt} " + unit + " done [{elapsed}]"
            if total is not None
            else "{desc}: {n_fmt} " + unit + " found so far [{elapsed}]"
        )
        self._bar = tqdm(
            total=total,
            desc=label,
            file=sys.stderr,
            disable=not show,
            bar_format=("{l_bar}{bar}| " + layout.split(": ", 1)[1]) if total else layout,
            leave=False,
        )

    def update_to(self, done: int, total: int | None = None) -> None:
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(label: str, total: int | None, unit: str, enabled: bool = True) -> ProgressBar:
    """A `ProgressBar` (module docstring)."""
    return ProgressBar(label, total, unit, enabled)
