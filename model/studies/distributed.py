"""Run independent study chunks in parallel processes with dask.distributed.

Each chunk is one task: the worker builds the model once from the (pickled) `ParkData`
and solves its points one after another on a persistent solver. `workers=1` and no
scheduler runs the chunks in this process, without dask. With `scheduler` given, the
chunks go to that existing cluster (e.g. tcp://host:8786) instead of a LocalCluster.
Progress is reported through `progress(done, total)` as chunks finish.

Ctrl-C: the worker processes of the LocalCluster are started with SIGINT ignored (an
ignored signal is inherited by child processes), so a Ctrl-C at the terminal, which goes
to the whole process group, stops only this process; it then closes the client and the
cluster, which ends the workers, before the run reports the interruption. (A Ctrl-C
during the second or so in which the cluster starts is ignored.) A worker ended in the
middle of a task leaves the semaphore Pyomo creates on import to multiprocessing's
resource tracker, which removes it; its "leaked semaphore" warning is switched off for the
tracker process, so that an interruption prints one line.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

CLOSE_TIMEOUT = 20
"""Seconds the client and cluster get to shut down before they are left to dask's own
clean-up (which kills the worker processes when this process exits)."""


_TRACKER_QUIET = "ignore:resource_tracker:UserWarning"
"""Warning filter for multiprocessing's resource tracker (see the module docstring)."""


@contextmanager
def _worker_start() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT (when called from the main
    thread) and, through PYTHONWARNINGS, the resource-tracker warning filter."""
    saved_warnings = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [saved_warnings, _TRACKER_QUIET]))
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        yield
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        if saved_warnings is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = saved_warnings


def run_chunks(
    task: Callable[[Any], Any],
    chunks: Sequence[Any],
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """`[task(chunk) for chunk in chunks]`, in parallel when workers > 1 or a scheduler
    is given; results come back in the order of `chunks`."""
    if (workers <= 1 and scheduler is None) or len(chunks) <= 1:
        results = []
        for done, chunk in enumerate(chunks, start=1):
            results.append(task(chunk))
            if progress:
                progress(done, len(chunks))
        return results

    from dask.distributed import Client, LocalCluster, as_completed

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        with _worker_start():
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,  # no dashboard; its HTTP server on a free port,
                scheduler_kwargs={"dashboard_address": ":0"},  # not 8787 (no warning)
                silence_logs=logging.CRITICAL,  # task errors still reach future.result()
            )
        client = Client(cluster)
    try:
        futures = client.map(task, list(chunks), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if progress:
                progress(done, len(futures))
        return results
    finally:
        client.close(timeout=CLOSE_TIMEOUT)
        if cluster is not None:
            cluster.close(timeout=CLOSE_TIMEOUT)


def split_contiguous(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """Split into at most `parts` contiguous, nearly equal runs (neighbours stay together,
    so each worker can start each point from its neighbour's portfolio)."""
    parts = max(1, min(parts, len(items)))
    bounds = [round(i * len(items) / parts) for i in range(parts + 1)]
    return [list(items[bounds[i] : bounds[i + 1]]) for i in range(parts)]
