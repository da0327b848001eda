"""The ParkCP version and a digest of the code that computes answers.

`parkcp_version()` is the installed distribution's version (importlib.metadata); when
ParkCP runs from a source tree that was never installed, the `version` of pyproject.toml
beside the package. `code_digest()` is a SHA-256 over the package's Python sources and
reference tables, so that two checkouts with the same version number but different code
are told apart (used to key stored study points, model/studies/store.py).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

__version__ = "0.1.0"
"""The version of this source tree, as in pyproject.toml: what `parkcp_version()` gives
when ParkCP is neither installed nor beside its pyproject.toml."""

_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent


@lru_cache(maxsize=1)
def parkcp_version() -> str:
    """Version of ParkCP, e.g. '0.1.0'."""
    try:
        return metadata.version("parkcp")
    except metadata.PackageNotFoundError:
        pass
    pyproject = _ROOT / "pyproject.toml"
    if pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")
        project = text.split("[project]", 1)[-1].split("\n[", 1)[0]
        found = re.search(r'^version\s*=\s*"([^"]+)"', project, flags=re.MULTILINE)
        if found:
            return found.group(1)
    return __version__


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 (hex) of every file that decides an answer: the Python sources of `model`
    and `solvers` and the reference tables, by relative path and content."""
    digest = hashlib.sha256()
    files = [
        *sorted(_PACKAGE.rglob("*.py")),
        *sorted((_PACKAGE / "reference").glob("*.csv")),
        *sorted((_ROOT / "solvers").glob("*.py")),
    ]
    for path in files:
        digest.update(str(path.relative_to(_ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
