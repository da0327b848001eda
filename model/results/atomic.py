"""Atomic file writes: a final file is either the old one or the complete new one.

Every output file (results.nc, selected_projects.csv, summary.html, study files) is
written to a temporary file in the *same directory* as the target and then moved over
the target with `os.replace`, which is atomic on POSIX and Windows when source and target
are on the same file system. So:

* a run that fails (any exception, KeyboardInterrupt included) leaves the old file (or
  no file) in place and removes its temporary file;
* a run that is killed outright (SIGKILL, power loss) can leave a stray temporary file
  named `.<name>.<random>.tmp` beside the target, but never a half-written final file.

The temporary file is flushed to disk (fsync) before the rename, so the rename never
publishes data that is still only in the page cache. The command line goes one step
further and swaps in the whole run folder at once (model/results/run_folder.py).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _temp_name(target: Path) -> Path:
    """A fresh, hidden temporary path beside `target` (same directory = same file system)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def _create_exclusive(path: Path) -> None:
    """Create `path` empty, failing if it exists; mode 0o666 filtered by the umask, so the
    final file gets the same permissions as one made by a plain `open(path, "w")`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on a clean exit move it over `path`.

    The caller writes the complete file to the yielded path (by name, as libraries like
    xarray or pandas want). If the block raises, the temporary file is deleted and
    `path` is left untouched. Parent directories of `path` are created if missing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_name(target)
    _create_exclusive(temp)
    try:
        yield temp
        _fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def atomic_write(path: str | os.PathLike[str], write_fn: Callable[[Path], object]) -> Path:
    """Call `write_fn(temp_path)` to write the whole file, then move it over `path`.

    Returns the final path. Any exception from `write_fn` propagates after the
    temporary file is removed; `path` keeps its previous content (or stays absent).
    """
    with atomic_path(path) as temp:
        write_fn(temp)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically (newlines written as given, no translation)."""

    def write(temp: Path) -> None:
        with open(temp, "w", encoding=encoding, newline="") as handle:
            handle.write(text)

    return atomic_write(path, write)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    return atomic_write(path, lambda temp: temp.write_bytes(data))
