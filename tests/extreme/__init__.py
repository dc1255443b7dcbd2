"""Hostile and extreme input: limits, losslessness, determinism, and specs at the extremes issue 6 names.

Sizes go through :func:`scaled`: the full size on upb, a smaller one on protobuf's pure-Python backend, whose every
field access is Python code (30 to 100 times slower), so that the suite's three CI runs stay within minutes. The
full sizes, with time and memory, are measured by ``bench/bench_extreme.py`` (``make bench``).
"""

from __future__ import annotations

from google.protobuf.internal import api_implementation

__all__ = ["PURE_PYTHON", "scaled"]

#: Whether protobuf runs on its pure-Python backend.
PURE_PYTHON = api_implementation.Type() == "python"


def scaled(full: int, pure_python: int) -> int:
    """``full`` on upb; ``pure_python`` on the pure-Python backend (same shape, smaller: see the module docs)."""
    return pure_python if PURE_PYTHON else full
