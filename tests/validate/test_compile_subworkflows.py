"""How compile lays out subworkflows: Flyte's compiler compiles a subworkflow once per compile of each workflow that
runs it, and renames its branch children in place each time (``b-c``, then ``b-b-c``)."""

from __future__ import annotations

import pytest

from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.compiler import MAX_COMPILES, CompileError, compile
from flytespec.core import compiler_pb2, condition_pb2, identifier_pb2, workflow_pb2
from flytespec.validate import Code, validate
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


def test_compile_counts_add_up_along_the_references() -> None:
    """A diamond doubles the count at each level; past MAX_COMPILES compile refuses instead of writing the ids."""
    levels = 7  # 2**7 = 128 compiles of the innermost subworkflow
    subs = [_with_a_branch("s0")]
    for level in range(1, levels + 1):
        below = f"s{level - 1}"
        subs += [_workflow(f"a{level}", _runs("n", below)), _workflow(f"b{level}", _runs("n", below))]
        subs.append(_workflow(f"s{level}", _runs("l", f"a{level}"), _runs("r", f"b{level}")))
    assert 2**levels >= MAX_COMPILES
    with pytest.raises(CompileError) as refused:
        _compile(_workflow("p", _runs("n", f"s{levels}")), *subs)
    assert [(d.code, d.path) for d in refused.value.diagnostics] == [(Code.InvalidValue, "sub_workflows[0]")]
    closure = _compile(_workflow("p", _runs("n", "s2")), *subs[: 1 + 3 * 2])
    assert _child_ids(_by_name(closure, "s0"))[0] == "b-b-b-b-c"
    assert validate(closure) == []
