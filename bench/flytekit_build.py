"""The flytekit side of bench/bench_build.py: flytekit 1.16 compiling and serializing the benchmark's workflows.

    .venv-flytekit/bin/python bench/flytekit_build.py [--sizes 1000,10000] [--rounds 5] [--dump DIR]

It runs in the flytekit environment (``make goldens`` creates .venv-flytekit; flytekit is never imported in .venv)
and times itself with the benchmark's own timer (bench/_timer.py), then prints one JSON object on its last line of
output: the environment, flytekit's version and the median seconds per call of each workload at each size.
bench_build.py runs it once per size, just before it measures that size itself.

The workloads are those of bench_build.py, written with flytekit's ``@task``/``@workflow`` (``SOURCE`` below):
``chain`` (N calls ``x = inc(x=x)``) and ``pipeline`` (blocks of 10 calls of seven distinct tasks, with fan-in and
fan-out bindings, lists of promises and constants, retries, resources and environment variables). The tasks are
defined once, outside the timing, in a module named ``benchwf`` (so task names are ``benchwf.<function>``, as
bench_build.py names its own). What is timed, per call: defining the workflow (``workflow(fn)``, as a module-level
``@workflow`` does), compiling it, ``get_serializable`` (which serializes the tasks too) and the closure's
``to_flyte_idl()`` messages, and ``WorkflowClosure.SerializeToString()``. With ``--dump DIR`` the closure of each
workload and size is also written to ``DIR/<workload>_<size>.pb`` (outside the timing), for bench_build.py to check
that it equals what flytespec's builder writes.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import linecache
import os
import sys
import types
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Module names as given (``benchwf``), not derived from a file's path (as tools/flytekit_goldens.py does).
os.environ["FLYTE_PYTHON_PACKAGE_ROOT"] = "."

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timer import Op, environment, interleaved

PROJECT, DOMAIN, VERSION, IMAGE_FQN, IMAGE_TAG = "proj", "development", "v1", "ghcr.io/org/app", "v1"
MODULE = "benchwf"
WORKLOADS = ("chain", "pipeline")

# The flytekit code of the workloads. bench_build.py writes the same workflows with flytespec's builder and with
# hand-assembled pb2 messages, and checks that all three closures are equal.
SOURCE = """
import typing

from flytekit import Resources, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@task(
    retries=3,
    requests=Resources(cpu="1", mem="2Gi"),
    limits=Resources(cpu="2", mem="4Gi"),
    environment={"LOG_LEVEL": "INFO", "REGION": "us-east-1"},
)
def load(path: str, limit: int) -> typing.List[int]:
    return list(range(limit))


@task(retries=2, requests=Resources(cpu="500m", mem="1Gi"))
def score(xs: typing.List[int], threshold: float) -> float:
    return sum(xs) * threshold


@task
def split(n: int, parts: int) -> typing.Tuple[int, int]:
    return n // parts, n % parts


@task
def square(x: int) -> int:
    return x * x


@task(retries=1, environment={"OMP_NUM_THREADS": "4"})
def combine(a: float, b: float, n: int) -> float:
    return a + b + n


@task(requests=Resources(cpu="250m", mem="512Mi"))
def label(s: float, prefix: str) -> str:
    return f"{prefix}-{s}"


@task(retries=2, limits=Resources(cpu="1", mem="1Gi"))
def summarize(values: typing.List[float], tags: typing.List[str]) -> int:
    return len(values) + len(tags)


def chain(n: int):
    def chain(x: int) -> int:
        for _ in range(n):
            x = inc(x=x)
        return x

    return workflow(chain)


def pipeline(n: int):
    def pipeline(path: str, threshold: float, start: int) -> typing.Tuple[int, str]:
        prev, prev_q, tag = start, start, None
        for _ in range(n // 10):
            xs = load(path=path, limit=prev)
            s1 = score(xs=xs, threshold=0.5)
            lo, hi = split(n=prev, parts=2)
            q = square(x=lo)
            s2 = score(xs=[q, hi, 7], threshold=threshold)
            c = combine(a=s1, b=s2, n=prev_q)
            tag = label(s=c, prefix="run")
            tag2 = label(s=s1, prefix="block")
            count = summarize(values=[s1, s2, c, 1.5], tags=[tag, tag2, "x"])
            prev, prev_q = square(x=count), q
        return prev, tag

    return workflow(pipeline)
"""


def _module() -> dict[str, Any]:
    """``SOURCE`` run as the module ``benchwf`` (its tasks are defined here, once)."""
    module = types.ModuleType(MODULE)
    module.__file__ = str(Path(__file__).resolve())  # flytekit looks for the file of a task's module
    sys.modules[MODULE] = module
    filename = f"<{MODULE}>"
    linecache.cache[filename] = (len(SOURCE), None, SOURCE.splitlines(True), filename)  # flytekit reads the source
    exec(compile(SOURCE, filename, "exec"), module.__dict__)
    return module.__dict__


def serializer(namespace: dict[str, Any], workload: str, n: int) -> Callable[[], tuple[Any, ...]]:
    """One timed call: define the workflow, compile and serialize it (its results are freed after the clock stops)."""
    from flyteidl.core import workflow_closure_pb2
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.core.context_manager import FlyteEntities
    from flytekit.models.task import TaskSpec
    from flytekit.tools.translator import get_serializable

    settings = SerializationSettings(
        project=PROJECT,
        domain=DOMAIN,
        version=VERSION,
        image_config=ImageConfig(default_image=Image(name="default", fqn=IMAGE_FQN, tag=IMAGE_TAG)),
    )
    # Run as a module-level statement of ``benchwf`` would: flytekit records where an entity is defined.
    define = compile(f"_wf = {workload}({n})", f"<{MODULE} statement>", "exec")

    def call() -> tuple[Any, ...]:
        exec(define, namespace)
        wf = namespace.pop("_wf")
        entities: OrderedDict[Any, Any] = OrderedDict()
        spec = get_serializable(entities, settings, wf)
        closure = workflow_closure_pb2.WorkflowClosure(
            workflow=spec.template.to_flyte_idl(),
            tasks=[e.template.to_flyte_idl() for e in entities.values() if isinstance(e, TaskSpec)],
        )
        # flytekit keeps every workflow defined in a process (FlyteEntities); let this one go with the result.
        FlyteEntities.entities.remove(wf)
        return wf, entities, closure, closure.SerializeToString()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dump", type=Path, help="write each workload's closure to DIR/<workload>_<size>.pb")
    args = parser.parse_args()
    namespace = _module()
    results: dict[str, Any] = {
        "environment": environment(),
        "flytekit": importlib.metadata.version("flytekit"),
        "flyteidl": importlib.metadata.version("flyteidl"),
        "sizes": {},
    }
    for n in (int(s) for s in args.sizes.split(",")):
        calls = {workload: serializer(namespace, workload, n) for workload in WORKLOADS}
        if args.dump is not None:
            args.dump.mkdir(parents=True, exist_ok=True)
            for workload, call in calls.items():
                (args.dump / f"{workload}_{n}.pb").write_bytes(call()[-1])
        ops: list[Op] = [(workload, "flytekit", call) for workload, call in calls.items()]
        timings = interleaved(ops, args.rounds)
        results["sizes"][str(n)] = {workload: timings[(workload, "flytekit")] for workload in WORKLOADS}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
