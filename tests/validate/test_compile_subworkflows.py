"""How compile lays out subworkflows: Flyte's compiler compiles a subworkflow once per compile of each workflow that
runs it, and renames its branch children in place each time (``b-c``, then ``b-b-c``)."""

from __future__ import annotations

import pytest

from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.compiler import CompileError, compile
from flytespec.core import compiler_pb2, condition_pb2, identifier_pb2, workflow_pb2
from flytespec.validate import Code, validate
from flytespec.validate._recompile import MAX_RENAMED_ID
from tests.validate.specs import INT, add_one, bind, ident, promise, scalar_int, task_node, workflow


def _branch(node_id: str, then: workflow_pb2.Node, otherwise: workflow_pb2.Node) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id=node_id, inputs=bind(x=promise("", "x")))
    if_else = node.branch_node.if_else
    if_else.case.condition.comparison.operator = condition_pb2.ComparisonExpression.GT
    if_else.case.condition.comparison.left_value.var = "x"
    if_else.case.condition.comparison.right_value.primitive.integer = 0
    if_else.case.then_node.CopyFrom(then)
    if_else.else_node.CopyFrom(otherwise)
    return node


def _runs(node_id: str, name: str) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id=node_id, inputs=bind(x=promise("", "x")))
    node.workflow_node.sub_workflow_ref.CopyFrom(ident(name, identifier_pb2.WORKFLOW))
    return node


def _workflow(name: str, *nodes: workflow_pb2.Node) -> workflow_pb2.WorkflowTemplate:
    return workflow(*nodes, inputs={"x": INT}, outputs={}, name=name)


def _with_a_branch(name: str = "s") -> workflow_pb2.WorkflowTemplate:
    """A subworkflow holding branch ``b`` (children ``c`` and ``d``), with an inner branch ``i`` in its else arm."""
    inner = _branch("i", task_node("e", "add_one", x=promise("", "x")), task_node("f", "add_one", x=scalar_int(1)))
    return _workflow(name, _branch("b", task_node("c", "add_one", x=promise("", "x")), inner))


def _compile(
    primary: workflow_pb2.WorkflowTemplate, *subs: workflow_pb2.WorkflowTemplate
) -> compiler_pb2.CompiledWorkflowClosure:
    return compile(admin_workflow_pb2.WorkflowSpec(template=primary, sub_workflows=list(subs)), tasks=[add_one()])


def _child_ids(compiled: compiler_pb2.CompiledWorkflow) -> list[str]:
    ids = []
    stack = list(reversed(compiled.template.nodes))
    while stack:
        node = stack.pop()
        if node.WhichOneof("target") == "branch_node":
            if_else = node.branch_node.if_else
            children = [if_else.case.then_node, if_else.else_node]
            ids += [child.id for child in children]
            stack.extend(reversed(children))
    return ids


def _by_name(closure: compiler_pb2.CompiledWorkflowClosure, name: str) -> compiler_pb2.CompiledWorkflow:
    (found,) = [sub for sub in closure.sub_workflows if sub.template.id.name == name]
    return found


def test_a_subworkflow_run_twice_by_one_workflow_is_compiled_once() -> None:
    closure = _compile(_workflow("p", _runs("n1", "s"), _runs("n2", "s")), _with_a_branch())
    assert _child_ids(_by_name(closure, "s")) == ["b-c", "b-i", "b-i-e", "b-i-f"]
    assert validate(closure) == []


def test_a_subworkflow_run_by_two_workflows_is_renamed_again() -> None:
    """p runs s, and runs t, which runs s: Flyte compiles s twice, prefixing the renamed ids again."""
    t = _workflow("t", _runs("m", "s"))
    closure = _compile(_workflow("p", _runs("n1", "t"), _runs("n2", "s")), _with_a_branch(), t)
    s = _by_name(closure, "s")
    assert _child_ids(s) == ["b-b-c", "b-b-i", "b-b-i-b-i-e", "b-b-i-b-i-f"]
    assert set(s.connections.upstream) == {"b", "b-b-c", "b-b-i", "b-b-i-b-i-e", "end-node"}
    assert _child_ids(_by_name(closure, "t")) == []
    assert validate(closure) == []
    # Three compiles when a third workflow runs it too; once when only t does.
    u = _workflow("u", _runs("k", "s"))
    closure = _compile(_workflow("p", _runs("n1", "t"), _runs("n2", "u"), _runs("n3", "s")), _with_a_branch(), t, u)
    assert _child_ids(_by_name(closure, "s"))[0] == "b-b-b-c"
    closure = _compile(_workflow("p", _runs("n1", "t")), _with_a_branch(), t)
    assert _child_ids(_by_name(closure, "s"))[0] == "b-c"


def _diamonds(levels: int, innermost: workflow_pb2.WorkflowTemplate) -> list[workflow_pb2.WorkflowTemplate]:
    """``s{level}`` runs ``a{level}`` and ``b{level}``, which both run ``s{level - 1}``: each level doubles the
    compiles of the innermost subworkflow ``s0``."""
    subs = [innermost]
    for level in range(1, levels + 1):
        below = f"s{level - 1}"
        subs += [_workflow(f"a{level}", _runs("n", below)), _workflow(f"b{level}", _runs("n", below))]
        subs.append(_workflow(f"s{level}", _runs("l", f"a{level}"), _runs("r", f"b{level}")))
    return subs


def test_compile_counts_add_up_along_the_references() -> None:
    subs = _diamonds(2, _with_a_branch("s0"))  # s0 compiled 4 times
    closure = _compile(_workflow("p", _runs("n", "s2")), *subs)
    assert _child_ids(_by_name(closure, "s0"))[0] == "b-b-b-b-c"
    assert validate(closure) == []


def test_ids_that_further_compiles_would_make_too_long_are_refused() -> None:
    subs = _diamonds(8, _with_a_branch("s0"))  # 256 compiles: the ids would pass MAX_RENAMED_ID characters
    spec = admin_workflow_pb2.WorkflowSpec(template=_workflow("p", _runs("n", "s8")), sub_workflows=subs)
    assert {(d.code, d.path) for d in validate(spec, tasks=[add_one()])} == {(Code.InvalidValue, "sub_workflows[0]")}
    with pytest.raises(CompileError) as refused:
        compile(spec, tasks=[add_one()])
    assert [(d.code, d.path) for d in refused.value.diagnostics] == [(Code.InvalidValue, "sub_workflows[0]")]
    assert MAX_RENAMED_ID < 2 * 256
    # Without branch nodes nothing is renamed, however often a subworkflow is compiled.
    subs = _diamonds(30, _workflow("s0", task_node("c", "add_one", x=promise("", "x"))))
    assert validate(_compile(_workflow("p", _runs("n", "s30")), *subs)) == []


def test_ids_that_further_compiles_make_collide_are_refused() -> None:
    """After two compiles the child ``c`` of branch ``b`` is ``b-b-c``, which a node of the subworkflow already is."""
    s = _with_a_branch()
    s.nodes.append(task_node("b-b-c", "add_one", x=promise("", "x")))
    t = _workflow("t", _runs("m", "s"))
    spec = admin_workflow_pb2.WorkflowSpec(
        template=_workflow("p", _runs("n1", "t"), _runs("n2", "s")), sub_workflows=[s, t]
    )
    expected = {(Code.DuplicateNodeId, "sub_workflows[0].nodes[0].branch_node.if_else.case.then_node.id")}
    assert {(d.code, d.path) for d in validate(spec, tasks=[add_one()])} == expected
    with pytest.raises(CompileError) as refused:
        compile(spec, tasks=[add_one()])
    assert {(d.code, d.path) for d in refused.value.diagnostics} == expected
    # Compiled once (t does not run it), the same subworkflow is fine.
    spec = admin_workflow_pb2.WorkflowSpec(template=_workflow("p", _runs("n2", "s")), sub_workflows=[s])
    assert validate(compile(spec, tasks=[add_one()])) == []


def test_a_branch_child_may_not_be_compiled_into_a_reserved_id() -> None:
    wf = _workflow(
        "p",
        _branch(
            "start", task_node("node", "add_one", x=promise("", "x")), task_node("x", "add_one", x=promise("", "x"))
        ),
    )
    spec = admin_workflow_pb2.WorkflowSpec(template=wf)
    assert {(d.code, d.path) for d in validate(spec, tasks=[add_one()])} == {
        (Code.ReservedNodeId, "template.nodes[0].branch_node.if_else.case.then_node.id")
    }


def test_a_renamed_id_may_be_the_old_id_of_another_child() -> None:
    """Branch ``b`` holds a branch also named ``b`` and a node ``e``: compiled twice, the outer ``e`` becomes
    ``b-b-e``, the id the inner ``e`` had after the first compile. Every child keeps its own connections."""
    inner = _branch("b", task_node("c", "add_one", x=promise("", "x")), task_node("e", "add_one", x=scalar_int(1)))
    s = _workflow("s", _branch("b", inner, task_node("e", "add_one", x=promise("", "x"))))
    t = _workflow("t", _runs("m", "s"))
    closure = _compile(_workflow("p", _runs("n1", "t"), _runs("n2", "s")), s, t)
    assert _child_ids(_by_name(closure, "s")) == ["b-b-b", "b-b-e", "b-b-b-b-b-c", "b-b-b-b-b-e"]
    assert validate(closure) == []


def test_what_compile_keeps_as_given_validates_as_given() -> None:
    """Flyte's compiler writes subworkflows nothing runs as they are, without their tasks, and no launch plans: a
    compiled closure is checked accordingly."""
    unused = _workflow("unused", task_node("u", "not_given", x=promise("", "x")))
    lp_node = workflow_pb2.Node(id="l", inputs=bind(x=promise("", "x")))
    lp_node.workflow_node.launchplan_ref.CopyFrom(ident("lp", identifier_pb2.LAUNCH_PLAN))
    launch_plan = workflow_pb2.LaunchPlanTemplate(id=ident("lp", identifier_pb2.LAUNCH_PLAN))
    launch_plan.interface.inputs.CopyFrom(_workflow("x").interface.inputs)
    launch_plan.interface.outputs.SetInParent()
    primary = _workflow("p", task_node("n", "add_one", x=promise("", "x")), lp_node)
    closure = compile(primary, tasks=[add_one()], subworkflows=[unused], launch_plans=[launch_plan])
    assert [sub.template.id.name for sub in closure.sub_workflows] == ["unused"]
    assert not closure.sub_workflows[0].HasField("connections")
    assert len(closure.launch_plans) == 0
    assert validate(closure) == []


def _maps(node_id: str, name: str) -> workflow_pb2.Node:
    """An array node mapping subworkflow ``name``."""
    node = workflow_pb2.Node(id=node_id, inputs=bind(x=promise("", "x")))
    node.array_node.node.CopyFrom(_runs(f"{node_id}-sub", name))
    node.array_node.min_success_ratio = 1
    return node


def test_a_subworkflow_only_mapped_is_not_compiled_but_its_tasks_are_in_the_closure() -> None:
    """Flyte's compiler reads the interface of the node an array node maps and never compiles it: a subworkflow
    that is only mapped stays as written (its children keep their ids, no connections), as in Flyte's own closures,
    which validate clean. Admin's requirements follow array nodes, so its tasks are in the closure."""
    closure = _compile(_workflow("p", _maps("a", "s")), _with_a_branch())
    s = _by_name(closure, "s")
    assert not s.HasField("connections")
    assert _child_ids(s) == ["c", "i", "e", "f"]
    assert [node.id for node in s.template.nodes] == ["b"]
    assert [task.template.id.name for task in closure.tasks] == ["add_one"]
    assert validate(closure) == []


def test_a_subworkflow_mapped_and_run_is_compiled_once_per_run() -> None:
    closure = _compile(_workflow("p", _maps("a", "s"), _runs("n", "s")), _with_a_branch())
    s = _by_name(closure, "s")
    assert s.HasField("connections")
    assert _child_ids(s) == ["b-c", "b-i", "b-i-e", "b-i-f"]
    assert validate(closure) == []


def test_a_mapped_subworkflow_is_still_checked() -> None:
    """Flyte would register it unchecked; flytespec reports its errors all the same."""
    broken = _workflow("s", task_node("c", "add_one", x=promise("", "nope")))
    spec = admin_workflow_pb2.WorkflowSpec(template=_workflow("p", _maps("a", "s")), sub_workflows=[broken])
    found = validate(spec, tasks=[add_one()])
    assert [(d.code, d.path) for d in found] == [
        (Code.VariableNameNotFound, "sub_workflows[0].nodes[0].inputs[0].binding.promise.var")
    ]


def test_a_compiled_subworkflow_passed_back_is_renamed_again_or_refused_with_flytes_nodes() -> None:
    """Flyte renames the children of a template in place, so a compiled template compiles to ``b-b-c``. A compiled
    template still holding start-node and end-node is refused: Flyte would silently drop those two nodes."""
    compiled = _by_name(_compile(_workflow("p", _runs("n1", "s")), _with_a_branch()), "s").template
    with pytest.raises(CompileError) as refused:
        _compile(_workflow("p", _runs("n1", "s")), compiled)
    assert {(d.code, d.path) for d in refused.value.diagnostics} >= {
        (Code.ReservedNodeId, "sub_workflows[0].nodes[0].id"),
        (Code.ReservedNodeId, "sub_workflows[0].nodes[1].id"),
    }
    del compiled.nodes[:2]  # start-node and end-node
    again = _compile(_workflow("p", _runs("n1", "s")), compiled)
    assert _child_ids(_by_name(again, "s")) == ["b-b-c", "b-b-i", "b-b-i-b-i-e", "b-b-i-b-i-f"]
