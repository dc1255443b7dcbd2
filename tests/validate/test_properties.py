"""Properties over random valid workflows: they validate and compile cleanly and deterministically, and each kind of
mutation (a dropped binding, a retargeted promise, a back-edge, a changed type) is caught with the right code."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flytespec.compiler import compile
from flytespec.core import identifier_pb2, types_pb2, workflow_closure_pb2
from flytespec.testing import random_workflow_closure, workflow_closures
from flytespec.validate import Code, validate


@given(workflow_closures(max_nodes=60))
def test_valid_random_workflows_have_no_diagnostics(closure: workflow_closure_pb2.WorkflowClosure) -> None:
    assert validate(closure) == []


@settings(max_examples=10)
@given(workflow_closures(max_nodes=60))
def test_compiling_is_deterministic_and_its_output_validates(closure: workflow_closure_pb2.WorkflowClosure) -> None:
    first = compile(closure).SerializeToString(deterministic=True)
    second = compile(closure).SerializeToString(deterministic=True)
    assert first == second
    from flytespec.core import compiler_pb2

    assert validate(compiler_pb2.CompiledWorkflowClosure.FromString(first)) == []


def _task_nodes_with_inputs(closure: workflow_closure_pb2.WorkflowClosure) -> list[int]:
    return [i for i, n in enumerate(closure.workflow.nodes) if n.HasField("task_node") and len(n.inputs) > 0]


@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.data())
def test_a_dropped_binding_is_parameter_not_bound(n: int, seed: int, data: st.DataObject) -> None:
    closure = random_workflow_closure(n, seed)
    candidates = _task_nodes_with_inputs(closure)
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    node = closure.workflow.nodes[i]
    j = data.draw(st.integers(0, len(node.inputs) - 1))
    del node.inputs[j]
    found = {(d.code, d.path) for d in validate(closure)}
    assert (Code.ParameterNotBound, f"workflow.nodes[{i}].inputs") in found


@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.data())
def test_a_retargeted_promise_is_node_reference_not_found(n: int, seed: int, data: st.DataObject) -> None:
    closure = random_workflow_closure(n, seed)
    promises = [
        (i, j)
        for i, node in enumerate(closure.workflow.nodes)
        for j, b in enumerate(node.inputs)
        if b.binding.HasField("promise") and b.binding.promise.node_id
    ]
    if not promises:
        return
    i, j = data.draw(st.sampled_from(promises))
    closure.workflow.nodes[i].inputs[j].binding.promise.node_id = "nowhere"
    found = {(d.code, d.path) for d in validate(closure)}
    assert (Code.NodeReferenceNotFound, f"workflow.nodes[{i}].inputs[{j}].binding.promise.node_id") in found


@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.data())
def test_a_back_edge_is_a_cycle(n: int, seed: int, data: st.DataObject) -> None:
    closure = random_workflow_closure(n, seed)
    connections = compile(closure).primary.connections.downstream
    index = {node.id: i for i, node in enumerate(closure.workflow.nodes)}
    edges = [(a, b) for a in connections for b in connections[a].ids if a in index and b in index]
    if not edges:
        return
    a, b = data.draw(st.sampled_from(sorted(edges)))
    closure.workflow.nodes[index[a]].upstream_node_ids.append(b)
    cycles = [d for d in validate(closure) if d.code is Code.CycleDetected]
    assert len(cycles) == 1
    assert a in cycles[0].message
    assert b in cycles[0].message


@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.data())
def test_a_changed_type_is_mismatching_types(n: int, seed: int, data: st.DataObject) -> None:
    closure = random_workflow_closure(n, seed)
    promises = [
        (i, j)
        for i, node in enumerate(closure.workflow.nodes)
        if node.HasField("task_node")
        for j, b in enumerate(node.inputs)
        if b.binding.HasField("promise")
    ]
    if not promises:
        return
    i, j = data.draw(st.sampled_from(promises))
    node = closure.workflow.nodes[i]
    task = next(t for t in closure.tasks if t.id == node.task_node.reference_id)
    never = types_pb2.LiteralType(blob=types_pb2.BlobType(format="never-produced"))
    task.interface.inputs.variables[node.inputs[j].var].type.CopyFrom(never)
    found = {(d.code, d.path) for d in validate(closure)}
    assert (Code.MismatchingTypes, f"workflow.nodes[{i}].inputs[{j}].binding.promise") in found
    # Other nodes using the task fail too: lists bound to it are MismatchingBindings (Flyte's code for that).
    assert {code for code, _ in found} <= {Code.MismatchingTypes, Code.MismatchingBindings}


@settings(max_examples=5)
@given(workflow_closures(min_nodes=20, max_nodes=60))
def test_diagnostics_are_deterministic_and_sorted(closure: workflow_closure_pb2.WorkflowClosure) -> None:
    for node in closure.workflow.nodes:
        del node.inputs[:1]
        node.upstream_node_ids.append("ghost")
    first, second = validate(closure), validate(closure)
    assert first == second
    from flytespec.validate._diagnostics import sort_key

    assert first == sorted(first, key=sort_key)


def _mutate(closure: workflow_closure_pb2.WorkflowClosure, data: st.DataObject) -> None:
    """One edit of a random kind at a random task node: each meets a condition of the validator's common-case
    shortcuts (a task node resolved inline, bindings checked inline) that sends the node to the general path."""
    nodes = [n for n in closure.workflow.nodes if n.HasField("task_node")]
    if not nodes:
        return
    node = data.draw(st.sampled_from(nodes))
    kind = data.draw(
        st.sampled_from(
            [
                "resource override",
                "output alias",
                "unknown task",
                "launch-plan resource type",
                "empty id",
                "negative timeout",
                "dropped binding",
                "duplicate binding",
                "unknown input",
                "empty binding",
                "indexed promise",
                "attribute path",
                "promise from the start",
                "wrong scalar",
                "enum input",
                "list of promises",
            ]
        )
    )
    task = next((t for t in closure.tasks if t.id == node.task_node.reference_id), None)
    binding = node.inputs[0] if node.inputs else None
    promise = binding.binding.promise if binding is not None and binding.binding.HasField("promise") else None
    if kind == "resource override":
        node.task_node.overrides.resources.requests.add(name=2, value="0.5")  # a GPU fraction
    elif kind == "output alias":
        node.output_aliases.add(var="o0", alias="renamed")
    elif kind == "unknown task":
        node.task_node.reference_id.version = "elsewhere"
    elif kind == "launch-plan resource type" and task is not None:
        task.id.resource_type = node.task_node.reference_id.resource_type = identifier_pb2.LAUNCH_PLAN
    elif kind == "empty id":
        node.id = ""
    elif kind == "negative timeout":
        node.metadata.timeout.seconds = -1
    elif binding is None:
        return
    elif kind == "dropped binding":
        del node.inputs[0]
    elif kind == "duplicate binding":
        node.inputs.add().CopyFrom(binding)
    elif kind == "unknown input":
        binding.var = "not_an_input"
    elif kind == "empty binding":
        binding.ClearField("binding")
    elif kind == "wrong scalar":
        binding.binding.scalar.primitive.datetime.seconds = 1
    elif kind == "enum input" and task is not None:
        variable = task.interface.inputs.variables[binding.var]
        variable.type.Clear()
        variable.type.enum_type.values.extend(["a", "b"])
        binding.binding.scalar.primitive.string_value = "c"
    elif promise is None:
        return
    elif kind == "indexed promise":
        promise.var = f"[0].{promise.var}"
    elif kind == "attribute path" and task is not None:
        # Both ends become the same dataclass, and the promise reads a field it does not have.
        # (Only task nodes: == with an unset submessage crashes protobuf 4.21's upb.)
        source = next((n for n in nodes if n.id == promise.node_id), None)
        source_task = source and next((t for t in closure.tasks if t.id == source.task_node.reference_id), None)
        if source_task is not None and promise.var in source_task.interface.outputs.variables:
            record = types_pb2.LiteralType(simple=types_pb2.STRUCT)
            record.structure.dataclass_type["x"].simple = types_pb2.INTEGER
            source_task.interface.outputs.variables[promise.var].type.CopyFrom(record)
            task.interface.inputs.variables[binding.var].type.CopyFrom(record)
            promise.attr_path.add(string_value="missing")
    elif kind == "promise from the start":
        promise.node_id = "" if promise.node_id == "start-node" else "start-node"
    elif kind == "list of promises":
        copy = types_pb2.OutputReference()
        copy.CopyFrom(promise)
        binding.binding.collection.bindings.add().promise.CopyFrom(copy)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 30), st.integers(0, 2**32 - 1), st.data())
def test_the_common_case_shortcuts_change_nothing(
    monkeypatch: pytest.MonkeyPatch, n: int, seed: int, data: st.DataObject
) -> None:
    """Diagnostics and compiled output are the same with the validator's inline common cases and without them."""
    from flytespec.validate import _workflow

    closure = random_workflow_closure(n, seed)
    for _ in range(data.draw(st.integers(0, 3))):
        _mutate(closure, data)
    fast = validate(closure)
    compiled = compile(closure).SerializeToString(deterministic=True) if not fast else None
    with monkeypatch.context() as m:
        m.setattr(_workflow._Checker, "_plain_task_node", lambda self, node: False)
        m.setattr(_workflow._Checker, "_plain_bindings", lambda self, node, edge: False)
        assert validate(closure) == fast
        if compiled is not None:
            assert compile(closure).SerializeToString(deterministic=True) == compiled
