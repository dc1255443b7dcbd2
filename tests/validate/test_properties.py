"""Properties over random valid workflows: they validate and compile cleanly and deterministically, and each kind of
mutation (a dropped binding, a retargeted promise, a back-edge, a changed type) is caught with the right code."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flytespec.compiler import compile
from flytespec.core import types_pb2, workflow_closure_pb2
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
