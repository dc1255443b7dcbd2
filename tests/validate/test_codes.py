"""One test per diagnostic code: a small spec built to trigger it, asserting the code and the field path."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import duration_pb2, struct_pb2
from google.protobuf.message import Message

from flytespec import validate as validation
from flytespec.admin import launch_plan_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import (
    compiler_pb2,
    condition_pb2,
    execution_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from flytespec.validate import Code, Severity, validate
from tests.validate.specs import (
    FLOAT,
    INT,
    STR,
    add_one,
    bind,
    closure,
    dict_of,
    enum,
    ident,
    list_of,
    promise,
    scalar_int,
    scalar_str,
    task,
    task_node,
    union,
    workflow,
)


def found(spec: Message, **context: object) -> set[tuple[Code, str]]:
    return {(d.code, d.path) for d in validate(spec, **context)}  # type: ignore[arg-type]


def chain() -> workflow_pb2.WorkflowTemplate:
    """A valid two-node chain: n0 = add_one(x=wf.x); n1 = add_one(x=n0.o0); output y = n1.o0."""
    return workflow(
        task_node("n0", "add_one", x=promise("", "x")),
        task_node("n1", "add_one", upstream=("n0",), x=promise("n0", "o0")),
        inputs={"x": INT},
        outputs={"y": INT},
        output_bindings={"y": promise("n1", "o0")},
    )


def running_a_subworkflow() -> tuple[workflow_pb2.WorkflowTemplate, workflow_pb2.WorkflowTemplate]:
    """A subworkflow ``sub`` (the chain), and a workflow whose node ``s`` runs it: output y = s.y."""
    sub = chain()
    sub.id.CopyFrom(ident("sub", identifier_pb2.WORKFLOW))
    node = workflow_pb2.Node(id="s", inputs=bind(x=promise("", "x")))
    node.workflow_node.sub_workflow_ref.CopyFrom(sub.id)
    return sub, workflow(node, inputs={"x": INT}, outputs={"y": INT}, output_bindings={"y": promise("s", "y")})


def test_the_base_specs_are_valid() -> None:
    assert validate(closure(chain(), add_one())) == []
    assert validate(add_one()) == []


# ---------------------------------------------------------------------------------------------------------------
# Structure and references


def test_no_nodes_found() -> None:
    assert found(closure(workflow(), add_one())) == {(Code.NoNodesFound, "workflow.nodes")}


def test_node_reference_not_found_in_a_promise() -> None:
    wf = chain()
    wf.nodes[1].inputs[0].binding.promise.node_id = "ghost"
    assert (Code.NodeReferenceNotFound, "workflow.nodes[1].inputs[0].binding.promise.node_id") in found(
        closure(wf, add_one())
    )


def test_node_reference_not_found_in_upstream_node_ids() -> None:
    wf = chain()
    wf.nodes[1].upstream_node_ids.append("ghost")
    assert (Code.NodeReferenceNotFound, "workflow.nodes[1].upstream_node_ids[1]") in found(closure(wf, add_one()))


def test_an_empty_upstream_node_id_is_start_node_with_a_warning() -> None:
    """Flyte reads an empty upstream id as start-node and registers the workflow: a warning, and start-node's edge."""
    from flytespec.compiler import compile

    wf = chain()
    wf.nodes[1].upstream_node_ids.append("")
    diagnostics = validate(closure(wf, add_one()))
    assert [(d.code, d.severity, d.path) for d in diagnostics] == [
        (Code.NodeReferenceNotFound, Severity.WARNING, "workflow.nodes[1].upstream_node_ids[1]")
    ]
    compiled = compile(closure(wf, add_one()))
    assert list(compiled.primary.connections.upstream["n1"].ids) == ["n0", "start-node"]
    assert "n1" in compiled.primary.connections.downstream["start-node"].ids


def test_task_reference_not_found() -> None:
    assert (Code.TaskReferenceNotFound, "workflow.nodes[0].task_node.reference_id") in found(closure(chain()))


def test_workflow_reference_not_found() -> None:
    node = workflow_pb2.Node(id="n0")
    node.workflow_node.sub_workflow_ref.CopyFrom(ident("sub", identifier_pb2.WORKFLOW))
    wf = workflow(node)
    assert found(wf) >= {(Code.WorkflowReferenceNotFound, "nodes[0].workflow_node.sub_workflow_ref")}
    lp_node = workflow_pb2.Node(id="n0")
    lp_node.workflow_node.launchplan_ref.CopyFrom(ident("lp", identifier_pb2.LAUNCH_PLAN))
    assert (Code.WorkflowReferenceNotFound, "nodes[0].workflow_node.launchplan_ref") in found(workflow(lp_node))
    empty = workflow_pb2.Node(id="n0", workflow_node=workflow_pb2.WorkflowNode())
    assert (Code.WorkflowReferenceNotFound, "nodes[0].workflow_node") in found(workflow(empty))


def test_a_node_launching_its_own_workflow_needs_the_workflows_interface() -> None:
    node = workflow_pb2.Node(id="n0")
    wf = workflow(node)
    wf.nodes[0].workflow_node.launchplan_ref.CopyFrom(wf.id)
    wf.ClearField("interface")
    assert (Code.ValueRequired, "nodes[0].workflow_node.launchplan_ref") in found(wf)


def test_cycle_detected_with_the_whole_cycle() -> None:
    wf = workflow(
        task_node("a", "add_one", x=promise("c", "o0")),
        task_node("b", "add_one", x=promise("a", "o0")),
        task_node("c", "add_one", x=promise("b", "o0")),
    )
    diagnostics = [d for d in validate(closure(wf, add_one())) if d.code is Code.CycleDetected]
    assert [(d.path, d.node_id) for d in diagnostics] == [("workflow.nodes[0]", "a")]
    assert "a > b > c > a" in diagnostics[0].message


def test_a_cycle_not_reachable_from_the_start_is_a_cycle() -> None:
    wf = chain()
    wf.nodes.append(task_node("p", "add_one", x=promise("q", "o0")))
    wf.nodes.append(task_node("q", "add_one", x=promise("p", "o0")))
    codes = found(closure(wf, add_one()))
    assert (Code.CycleDetected, "workflow.nodes[2]") in codes
    assert not any(code is Code.UnreachableNodes for code, _ in codes)


def test_a_cycle_through_a_branch_child_is_a_cycle() -> None:
    # "after" reads the branch's output, and the branch's then-node reads "after": neither can ever run.
    branch = workflow_pb2.Node(id="b", inputs=bind(x=promise("", "x")))
    if_else = branch.branch_node.if_else
    if_else.case.condition.comparison.left_value.var = "x"
    if_else.case.condition.comparison.right_value.primitive.integer = 0
    if_else.case.then_node.CopyFrom(task_node("t1", "add_one", x=promise("after", "o0")))
    if_else.else_node.CopyFrom(task_node("t2", "add_one", x=scalar_int(0)))
    after = task_node("after", "add_one", x=promise("b", "o0"))
    wf = workflow(branch, after, inputs={"x": INT}, outputs={"y": INT}, output_bindings={"y": promise("after", "o0")})
    diagnostics = [d for d in validate(closure(wf, add_one())) if d.code is Code.CycleDetected]
    assert [(d.path, d.node_id) for d in diagnostics] == [("workflow.nodes[1]", "after")]
    assert "after > b > after" in diagnostics[0].message
    # Reading a node that runs before the branch is no cycle.
    if_else.case.then_node.inputs[0].binding.promise.node_id = "first"
    wf = workflow(
        task_node("first", "add_one", x=promise("", "x")),
        branch,
        inputs={"x": INT},
        outputs={"y": INT},
        output_bindings={"y": promise("b", "o0")},
    )
    assert validate(closure(wf, add_one())) == []


def test_what_a_branch_child_reads_does_not_make_the_branch_reachable() -> None:
    branch = workflow_pb2.Node(id="b", upstream_node_ids=["ghost"])
    if_else = branch.branch_node.if_else
    if_else.case.condition.comparison.left_value.primitive.integer = 1
    if_else.case.condition.comparison.right_value.primitive.integer = 0
    if_else.case.then_node.CopyFrom(task_node("t1", "add_one", x=promise("a", "o0")))
    if_else.else_node.CopyFrom(task_node("t2", "add_one", x=scalar_int(0)))
    wf = workflow(task_node("a", "add_one", x=promise("", "x")), branch, inputs={"x": INT})
    assert found(closure(wf, add_one())) == {
        (Code.UnreachableNodes, "workflow.nodes[1]"),
        (Code.NodeReferenceNotFound, "workflow.nodes[1].upstream_node_ids[0]"),
    }


def test_unreachable_nodes_after_a_cycle() -> None:
    wf = workflow(
        task_node("a", "add_one", x=promise("b", "o0")),
        task_node("b", "add_one", x=promise("a", "o0")),
        task_node("c", "add_one", x=promise("b", "o0")),
    )
    assert (Code.UnreachableNodes, "workflow.nodes[2]") in found(closure(wf, add_one()))


def test_no_entry_node_found() -> None:
    wf = workflow(task_node("a", "add_one", upstream=("ghost",), x=scalar_int(1)))
    assert (Code.NoEntryNodeFound, "workflow") in found(closure(wf, add_one()))


def test_duplicate_node_id() -> None:
    wf = chain()
    wf.nodes.append(task_node("n0", "add_one", x=scalar_int(3)))
    assert (Code.DuplicateNodeId, "workflow.nodes[2].id") in found(closure(wf, add_one()))


def test_reserved_node_id() -> None:
    wf = chain()
    wf.nodes.append(task_node("end-node", "add_one", x=scalar_int(3)))
    assert (Code.ReservedNodeId, "workflow.nodes[2].id") in found(closure(wf, add_one()))


def test_node_ids_are_dns_labels() -> None:
    wf = chain()
    wf.nodes[0].id = "N_0"
    wf.nodes.append(task_node("n" * 64, "add_one", x=scalar_int(3)))
    codes = found(closure(wf, add_one()))
    assert (Code.InvalidValue, "workflow.nodes[0].id") in codes
    assert (Code.InvalidValue, "workflow.nodes[2].id") in codes


def test_duplicate_id_of_subworkflows() -> None:
    sub = chain()
    spec = admin_workflow_pb2.WorkflowSpec(template=chain(), sub_workflows=[sub, sub])
    spec.template.id.name = "main"
    assert (Code.DuplicateId, "sub_workflows[1].id") in found(spec, tasks=[add_one()])


def test_duplicate_id_of_tasks_with_different_content() -> None:
    other = add_one()
    other.container.image = "img:2"
    assert (Code.DuplicateId, "tasks[1].id") in found(closure(chain(), add_one(), other))


def test_recursive_subworkflow() -> None:
    sub = workflow(name="sub")
    node = workflow_pb2.Node(id="again")
    node.workflow_node.sub_workflow_ref.CopyFrom(sub.id)
    sub.nodes.append(node)
    main_node = workflow_pb2.Node(id="run-sub")
    main_node.workflow_node.sub_workflow_ref.CopyFrom(sub.id)
    spec = admin_workflow_pb2.WorkflowSpec(template=workflow(main_node, name="main"), sub_workflows=[sub])
    assert (Code.RecursiveSubworkflow, "sub_workflows[0].nodes[0].workflow_node.sub_workflow_ref") in found(spec)


def test_workflows_that_run_each_other_are_recursive() -> None:
    a, b = workflow(name="a"), workflow(name="b")
    for parent, child in ((a, b), (b, a)):
        node = workflow_pb2.Node(id=f"run-{child.id.name}")
        node.workflow_node.sub_workflow_ref.CopyFrom(child.id)
        parent.nodes.append(node)
    main_node = workflow_pb2.Node(id="run-a")
    main_node.workflow_node.sub_workflow_ref.CopyFrom(a.id)
    spec = admin_workflow_pb2.WorkflowSpec(template=workflow(main_node, name="main"), sub_workflows=[a, b])
    assert {(code, path) for code, path in found(spec) if code is Code.RecursiveSubworkflow} == {
        (Code.RecursiveSubworkflow, "sub_workflows[0].nodes[0].workflow_node.sub_workflow_ref"),
        (Code.RecursiveSubworkflow, "sub_workflows[1].nodes[0].workflow_node.sub_workflow_ref"),
    }


def test_resource_type_mismatch() -> None:
    wf = chain()
    wf.nodes[0].task_node.reference_id.resource_type = identifier_pb2.WORKFLOW
    assert (Code.ResourceTypeMismatch, "workflow.nodes[0].task_node.reference_id.resource_type") in found(
        closure(wf, add_one())
    )
    t = add_one()
    t.id.resource_type = identifier_pb2.LAUNCH_PLAN
    assert (Code.ResourceTypeMismatch, "id.resource_type") in found(t)


def test_value_required_for_a_node_without_target() -> None:
    wf = chain()
    wf.nodes.append(workflow_pb2.Node(id="n2"))
    assert (Code.ValueRequired, "workflow.nodes[2]") in found(closure(wf, add_one()))


# ---------------------------------------------------------------------------------------------------------------
# Bindings and types


def test_parameter_not_bound() -> None:
    wf = chain()
    del wf.nodes[1].inputs[:]
    assert (Code.ParameterNotBound, "workflow.nodes[1].inputs") in found(closure(wf, add_one()))


def test_optional_inputs_may_stay_unbound() -> None:
    optional = task("opt", {"x": union(INT, types_pb2.LiteralType(simple=types_pb2.NONE))}, {})
    wf = workflow(task_node("n0", "opt"))
    assert validate(closure(wf, optional)) == []


def test_workflow_output_not_bound() -> None:
    wf = chain()
    del wf.outputs[:]
    assert (Code.ParameterNotBound, "workflow.outputs") in found(closure(wf, add_one()))


def test_parameter_bound_more_than_once() -> None:
    wf = chain()
    wf.nodes[1].inputs.extend(bind(x=promise("n0", "o0")))
    assert (Code.ParameterBoundMoreThanOnce, "workflow.nodes[1].inputs[1].var") in found(closure(wf, add_one()))


def test_variable_name_not_found_for_an_input() -> None:
    wf = chain()
    wf.nodes[1].inputs.extend(bind(z=scalar_int(1)))
    assert (Code.VariableNameNotFound, "workflow.nodes[1].inputs[1].var") in found(closure(wf, add_one()))


def test_variable_name_not_found_for_an_upstream_output() -> None:
    wf = chain()
    wf.nodes[1].inputs[0].binding.promise.var = "o9"
    assert (Code.VariableNameNotFound, "workflow.nodes[1].inputs[0].binding.promise.var") in found(
        closure(wf, add_one())
    )


def test_mismatching_types_promise() -> None:
    to_str = task("to_str", {"s": STR}, {"o0": STR})
    wf = chain()
    wf.nodes.append(task_node("n2", "to_str", s=promise("n1", "o0")))
    assert (Code.MismatchingTypes, "workflow.nodes[2].inputs[0].binding.promise") in found(
        closure(wf, add_one(), to_str)
    )


def test_mismatching_types_scalar_int_into_float() -> None:
    halve = task("halve", {"f": FLOAT}, {})
    wf = workflow(task_node("n0", "halve", f=scalar_int(3)))
    assert found(closure(wf, halve)) == {(Code.MismatchingTypes, "workflow.nodes[0].inputs[0].binding.scalar")}


def test_mismatching_bindings() -> None:
    wf = chain()
    collection = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=[scalar_int(1)]))
    wf.nodes[0].inputs[0].binding.CopyFrom(collection)
    assert (Code.MismatchingBindings, "workflow.nodes[0].inputs[0].binding") in found(closure(wf, add_one()))


def test_mismatching_bindings_for_an_empty_binding() -> None:
    wf = chain()
    wf.nodes[0].inputs[0].binding.Clear()
    wf.nodes[0].inputs[0].binding.SetInParent()
    assert (Code.MismatchingBindings, "workflow.nodes[0].inputs[0].binding") in found(closure(wf, add_one()))


def test_collection_and_map_bindings_check_their_elements() -> None:
    sums = task("sums", {"xs": list_of(INT), "named": dict_of(INT)}, {})
    node = task_node("n0", "sums")
    node.inputs.extend(
        bind(
            xs=literals_pb2.BindingData(
                collection=literals_pb2.BindingDataCollection(bindings=[scalar_int(1), scalar_str("two")])
            ),
            named=literals_pb2.BindingData(map=literals_pb2.BindingDataMap(bindings={"a": scalar_str("x")})),
        )
    )
    codes = found(closure(workflow(node), sums))
    assert (Code.MismatchingTypes, "workflow.nodes[0].inputs[0].binding.collection.bindings[1].scalar") in codes
    assert (Code.MismatchingTypes, 'workflow.nodes[0].inputs[1].binding.map.bindings["a"].scalar') in codes


def test_map_binding_keys_are_escaped_in_paths() -> None:
    t = task("t", {"d": dict_of(INT)}, {})
    node = workflow_pb2.Node(id="n0", task_node=task_node("x", "t").task_node)
    bindings = node.inputs.add(var="d").binding.map.bindings
    bindings['a"].x["b'].CopyFrom(scalar_str("no"))
    bindings["back\\slash"].CopyFrom(scalar_str("no"))
    assert found(closure(workflow(node), t)) == {
        (Code.MismatchingTypes, 'workflow.nodes[0].inputs[0].binding.map.bindings["a\\"].x[\\"b"].scalar'),
        (Code.MismatchingTypes, 'workflow.nodes[0].inputs[0].binding.map.bindings["back\\\\slash"].scalar'),
    }


def test_ambiguous_binding_union_value() -> None:
    either = task("either", {"xs": union(list_of(INT), list_of(STR))}, {})
    empty = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection())
    wf = workflow(workflow_pb2.Node(id="n0", inputs=bind(xs=empty), task_node=task_node("x", "either").task_node))
    assert found(closure(wf, either)) == {(Code.AmbiguousBindingUnionValue, "workflow.nodes[0].inputs[0].binding")}


def test_incompatible_binding_union_value() -> None:
    either = task("either", {"v": union(INT, STR)}, {})
    lst = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=[scalar_int(1)]))
    wf = workflow(workflow_pb2.Node(id="n0", inputs=bind(v=lst), task_node=task_node("x", "either").task_node))
    assert found(closure(wf, either)) == {(Code.IncompatibleBindingUnionValue, "workflow.nodes[0].inputs[0].binding")}
    # Offloaded data carries no type a variant could accept either.
    offloaded = literals_pb2.BindingData(offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri="s3://b/k"))
    wf.nodes[0].inputs[0].binding.CopyFrom(offloaded)
    assert found(closure(wf, either)) == {(Code.IncompatibleBindingUnionValue, "workflow.nodes[0].inputs[0].binding")}


def test_illegal_enum_value() -> None:
    colour = task("colour", {"c": enum("red", "green")}, {})
    wf = workflow(task_node("n0", "colour", c=scalar_str("blue")))
    assert found(closure(wf, colour)) == {(Code.IllegalEnumValue, "workflow.nodes[0].inputs[0].binding.scalar")}


def test_syntax_error_in_a_promise_var() -> None:
    wf = chain()
    wf.nodes[1].inputs[0].binding.promise.var = "o0.field"
    assert (Code.SyntaxError, "workflow.nodes[1].inputs[0].binding.promise.var") in found(closure(wf, add_one()))


def test_field_not_found_in_an_attribute_path() -> None:
    record = types_pb2.LiteralType(simple=types_pb2.STRUCT)
    record.structure.dataclass_type["a"].CopyFrom(INT)
    producer = task("producer", {}, {"o0": record})
    wf = workflow(task_node("n0", "producer"), task_node("n1", "add_one", x=promise("n0", "o0")))
    wf.nodes[1].inputs[0].binding.promise.attr_path.add(string_value="b")
    assert (Code.FieldNotFound, "workflow.nodes[1].inputs[0].binding.promise.attr_path[0]") in found(
        closure(wf, producer, add_one())
    )
    wf.nodes[1].inputs[0].binding.promise.attr_path[0].string_value = "a"
    assert validate(closure(wf, producer, add_one())) == []


@pytest.mark.parametrize(
    ("output", "step", "ok"),
    [
        (INT, {"int_value": 0}, False),
        (INT, {"string_value": "a"}, False),
        (list_of(INT), {"string_value": "a"}, False),
        (dict_of(INT), {"int_value": 0}, False),
        (list_of(INT), {"int_value": -1}, False),
        (list_of(INT), {"int_value": 0}, True),
        (dict_of(INT), {"string_value": "k"}, True),
        (union(INT, list_of(INT)), {"int_value": 0}, True),  # read at run time: whichever variant it holds
    ],
)
def test_an_attribute_path_step_must_fit_the_type(
    output: types_pb2.LiteralType, step: dict[str, Any], ok: bool
) -> None:
    """Flyte's compiler leaves the type as it is at such a step, and the execution fails reading it."""
    producer = task("producer", {}, {"o0": output})
    wf = workflow(task_node("n0", "producer"), task_node("n1", "add_one", x=promise("n0", "o0")))
    wf.nodes[1].inputs[0].binding.promise.attr_path.add(**step)
    found_here = found(closure(wf, producer, add_one()))
    path = "workflow.nodes[1].inputs[0].binding.promise.attr_path[0]"
    assert ((Code.FieldNotFound, path) in found_here) is not ok
    assert ok or found_here == {(Code.FieldNotFound, path)}


def test_unrecognized_value_for_a_blob_without_metadata() -> None:
    reader = task("reader", {"f": types_pb2.LiteralType(blob=types_pb2.BlobType())}, {})
    blob = literals_pb2.BindingData(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri="s3://b/f")))
    wf = workflow(workflow_pb2.Node(id="n0", inputs=bind(f=blob), task_node=task_node("x", "reader").task_node))
    assert found(closure(wf, reader)) == {(Code.UnrecognizedValue, "workflow.nodes[0].inputs[0].binding.scalar")}


def test_duplicate_alias_and_alias_of_a_missing_output() -> None:
    wf = chain()
    wf.nodes[0].output_aliases.add(var="o0", alias="a")
    wf.nodes[0].output_aliases.add(var="o0", alias="b")
    wf.nodes[0].output_aliases.add(var="o9", alias="c")
    codes = found(closure(wf, add_one()))
    assert (Code.DuplicateAlias, "workflow.nodes[0].output_aliases[1]") in codes
    assert (Code.ParameterNotBound, "workflow.nodes[0].output_aliases[2].var") in codes


def test_an_alias_that_names_two_outputs_is_refused_the_same_way_in_every_run() -> None:
    two = task("two", {}, {"o0": INT, "o1": types_pb2.LiteralType(simple=types_pb2.STRING)})
    n0 = task_node("n0", "two")
    n0.output_aliases.add(var="o0", alias="z")
    n0.output_aliases.add(var="o1", alias="z")  # the first alias wins, whatever the order of the outputs map
    wf = workflow(n0, task_node("n1", "add_one", x=promise("n0", "z")), outputs={})
    assert found(closure(wf, two, add_one())) == {(Code.DuplicateAlias, "workflow.nodes[0].output_aliases[1].alias")}
    del n0.output_aliases[:]
    n0.output_aliases.add(var="o1", alias="o0")  # onto an output that keeps its name
    wf = workflow(n0, task_node("n1", "add_one", x=promise("n0", "o0")), outputs={})
    assert found(closure(wf, two, add_one())) == {(Code.DuplicateAlias, "workflow.nodes[0].output_aliases[0].alias")}
    n0.output_aliases.add(var="o0", alias="o1")  # a swap is fine
    wf = workflow(n0, task_node("n1", "add_one", x=promise("n0", "o1")), outputs={})
    assert validate(closure(wf, two, add_one())) == []


# ---------------------------------------------------------------------------------------------------------------
# Branch, gate and array nodes


def branch(case_then: workflow_pb2.Node, else_node: workflow_pb2.Node | None = None) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id="b", inputs=bind(x=promise("", "x")))
    if_else = node.branch_node.if_else
    if_else.case.condition.comparison.operator = condition_pb2.ComparisonExpression.GT
    if_else.case.condition.comparison.left_value.var = "x"
    if_else.case.condition.comparison.right_value.primitive.integer = 0
    if_else.case.then_node.CopyFrom(case_then)
    if else_node is not None:
        if_else.else_node.CopyFrom(else_node)
    return node


def branch_workflow(node: workflow_pb2.Node) -> workflow_pb2.WorkflowTemplate:
    return workflow(node, inputs={"x": INT}, outputs={"y": INT}, output_bindings={"y": promise("b", "o0")})


def test_a_valid_branch() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    assert validate(closure(branch_workflow(node), add_one())) == []


def test_compiled_ids_of_branch_children_must_be_free() -> None:
    """A branch child is named ``<branch>-<child>`` in the compiled workflow, an id another node may already hold."""
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t1", "add_one", x=scalar_int(0)))
    assert found(closure(branch_workflow(node), add_one())) == {
        (Code.DuplicateNodeId, "workflow.nodes[0].branch_node.if_else.else_node.id")
    }
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    wf = branch_workflow(node)
    wf.nodes.append(task_node("b-t2", "add_one", x=scalar_int(1)))
    assert found(closure(wf, add_one())) == {
        (Code.DuplicateNodeId, "workflow.nodes[0].branch_node.if_else.else_node.id")
    }


def test_branch_node_has_no_default() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")))
    assert (Code.BranchNodeHasNoDefault, "workflow.nodes[0].branch_node.if_else") in found(
        closure(branch_workflow(node), add_one())
    )


def test_branch_node_has_no_condition() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    node.branch_node.if_else.case.ClearField("condition")
    assert (Code.BranchNodeHasNoCondition, "workflow.nodes[0].branch_node.if_else.case.condition") in found(
        closure(branch_workflow(node), add_one())
    )


def test_branch_node_id_not_found() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    other = node.branch_node.if_else.other.add()
    other.condition.CopyFrom(node.branch_node.if_else.case.condition)
    assert (Code.BranchNodeIdNotFound, "workflow.nodes[0].branch_node.if_else.other[0].then_node") in found(
        closure(branch_workflow(node), add_one())
    )


def test_branch_condition_operands_must_have_identical_types() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    node.branch_node.if_else.case.condition.comparison.right_value.primitive.float_value = 0.5
    assert (Code.MismatchingTypes, "workflow.nodes[0].branch_node.if_else.case.condition.comparison") in found(
        closure(branch_workflow(node), add_one())
    )


def test_branch_condition_reads_only_branch_inputs() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    node.branch_node.if_else.case.condition.comparison.left_value.var = "z"
    path = "workflow.nodes[0].branch_node.if_else.case.condition.comparison.left_value.var"
    assert (Code.VariableNameNotFound, path) in found(closure(branch_workflow(node), add_one()))


def test_branch_outputs_need_identical_types() -> None:
    to_str = task("to_str", {"x": INT}, {"o0": STR})
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "to_str", x=scalar_int(0)))
    codes = found(closure(branch_workflow(node), add_one(), to_str))
    assert (Code.MismatchingTypes, "workflow.nodes[0].branch_node.if_else.else_node") in codes


def test_aliases_of_branch_children_do_not_rename_the_branch_outputs() -> None:
    # As in Flyte's compiler: a branch's outputs are the names of its children's interfaces; promises read those.
    then, other = task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0))
    for child in (then, other):
        child.output_aliases.add(var="o0", alias="q")
    node = branch(then, other)
    assert validate(closure(branch_workflow(node), add_one())) == []  # the workflow output reads b.o0
    wf = workflow(node, inputs={"x": INT}, outputs={"y": INT}, output_bindings={"y": promise("b", "q")})
    assert found(closure(wf, add_one())) == {(Code.VariableNameNotFound, "workflow.outputs[0].binding.promise.var")}
    other.output_aliases[0].var = "o9"  # still checked
    assert (
        Code.ParameterNotBound,
        "workflow.nodes[0].branch_node.if_else.else_node.output_aliases[0].var",
    ) in found(closure(branch_workflow(branch(then, other)), add_one()))


def test_branch_children_are_checked_like_nodes() -> None:
    node = branch(task_node("t1", "add_one", x=scalar_str("one")), task_node("t2", "add_one", x=scalar_int(0)))
    path = "workflow.nodes[0].branch_node.if_else.case.then_node.inputs[0].binding.scalar"
    diagnostics = [d for d in validate(closure(branch_workflow(node), add_one())) if d.path == path]
    assert [(d.code, d.node_id, d.workflow) for d in diagnostics] == [(Code.MismatchingTypes, "t1", "wf")]


def test_scalar_operands_are_refused_as_flyte_does() -> None:
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    right = node.branch_node.if_else.case.condition.comparison.right_value
    right.scalar.primitive.integer = 0
    assert (
        Code.ValueRequired,
        "workflow.nodes[0].branch_node.if_else.case.condition.comparison.right_value.scalar",
    ) in found(closure(branch_workflow(node), add_one()))


def test_no_condition_found_for_a_gate() -> None:
    wf = chain()
    wf.nodes.append(workflow_pb2.Node(id="g", gate_node=workflow_pb2.GateNode()))
    assert (Code.NoConditionFound, "workflow.nodes[2].gate_node") in found(closure(wf, add_one()))


def test_branch_and_approve_inputs_cannot_be_lists_or_maps() -> None:
    """Flyte checks these untyped inputs against a placeholder type that no list or map fits (MismatchingBindings)."""
    node = branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    node.inputs.add(var="xs").binding.collection.bindings.add().promise.var = "x"
    wf = branch_workflow(node)
    assert found(closure(wf, add_one())) == {(Code.MismatchingBindings, "workflow.nodes[0].inputs[1].binding")}
    gate = workflow_pb2.Node(id="g")
    gate.gate_node.approve.signal_id = "ok"
    gate.inputs.add(var="m").binding.map.bindings["k"].promise.var = "x"
    gate.inputs.add(var="x").binding.promise.var = "x"  # a promise is fine
    wf = branch_workflow(
        branch(task_node("t1", "add_one", x=promise("", "x")), task_node("t2", "add_one", x=scalar_int(0)))
    )
    wf.nodes.append(gate)
    assert found(closure(wf, add_one())) == {(Code.MismatchingBindings, "workflow.nodes[1].inputs[0].binding")}


def test_gate_signal_needs_type_and_variable() -> None:
    wf = chain()
    gate = workflow_pb2.Node(id="g")
    gate.gate_node.signal.signal_id = "approval"
    wf.nodes.append(gate)
    codes = found(closure(wf, add_one()))
    assert (Code.ValueRequired, "workflow.nodes[2].gate_node.signal.type") in codes
    assert (Code.ValueRequired, "workflow.nodes[2].gate_node.signal.output_variable_name") in codes


def test_gate_signal_output_binds_downstream() -> None:
    wf = workflow(inputs={}, outputs={"y": INT}, output_bindings={"y": promise("n1", "o0")})
    gate = workflow_pb2.Node(id="g")
    gate.gate_node.signal.signal_id = "count"
    gate.gate_node.signal.type.CopyFrom(INT)
    gate.gate_node.signal.output_variable_name = "o0"
    wf.nodes.extend([gate, task_node("n1", "add_one", x=promise("g", "o0"))])
    assert validate(closure(wf, add_one())) == []


def test_sleep_must_be_positive() -> None:
    wf = chain()
    gate = workflow_pb2.Node(id="g")
    gate.gate_node.sleep.duration.CopyFrom(duration_pb2.Duration(seconds=-5))
    wf.nodes.append(gate)
    assert (Code.InvalidValue, "workflow.nodes[2].gate_node.sleep.duration") in found(closure(wf, add_one()))


def test_array_node_settings_out_of_range() -> None:
    wf = chain()
    array = workflow_pb2.Node(id="m", inputs=bind(x=scalar_int(1)))
    array.array_node.node.CopyFrom(task_node("m-sub", "add_one"))
    array.array_node.min_success_ratio = 1.5
    array.array_node.bound_inputs.append("nope")
    wf.nodes.append(array)
    codes = found(closure(wf, add_one()))
    assert (Code.InvalidValue, "workflow.nodes[2].array_node.min_success_ratio") in codes
    assert (Code.VariableNameNotFound, "workflow.nodes[2].array_node.bound_inputs[0]") in codes


@pytest.mark.parametrize("ratio", [float("nan"), -float("nan")])
def test_an_array_node_ratio_of_nan_is_out_of_range(ratio: float) -> None:
    """NaN compares false with both bounds: it passed the range check, and compiled."""
    wf = chain()
    array = workflow_pb2.Node(id="m", inputs=bind(x=scalar_int(1)))
    array.array_node.node.CopyFrom(task_node("m-sub", "add_one"))
    array.array_node.min_success_ratio = ratio
    wf.nodes.append(array)
    assert found(closure(wf, add_one())) == {(Code.InvalidValue, "workflow.nodes[2].array_node.min_success_ratio")}


@pytest.mark.parametrize(
    ("failure_id", "code"),
    [("n0", Code.DuplicateNodeId), ("end-node", Code.ReservedNodeId), ("start-node", Code.ReservedNodeId)],
)
def test_the_failure_node_id_must_be_free(failure_id: str, code: Code) -> None:
    """Flyte's compiler merges the failure node's connections into the other node's: n0 then waited on n1 and n1 on
    n0, so the workflow could never start. It passed validation and compiled."""
    from flytespec.compiler import CompileError, compile

    wf = chain()
    wf.failure_node.CopyFrom(task_node(failure_id, "add_one", x=promise("n1", "o0")))
    assert (code, "workflow.failure_node.id") in found(closure(wf, add_one()))
    with pytest.raises(CompileError):
        compile(closure(wf, add_one()))


def test_a_branch_child_compiled_id_must_not_be_the_failure_node_id() -> None:
    wf = chain()
    branch = workflow_pb2.Node(id="b", inputs=bind(x=promise("n1", "o0")))
    case = branch.branch_node.if_else.case
    case.condition.comparison.left_value.var = "x"
    case.condition.comparison.right_value.primitive.integer = 1
    case.then_node.CopyFrom(task_node("c", "add_one", x=promise("n1", "o0")))
    branch.branch_node.if_else.else_node.CopyFrom(task_node("d", "add_one", x=promise("n1", "o0")))
    wf.nodes.append(branch)
    wf.failure_node.CopyFrom(task_node("b-c", "add_one", x=promise("n1", "o0")))
    assert (Code.DuplicateNodeId, "workflow.nodes[2].branch_node.if_else.case.then_node.id") in found(
        closure(wf, add_one())
    )


def test_array_node_maps_tasks_or_workflows_only() -> None:
    wf = chain()
    array = workflow_pb2.Node(id="m")
    array.array_node.node.id = "g"
    array.array_node.node.gate_node.sleep.duration.seconds = 1
    wf.nodes.append(array)
    assert (Code.InvalidValue, "workflow.nodes[2].array_node.node") in found(closure(wf, add_one()))


# ---------------------------------------------------------------------------------------------------------------
# Tasks


def test_container_needs_image_and_command() -> None:
    t = add_one()
    t.container.image = ""
    del t.container.args[:]
    codes = found(t)
    assert (Code.ValueRequired, "container.image") in codes
    assert (Code.ValueRequired, "container.command") in codes


def test_task_needs_id_type_metadata_and_interface() -> None:
    t = tasks_pb2.TaskTemplate()
    assert found(t) >= {
        (Code.ValueRequired, "id"),
        (Code.ValueRequired, "type"),
        (Code.ValueRequired, "metadata"),
        (Code.ValueRequired, "interface"),
    }


def test_resources() -> None:
    t = add_one()
    r = t.container.resources
    r.requests.add(name=tasks_pb2.Resources.CPU, value="1Gx")
    r.requests.add(name=tasks_pb2.Resources.MEMORY, value="2Gi")
    r.requests.add(name=tasks_pb2.Resources.MEMORY, value="1Gi")
    r.requests.add(name=tasks_pb2.Resources.GPU, value="500m")
    r.limits.add(name=tasks_pb2.Resources.MEMORY, value="1Gi")
    r.limits.add(name=tasks_pb2.Resources.GPU, value="2")
    assert found(t) == {
        (Code.UnrecognizedValue, "container.resources.requests[0].value"),
        (Code.DuplicateResourceName, "container.resources.requests[2].name"),
        (Code.GpuNotWholeNumber, "container.resources.requests[3].value"),
        (Code.ResourceLimitBelowRequest, "container.resources.limits[0].value"),
        (Code.GpuLimitNotEqualRequest, "container.resources.limits[1].value"),
    }


def test_limits_are_compared_exactly() -> None:
    t = add_one()
    t.container.resources.requests.add(name=tasks_pb2.Resources.CPU, value="500m")
    t.container.resources.limits.add(name=tasks_pb2.Resources.CPU, value="250m")  # admin would round both up to 1
    assert found(t) == {(Code.ResourceLimitBelowRequest, "container.resources.limits[0].value")}


def test_node_override_resources_are_checked() -> None:
    wf = chain()
    wf.nodes[0].task_node.overrides.resources.requests.add(name=tasks_pb2.Resources.CPU, value="-")
    assert (Code.UnrecognizedValue, "workflow.nodes[0].task_node.overrides.resources.requests[0].value") in found(
        closure(wf, add_one())
    )


def pod_task(spec: dict[str, Any], primary: str = "main") -> tasks_pb2.TaskTemplate:
    t = task("pod", {}, {})
    t.ClearField("container")
    t.type = "sidecar"
    t.k8s_pod.pod_spec.update(spec)
    t.k8s_pod.primary_container_name = primary
    return t


def test_a_valid_pod_task() -> None:
    spec = {"containers": [{"name": "main", "image": "img:1", "ports": [{"containerPort": 8080}]}]}
    assert [d for d in validate(pod_task(spec)) if d.severity is Severity.ERROR] == []


def test_pod_spec_shape() -> None:
    spec = {
        "containers": [
            {"name": "Main_1", "image": 3, "volumeMounts": {"name": "data", "mountPath": "/d"}},
            {"image": "img"},
        ],
        "nodeSelecter": {"disk": "ssd"},
    }
    diagnostics = {(d.code, d.path, d.severity) for d in validate(pod_task(spec, primary="sidecar"))}
    base = 'k8s_pod.pod_spec["containers"]'
    assert (Code.InvalidValue, f'{base}[0]["name"]', Severity.ERROR) in diagnostics
    assert (Code.InvalidPodSpec, f'{base}[0]["image"]', Severity.ERROR) in diagnostics
    assert (Code.InvalidPodSpec, f'{base}[0]["volumeMounts"]', Severity.ERROR) in diagnostics
    assert (Code.InvalidPodSpec, f'{base}[1]["name"]', Severity.ERROR) in diagnostics
    assert (Code.InvalidPodSpec, 'k8s_pod.pod_spec["nodeSelecter"]', Severity.WARNING) in diagnostics


def test_primary_container_not_found() -> None:
    spec = {"containers": [{"name": "main", "image": "img:1"}]}
    assert (Code.PrimaryContainerNotFound, 'k8s_pod.pod_spec["containers"]') in found(pod_task(spec, primary="other"))


def test_pod_resources() -> None:
    spec = {
        "containers": [
            {
                "name": "main",
                "resources": {"requests": {"cpu": "2", "nvidia.com/gpu": "0.5"}, "limits": {"cpu": "1"}},
            }
        ]
    }
    base = 'k8s_pod.pod_spec["containers"][0]["resources"]'
    assert found(pod_task(spec)) >= {
        (Code.GpuNotWholeNumber, f'{base}["requests"]["nvidia.com/gpu"]'),
        (Code.ResourceLimitBelowRequest, f'{base}["limits"]["cpu"]'),
    }


def test_struct_integers_are_a_warning() -> None:
    t = add_one()
    t.custom.update({"workers": 2, "ratio": 0.5})
    diagnostics = validate(t)
    assert [(d.code, d.path, d.severity) for d in diagnostics] == [
        (Code.StructIntegerAsFloat, 'custom["workers"]', Severity.WARNING)
    ]


def test_unreadable_variable_name() -> None:
    # Outputs (and a workflow's inputs) are read by promises, whose var is letters, digits and '_': a warning.
    t = task("t", {"in-put": INT}, {"o0": INT, "my-out": INT, "ok_1": INT})
    assert [(d.code, d.path, d.severity) for d in validate(t)] == [
        (Code.UnreadableVariableName, 'interface.outputs.variables["my-out"]', Severity.WARNING)
    ]  # an input is bound by its name in Binding.var, which has no such limit
    wf = chain()
    wf.interface.inputs.variables["x.y"].type.CopyFrom(INT)
    wf.interface.outputs.variables["é"].type.CopyFrom(INT)
    wf.outputs.add(var="é").binding.CopyFrom(promise("n1", "o0"))
    assert [(d.code, d.path, d.severity) for d in validate(closure(wf, add_one()))] == [
        (Code.UnreadableVariableName, 'workflow.interface.inputs.variables["x.y"]', Severity.WARNING),
        (Code.UnreadableVariableName, 'workflow.interface.outputs.variables["é"]', Severity.WARNING),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Launch plans


def launch_plan(**defaults: types_pb2.LiteralType) -> launch_plan_pb2.LaunchPlan:
    lp = launch_plan_pb2.LaunchPlan(id=ident("lp", identifier_pb2.LAUNCH_PLAN))
    lp.spec.workflow_id.CopyFrom(ident("wf", identifier_pb2.WORKFLOW))
    for name, t in defaults.items():
        lp.spec.default_inputs.parameters[name].var.type.CopyFrom(t)
        lp.spec.default_inputs.parameters[name].required = True
    return lp


def test_a_valid_launch_plan() -> None:
    assert validate(launch_plan(x=INT), workflows=[chain()]) == []


def test_launch_plan_inputs_against_the_workflow() -> None:
    lp = launch_plan(x=STR, z=INT)
    lp.spec.fixed_inputs.literals["x"].scalar.primitive.string_value = "no"
    codes = found(lp, workflows=[chain()])
    assert (Code.MismatchingTypes, 'spec.default_inputs.parameters["x"].var.type') in codes
    assert (Code.VariableNameNotFound, 'spec.default_inputs.parameters["z"]') in codes
    assert (Code.MismatchingTypes, 'spec.fixed_inputs.literals["x"]') in codes


def test_launch_plan_parameters_need_a_behaviour() -> None:
    lp = launch_plan(x=INT)
    lp.spec.default_inputs.parameters["x"].ClearField("required")
    assert (Code.ValueRequired, 'spec.default_inputs.parameters["x"]') in found(lp)


def test_launch_plan_parameters_required_false_is_no_behaviour() -> None:
    lp = launch_plan(x=INT)
    lp.spec.default_inputs.parameters["x"].required = False  # set in the oneof, but not required
    assert found(lp) == {(Code.ValueRequired, 'spec.default_inputs.parameters["x"]')}


def test_launch_plan_identifiers_need_their_resource_type() -> None:
    lp = launch_plan(x=INT)
    lp.spec.workflow_id.ClearField("resource_type")
    lp.id.resource_type = identifier_pb2.TASK
    assert found(lp) == {
        (Code.ResourceTypeMismatch, "spec.workflow_id.resource_type"),
        (Code.ResourceTypeMismatch, "id.resource_type"),
    }


def test_launch_plan_datetimes_must_be_valid_timestamps() -> None:
    lp = launch_plan()
    lp.spec.fixed_inputs.literals["late"].scalar.primitive.datetime.seconds = 253_402_300_800  # year 10000
    items = lp.spec.fixed_inputs.literals["all"].collection.literals
    items.add().scalar.primitive.datetime.seconds = 0
    items.add().scalar.primitive.datetime.nanos = -1
    lp.spec.default_inputs.parameters["d"].var.type.simple = types_pb2.DATETIME
    lp.spec.default_inputs.parameters["d"].default.scalar.primitive.datetime.nanos = 1_000_000_000
    assert found(lp) == {
        (Code.InvalidValue, 'spec.fixed_inputs.literals["late"].scalar.primitive.datetime'),
        (Code.InvalidValue, 'spec.fixed_inputs.literals["all"].collection.literals[1].scalar.primitive.datetime'),
        (Code.InvalidValue, 'spec.default_inputs.parameters["d"].default.scalar.primitive.datetime'),
    }


def test_launch_plan_defaults_must_fit_their_type() -> None:
    lp = launch_plan(x=INT)
    lp.spec.default_inputs.parameters["x"].default.scalar.primitive.string_value = "three"
    assert (Code.MismatchingTypes, 'spec.default_inputs.parameters["x"].default') in found(lp)


def test_invalid_schedule() -> None:
    lp = launch_plan(x=INT)
    lp.spec.entity_metadata.schedule.cron_schedule.schedule = "61 * * * *"
    assert (Code.InvalidSchedule, "spec.entity_metadata.schedule.cron_schedule.schedule") in found(lp)


def test_cron_schedules_may_name_a_time_zone() -> None:
    lp = launch_plan()
    schedule = lp.spec.entity_metadata.schedule.cron_schedule
    for expression in ("CRON_TZ=Europe/Paris 0 6 * * *", "TZ=UTC @daily", "TZ=Local */5 * * * *", "TZ= 0 6 * * *"):
        schedule.schedule = expression
        assert validate(lp) == [], expression
    for expression in ("CRON_TZ=Mars/Olympus 0 6 * * *", "TZ=UTC", "TZ=UTC 0 6 * *", "TZ=America 0 6 * * *"):
        schedule.schedule = expression
        assert found(lp) == {(Code.InvalidSchedule, "spec.entity_metadata.schedule.cron_schedule.schedule")}


def test_scheduled_launch_plans_leave_nothing_required_unbound() -> None:
    lp = launch_plan(x=INT)
    lp.spec.entity_metadata.schedule.cron_schedule.schedule = "0 6 * * *"
    assert (Code.ParameterNotBound, "spec.entity_metadata.schedule") in found(lp, workflows=[chain()])
    lp.spec.default_inputs.parameters["x"].default.scalar.primitive.integer = 1
    assert validate(lp, workflows=[chain()]) == []


def test_kickoff_time_input_must_be_a_datetime() -> None:
    lp = launch_plan()
    lp.spec.entity_metadata.schedule.cron_schedule.schedule = "@daily"
    lp.spec.entity_metadata.schedule.kickoff_time_input_arg = "x"
    assert (Code.MismatchingTypes, "spec.entity_metadata.schedule.kickoff_time_input_arg") in found(
        lp, workflows=[chain()]
    )


def test_kickoff_time_input_as_admin_reads_it() -> None:
    # Free: a default (even if also fixed), or a workflow input the launch plan does not fix; DATETIME: the simple
    # type, whatever its annotation.
    when = types_pb2.LiteralType(simple=types_pb2.DATETIME)
    wf = chain()
    wf.interface.inputs.variables["t"].type.CopyFrom(when)
    wf.interface.inputs.variables["t"].type.annotation.annotations["k"] = "v"
    lp = launch_plan(x=INT)
    lp.spec.default_inputs.parameters["x"].default.scalar.primitive.integer = 1
    lp.spec.entity_metadata.schedule.cron_schedule.schedule = "@daily"
    lp.spec.entity_metadata.schedule.kickoff_time_input_arg = "t"
    assert validate(lp, workflows=[wf]) == []
    lp.spec.fixed_inputs.literals["t"].scalar.primitive.datetime.seconds = 5
    assert found(lp, workflows=[wf]) == {
        (Code.VariableNameNotFound, "spec.entity_metadata.schedule.kickoff_time_input_arg")
    }
    lp.spec.default_inputs.parameters["t"].var.type.CopyFrom(when)
    lp.spec.default_inputs.parameters["t"].default.scalar.primitive.datetime.seconds = 5
    assert validate(lp, workflows=[wf]) == []


def test_invalid_notification_phase() -> None:
    lp = launch_plan(x=INT)
    notification = lp.spec.entity_metadata.notifications.add(phases=[execution_pb2.WorkflowExecution.RUNNING])
    notification.email.recipients_email.append("team@example.com")
    assert found(lp) == {(Code.InvalidNotificationPhase, "spec.entity_metadata.notifications[0].phases[0]")}


def test_invalid_literal_type_of_a_default() -> None:
    lp = launch_plan(x=types_pb2.LiteralType(blob=types_pb2.BlobType()))
    lp.spec.default_inputs.parameters["x"].default.scalar.blob.uri = "s3://b/f"
    assert (Code.InvalidLiteralType, 'spec.default_inputs.parameters["x"].default') in found(lp)


# ---------------------------------------------------------------------------------------------------------------
# Compiled closures


def test_connections_mismatch() -> None:
    from flytespec.compiler import compile

    compiled = compile(closure(chain(), add_one()))
    assert validate(compiled) == []
    compiled.primary.connections.downstream["n0"].ids.append("end-node")
    assert found(compiled) == {(Code.ConnectionsMismatch, "primary.connections.downstream")}


def test_compile_sorts_the_failure_node_upstream_ids_like_every_node() -> None:
    from flytespec.compiler import compile

    wf = chain()
    wf.failure_node.CopyFrom(task_node("fail", "add_one", upstream=("n1", "n0"), x=promise("", "x")))
    failure = compile(closure(wf, add_one())).primary.template.failure_node
    assert list(failure.upstream_node_ids) == ["n0", "n1"]
    assert failure.inputs[0].binding.promise.node_id == "start-node"


def test_tasks_and_subworkflows_given_beside_are_checked_under_context() -> None:
    from flytespec.compiler import CompileError, compile

    sub, main = running_a_subworkflow()
    sub.nodes[0].id = "Bad_Id"
    sub.nodes[1].upstream_node_ids[0] = "Bad_Id"
    sub.nodes[1].inputs[0].binding.promise.node_id = "Bad_Id"
    task = add_one()
    task.container.image = ""
    own = chain()  # the spec's own subworkflow: its paths stay its own
    own.id.CopyFrom(ident("own", identifier_pb2.WORKFLOW))
    own.nodes[0].inputs[0].binding.promise.var = "nope"
    spec = admin_workflow_pb2.WorkflowSpec(template=main, sub_workflows=[own])
    expected = {
        (Code.InvalidValue, "context.subworkflows[0].nodes[0].id"),
        (Code.ValueRequired, "context.tasks[0].container.image"),
        (Code.VariableNameNotFound, "sub_workflows[0].nodes[0].inputs[0].binding.promise.var"),
    }
    assert found(spec, tasks=[task], subworkflows=[sub]) == expected
    with pytest.raises(CompileError) as refused:
        compile(spec, tasks=[task], subworkflows=[sub])
    assert {(d.code, d.path) for d in refused.value.diagnostics} == expected


def test_compile_checks_a_launch_plan_node_against_the_workflow_given() -> None:
    """A launch plan without a closure has no interface: the workflow it launches, given beside, supplies it."""
    from flytespec.compiler import CompileError, compile

    lp = launch_plan()
    target = chain()
    target.id.CopyFrom(lp.spec.workflow_id)
    node = workflow_pb2.Node(id="n0", inputs=bind(x=scalar_str("not an integer")))
    node.workflow_node.launchplan_ref.CopyFrom(lp.id)
    parent = workflow(node, name="parent")
    wrong = (Code.MismatchingTypes, "nodes[0].inputs[0].binding.scalar")
    assert wrong in found(parent, launch_plans=[lp], workflows=[target])
    with pytest.raises(CompileError) as refused:
        compile(parent, launch_plans=[lp], workflows=[target])
    assert wrong in {(d.code, d.path) for d in refused.value.diagnostics}
    # Without the workflow the bindings cannot be checked: a warning says so, and the workflow compiles.
    assert found(parent, launch_plans=[lp]) == {
        (Code.WorkflowReferenceNotFound, "nodes[0].workflow_node.launchplan_ref")
    }
    compile(parent, launch_plans=[lp])


def test_compile_task_reports_paths_in_the_message_given() -> None:
    from flytespec.admin import task_pb2
    from flytespec.compiler import CompileError, compile_task

    spec = task_pb2.TaskSpec(template=add_one())
    spec.template.container.image = ""
    assert found(spec) == {(Code.ValueRequired, "template.container.image")}
    with pytest.raises(CompileError) as refused:
        compile_task(spec)
    assert {(d.code, d.path) for d in refused.value.diagnostics} == {(Code.ValueRequired, "template.container.image")}
    with pytest.raises(CompileError) as refused:
        compile_task(compiler_pb2.CompiledTask())
    assert {(d.code, d.path) for d in refused.value.diagnostics} == {(Code.ValueRequired, "template")}


def test_context_can_be_trusted() -> None:
    """check_context=False: the tasks and subworkflows given beside are used, but what lies in them is not reported."""
    sub, spec = running_a_subworkflow()
    sub.nodes[0].id = "Bad_Id"  # a field rule
    sub.nodes[1].upstream_node_ids[0] = "Bad_Id"
    sub.nodes[1].inputs[0].binding.promise.node_id = "Bad_Id"
    sub.nodes[1].inputs[0].binding.promise.var = "nope"  # a workflow check
    task = add_one()
    task.container.image = ""  # a task check
    paths = {path for _, path in found(spec, tasks=[task], subworkflows=[sub])}
    assert paths == {
        "context.subworkflows[0].nodes[0].id",
        "context.subworkflows[0].nodes[1].inputs[0].binding.promise.var",
        "context.tasks[0].container.image",
    }
    assert validate(spec, tasks=[task], subworkflows=[sub], check_context=False) == []
    # What the spec does with them is still checked: binding an input the subworkflow does not have.
    spec.nodes[0].inputs[0].var = "z"
    assert found(spec, tasks=[task], subworkflows=[sub], check_context=False) >= {
        (Code.VariableNameNotFound, "nodes[0].inputs[0].var")
    }


def test_context_is_checked_when_used_and_as_what_it_is() -> None:
    from flytespec.compiler import compile

    unused = task("unused")
    unused.container.image = ""
    assert validate(closure(chain(), add_one()), tasks=[unused]) == []  # not used: not checked, not compiled
    compile(closure(chain(), add_one()), tasks=[unused])
    # A compiled subworkflow given beside a plain spec is checked as compiled, and a plain one beside a compiled
    # closure as plain.
    sub, main = running_a_subworkflow()
    compiled = compile(admin_workflow_pb2.WorkflowSpec(template=main, sub_workflows=[sub]), tasks=[add_one()])
    spec = admin_workflow_pb2.WorkflowSpec(template=main)
    assert validate(spec, tasks=[add_one()], subworkflows=[compiled.sub_workflows[0]]) == []
    plain = compiled.sub_workflows[0].template
    del compiled.sub_workflows[:]
    assert (Code.ReservedNodeId, "context.subworkflows[0].nodes[0].id") in found(compiled, subworkflows=[plain])


def test_a_bad_duration_in_a_list_bound_to_a_union_is_a_bad_value_not_a_misfit() -> None:
    duration = types_pb2.LiteralType(simple=types_pb2.DURATION)
    either = task("either", {"v": union(list_of(duration), INT)}, {})
    items = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection())
    items.collection.bindings.add().scalar.primitive.duration.nanos = -1_000_000_000
    wf = workflow(workflow_pb2.Node(id="n0", inputs=bind(v=items), task_node=task_node("x", "either").task_node))
    assert found(closure(wf, either)) == {
        (Code.InvalidValue, "workflow.nodes[0].inputs[0].binding.collection.bindings[0].scalar.primitive.duration")
    }


def test_compiled_branch_children_may_have_ids_longer_than_a_label() -> None:
    from flytespec.compiler import compile

    branch = workflow_pb2.Node(id="b" * 40, inputs=bind(x=promise("", "x")))
    if_else = branch.branch_node.if_else
    if_else.case.condition.comparison.left_value.var = "x"
    if_else.case.condition.comparison.right_value.primitive.integer = 0
    if_else.case.then_node.CopyFrom(task_node("c" * 40, "add_one", x=scalar_int(1)))
    if_else.else_node.CopyFrom(task_node("d" * 40, "add_one", x=scalar_int(2)))
    compiled = compile(closure(workflow(branch, inputs={"x": INT}), add_one()))
    assert compiled.primary.template.nodes[2].branch_node.if_else.case.then_node.id == f"{'b' * 40}-{'c' * 40}"
    assert validate(compiled) == []
    compiled.primary.template.nodes[2].branch_node.if_else.else_node.id = "Not_A_Label"
    assert found(compiled) == {(Code.InvalidValue, "primary.template.nodes[2].branch_node.if_else.else_node.id")}


def test_compiled_node_mismatch() -> None:
    from flytespec.compiler import compile

    def compiled_chain() -> compiler_pb2.CompiledWorkflowClosure:
        compiled = compile(closure(chain(), add_one()))
        assert [n.id for n in compiled.primary.template.nodes[:2]] == ["start-node", "end-node"]
        return compiled

    # The end-node binds something other than the workflow outputs (which the runtime reads from it).
    compiled = compiled_chain()
    compiled.primary.template.nodes[1].inputs[0].binding.promise.var = "no_such_output"
    assert found(compiled) == {(Code.CompiledNodeMismatch, "primary.template.nodes[1]")}
    # The start-node runs a task.
    compiled = compiled_chain()
    compiled.primary.template.nodes[0].task_node.reference_id.CopyFrom(ident("add_one"))
    assert found(compiled) == {(Code.CompiledNodeMismatch, "primary.template.nodes[0]")}
    # Both are missing.
    compiled = compiled_chain()
    del compiled.primary.template.nodes[:2]
    assert {(d.code, d.path, d.node_id) for d in validate(compiled)} == {
        (Code.CompiledNodeMismatch, "primary.template.nodes", "start-node"),
        (Code.CompiledNodeMismatch, "primary.template.nodes", "end-node"),
    }
    # One of them twice.
    compiled = compiled_chain()
    compiled.primary.template.nodes.add(id="end-node").inputs.extend(compiled.primary.template.outputs)
    assert found(compiled) == {(Code.CompiledNodeMismatch, "primary.template.nodes[4]")}
    # A compiled subworkflow is held to the same; one kept as written (no connections) is not.
    sub, main = running_a_subworkflow()
    compiled = compile(admin_workflow_pb2.WorkflowSpec(template=main, sub_workflows=[sub]), tasks=[add_one()])
    compiled.sub_workflows[0].template.nodes[0].upstream_node_ids.append("n0")
    assert found(compiled) == {(Code.CompiledNodeMismatch, "sub_workflows[0].template.nodes[0]")}


def test_compiled_subworkflows_need_connections_when_run_and_are_raw_otherwise() -> None:
    from flytespec.compiler import compile

    sub, main = running_a_subworkflow()
    # Kept as written (nothing runs it): a branch child `c` beside a node `c` is fine, as it is not renamed.
    raw = workflow(
        branch(task_node("c", "add_one", x=promise("", "x")), task_node("d", "add_one", x=scalar_int(0))),
        task_node("c", "add_one", x=promise("", "x")),
        inputs={"x": INT},
        name="raw",
    )
    spec = admin_workflow_pb2.WorkflowSpec(template=main, sub_workflows=[sub, raw])
    compiled = compile(spec, tasks=[add_one()])
    assert not compiled.sub_workflows[1].HasField("connections")
    assert validate(compiled) == []
    compiled.sub_workflows[0].ClearField("connections")
    assert (Code.ValueRequired, "sub_workflows[0].connections") in found(compiled)


def test_compiled_closures_need_their_workflow_and_its_connections() -> None:
    from flytespec.compiler import compile

    assert found(compiler_pb2.CompiledWorkflowClosure()) == {(Code.ValueRequired, "primary")}
    empty_primary = compiler_pb2.CompiledWorkflowClosure()
    empty_primary.primary.SetInParent()
    assert found(empty_primary) == {(Code.ValueRequired, "primary.template")}
    compiled = compile(closure(chain(), add_one()))
    compiled.primary.ClearField("connections")
    assert found(compiled) == {(Code.ValueRequired, "primary.connections")}
    assert found(compiler_pb2.CompiledTask()) == {(Code.ValueRequired, "template")}
    assert found(workflow_closure_pb2.WorkflowClosure()) == {(Code.ValueRequired, "workflow")}


def test_compiled_subworkflows_are_checked_as_compiled_with_their_connections() -> None:
    from flytespec.compiler import compile

    sub, main = running_a_subworkflow()
    spec = admin_workflow_pb2.WorkflowSpec(template=main, sub_workflows=[sub])
    compiled = compile(spec, tasks=[add_one()])
    # The compiled subworkflow holds start-node and end-node, which only compiled templates may hold.
    assert validate(compiled) == []
    compiled.sub_workflows[0].connections.upstream["n1"].ids.append("start-node")
    assert found(compiled) == {(Code.ConnectionsMismatch, "sub_workflows[0].connections.upstream")}


def _index_into_a_non_list() -> Message:
    wf = chain()
    wf.nodes[1].inputs[0].binding.promise.var = "[0].o0"
    return closure(wf, add_one())


def _subworkflow_without_interface() -> Message:
    sub = chain()
    sub.id.CopyFrom(ident("sub", identifier_pb2.WORKFLOW))
    sub.ClearField("interface")
    sub.ClearField("outputs")
    sub.nodes[0].inputs[0].binding.CopyFrom(scalar_int(1))
    node = workflow_pb2.Node(id="s")
    node.workflow_node.sub_workflow_ref.CopyFrom(sub.id)
    return admin_workflow_pb2.WorkflowSpec(template=workflow(node, name="main"), sub_workflows=[sub])


def _failure_node_binding() -> Message:
    wf = chain()
    wf.failure_node.CopyFrom(task_node("fail", "add_one", x=scalar_str("s")))
    return closure(wf, add_one())


def _dynamic_job() -> Message:
    from flytespec.core import dynamic_job_pb2

    job = dynamic_job_pb2.DynamicJobSpec(
        nodes=[task_node("d0", "add_one", x=promise("ghost", "o0"))], tasks=[add_one()]
    )
    job.outputs.extend(bind(o0=promise("d0", "nope")))
    return job


def _data_config_without_paths() -> Message:
    t = add_one()
    t.container.data_config.enabled = True
    return t


def _sql_task() -> Message:
    t = task("sql")
    t.ClearField("container")
    t.sql.dialect = tasks_pb2.Sql.ANSI
    t.metadata.runtime.ClearField("version")
    return t


def _untyped_variable() -> Message:
    t = add_one()
    t.interface.inputs.variables["y"].SetInParent()
    t.interface.outputs.variables[""].type.simple = types_pb2.INTEGER
    return t


def _negative_timeout() -> Message:
    wf = chain()
    wf.nodes[0].metadata.timeout.seconds = -1
    return closure(wf, add_one())


def _malformed_durations() -> Message:
    wf = chain()
    wf.nodes[0].metadata.timeout.seconds, wf.nodes[0].metadata.timeout.nanos = 3600, -1  # mixed signs
    wf.nodes[1].metadata.timeout.seconds = 315_576_000_001  # beyond 10,000 years
    gate = workflow_pb2.Node(id="g")
    gate.gate_node.sleep.duration.nanos = 1_000_000_000  # a whole second in nanos
    wf.nodes.append(gate)
    late = task_node("late", "add_one")
    late.inputs.add(var="x").binding.scalar.primitive.duration.nanos = -1_000_000_000
    wf.nodes.append(late)
    return closure(wf, add_one())


def _fixed_input_without_value() -> Message:
    lp = launch_plan()
    lp.spec.fixed_inputs.literals["x"].SetInParent()
    return lp


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_index_into_a_non_list, {(Code.MismatchingTypes, "workflow.nodes[1].inputs[0].binding.promise.var")}),
        (_subworkflow_without_interface, {(Code.ValueRequired, "template.nodes[0].workflow_node.sub_workflow_ref")}),
        (_failure_node_binding, {(Code.MismatchingTypes, "workflow.failure_node.inputs[0].binding.scalar")}),
        (
            _dynamic_job,
            {
                (Code.NodeReferenceNotFound, "nodes[0].inputs[0].binding.promise.node_id"),
                (Code.VariableNameNotFound, "outputs[0].binding.promise.var"),
            },
        ),
        (
            _data_config_without_paths,
            {
                (Code.ValueRequired, "container.data_config.input_path"),
                (Code.ValueRequired, "container.data_config.output_path"),
            },
        ),
        (_sql_task, {(Code.ValueRequired, "metadata.runtime.version"), (Code.ValueRequired, "sql.statement")}),
        (
            _untyped_variable,
            {
                (Code.ValueRequired, 'interface.inputs.variables["y"].type'),
                (Code.ValueRequired, 'interface.outputs.variables[""]'),  # an empty name
            },
        ),
        (_negative_timeout, {(Code.InvalidValue, "workflow.nodes[0].metadata.timeout")}),
        (_fixed_input_without_value, {(Code.ValueRequired, 'spec.fixed_inputs.literals["x"]')}),
        (
            _malformed_durations,
            {
                (Code.InvalidValue, "workflow.nodes[0].metadata.timeout"),
                (Code.InvalidValue, "workflow.nodes[1].metadata.timeout"),
                (Code.InvalidValue, "workflow.nodes[2].gate_node.sleep.duration"),
                (Code.InvalidValue, "workflow.nodes[3].inputs[0].binding.scalar.primitive.duration"),
                (Code.MismatchingTypes, "workflow.nodes[3].inputs[0].binding.scalar"),
            },
        ),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_more_checks_at_their_paths(make: Any, expected: set[tuple[Code, str]]) -> None:
    spec = make()
    assert found(spec, tasks=[add_one()]) == expected


def test_every_code_has_a_test() -> None:
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    untested = [code.value for code in Code if f"Code.{code.value}" not in source]
    assert untested == []


_ = (compiler_pb2, struct_pb2)


def _task_of_size(size: int) -> tasks_pb2.TaskTemplate:
    """add_one, with one container argument padding it to ``size`` bytes serialized."""
    spec = add_one()
    spec.container.args.append("")
    for _ in range(4):  # length prefixes grow with the padding: a few rounds settle it
        spec.container.args[-1] = "x" * (len(spec.container.args[-1]) + size - spec.ByteSize())
    assert spec.ByteSize() == size
    return spec


@pytest.mark.parametrize(
    ("size", "reported"), [(3 << 20, False), ((3 << 20) + 1, True), (4 << 20, True), ((4 << 20) + 1, True)]
)
def test_spec_too_large_from_three_quarters_of_admins_grpc_limit(size: int, reported: bool) -> None:
    diagnostics = validate(_task_of_size(size))
    assert [(d.code, d.path, d.severity) for d in diagnostics] == (
        [(Code.SpecTooLarge, "", Severity.WARNING)] if reported else []
    )


def test_spec_too_large_measures_what_one_registration_call_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WorkflowClosure's tasks are registered one by one: its workflow is what is measured."""
    monkeypatch.setattr(validation, "MESSAGE_LIMIT", 4000)
    big_task = _task_of_size(3900)
    assert found(closure(chain(), big_task)) == set()
    assert found(big_task) == {(Code.SpecTooLarge, "")}
    wide = chain()
    wide.nodes[0].metadata.name = "n" * 3500
    assert found(closure(wide, add_one())) == {(Code.SpecTooLarge, "workflow")}
    monkeypatch.setattr(validation, "MESSAGE_LIMIT", 0)  # off
    assert found(big_task) == set()
