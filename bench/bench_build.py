"""Builder benchmark: flytespec's builder beside hand-assembled ``_pb2`` messages (the floor) and flytekit, in one run.

    python bench/bench_build.py [--sizes 1000,10000] [--rounds 7] [--flytekit-rounds 5] [--flytekit-python PATH]

Two workloads, each at every size N (the node count):

- ``chain``: N calls ``x = inc(x=x)`` of one task;
- ``pipeline``: N / 10 blocks of 10 calls of seven distinct tasks (ints, floats, strings, lists of ints, floats and
  strings; retries, requests and limits, environment variables; one task with two outputs), with fan-out (one output
  bound to several nodes), fan-in (nodes binding up to five upstream nodes, lists of promises and constants),
  constants, workflow inputs and edges back to the previous block.

Each is written four ways, all producing one WorkflowClosure (workflow template and task templates), then serialized
(``SerializeToString()``); what is timed, per call:

- ``floor``: the messages assembled by hand with ``_pb2`` constructors (``Node(id=..., inputs=[Binding(...)])``; the
  task templates, each task's reference and node metadata made once) — the issue's floor;
- ``floor in place``: the same messages written in place (``nodes.add(...)``, field assignment), which copies nothing:
  the tightest floor found, reported beside the issue's;
- ``builder``: flytespec's builder (tasks made once; ``with b.workflow(...)``, the calls, ``build(validate=False)``)
  and ``closure``;
- ``builder+validate``: the same with ``build()``, which validates: the nodes were checked as the calls made them,
  so it checks the tasks and the workflow's own fields (the whole validator when the builder could not guarantee
  the nodes: conditionals, ``after`` edges to later nodes, mapped workflows...);
- ``builder+full validator``: ``build(validate=False)`` then ``Workflow.check()``, the whole validator on every node:
  what validating the same spec read from a file costs;
- ``flytekit``: flytekit 1.16 (tasks defined once; ``@workflow``, compilation, ``get_serializable``,
  ``to_flyte_idl()``), timed by bench/flytekit_build.py with the same timer in the flytekit environment
  (.venv-flytekit, made by ``make goldens``), run as a subprocess for each size just before this process measures
  that size. Without that environment the flytekit columns say so, and the rest runs.

Before timing, each workload and size is checked (``check``): the builder's closure, with and without validation,
equals both floors' exactly (message equality, and the same bytes when serialized deterministically), and equals
flytekit's once the least of these is taken out: the order of ``upstream_node_ids`` and of the closure's tasks
(flytekit writes a set's order), the tasks' runtime metadata, node ids (compared by position). The report says which
were needed. Any other difference stops the benchmark.

Timing: bench/_timer.py (calibrated samples, interleaved rounds, medians, the GC on) on both sides. Ratios between
flytespec's columns come from one interleaved measurement; flytekit's are measured minutes apart at most (same size,
same run), so on a busy machine they carry more noise: the load average is recorded.

Targets (issue: the builder): without validation, within 1.5x of the floor; with validation, at least 10x faster
than flytekit; linear in the node count (here: µs/node at the largest size within 1.2x of that at the smallest).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from google.protobuf import wrappers_pb2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timer import Op, environment, interleaved

from flytespec import build as b
from flytespec._walk import first_difference
from flytespec.core import (
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLYTEKIT_PYTHON = ROOT / ".venv-flytekit" / "bin" / "python"
FLYTEKIT_SCRIPT = HERE / "flytekit_build.py"
NOT_INSTALLED = "not installed (make goldens creates .venv-flytekit)"

# What bench/flytekit_build.py serializes with; the builder and the floor are given the same.
PROJECT, DOMAIN, VERSION, IMAGE = "proj", "development", "v1", "ghcr.io/org/app:v1"
MODULE = "benchwf"
IDENTITY: dict[str, Any] = {"project": PROJECT, "domain": DOMAIN, "version": VERSION}
FLYTEKIT_RUNTIME = ("FLYTE_SDK", "1.16.31", "python")
WORKLOADS = ("chain", "pipeline")
PEERS = ("floor", "floor in place", "builder", "builder+validate", "builder+full validator", "flytekit")
BLOCK = 10  # nodes per block of the pipeline workload

Closure = workflow_closure_pb2.WorkflowClosure

# --------------------------------------------------------------------------------------------------------------
# The builder


def builder_tasks() -> dict[str, b.Task]:
    """The tasks of both workloads, as bench/flytekit_build.py's ``@task``\\ s define them."""
    kind, version, flavor = FLYTEKIT_RUNTIME
    common: dict[str, Any] = {"image": IMAGE, "runtime": b.runtime(version, type=kind, flavor=flavor), **IDENTITY}

    def task(fn: str, inputs: dict[str, Any], output: Any, **settings: Any) -> b.Task:
        outputs = output if isinstance(output, dict) else {"o0": output}
        args = b.pyflyte_execute_args(MODULE, fn)
        return b.task(f"{MODULE}.{fn}", inputs=inputs, outputs=outputs, args=args, **common, **settings)

    return {
        "inc": task("inc", {"x": int}, int),
        "load": task(
            "load",
            {"path": str, "limit": int},
            list[int],
            retries=3,
            requests=b.Resources(cpu="1", mem="2Gi"),
            limits=b.Resources(cpu="2", mem="4Gi"),
            env={"LOG_LEVEL": "INFO", "REGION": "us-east-1"},
        ),
        "score": task(
            "score",
            {"xs": list[int], "threshold": float},
            float,
            retries=2,
            requests=b.Resources(cpu="500m", mem="1Gi"),
        ),
        "split": task("split", {"n": int, "parts": int}, {"o0": int, "o1": int}),
        "square": task("square", {"x": int}, int),
        "combine": task("combine", {"a": float, "b": float, "n": int}, float, retries=1, env={"OMP_NUM_THREADS": "4"}),
        "label": task("label", {"s": float, "prefix": str}, str, requests=b.Resources(cpu="250m", mem="512Mi")),
        "summarize": task(
            "summarize",
            {"values": list[float], "tags": list[str]},
            int,
            retries=2,
            limits=b.Resources(cpu="1", mem="1Gi"),
        ),
    }


def builder_chain(t: dict[str, b.Task], n: int, validate: bool | str) -> tuple[b.Workflow, bytes]:
    inc = t["inc"]
    with b.workflow(f"{MODULE}.chain", inputs={"x": int}, outputs={"o0": int}, **IDENTITY) as wf:
        x: Any = wf.inputs.x
        for _ in range(n):
            x = inc(x=x)
        wf.outputs(o0=x)
    built = wf.build(validate=validate is True)
    if validate == "full":
        built.check()
    return built, built.closure.SerializeToString()


def builder_pipeline(t: dict[str, b.Task], n: int, validate: bool | str) -> tuple[b.Workflow, bytes]:
    load, score, split, square = t["load"], t["score"], t["split"], t["square"]
    combine, label, summarize = t["combine"], t["label"], t["summarize"]
    inputs = {"path": str, "threshold": float, "start": int}
    with b.workflow(f"{MODULE}.pipeline", inputs=inputs, outputs={"o0": int, "o1": str}, **IDENTITY) as wf:
        path, threshold = wf.inputs.path, wf.inputs.threshold
        prev: Any = wf.inputs.start
        prev_q: Any = prev
        tag: Any = None
        for _ in range(n // BLOCK):
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
        wf.outputs(o0=prev, o1=tag)
    built = wf.build(validate=validate is True)
    if validate == "full":
        built.check()
    return built, built.closure.SerializeToString()


BUILDERS: dict[str, Callable[[dict[str, b.Task], int, bool | str], tuple[b.Workflow, bytes]]] = {
    "chain": builder_chain,
    "pipeline": builder_pipeline,
}

# --------------------------------------------------------------------------------------------------------------
# The floor: the same messages assembled by hand with _pb2 constructors

_R = tasks_pb2.Resources
_CPU, _MEM = _R.CPU, _R.MEMORY
_INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
_FLOAT = types_pb2.LiteralType(simple=types_pb2.FLOAT)
_STR = types_pb2.LiteralType(simple=types_pb2.STRING)
_ARGS = [
    "pyflyte-execute",
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
    "flytekit.core.python_auto_container.default_task_resolver",
    "--",
    "task-module",
    MODULE,
    "task-name",
]


def _list_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(collection_type=t)


def _variables(spec: dict[str, types_pb2.LiteralType]) -> interface_pb2.VariableMap:
    return interface_pb2.VariableMap(
        variables={name: interface_pb2.Variable(type=t, description=name) for name, t in spec.items()}
    )


class FloorTask:
    """A hand-made TaskTemplate, and what every node calling it repeats (its reference and node metadata)."""

    def __init__(
        self,
        fn: str,
        inputs: dict[str, types_pb2.LiteralType],
        outputs: dict[str, types_pb2.LiteralType],
        retries: int = 0,
        requests: Iterable[tuple[int, str]] = (),
        limits: Iterable[tuple[int, str]] = (),
        env: Iterable[tuple[str, str]] = (),
    ) -> None:
        kind, version, flavor = FLYTEKIT_RUNTIME
        self.ref = identifier_pb2.Identifier(
            resource_type=identifier_pb2.TASK, project=PROJECT, domain=DOMAIN, name=f"{MODULE}.{fn}", version=VERSION
        )
        self.template = tasks_pb2.TaskTemplate(
            id=self.ref,
            type="python-task",
            metadata=tasks_pb2.TaskMetadata(
                runtime=tasks_pb2.RuntimeMetadata(
                    type=tasks_pb2.RuntimeMetadata.RuntimeType.Value(kind), version=version, flavor=flavor
                ),
                retries=literals_pb2.RetryStrategy(retries=retries),
                generates_deck=wrappers_pb2.BoolValue(value=False),
                metadata=tasks_pb2.K8sObjectMetadata(),
            ),
            interface=interface_pb2.TypedInterface(inputs=_variables(inputs), outputs=_variables(outputs)),
            container=tasks_pb2.Container(
                image=IMAGE,
                args=[*_ARGS, fn],
                resources=_R(
                    requests=[_R.ResourceEntry(name=k, value=v) for k, v in requests],  # type: ignore[arg-type]
                    limits=[_R.ResourceEntry(name=k, value=v) for k, v in limits],  # type: ignore[arg-type]
                ),
                env=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in env],
            ),
        )
        self.metadata = workflow_pb2.NodeMetadata(name=fn, retries=literals_pb2.RetryStrategy(retries=retries))
        self.task_node = workflow_pb2.TaskNode(reference_id=self.ref, overrides=workflow_pb2.TaskNodeOverrides())


def floor_tasks() -> dict[str, FloorTask]:
    return {
        "inc": FloorTask("inc", {"x": _INT}, {"o0": _INT}),
        "load": FloorTask(
            "load",
            {"path": _STR, "limit": _INT},
            {"o0": _list_of(_INT)},
            retries=3,
            requests=[(_CPU, "1"), (_MEM, "2Gi")],
            limits=[(_CPU, "2"), (_MEM, "4Gi")],
            env=[("LOG_LEVEL", "INFO"), ("REGION", "us-east-1")],
        ),
        "score": FloorTask(
            "score",
            {"xs": _list_of(_INT), "threshold": _FLOAT},
            {"o0": _FLOAT},
            retries=2,
            requests=[(_CPU, "500m"), (_MEM, "1Gi")],
        ),
        "split": FloorTask("split", {"n": _INT, "parts": _INT}, {"o0": _INT, "o1": _INT}),
        "square": FloorTask("square", {"x": _INT}, {"o0": _INT}),
        "combine": FloorTask(
            "combine", {"a": _FLOAT, "b": _FLOAT, "n": _INT}, {"o0": _FLOAT}, retries=1, env=[("OMP_NUM_THREADS", "4")]
        ),
        "label": FloorTask(
            "label", {"s": _FLOAT, "prefix": _STR}, {"o0": _STR}, requests=[(_CPU, "250m"), (_MEM, "512Mi")]
        ),
        "summarize": FloorTask(
            "summarize",
            {"values": _list_of(_FLOAT), "tags": _list_of(_STR)},
            {"o0": _INT},
            retries=2,
            limits=[(_CPU, "1"), (_MEM, "1Gi")],
        ),
    }


def _ref(node_id: str, var: str = "o0") -> literals_pb2.BindingData:
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=var))


def _int(value: int) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def _float(value: float) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=value)))


def _str(value: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def _list(*items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=items))


_OVERRIDES = workflow_pb2.TaskNodeOverrides()


def _node(
    node_id: str, task: FloorTask, inputs: list[tuple[str, literals_pb2.BindingData]], upstream: list[str]
) -> workflow_pb2.Node:
    """A task node; ``inputs`` sorted by name, ``upstream`` the node ids they name in that order (as flytespec)."""
    return workflow_pb2.Node(
        id=node_id,
        metadata=task.metadata,
        inputs=[literals_pb2.Binding(var=var, binding=data) for var, data in inputs],
        upstream_node_ids=upstream,
        task_node=workflow_pb2.TaskNode(reference_id=task.ref, overrides=_OVERRIDES),
    )


def _template(
    name: str,
    inputs: dict[str, types_pb2.LiteralType],
    outputs: dict[str, types_pb2.LiteralType],
    nodes: list[workflow_pb2.Node],
    bindings: list[tuple[str, literals_pb2.BindingData]],
) -> workflow_pb2.WorkflowTemplate:
    return workflow_pb2.WorkflowTemplate(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.WORKFLOW, project=PROJECT, domain=DOMAIN, name=name, version=VERSION
        ),
        metadata=workflow_pb2.WorkflowMetadata(),
        interface=interface_pb2.TypedInterface(inputs=_variables(inputs), outputs=_variables(outputs)),
        nodes=nodes,
        outputs=[literals_pb2.Binding(var=var, binding=data) for var, data in bindings],
        metadata_defaults=workflow_pb2.WorkflowMetadataDefaults(),
    )


def floor_chain(t: dict[str, FloorTask], n: int) -> tuple[Closure, bytes]:
    inc = t["inc"]
    nodes = [_node("n0", inc, [("x", _ref("", "x"))], [])]
    for i in range(1, n):
        prev = f"n{i - 1}"
        nodes.append(_node(f"n{i}", inc, [("x", _ref(prev))], [prev]))
    template = _template(f"{MODULE}.chain", {"x": _INT}, {"o0": _INT}, nodes, [("o0", _ref(f"n{n - 1}"))])
    closure = Closure(workflow=template, tasks=[inc.template])
    return closure, closure.SerializeToString()


def floor_pipeline(t: dict[str, FloorTask], n: int) -> tuple[Closure, bytes]:
    load, score, split, square = t["load"], t["score"], t["split"], t["square"]
    combine, label, summarize = t["combine"], t["label"], t["summarize"]
    nodes: list[workflow_pb2.Node] = []
    prev, prev_q = _ref("", "start"), _ref("", "start")
    # The ids of the previous block's last node and ``square`` node ("" before the first block: a workflow input).
    prev_ids: list[str] = []
    prev_q_ids: list[str] = []
    for base in range(0, n - n % BLOCK, BLOCK):
        i_xs, i_s1, i_split, i_q, i_s2, i_c, i_tag, i_tag2, i_count, i_prev = (f"n{base + k}" for k in range(BLOCK))
        nodes += [
            _node(i_xs, load, [("limit", prev), ("path", _ref("", "path"))], prev_ids),
            _node(i_s1, score, [("threshold", _float(0.5)), ("xs", _ref(i_xs))], [i_xs]),
            _node(i_split, split, [("n", prev), ("parts", _int(2))], prev_ids),
            _node(i_q, square, [("x", _ref(i_split))], [i_split]),
            _node(
                i_s2,
                score,
                [("threshold", _ref("", "threshold")), ("xs", _list(_ref(i_q), _ref(i_split, "o1"), _int(7)))],
                [i_q, i_split],
            ),
            _node(i_c, combine, [("a", _ref(i_s1)), ("b", _ref(i_s2)), ("n", prev_q)], [i_s1, i_s2, *prev_q_ids]),
            _node(i_tag, label, [("prefix", _str("run")), ("s", _ref(i_c))], [i_c]),
            _node(i_tag2, label, [("prefix", _str("block")), ("s", _ref(i_s1))], [i_s1]),
            _node(
                i_count,
                summarize,
                [
                    ("tags", _list(_ref(i_tag), _ref(i_tag2), _str("x"))),
                    ("values", _list(_ref(i_s1), _ref(i_s2), _ref(i_c), _float(1.5))),
                ],
                [i_tag, i_tag2, i_s1, i_s2, i_c],
            ),
            _node(i_prev, square, [("x", _ref(i_count))], [i_count]),
        ]
        prev, prev_q, prev_ids, prev_q_ids = _ref(i_prev), _ref(i_q), [i_prev], [i_q]
    template = _template(
        f"{MODULE}.pipeline",
        {"path": _STR, "threshold": _FLOAT, "start": _INT},
        {"o0": _INT, "o1": _STR},
        nodes,
        [("o0", prev), ("o1", _ref(nodes[-4].id))],
    )
    closure = Closure(
        workflow=template, tasks=[x.template for x in (load, score, split, square, combine, label, summarize)]
    )
    return closure, closure.SerializeToString()


# The same messages written in place (``add()`` and field assignment; nothing built twice): a tighter floor.

Ref = tuple[str, str]  # (node id, output); ("", input) is a workflow input


def _header(
    template: workflow_pb2.WorkflowTemplate,
    name: str,
    inputs: dict[str, types_pb2.LiteralType],
    outputs: dict[str, types_pb2.LiteralType],
) -> None:
    ident = template.id
    ident.resource_type = identifier_pb2.WORKFLOW
    ident.project, ident.domain, ident.name, ident.version = PROJECT, DOMAIN, name, VERSION
    template.metadata.SetInParent()
    template.interface.inputs.CopyFrom(_variables(inputs))
    template.interface.outputs.CopyFrom(_variables(outputs))
    template.metadata_defaults.SetInParent()


def _add(nodes: Any, node_id: str, task: FloorTask, upstream: list[str]) -> workflow_pb2.Node:
    node: workflow_pb2.Node = nodes.add(
        id=node_id, metadata=task.metadata, upstream_node_ids=upstream, task_node=task.task_node
    )
    return node


def _set_ref(data: literals_pb2.BindingData, ref: Ref) -> None:
    promise = data.promise
    promise.node_id, promise.var = ref


def _bind_ref(node: workflow_pb2.Node, var: str, ref: Ref) -> None:
    _set_ref(node.inputs.add(var=var).binding, ref)


def _bind_list(node: workflow_pb2.Node, var: str, refs: list[Ref]) -> literals_pb2.BindingDataCollection:
    collection = node.inputs.add(var=var).binding.collection
    for ref in refs:
        _set_ref(collection.bindings.add(), ref)
    return collection


def floor_in_place_chain(t: dict[str, FloorTask], n: int) -> tuple[Closure, bytes]:
    inc = t["inc"]
    closure = Closure(tasks=[inc.template])
    template = closure.workflow
    _header(template, f"{MODULE}.chain", {"x": _INT}, {"o0": _INT})
    nodes = template.nodes
    _bind_ref(_add(nodes, "n0", inc, []), "x", ("", "x"))
    for i in range(1, n):
        prev = f"n{i - 1}"
        _bind_ref(_add(nodes, f"n{i}", inc, [prev]), "x", (prev, "o0"))
    _set_ref(template.outputs.add(var="o0").binding, (f"n{n - 1}", "o0"))
    return closure, closure.SerializeToString()


def floor_in_place_pipeline(t: dict[str, FloorTask], n: int) -> tuple[Closure, bytes]:
    load, score, split, square = t["load"], t["score"], t["split"], t["square"]
    combine, label, summarize = t["combine"], t["label"], t["summarize"]
    closure = Closure(tasks=[x.template for x in (load, score, split, square, combine, label, summarize)])
    template = closure.workflow
    _header(
        template, f"{MODULE}.pipeline", {"path": _STR, "threshold": _FLOAT, "start": _INT}, {"o0": _INT, "o1": _STR}
    )
    nodes = template.nodes
    prev: Ref = ("", "start")
    prev_q: Ref = prev
    tag = ""
    for base in range(0, n - n % BLOCK, BLOCK):
        i_xs, i_s1, i_split, i_q, i_s2, i_c, tag, i_tag2, i_count, i_prev = (f"n{base + k}" for k in range(BLOCK))
        prev_ids = [prev[0]] if prev[0] else []
        node = _add(nodes, i_xs, load, prev_ids)
        _bind_ref(node, "limit", prev)
        _bind_ref(node, "path", ("", "path"))
        node = _add(nodes, i_s1, score, [i_xs])
        node.inputs.add(var="threshold").binding.scalar.primitive.float_value = 0.5
        _bind_ref(node, "xs", (i_xs, "o0"))
        node = _add(nodes, i_split, split, prev_ids)
        _bind_ref(node, "n", prev)
        node.inputs.add(var="parts").binding.scalar.primitive.integer = 2
        _bind_ref(_add(nodes, i_q, square, [i_split]), "x", (i_split, "o0"))
        node = _add(nodes, i_s2, score, [i_q, i_split])
        _bind_ref(node, "threshold", ("", "threshold"))
        _bind_list(node, "xs", [(i_q, "o0"), (i_split, "o1")]).bindings.add().scalar.primitive.integer = 7
        node = _add(nodes, i_c, combine, [i_s1, i_s2, prev_q[0]] if prev_q[0] else [i_s1, i_s2])
        _bind_ref(node, "a", (i_s1, "o0"))
        _bind_ref(node, "b", (i_s2, "o0"))
        _bind_ref(node, "n", prev_q)
        node = _add(nodes, tag, label, [i_c])
        node.inputs.add(var="prefix").binding.scalar.primitive.string_value = "run"
        _bind_ref(node, "s", (i_c, "o0"))
        node = _add(nodes, i_tag2, label, [i_s1])
        node.inputs.add(var="prefix").binding.scalar.primitive.string_value = "block"
        _bind_ref(node, "s", (i_s1, "o0"))
        node = _add(nodes, i_count, summarize, [tag, i_tag2, i_s1, i_s2, i_c])
        _bind_list(node, "tags", [(tag, "o0"), (i_tag2, "o0")]).bindings.add().scalar.primitive.string_value = "x"
        values = _bind_list(node, "values", [(i_s1, "o0"), (i_s2, "o0"), (i_c, "o0")])
        values.bindings.add().scalar.primitive.float_value = 1.5
        _bind_ref(_add(nodes, i_prev, square, [i_count]), "x", (i_count, "o0"))
        prev, prev_q = (i_prev, "o0"), (i_q, "o0")
    _set_ref(template.outputs.add(var="o0").binding, prev)
    _set_ref(template.outputs.add(var="o1").binding, (tag, "o0"))
    return closure, closure.SerializeToString()


FLOORS: dict[str, Callable[[dict[str, FloorTask], int], tuple[Closure, bytes]]] = {
    "chain": floor_chain,
    "pipeline": floor_pipeline,
}
FLOORS_IN_PLACE: dict[str, Callable[[dict[str, FloorTask], int], tuple[Closure, bytes]]] = {
    "chain": floor_in_place_chain,
    "pipeline": floor_in_place_pipeline,
}

# --------------------------------------------------------------------------------------------------------------
# Equality


# What may differ from flytekit's closure (docs of the builder), in the order the comparison takes it out.
DIFFERENCES = ("the order of upstream_node_ids", "the order of the tasks", "the tasks' runtime metadata", "node ids")


def _canonical(closure: Closure, taken_out: int) -> Closure:
    """A copy without the first ``taken_out`` of ``DIFFERENCES``: upstream ids sorted, tasks sorted by name, the
    tasks' runtime metadata cleared, node ids renamed by position (``N0``, ``N1``...)."""
    out = Closure()
    out.CopyFrom(closure)
    template = out.workflow
    rename_ids = taken_out >= 4
    names = {node.id: f"N{i}" if rename_ids else node.id for i, node in enumerate(template.nodes)}

    def rename(bindings: Iterable[literals_pb2.Binding]) -> None:
        stack = [binding.binding for binding in bindings]
        while stack:
            data = stack.pop()
            kind = data.WhichOneof("value")
            if kind == "promise" and data.promise.node_id:
                data.promise.node_id = names.get(data.promise.node_id, data.promise.node_id)
            elif kind == "collection":
                stack.extend(data.collection.bindings)
            elif kind == "map":
                stack.extend(data.map.bindings.values())

    for node in template.nodes:
        node.id = names[node.id]
        if rename_ids:
            rename(node.inputs)
        upstream = sorted(names.get(u, u) for u in node.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(upstream)
    if rename_ids:
        rename(template.outputs)
    tasks = []
    for task in sorted(closure.tasks, key=lambda x: x.id.name) if taken_out >= 2 else closure.tasks:
        copy = tasks_pb2.TaskTemplate()
        copy.CopyFrom(task)
        if taken_out >= 3:
            copy.metadata.ClearField("runtime")
        tasks.append(copy)
    del out.tasks[:]
    out.tasks.extend(tasks)
    return out


def compare_with_flytekit(ours: Closure, theirs: Closure) -> str:
    """How the builder's closure equals flytekit's: identical, or equal once the fewest of ``DIFFERENCES`` are
    taken out (which ones, said).

    Raises:
        AssertionError: the closures differ beyond ``DIFFERENCES``.
    """
    if ours == theirs:
        return "identical"
    for taken_out in range(1, len(DIFFERENCES) + 1):
        mine, other = _canonical(ours, taken_out), _canonical(theirs, taken_out)
        if mine == other:
            return "equal but for " + ", ".join(DIFFERENCES[:taken_out])
    raise AssertionError(f"builder and flytekit differ at {first_difference(mine, other)}")


def check(
    workload: str, n: int, builder_t: dict[str, b.Task], floor_t: dict[str, FloorTask], dump: Path | None
) -> dict[str, Any]:
    """Every implementation's closure for one workload and size, compared (outside the timing).

    Raises:
        AssertionError: two implementations wrote different closures.
    """
    built, wire = BUILDERS[workload](builder_t, n, False)
    _, validated_wire = BUILDERS[workload](builder_t, n, True)
    closure = Closure.FromString(wire)
    assert closure == built.closure
    assert wire == validated_wire, f"{workload} {n}: build() and build(validate=False) wrote different bytes"
    for label, floors in (("floor", FLOORS), ("floor in place", FLOORS_IN_PLACE)):
        floor, floor_wire = floors[workload](floor_t, n)
        assert closure == floor, f"{workload} {n}: builder and {label} differ at {first_difference(closure, floor)}"
        assert Closure.FromString(floor_wire) == floor
        assert closure.SerializeToString(deterministic=True) == floor.SerializeToString(deterministic=True)
    assert len(closure.workflow.nodes) == n, f"{workload} {n}: {len(closure.workflow.nodes)} nodes"
    out: dict[str, Any] = {
        "nodes": len(closure.workflow.nodes),
        "tasks": len(closure.tasks),
        "bytes": len(wire),
        "builder == floors": "equal (messages, and bytes serialized deterministically)",
    }
    path = dump / f"{workload}_{n}.pb" if dump is not None else None
    if path is None or not path.exists():
        out["builder == flytekit"] = "not compared (flytekit did not run)"
        return out
    try:
        out["builder == flytekit"] = compare_with_flytekit(closure, Closure.FromString(path.read_bytes()))
    except AssertionError as err:
        raise AssertionError(f"{workload}, {n} nodes: {err}") from None
    return out


def ops_for(workload: str, n: int, builder_t: dict[str, b.Task], floor_t: dict[str, FloorTask]) -> list[Op]:
    build, floor, in_place = BUILDERS[workload], FLOORS[workload], FLOORS_IN_PLACE[workload]
    return [
        (workload, "floor", lambda: floor(floor_t, n)),
        (workload, "floor in place", lambda: in_place(floor_t, n)),
        (workload, "builder", lambda: build(builder_t, n, False)),
        (workload, "builder+validate", lambda: build(builder_t, n, True)),
        (workload, "builder+full validator", lambda: build(builder_t, n, "full")),
    ]


# --------------------------------------------------------------------------------------------------------------
# flytekit


def run_flytekit(python: Path, n: int, rounds: int, dump: Path) -> dict[str, Any] | str:
    """bench/flytekit_build.py's results for size ``n`` (closures written to ``dump``), or why there are none."""
    if not python.exists():
        return NOT_INSTALLED
    command = [str(python), str(FLYTEKIT_SCRIPT), "--sizes", str(n), "--rounds", str(rounds), "--dump", str(dump)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False, timeout=1800)
    except subprocess.TimeoutExpired:
        return "failed: timed out after 30 minutes"
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"bench/flytekit_build.py failed ({done.returncode}): {tail}", file=sys.stderr)
        return f"failed: {tail}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# --------------------------------------------------------------------------------------------------------------
# Report


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def report(results: dict[str, Any], sizes: list[int]) -> list[str]:
    fk = results["flytekit"]
    missing = fk if isinstance(fk, str) else "-"
    lines = [
        "Median ms per call (build and serialize the closure):",
        "",
        "| workload | nodes | floor | floor in place | builder | builder+validate | builder+full validator "
        "| flytekit | builder / floor | builder / floor in place | flytekit / builder+validate "
        "| flytekit / builder+full validator | flytekit / builder |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for workload in WORKLOADS:
        for n in sizes:
            row = results["sizes"][str(n)][workload]
            ms = row["ms"]
            cells = [_num(ms[p]) for p in PEERS[:5]] + [_num(ms["flytekit"]) if ms["flytekit"] else missing]
            ratios = [row[k] for k in ("builder / floor", "builder / floor in place")]
            ratios += [
                row[k]
                for k in ("flytekit / builder+validate", "flytekit / builder+full validator", "flytekit / builder")
            ]
            lines.append(f"| {workload} | {n:,} | " + " | ".join(cells + [_ratio(r) for r in ratios]) + " |")
    lines += [
        "",
        "µs per node (validation: builder+validate minus builder):",
        "",
        "| workload | nodes | " + " | ".join(PEERS) + " | validation |",
        "|---|---|" + "---|" * (len(PEERS) + 1),
    ]
    for workload in WORKLOADS:
        for n in sizes:
            per = results["sizes"][str(n)][workload]["us_per_node"]
            validation = per["builder+validate"] - per["builder"]
            cells = [_num(per[p]) if per[p] is not None else missing for p in PEERS] + [_num(validation)]
            lines.append(f"| {workload} | {n:,} | " + " | ".join(cells) + " |")
    if "linearity" in results:
        small, large = sizes[0], sizes[-1]
        lines += [
            "",
            f"Linearity: µs/node at {large:,} nodes / µs/node at {small:,} nodes (1.00x is linear):",
            "",
            "| workload | " + " | ".join(PEERS) + " |",
            "|---|" + "---|" * len(PEERS),
        ]
        for workload in WORKLOADS:
            growth = results["linearity"][workload]
            lines.append(f"| {workload} | " + " | ".join(_ratio(growth[p]) for p in PEERS) + " |")
    return lines


def targets(results: dict[str, Any], sizes: list[int]) -> list[str]:
    out = []
    for workload in WORKLOADS:
        rows = [results["sizes"][str(n)][workload] for n in sizes]
        worst = max(r["builder / floor"] for r in rows)
        in_place = max(r["builder / floor in place"] for r in rows)
        out.append(
            f"- {workload}: builder within 1.5x of the floor: {'met' if worst <= 1.5 else 'NOT met'} "
            f"(worst {worst:.2f}x; {in_place:.2f}x of the floor in place)"
        )
        speedups = [r["flytekit / builder+validate"] for r in rows if r["flytekit / builder+validate"] is not None]
        if speedups:
            least = min(speedups)
            out.append(
                f"- {workload}: builder+validate at least 10x faster than flytekit: "
                f"{'met' if least >= 10 else 'NOT met'} (least {least:.1f}x)"
            )
            full = min(r["flytekit / builder+full validator"] for r in rows if r["flytekit / builder+validate"])
            out.append(
                f"- {workload}: for comparison, build(validate=False) then the whole validator on every node: "
                f"{full:.1f}x faster than flytekit at least"
            )
        else:
            out.append(f"- {workload}: builder+validate at least 10x faster than flytekit: not measured")
        growth = results.get("linearity", {}).get(workload)
        if growth:
            most = max(growth["builder"], growth["builder+validate"])
            out.append(
                f"- {workload}: linear (µs/node grows at most 1.2x from {sizes[0]:,} to {sizes[-1]:,} nodes): "
                f"{'met' if most <= 1.2 else 'NOT met'} (builder {growth['builder']:.2f}x, "
                f"builder+validate {growth['builder+validate']:.2f}x)"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--flytekit-rounds", type=int, default=5, help="rounds of bench/flytekit_build.py")
    parser.add_argument("--flytekit-python", type=Path, default=FLYTEKIT_PYTHON)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench_build.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = environment()
    about = ", ".join(f"{k} {v}" for k, v in env.items())
    builder_t, floor_t = builder_tasks(), floor_tasks()
    results: dict[str, Any] = {"environment": env, "flytekit": None, "load_average": {"start": os.getloadavg()}}
    results["sizes"] = {}
    with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp:
        dump = Path(tmp)
        for n in sizes:
            print(f"{n:,} nodes: flytekit ...", file=sys.stderr, flush=True)
            fk = run_flytekit(args.flytekit_python, n, args.flytekit_rounds, dump)
            fk_times: dict[str, float] = {}
            if isinstance(fk, str):
                results["flytekit"] = fk
            else:
                results["flytekit"] = {"flytekit": fk["flytekit"], "flyteidl": fk["flyteidl"], **fk["environment"]}
                fk_times = fk["sizes"][str(n)]
            print(f"{n:,} nodes: checks, then flytespec and the floors ...", file=sys.stderr, flush=True)
            size: dict[str, Any] = {}
            ops: list[Op] = []
            for workload in WORKLOADS:
                size[workload] = {"check": check(workload, n, builder_t, floor_t, dump)}
                ops += ops_for(workload, n, builder_t, floor_t)
            timings = interleaved(ops, args.rounds)
            for workload in WORKLOADS:
                floor, in_place, builder, validated, full = (timings[(workload, peer)] * 1e3 for peer in PEERS[:5])
                flytekit = fk_times[workload] * 1e3 if workload in fk_times else None
                ms = dict(zip(PEERS, (floor, in_place, builder, validated, full, flytekit), strict=True))
                row = size[workload]
                row["ms"] = ms
                row["us_per_node"] = {p: (v * 1e3 / n if v is not None else None) for p, v in ms.items()}
                row["builder / floor"] = builder / floor
                row["builder / floor in place"] = builder / in_place
                row["flytekit / builder+validate"] = flytekit / validated if flytekit is not None else None
                row["flytekit / builder+full validator"] = flytekit / full if flytekit is not None else None
                row["flytekit / builder"] = flytekit / builder if flytekit is not None else None
            results["sizes"][str(n)] = size
    results["load_average"]["end"] = os.getloadavg()
    if len(sizes) >= 2:
        small, large = (results["sizes"][str(s)] for s in (sizes[0], sizes[-1]))
        results["linearity"] = {
            w: {
                p: large[w]["us_per_node"][p] / small[w]["us_per_node"][p] if small[w]["us_per_node"][p] else None
                for p in PEERS
            }
            for w in WORKLOADS
        }
    fk_info = results["flytekit"]
    flytekit_note = f"flytekit {fk_info['flytekit']}" if isinstance(fk_info, dict) else f"flytekit {fk_info}"
    checks = []
    for workload in WORKLOADS:
        for n in sizes:
            c = results["sizes"][str(n)][workload]["check"]
            checks.append(
                f"- {workload}, {n:,} nodes ({c['tasks']} task templates, {c['bytes']:,} bytes): builder == floors: "
                f"{c['builder == floors']}; builder == flytekit: {c['builder == flytekit']}"
            )
    results["targets"] = targets(results, sizes)
    load = " → ".join(", ".join(f"{x:.2f}" for x in results["load_average"][k]) for k in ("start", "end"))
    text = [
        f"# flytespec's builder beside the pb2 floors and flytekit ({about}; {flytekit_note})",
        "",
        f"Load average (1, 5, 15 min) at start → end: {load}",
        "",
        *report(results, sizes),
        "",
        "Targets:",
        "",
        *results["targets"],
        "",
        "Equality (checked before timing):",
        "",
        *checks,
    ]
    print("\n".join(text))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    markdown = args.out.with_suffix(".md")
    markdown.write_text("\n".join(text) + "\n")
    print(f"\nresults written to {args.out} and {markdown}")


if __name__ == "__main__":
    main()
