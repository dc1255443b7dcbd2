"""Deterministic, flytekit-shaped, valid WorkflowClosures of any size (for benchmarks and property tests).

The shape follows what flytekit 1.16 serializes (see ../shared/docs/perf-anchors.md, "Fixtures"): one
TaskTemplate per 10 nodes (container with pyflyte-execute args, requests and limits, env, runtime metadata, a
typed interface of 2-3 inputs and 1-2 outputs), about 93 % task nodes, 5 % branch nodes (case, one other, else)
and 2 % array nodes; every node has NodeMetadata and 2-3 type-consistent bindings (promises to recent upstream
nodes, workflow inputs, literals, lists of promises) with upstream_node_ids set to what its promises reference.
The result is a valid acyclic workflow.
"""

from __future__ import annotations

import random

from google.protobuf import duration_pb2

from flytespec.build import pyflyte_execute_args
from flytespec.core import (
    condition_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)

__all__ = ["random_workflow_closure"]

_SIMPLE = {"int": types_pb2.INTEGER, "float": types_pb2.FLOAT, "str": types_pb2.STRING, "bool": types_pb2.BOOLEAN}
_TYPES = ("int", "float", "str", "bool", "list_int", "file")
_WEIGHTS = (30, 25, 20, 5, 12, 8)
_REQUESTS = (("500m", "1Gi"), ("1", "2Gi"), ("2", "8Gi"), ("4", "16Gi"))
_WF_INPUTS = (("path", "str"), ("limit", "int"), ("threshold", "float"))
_PROJECT, _DOMAIN, _VERSION = "flytesnacks", "development", "abc123def456"


def _type(name: str) -> types_pb2.LiteralType:
    if name in _SIMPLE:
        return types_pb2.LiteralType(simple=_SIMPLE[name])
    if name == "list_int":
        return types_pb2.LiteralType(collection_type=types_pb2.LiteralType(simple=types_pb2.INTEGER))
    return types_pb2.LiteralType(blob=types_pb2.BlobType(format="parquet"))


def _literal(name: str, rng: random.Random) -> literals_pb2.BindingData:
    if name == "int":
        primitive = literals_pb2.Primitive(integer=rng.randrange(1000))
    elif name == "float":
        primitive = literals_pb2.Primitive(float_value=rng.random())
    elif name == "bool":
        primitive = literals_pb2.Primitive(boolean=rng.random() < 0.5)
    else:
        primitive = literals_pb2.Primitive(string_value=f"value-{rng.randrange(100)}")
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=primitive))


def _task_id(name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project=_PROJECT, domain=_DOMAIN, name=name, version=_VERSION
    )


def random_workflow_closure(n_nodes: int, seed: int = 7) -> workflow_closure_pb2.WorkflowClosure:
    """A valid WorkflowClosure with ``n_nodes`` top-level nodes (deterministic for a given size and seed)."""
    rng = random.Random(seed * 1_000_003 + n_nodes)
    result = workflow_closure_pb2.WorkflowClosure()
    tasks = []
    for t in range(max(4, n_nodes // 10)):
        name = f"app.area{t % 5}.task_{t}"
        inputs = [(f"in{i}", rng.choices(_TYPES, _WEIGHTS)[0]) for i in range(rng.randint(2, 3))]
        outputs = [(f"o{i}", rng.choices(_TYPES, _WEIGHTS)[0]) for i in range(rng.randint(1, 2))]
        request = rng.choice(_REQUESTS)
        template = result.tasks.add(id=_task_id(name), type="python-task")
        template.metadata.runtime.type = tasks_pb2.RuntimeMetadata.FLYTE_SDK
        template.metadata.runtime.version = "1.16.31"
        template.metadata.runtime.flavor = "python"
        template.metadata.retries.retries = rng.randint(0, 3)
        for var, typ in inputs:
            template.interface.inputs.variables[var].type.CopyFrom(_type(typ))
        for var, typ in outputs:
            template.interface.outputs.variables[var].type.CopyFrom(_type(typ))
        container = template.container
        container.image = f"ghcr.io/acme/app:{rng.choice(('abc123', 'gpu-abc123'))}"
        container.args.extend(pyflyte_execute_args(f"app.area{t % 5}", f"task_{t}"))
        container.resources.requests.add(name=tasks_pb2.Resources.CPU, value=request[0])
        container.resources.requests.add(name=tasks_pb2.Resources.MEMORY, value=request[1])
        if rng.random() < 0.5:
            container.resources.limits.add(name=tasks_pb2.Resources.CPU, value=request[0])
            container.resources.limits.add(name=tasks_pb2.Resources.MEMORY, value=request[1])
        container.env.add(key="FLYTE_INTERNAL_IMAGE", value=container.image)
        tasks.append((name, inputs, outputs))

    wf = result.workflow
    wf.id.CopyFrom(_task_id("app.workflows.big"))
    wf.id.resource_type = identifier_pb2.WORKFLOW
    wf.metadata.SetInParent()
    for var, typ in _WF_INPUTS:
        wf.interface.inputs.variables[var].type.CopyFrom(_type(typ))
    producers: dict[str, list[tuple[str, str]]] = {t: [] for t in _TYPES}  # type -> [(node id, output var)]

    def bind(binding: literals_pb2.Binding, typ: str, node: workflow_pb2.Node) -> None:
        candidates = producers[typ][-24:]
        wf_input = next((v for v, t in _WF_INPUTS if t == typ), None)
        roll = rng.random()
        if candidates and roll < 0.85:
            source, var = rng.choice(candidates)
            binding.binding.promise.node_id = source
            binding.binding.promise.var = var
            if source not in node.upstream_node_ids:
                node.upstream_node_ids.append(source)
        elif wf_input is not None and roll < 0.93:
            binding.binding.promise.var = wf_input
        elif typ == "list_int" and producers["int"]:
            for source, var in producers["int"][-3:]:
                binding.binding.collection.bindings.add().promise.CopyFrom(
                    types_pb2.OutputReference(node_id=source, var=var)
                )
                if source not in node.upstream_node_ids:
                    node.upstream_node_ids.append(source)
        elif typ == "list_int":
            for _ in range(rng.randint(0, 3)):
                binding.binding.collection.bindings.add().CopyFrom(_literal("int", rng))
            binding.binding.collection.SetInParent()
        elif typ in _SIMPLE:
            binding.binding.CopyFrom(_literal(typ, rng))
        else:
            binding.binding.scalar.blob.uri = f"s3://bucket/data/{rng.randrange(10**6)}.parquet"
            binding.binding.scalar.blob.metadata.type.format = "parquet"

    def task_node(node: workflow_pb2.Node, index: int) -> list[tuple[str, str]]:
        name, inputs, outputs = tasks[index]
        node.task_node.reference_id.CopyFrom(_task_id(name))
        node.task_node.overrides.SetInParent()
        for var, typ in inputs:
            bind(node.inputs.add(var=var), typ, node)
        return outputs

    for i in range(n_nodes):
        node = wf.nodes.add(id=f"n{i}")
        node.metadata.name = f"step-{i}"
        node.metadata.retries.SetInParent()
        if rng.random() < 0.5:
            node.metadata.timeout.CopyFrom(duration_pb2.Duration(seconds=rng.choice((600, 3600))))
        roll = rng.random()
        index = rng.randrange(len(tasks))
        if roll < 0.05 and producers["float"]:
            source, var = producers["float"][-1]
            node.inputs.add(var="x").binding.promise.CopyFrom(types_pb2.OutputReference(node_id=source, var=var))
            node.upstream_node_ids.append(source)
            outputs = tasks[index][2]
            if_else = node.branch_node.if_else
            for block, operator, threshold in (
                (if_else.case, condition_pb2.ComparisonExpression.GT, 0.7),
                (if_else.other.add(), condition_pb2.ComparisonExpression.LT, 0.2),
            ):
                block.condition.comparison.operator = operator
                block.condition.comparison.left_value.var = "x"
                block.condition.comparison.right_value.primitive.float_value = threshold
                task_node(block.then_node, index)
                block.then_node.id = f"n{i}-{'a' if operator == condition_pb2.ComparisonExpression.GT else 'b'}"
            task_node(if_else.else_node, index)
            if_else.else_node.id = f"n{i}-c"
        elif roll < 0.07:
            # An array node binds its inputs itself; its interface is the mapped task's (Flyte's rule).
            outputs = task_node(node, index)
            reference = node.task_node.reference_id
            node.ClearField("task_node")
            sub = node.array_node.node
            sub.id = f"n{i}-map"
            sub.task_node.reference_id.CopyFrom(reference)
            node.array_node.min_success_ratio = 1.0
            node.array_node.parallelism = 16
        else:
            outputs = task_node(node, index)
        for var, typ in outputs:
            producers[typ].append((node.id, var))
    last = producers["str"][-1] if producers["str"] else None
    if last is not None:
        wf.interface.outputs.variables["result"].type.CopyFrom(_type("str"))
        wf.outputs.add(var="result").binding.promise.CopyFrom(types_pb2.OutputReference(node_id=last[0], var=last[1]))
    return result
