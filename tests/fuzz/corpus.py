"""The seed corpus: real specs (the shipped examples, flytekit-shaped generated workflows) and messages that hold
what is hard to get right (well-known types at their limits, NaN, unknown fields, Anys, deep nesting, big maps).

:func:`seeds` gives the messages; :func:`inputs` gives, for a target, the byte inputs built from them in every format.
Everything is deterministic.
"""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path

from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message

from flytespec import io
from flytespec.admin import launch_plan_pb2
from flytespec.core import literals_pb2, tasks_pb2, workflow_pb2
from flytespec.errors import FlytespecError
from flytespec.testing import random_workflow_closure
from tests.fuzz.targets import COMMANDS, FORMATS, TYPES, encode

__all__ = ["EXAMPLES", "inputs", "seeds"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _examples() -> list[Message]:
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix in (".pb", ".json", ".yaml"):
            try:
                found.append(io.load(path))
            except FlytespecError:
                continue
    return found


def _crafted() -> list[Message]:
    literal = literals_pb2.Literal()
    collection = literal.collection
    for value in (0, -1, 2**63 - 1):
        collection.literals.add().scalar.primitive.integer = value
    item = collection.literals.add().scalar
    item.primitive.float_value = math.nan
    collection.literals.add().scalar.primitive.float_value = -math.inf
    collection.literals.add().scalar.primitive.duration.CopyFrom(duration_pb2.Duration(seconds=-5, nanos=-1))
    collection.literals.add().scalar.primitive.datetime.FromNanoseconds(1)
    generic = collection.literals.add().scalar.generic
    generic.update({"a": [1, 2.5, None, True, {"b": "c"}], "empty": {}})
    mapped = literals_pb2.LiteralMap()
    for key in ("z", "a", "", "ключ"):
        mapped.literals[key].scalar.primitive.string_value = key * 3

    node = workflow_pb2.Node(id="root")
    current = node
    for depth in range(20):
        current = current.branch_node.if_else.case.then_node
        current.id = f"n{depth}"
    current.task_node.reference_id.name = "t"

    task = tasks_pb2.TaskTemplate(type="python-task")
    task.id.name = "t"
    task.custom.update({"replicas": 3, "nested": {"list": [[], [1]]}})
    task.container.image = "img"
    task.container.args.extend(["pyflyte-execute", "--inputs", "{{.input}}"])
    # Fields a newer Flyte might write (numbers 900+), kept by binary and refused by JSON and YAML.
    task.MergeFromString(b"\xa0\x38\x07" + b"\xaa\x38\x03abc")

    plan = launch_plan_pb2.LaunchPlan()
    plan.id.name = "lp"
    wrapped = any_pb2.Any()
    wrapped.Pack(duration_pb2.Duration(seconds=1, nanos=500))
    plan.spec.entity_metadata.launch_conditions.Pack(wrapped)
    return [literal, mapped, node, task, plan]


@functools.cache
def seeds() -> tuple[Message, ...]:
    """The seed messages (each of a type in :data:`tests.fuzz.targets.TYPES`)."""
    found = [*_examples(), *_crafted(), *(random_workflow_closure(n, seed=n) for n in (1, 4, 12))]
    return tuple(m for m in found if type(m) in TYPES)


def _text(message: Message, fmt: io.Format) -> bytes | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = io.dumps(message, fmt)
        except FlytespecError:  # unknown fields: binary only
            return None
    return out if isinstance(out, bytes) else out.encode("utf-8")


@functools.cache
def inputs(target: str) -> tuple[bytes, ...]:
    """Seed inputs of ``target``: every seed in every format (with the typed targets' selector bytes)."""
    found: list[bytes] = []
    for message in seeds():
        for fmt in FORMATS:
            if _text(message, fmt) is None:
                continue
            if target == "load":
                text = _text(message, fmt)
                assert text is not None
                found.append(text)
            elif target in ("binary", "json", "yaml"):
                if fmt == target:
                    found.append(encode(message, fmt))
            elif target == "convert":
                found.extend(encode(message, fmt, to) for to in FORMATS)
            elif target == "cli":  # the first byte selects the command: every command on every seed
                found.extend(bytes([command]) + encode(message, fmt)[1:] for command in range(len(COMMANDS)))
            else:
                found.append(encode(message, fmt))
    return tuple(found)
