"""A run folder holds all of one run or none of it.

Every file of a run is written into a hidden *staging* folder beside the run folder
(same parent, so the same file system), then a `manifest.json` listing the files with
their sizes and SHA-256, and only then is the staging folder swapped in for the run folder.
Names under `--out` (`root`):

    root/<name>/                   the run folder: the last complete run
    root/.<name>.lock              lock file, held while a run into <name> is in progress
    root/.<name>.staging-<hex>/    the run being written
    root/.<name>.old-<hex>/        the previous run, only during a fallback swap
    root/.parkcp-store/            finished study points of unfinished studies

The swap:

* no run folder yet: one `rename(staging, run folder)`, atomic on POSIX;
* Linux: `renameat2(..., RENAME_EXCHANGE)` exchanges the two folders in one atomic step
  (kernel 3.15+, on ext4, xfs, btrfs, tmpfs and most local file systems); the previous
  run, now under the staging name, is then removed;
* elsewhere, or where the file system refuses the exchange: rename the run folder to
  `.<name>.old-<hex>`, rename the staging folder in, remove the old one. Between the two
  renames the run folder is briefly absent; a run killed in that instant leaves the
  previous run under the `.old` name, and the next run into the same folder moves it back
  before doing anything else.

So whatever instant a run is killed at (SIGKILL, power cut after the data reached the
disk), the run folder holds the previous run or the new one, whole. Files are flushed to
disk (fsync) before the swap. Leftover staging and `.old` folders of killed runs are
removed by the next run into the same folder.

Two runs into one folder at the same time cannot mix: a run takes an exclusive lock
(`flock` on POSIX, `msvcrt.locking` on Windows) on the lock file before it solves and
keeps it to the end; a second run stops at once with exit 2 and one line naming the
holder's process id. The lock file is removed at the end of the run.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from model.errors import OutputError
from model.results.atomic import write_text_atomic

MANIFEST = "manifest.json"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _fsync_dir(directory: Path) -> None:
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


def _remove(path: Path) -> None:
    """Remove a folder (or a link or file left under a folder's name)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux renameat2 RENAME_EXCHANGE). False
    when the platform, the C library or the file system does not offer it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file without waiting; False if it is held."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back Ctrl-C during a few file-system steps, then raise it (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def file_entry(path: Path) -> dict:
    """Name, size in bytes and SHA-256 of one file (for the manifest)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


class RunFolder:
    """The run folder `root/name`, locked for this run, with a staging folder to write to.

    Use `RunFolder.open(root, name)` right after the scenario is loaded (it checks `--out`
    before anything is solved), write every file into `staging`, then `commit(...)`.
    `close()` (or leaving the `with` block) removes the staging folder if it was not
    committed, repairs a half-done swap, releases the lock and removes folders this run
    created that stayed empty.
    """

    def __init__(self, root: Path, name: str, shown: str) -> None:
        self.root = root
        self.name = name
        self.shown = shown  # `--out` as the user wrote it, for messages
        self.target = root / name
        self.lock_path = root / f".{name}.lock"
        self.staging = root / f".{name}.staging-{secrets.token_hex(6)}"
        self.committed = False
        self.had_previous = False
        self._created: list[Path] = []
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, out: str | os.PathLike[str], name: str) -> RunFolder:
        """Check `--out`, create it if needed, take the lock, repair or clean what killed
        runs left, and make the staging folder. Raises OutputError (exit 2)."""
        shown = os.fspath(out)
        folder = cls(Path(out), name, shown)
        try:
            folder._prepare()
        except BaseException:
            folder.close()
            raise
        return folder

    def _fail(self, problem: str) -> OutputError:
        return OutputError(self.shown, problem)

    def _prepare(self) -> None:
        root = self.root
        if root.exists() and not root.is_dir():
            raise self._fail("is a file, not a folder")
        missing = []
        for parent in [root, *root.parents]:
            if parent.exists():
                break
            missing.append(parent)
        try:
            for parent in reversed(missing):
                parent.mkdir()
                self._created.append(parent)
        except FileExistsError:
            raise self._fail("part of the path is a file, not a folder") from None
        except NotADirectoryError:
            raise self._fail("part of the path is a file, not a folder") from None
        except OSError as error:
            raise self._fail(f"cannot create the folder ({error.strerror})") from None
        self._lock()
        self._recover()
        if self.target.exists() and not self.target.is_dir():
            raise self._fail(f"{self.name} there is a file, not a folder")
        self.had_previous = self.target.is_dir()
        try:
            self.staging.mkdir()
        except OSError as error:
            raise self._fail(f"cannot write in the folder ({error.strerror})") from None

    def _lock(self) -> None:
        while True:
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as error:
                raise self._fail(f"cannot write in the folder ({error.strerror})") from None
            if not _try_lock(fd):
                holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise self._fail(
                    f"another ParkCP run (process {holder}) is writing {self.name}/ there now; "
                    "wait until it ends or choose another --out"
                )
            try:  # the run that held the lock may have removed the file meanwhile
                same = os.path.samestat(os.fstat(fd), os.stat(self.lock_path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._lock_fd = fd
                return
            os.close(fd)

    def _leftovers(self, kind: str) -> list[Path]:
        pattern = re.compile(re.escape(f".{self.name}.{kind}-") + r"[0-9a-f]{12}")
        try:
            entries = list(self.root.iterdir())
        except OSError:
            return []
        return [entry for entry in entries if pattern.fullmatch(entry.name)]

    def _recover(self) -> None:
        """Finish what a killed run left: put the previous run back if a fallback swap
        stopped between its two renames, and remove staging and old folders."""
        olds = self._leftovers("old")
        if olds and not self.target.exists() and not self.target.is_symlink():
            os.rename(olds[0], self.target)
            olds = olds[1:]
        for leftover in [*self._leftovers("staging"), *olds]:
            if leftover != self.staging:
                _remove(leftover)

    # ------------------------------------------------------------------ committing
    def commit(
        self,
        input_hash: str,
        command: str,
        argv: list[str],
        timings: dict[str, float] | None = None,
    ) -> list[str]:
        """Write manifest.json into the staging folder and swap it in for the run folder.
        `timings`: seconds per phase of the whole run, the writing of results.nc and the
        studies included (results.nc holds those up to its own writing). Returns the names
        of the run's files (manifest last)."""
        from model.version import parkcp_version

        files = sorted(p for p in self.staging.iterdir() if p.is_file() and p.name != MANIFEST)
        manifest = {
            "parkcp_version": parkcp_version(),
            "scenario": self.name,
            "input_hash": input_hash,
            "command": command,
            "argv": argv,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": [file_entry(path) for path in files],
        }
        if timings is not None:
            manifest["timings_s"] = {key: round(float(value), 4) for key, value in timings.items()}
        write_text_atomic(self.staging / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        _fsync_dir(self.staging)
        with _sigint_deferred():
            self._swap()
        return [path.name for path in files] + [MANIFEST]

    def _swap(self) -> None:
        if not self.target.exists() and not self.target.is_symlink():
            os.rename(self.staging, self.target)
            self.committed = True
        elif _exchange(self.staging, self.target):
            self.committed = True
            _remove(self.staging)  # the previous run, now under the staging name
        else:
            old = self.root / f".{self.name}.old-{secrets.token_hex(6)}"
            os.rename(self.target, old)
            os.rename(self.staging, self.target)
            self.committed = True
            _remove(old)
        _fsync_dir(self.root)

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Remove the staging folder unless committed, release the lock, and remove the
        folders this run created if they stayed empty."""
        try:
            if self._lock_fd is not None:
                if not self.committed:
                    _remove(self.staging)
                self._recover()
        finally:
            if self._lock_fd is not None:
                try:
                    self.lock_path.unlink(missing_ok=True)  # while still holding the lock
                except OSError:
                    pass
                os.close(self._lock_fd)
                self._lock_fd = None
            for folder in reversed(self._created):
                try:
                    folder.rmdir()
                except OSError:
                    break

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
