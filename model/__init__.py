"""ParkCP: cleaner-production project selection for industrial parks.

The package is organised by stage (docs/architecture.md): input, compile, appraise,
optimise, results, report, studies; `python -m model.run` is the command line. Names are
loaded on first use (PEP 562), so that importing the package, as `python -m model.run
--help` does, loads nothing else.
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from model.version import __version__

        return __version__
    raise AttributeError(f"module 'model' has no attribute {name!r}")
