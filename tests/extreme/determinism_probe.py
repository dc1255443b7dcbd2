"""Run by test_determinism.py in subprocesses under different ``PYTHONHASHSEED`` values: prints a digest of everything
flytespec outputs for a set of specs (bytes in every format, diagnostics, compiled closures, error messages)."""

from __future__ import annotations

import hashlib
import random
import sys
import warnings

from flytespec import io
from flytespec.compiler import compile, to_go_json
from flytespec.core import workflow_closure_pb2
from flytespec.errors import FlytespecError
from flytespec.testing import random_workflow_closure
from flytespec.validate import validate
from tests.fuzz.corpus import seeds
from tests.fuzz.mutate import mutate_message

__all__ = ["digests"]


def _outputs(message: object) -> list[str]:
    out: list[str] = []
    for fmt in io.FORMATS:
        try:
            written = io.dumps(message, fmt)  # type: ignore[call-overload]
            out.append(written.hex() if isinstance(written, bytes) else written)
        except FlytespecError as err:
            out.append(f"{type(err).__name__}: {err}")
    out.extend(f"{d.severity} {d.code} {d.path} {d.node_id} {d.workflow} {d.message}" for d in validate(message))  # type: ignore[arg-type]
    if isinstance(message, workflow_closure_pb2.WorkflowClosure):
        try:
            closure = compile(message)
            out += [to_go_json(closure), io.to_binary(closure).hex()]
        except FlytespecError as err:
            out.append(f"{type(err).__name__}: {err}")
    return out


def digests() -> list[str]:
    """One digest per spec: the seed corpus, a generated workflow, and message-level mutants (broken specs)."""
    rng = random.Random(42)
    specs = [*seeds(), random_workflow_closure(300, seed=3)]
    specs += [mutate_message(rng.choice(specs), rng, edits=8) for _ in range(60)]
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for spec in specs:
            found.append(hashlib.sha256("\n".join(_outputs(spec)).encode("utf-8", "surrogatepass")).hexdigest())
        for text in ('{"workflow": {"nodez": 1}}', "workflow:\n  id: {name: a, name: b}\n", '{"tasks": [{"typ": 1}]}'):
            try:
                io.loads(text, workflow_closure_pb2.WorkflowClosure)
            except FlytespecError as err:
                found.append(hashlib.sha256(str(err).encode()).hexdigest())
    return found


if __name__ == "__main__":
    sys.stdout.write("\n".join(digests()) + "\n")
