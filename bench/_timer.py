"""Shared benchmark timing: interleaved rounds, so machine noise lands on every peer alike."""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import google.protobuf
from google.protobuf.internal import api_implementation

__all__ = ["Op", "environment", "interleaved"]

Op = tuple[str, str, Callable[[], Any]]  # (operation, peer, call)


def _sample(fn: Callable[[], Any], loops: int) -> float:
    gc.collect()
    total = 0.0
    for _ in range(loops):
        start = time.perf_counter()
        result = fn()
        total += time.perf_counter() - start
        del result  # freed after the clock stops: deallocation is not timed
    return total / loops


def interleaved(ops: list[Op], rounds: int, min_sample: float = 0.1) -> dict[tuple[str, str], float]:
    """Median seconds per call of each op. Each op is calibrated to at least ``min_sample`` seconds per sample;
    then every op runs once per round, the order rotated each round. The GC stays on (what users get)."""
    loops = {}
    for name, peer, fn in ops:
        first = _sample(fn, 1)
        loops[(name, peer)] = max(1, min(10_000, int(min_sample / max(first, 1e-9)) + 1)) if first < min_sample else 1
    samples: dict[tuple[str, str], list[float]] = {(n, p): [] for n, p, _ in ops}
    for r in range(rounds):
        for i in range(len(ops)):
            name, peer, fn = ops[(i + r) % len(ops)]
            samples[(name, peer)].append(_sample(fn, loops[(name, peer)]))
    return {key: statistics.median(values) for key, values in samples.items()}


def environment() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "protobuf": google.protobuf.__version__,
        "backend": api_implementation.Type(),
        "machine": platform.machine(),
    }
