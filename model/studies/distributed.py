"""Run independent study chunks in parallel processes with dask.distributed.

Each chunk is one task: the worker builds the model once from the (pickled) `ParkData`
and solves its points one after another on a persistent solver. `workers=1` and no
scheduler runs the chunks in this process, without dask. With `scheduler` given, the
chunks go to that existing cluster (e.g. tcp://host:8786) instead of a LocalCluster.
Progress is reported through `progress(done, total)` as chunks finish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any


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
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
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
        client.close()
        if cluster is not None:
            cluster.close()


def split_contiguous(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """Split into at most `parts` contiguous, nearly equal runs (neighbours stay together,
    so each worker can start each point from its neighbour's portfolio)."""
    parts = max(1, min(parts, len(items)))
    bounds = [round(i * len(items) / parts) for i in range(parts + 1)]
    return [list(items[bounds[i] : bounds[i + 1]]) for i in range(parts)]
