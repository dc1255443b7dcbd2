"""Pausing the cyclic garbage collector around bulk work that creates no reference cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures (dicts, lists, messages).

    Converting a 10,000-node spec creates hundreds of thousands of containers, none of them in reference cycles;
    each allocation burst would otherwise trigger full collections that scan the whole heap (measured: about 45 %
    of the time of to_dict and 80 % of json.loads at 10,000 nodes). The collector's previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
