"""The fuzz harness at a small budget: every target, structure-aware (hypothesis, from the descriptor-driven
strategies) and by mutation of real specs; and every committed finding replayed.

Each test asserts the contract of ``tests/fuzz/targets.py``: a result or a FlytespecError, never another exception,
and the round-trip and determinism invariants of the ``convert`` and ``validate`` targets. The long mode is
``make fuzz`` (tools/fuzz.py).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io
from flytespec.errors import EncodeError
from flytespec.testing import messages, workflow_closures
from tests.fuzz.corpus import inputs, seeds
from tests.fuzz.mutate import mutate, mutate_message
from tests.fuzz.targets import FORMATS, TARGETS, TYPES, check, encode

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
NAMES = list(TARGETS)
MUTANTS_PER_TARGET = 120


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.rglob("*") if p.is_file() and p.suffix != ".md")


def _explain(name: str, data: bytes) -> str:
    err = check(name, data)
    return "" if err is None else f"{name} on {data[:80]!r}...: {type(err).__name__}: {err}"


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_findings_stay_fixed(path: Path) -> None:
    """Each file under regressions/<target>/ is an input that once broke the contract of <target>."""
    name = path.parent.name
    assert name in TARGETS, f"{path}: no target named {name!r}"
    assert _explain(name, path.read_bytes()) == ""


def test_regressions_exist_for_every_target_found_broken() -> None:
    assert _regressions(), "the regression corpus is discovered by globbing regressions/<target>/*"


@pytest.mark.parametrize("name", NAMES)
def test_the_seed_corpus_holds_the_contract(name: str) -> None:
    found = [_explain(name, data) for data in inputs(name)]
    assert [f for f in found if f] == []


@pytest.mark.parametrize("name", NAMES)
def test_mutated_real_specs(name: str) -> None:
    """Byte-level, text-level and message-level mutants of the seed corpus (deterministic)."""
    rng = random.Random(f"flytespec-{name}")
    pool = list(inputs(name))
    problems = []
    for i in range(MUTANTS_PER_TARGET):
        if i % 3 == 2:
            mutant = mutate_message(rng.choice(seeds()), rng)
            fmt, to = rng.choice(FORMATS), rng.choice(FORMATS)
            try:
                if name == "load":
                    out = io.dumps(mutant, fmt)
                    data = out if isinstance(out, bytes) else out.encode()
                else:
                    data = encode(mutant, fmt, to)
            except EncodeError:  # not writable in that format (unknown fields, NaN in a Struct)
                continue
        else:
            data = mutate(rng.choice(pool), rng, pool, selectors=0 if name == "load" else 2)
        problem = _explain(name, data)
        if problem:
            problems.append(problem)
    assert problems == []


_STRUCTURES = st.one_of(
    st.sampled_from(TYPES).flatmap(
        lambda cls: messages(cls, max_depth=5, max_size=2, allow_nan=True, unknown_enum_values=True)
    ),
    workflow_closures(1, 12),
)


@pytest.mark.parametrize("name", NAMES)
@given(
    message=_STRUCTURES,
    fmt=st.sampled_from(FORMATS),
    to=st.sampled_from(FORMATS),
    noise=st.randoms(use_true_random=False),
    mutated=st.booleans(),
)
def test_structure_aware(
    name: str, message: Message, fmt: io.Format, to: io.Format, noise: random.Random, mutated: bool
) -> None:
    """Random messages of every type (every field kind, oneofs, maps, well-known types, NaN, open enums), written in
    every format, sometimes mutated."""
    try:
        if name == "load":
            out = io.dumps(message, fmt)
            data = out if isinstance(out, bytes) else out.encode()
        else:
            data = encode(message, fmt, to)
    except EncodeError:
        return  # NaN in a Struct, for instance: JSON has no form for it (and says so)
    if mutated:
        data = mutate(data, noise, None, selectors=0 if name == "load" else 2)
    assert _explain(name, data) == ""
