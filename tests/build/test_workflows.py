"""The workflow builder: nodes, bindings, conditionals, gates, array nodes, subworkflows, launch plans, failure
nodes, dynamic job specs and what a built ``Workflow`` gives, one feature per test. What the specs look like next to
flytekit's is tests/build/test_goldens.py's job."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flytespec import build as b
from flytespec import io
from flytespec._walk import all_nodes
from flytespec.core import (
    compiler_pb2,
    condition_pb2,
    dynamic_job_pb2,
    execution_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from flytespec.errors import BuildError
from flytespec.validate import ValidationError
from tests.build._support import OLD_UPB, PURE_PYTHON, assert_round_trips, error_codes, make_task

INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
FLOAT = types_pb2.LiteralType(simple=types_pb2.FLOAT)
STR = types_pb2.LiteralType(simple=types_pb2.STRING)
OPS = condition_pb2.ComparisonExpression
DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

inc = make_task("tasks.inc", inputs={"x": int}, outputs={"o0": int})
add = make_task("tasks.add", inputs={"b": b.Input(int, default=5), "a": int}, outputs={"o0": int})
half = make_task("tasks.half", inputs={"x": float}, outputs={"o0": float})
shout = make_task("tasks.shout", inputs={"s": str}, outputs={"o0": str})
check = make_task("tasks.check", inputs={"x": int}, outputs={"o0": bool})
split = make_task("tasks.split", inputs={"x": int}, outputs={"lo": int, "hi": str})
gather = make_task("tasks.gather", inputs={"xs": list[int], "named": dict[str, int]}, outputs={"o0": int})
pick = make_task("tasks.pick", inputs={"xs": list[int] | None, "u": int | str}, outputs={"o0": int})
maybe = make_task("tasks.maybe", inputs={"x": int | None}, outputs={"o0": int | None})
noop = make_task("tasks.noop", inputs={"x": int})
cleanup = make_task("tasks.cleanup", inputs={"x": int, "name": str})


def _bindings(node: workflow_pb2.Node) -> dict[str, literals_pb2.BindingData]:
    return {binding.var: binding.binding for binding in node.inputs}


def _promise(node_id: str, var: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=var))


def _int(value: int) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def _simple_workflow(name: str = "wf.simple", **settings: Any) -> b.Workflow:
    with b.workflow(name, inputs={"x": int}, **settings) as wf:
        wf.outputs(o0=inc(x=inc(x=wf.inputs.x)))
    return wf.build()


# --------------------------------------------------------------------------------------------------------------
# Identity, inputs, defaults, launch plans


def test_identity() -> None:
    wf = _simple_workflow(project="proj", domain="development", version="v1", org="acme")
    assert wf.id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.WORKFLOW,
        project="proj",
        domain="development",
        name="wf.simple",
        version="v1",
        org="acme",
    )
    assert wf.name == "wf.simple"
    assert repr(wf) == "Workflow('wf.simple', nodes=2)"


@pytest.mark.parametrize("name", ["", None])
def test_the_name_is_a_non_empty_string(name: Any) -> None:
    with pytest.raises(BuildError) as err:
        b.workflow(name)
    assert err.value.where == "workflow: name"


def _with_defaults() -> b.Workflow:
    inputs = {
        "x": int,
        "ratio": b.Input(float, default=0.5),
        "maybe": b.Input(str | None, default=None),
        "names": b.Input(list[str], default=["a", "b"]),
        "when": b.Input(datetime.timedelta, default=datetime.timedelta(seconds=90), description="how long"),
    }
    with b.workflow("wf.defaults", inputs=inputs, project="p", domain="d", version="v") as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
    return wf.build()


def test_inputs_keep_their_order_and_descriptions() -> None:
    wf = _with_defaults()
    assert wf.input_names == ["x", "ratio", "maybe", "names", "when"]
    variables = wf.template.interface.inputs.variables
    assert variables["x"].description == "x"
    assert variables["when"].description == "how long"
    assert variables["names"].type == types_pb2.LiteralType(collection_type=STR)


def test_default_inputs() -> None:
    parameters = _with_defaults().default_inputs().parameters
    assert parameters["x"].required
    assert not parameters["x"].HasField("default")
    assert parameters["ratio"].default.scalar.primitive.float_value == 0.5
    assert not parameters["ratio"].required
    # None is a bare none_type (flytekit's), not a union value
    assert parameters["maybe"].default == literals_pb2.Literal(
        scalar=literals_pb2.Scalar(none_type=literals_pb2.Void())
    )
    assert [lit.scalar.primitive.string_value for lit in parameters["names"].default.collection.literals] == ["a", "b"]
    assert parameters["when"].default.scalar.primitive.duration.seconds == 90
    assert parameters["when"].var.description == "how long"


def test_default_launch_plan() -> None:
    wf = _with_defaults()
    plan = wf.launch_plan()
    assert plan.id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", name="wf.defaults", version="v"
    )
    assert plan.spec.workflow_id == wf.id
    assert plan.spec.default_inputs == wf.default_inputs()
    # present though empty, as pyflyte writes them
    for field in ("fixed_inputs", "entity_metadata", "labels", "annotations", "raw_output_data_config"):
        assert plan.spec.HasField(field), field
    assert plan.closure.HasField("expected_inputs")
    assert plan.closure.HasField("expected_outputs")


def test_launch_plan_with_fixed_inputs_and_defaults() -> None:
    plan = _with_defaults().launch_plan("wf.defaults_fixed", fixed_inputs={"ratio": 2}, defaults={"x": 7})
    assert plan.id.name == "wf.defaults_fixed"
    assert plan.spec.fixed_inputs.literals["ratio"].scalar.primitive.float_value == 2.0
    assert "ratio" not in plan.spec.default_inputs.parameters
    x = plan.spec.default_inputs.parameters["x"]
    assert not x.required
    assert x.default.scalar.primitive.integer == 7


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"fixed_inputs": {"nope": 1}}, "launch plan 'wf.defaults': fixed_inputs"),
        ({"defaults": {"nope": 1}}, "launch plan 'wf.defaults': defaults"),
        ({"defaults": {"x": "seven"}}, "launch plan 'wf.defaults': defaults.x"),
        ({"fixed_inputs": {"names": "a"}}, "launch plan 'wf.defaults': fixed_inputs.names"),
    ],
)
def test_bad_launch_plans(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        _with_defaults().launch_plan(**kwargs)
    assert err.value.where == where


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda inputs: b.task("t", inputs=inputs), "task 't': inputs.x.default"),
        (lambda inputs: b.workflow("wf.w", inputs=inputs), "workflow 'wf.w': inputs.x.default"),
        (lambda inputs: b.launch_plan_ref("lp", inputs=inputs), "launch plan 'lp': inputs.x.default"),
    ],
    ids=["task", "workflow", "launch-plan"],
)
def test_a_default_that_does_not_fit_is_refused_at_once(make: Callable[[Any], object], where: str) -> None:
    with pytest.raises(b.TypeConversionError) as err:
        make({"x": b.Input(int, default="one")})
    assert err.value.where == where


def test_unknown_workflow_input() -> None:
    with b.workflow("wf.inputs", inputs={"x": int}) as wf:
        with pytest.raises(AttributeError):
            wf.inputs.y  # noqa: B018
        assert not hasattr(wf.inputs, "y")
        with pytest.raises(BuildError) as err:
            wf.inputs["y"]
        assert err.value.where == "workflow 'wf.inputs'"
        assert [p.var for p in wf.inputs] == ["x"]


# --------------------------------------------------------------------------------------------------------------
# Outputs


def test_outputs_are_typed_by_their_promises() -> None:
    with b.workflow("wf.out", inputs={"x": int}) as wf:
        parts = split(x=wf.inputs.x)
        wf.outputs(hi=parts.hi, lo=parts.lo, x=wf.inputs.x)
    built = wf.build()
    outputs = built.template.interface.outputs.variables
    assert outputs["hi"].type == STR
    assert outputs["lo"].type == INT
    assert outputs["x"].type == INT
    assert outputs["hi"].description == "hi"
    assert [o.var for o in built.template.outputs] == ["hi", "lo", "x"]
    assert {o.var: o.binding for o in built.template.outputs} == {
        "hi": _promise("n0", "hi"),
        "lo": _promise("n0", "lo"),
        "x": _promise("", "x"),
    }


def test_declared_outputs_take_constants_and_lists() -> None:
    with b.workflow("wf.declared", inputs={"x": int}, outputs={"n": int, "xs": list[int], "f": float}) as wf:
        n = inc(x=wf.inputs.x)
        wf.outputs(n=3, xs=[n, 1, wf.inputs.x], f=2)
    template = wf.build().template
    bindings = {o.var: o.binding for o in template.outputs}
    assert bindings["n"] == _int(3)
    assert [d.WhichOneof("value") for d in bindings["xs"].collection.bindings] == ["promise", "scalar", "promise"]
    assert bindings["f"].scalar.primitive.float_value == 2.0
    assert template.interface.outputs.variables["xs"].type == types_pb2.LiteralType(collection_type=INT)


def test_a_single_declared_output_type_is_o0() -> None:
    with b.workflow("wf.single", inputs={"x": int}, outputs=int) as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
    assert list(wf.build().template.interface.outputs.variables) == ["o0"]


@pytest.mark.parametrize(
    ("declared", "give", "where"),
    [
        (None, lambda wf: {"y": 1}, "workflow 'wf.o': outputs: y="),  # a constant needs a declared type
        ({"y": int}, lambda wf: {}, "workflow 'wf.o': outputs"),  # a declared output not given
        (None, lambda wf: {"a-b": wf.inputs.x}, "workflow 'wf.o': outputs: a-b="),  # not a name promises can use
        ({"y": int}, lambda wf: {"y": wf.inputs.x, "z": wf.inputs.x}, "workflow 'wf.o': outputs: z="),
        ({"y": int}, lambda wf: {"y": wf.inputs.s}, "workflow 'wf.o': outputs: y="),  # a type that does not cast
        ({"y": int}, lambda wf: {"y": "three"}, "workflow 'wf.o': outputs: y="),
    ],
)
def test_outputs_must_match(declared: Any, give: Callable[[Any], dict[str, Any]], where: str) -> None:
    with b.workflow("wf.o", inputs={"x": int, "s": str}, outputs=declared) as wf:
        inc(x=wf.inputs.x)
        with pytest.raises(BuildError) as err:
            wf.outputs(**give(wf))
    assert err.value.where == where


def test_outputs_are_set_once() -> None:
    with b.workflow("wf.o", inputs={"x": int}) as wf:
        wf.outputs(a=inc(x=wf.inputs.x))
        with pytest.raises(BuildError) as err:
            wf.outputs(a=wf.inputs.x)
    assert err.value.where == "workflow 'wf.o'"


def test_declared_outputs_must_be_set() -> None:
    with b.workflow("wf.o", inputs={"x": int}, outputs={"y": int}) as wf:
        inc(x=wf.inputs.x)
    with pytest.raises(BuildError) as err:
        wf.build()
    assert err.value.where == "workflow 'wf.o'"


def test_a_refused_outputs_call_leaves_no_trace() -> None:
    with b.workflow("wf.o", inputs={"x": int}, outputs={"a": int, "b": int}) as wf:
        n = inc(x=wf.inputs.x)
        with pytest.raises(BuildError):
            wf.outputs(a=n, b=shout(s="x"))
        wf.outputs(a=n, b=n)
    assert [o.var for o in wf.build().template.outputs] == ["a", "b"]


# --------------------------------------------------------------------------------------------------------------
# Task nodes and bindings


def test_task_node() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        n = add(a=wf.inputs.x, b=2)
        wf.outputs(o0=n)
    node = wf.build().template.nodes[0]
    assert node.id == "n0"
    assert node.metadata.name == "add"  # the task name's last part
    assert node.metadata.HasField("retries")
    assert node.task_node.reference_id == add.id
    assert node.task_node.HasField("overrides")  # present though empty, as flytekit writes it
    assert node.task_node.overrides == workflow_pb2.TaskNodeOverrides()
    assert len(node.upstream_node_ids) == 0  # workflow inputs are no upstream nodes


def test_bindings_are_sorted_by_input_name() -> None:
    """flytekit writes a node's bindings sorted by input name, whatever the call's or the interface's order."""
    assert add.input_names == ["b", "a"]
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        wf.outputs(o0=add(b=1, a=wf.inputs.x))
    assert [i.var for i in wf.build().template.nodes[0].inputs] == ["a", "b"]


def test_an_input_left_out_takes_its_default() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        wf.outputs(o0=add(a=wf.inputs.x))
    assert _bindings(wf.build().template.nodes[0])["b"] == _int(5)


def test_node_metadata_comes_from_the_task() -> None:
    slow = make_task(
        "tasks.slow", inputs={"x": int}, retries=3, timeout=datetime.timedelta(minutes=5), interruptible=True
    )
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        slow(x=wf.inputs.x)
    metadata = wf.build().template.nodes[0].metadata
    assert metadata.retries.retries == 3
    assert metadata.timeout.seconds == 300
    assert metadata.interruptible


def test_promises_plain_values_and_mixed_collections() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        first = inc(x=wf.inputs.x)
        second = inc(x=2)
        g = gather(xs=[first, 7, wf.inputs.x, second, first], named={"a": second, "b": 3})
        wf.outputs(o0=g)
    nodes = wf.build().template.nodes
    assert _bindings(nodes[1])["x"] == _int(2)
    bindings = _bindings(nodes[2])
    assert list(bindings["xs"].collection.bindings) == [
        _promise("n0", "o0"),
        _int(7),
        _promise("", "x"),
        _promise("n1", "o0"),
        _promise("n0", "o0"),
    ]
    assert dict(bindings["named"].map.bindings) == {"a": _promise("n1", "o0"), "b": _int(3)}
    # once each, in the order the bindings (sorted by input name: named, then xs) use them
    assert list(nodes[2].upstream_node_ids) == ["n1", "n0"]


def test_union_inputs_take_members_and_lists_of_their_list_variant() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        n = inc(x=wf.inputs.x)
        first = pick(xs=[n, 1], u=n)
        pick(xs=None, u="text")
        third = maybe(x=first)
        wf.outputs(o0=third)
    nodes = wf.build().template.nodes
    bindings = _bindings(nodes[1])
    assert list(bindings["xs"].collection.bindings) == [_promise("n0", "o0"), _int(1)]
    assert bindings["u"] == _promise("n0", "o0")
    second_bindings = _bindings(nodes[2])
    assert second_bindings["xs"].scalar.union.type.structure.tag == "none"
    assert second_bindings["u"].scalar.union.value.scalar.primitive.string_value == "text"


def test_empty_lists_and_dicts_are_bound() -> None:
    empty_default = make_task("tasks.empty_default", inputs={"xs": b.Input(list[int], default=[])})
    with b.workflow("wf.empty", inputs={"x": int}, outputs={"xs": list[int], "named": dict[str, int]}) as wf:
        gather(xs=[], named={})
        empty_default()
        wf.outputs(xs=[], named={})
    built = wf.build()
    bindings = _bindings(built.template.nodes[0])
    assert bindings["xs"].WhichOneof("value") == "collection"
    assert bindings["named"].WhichOneof("value") == "map"
    assert _bindings(built.template.nodes[1])["xs"].WhichOneof("value") == "collection"
    assert [o.binding.WhichOneof("value") for o in built.template.outputs] == ["collection", "map"]
    assert built.validate() == []


def test_node_handles() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        parts = split(x=wf.inputs.x)
        lo, hi = parts
        assert (lo.node_id, lo.var, hi.var) == ("n0", "lo", "hi")
        assert parts["hi"].var == "hi"
        assert parts.lo.type == INT
        assert list(parts.outputs) == ["lo", "hi"]
        assert repr(parts) == "NodeHandle('n0')"
        assert repr(parts.hi) == "n0.hi"
        assert repr(wf.inputs.x) == "input 'x'"
        wf.outputs(o0=inc(x=lo), o1=shout(s=hi))
    assert wf.build().template.nodes[1].inputs[0].binding == _promise("n0", "lo")


def test_outputs_named_like_handle_attributes_are_reached_by_name() -> None:
    """``node.<output>`` is shadowed by the handle's own attributes (id, outputs, after...); ``node["id"]`` is not."""
    clash = make_task("tasks.clash", outputs={"id": str, "outputs": int})
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        node = clash()
        assert node.id == "n0"
        assert node["id"].var == "id"
        assert node["outputs"].type == INT
        wf.outputs(a=node["id"], b=node["outputs"])
    assert [o.binding for o in wf.build().template.outputs] == [_promise("n0", "id"), _promise("n0", "outputs")]


@pytest.mark.parametrize(
    ("call", "where", "error"),
    [
        (lambda wf: inc(x=wf.inputs.f), "node n0 (tasks.inc): x=", BuildError),  # FLOAT does not cast to INTEGER
        (lambda wf: half(x=wf.inputs.x), "node n0 (tasks.half): x=", BuildError),  # nor INTEGER to FLOAT
        (lambda wf: inc(x=wf.inputs.s), "node n0 (tasks.inc): x=", BuildError),
        (lambda wf: gather(xs=wf.inputs.x, named={}), "node n0 (tasks.gather): xs=", BuildError),
        (lambda wf: gather(xs=[1, wf.inputs.s], named={}), "node n0 (tasks.gather): xs=[1]", BuildError),
        (lambda wf: gather(xs=[], named={"k": wf.inputs.s}), "node n0 (tasks.gather): named=['k']", BuildError),
        (lambda wf: inc(x=wf.inputs.o), "node n0 (tasks.inc): x=", BuildError),  # Optional[int] is not an int
        (lambda wf: inc(x="one"), "node n0 (tasks.inc): x=", b.TypeConversionError),
        (lambda wf: inc(x=1.5), "node n0 (tasks.inc): x=", b.TypeConversionError),
        (lambda wf: inc(x=True), "node n0 (tasks.inc): x=", b.TypeConversionError),
        (lambda wf: half(x="1.5"), "node n0 (tasks.half): x=", b.TypeConversionError),
        (lambda wf: gather(xs=[1, "2"], named={}), "node n0 (tasks.gather): xs=[1]", b.TypeConversionError),
        (lambda wf: gather(xs=[], named={1: 1}), "node n0 (tasks.gather): named=", BuildError),
        (lambda wf: inc(y=1), "node n0 (tasks.inc): y=", BuildError),  # unknown input
        (lambda wf: inc(x=1, y=1), "node n0 (tasks.inc): y=", BuildError),
        (lambda wf: inc(), "node n0 (tasks.inc)", BuildError),  # missing input
        (lambda wf: add(b=1), "node n0 (tasks.add)", BuildError),
        (lambda wf: inc(x=split(x=1)), "node n0", BuildError),  # two outputs: pick one
        (lambda wf: split(x=1)["nope"], "node n0", BuildError),
        (lambda wf: inc(x=noop(x=1)), "node n0", BuildError),  # no outputs
    ],
)
def test_bad_calls_are_refused(call: Callable[[Any], object], where: str, error: type[Exception]) -> None:
    with (
        b.workflow("wf.bad", inputs={"x": int, "f": float, "s": str, "o": int | None}) as wf,
        pytest.raises(error) as err,
    ):
        call(wf)
    assert isinstance(err.value, BuildError)
    assert err.value.where == where


def test_untyped_struct_inputs_hold_no_promises() -> None:
    anything = make_task("tasks.anything", inputs={"d": dict})
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        with pytest.raises(BuildError) as err:
            anything(d={"a": wf.inputs.x})
        assert err.value.where == "node n0 (tasks.anything): d="
        anything(d={"a": [1, {"b": None}]})
    assert wf.build().template.nodes[0].inputs[0].binding.scalar.HasField("generic")


def test_a_refused_call_leaves_no_trace() -> None:
    """A node whose call raised is taken back, with its id: the builder can go on."""
    with b.workflow("wf.t", inputs={"x": int, "xs": list[int]}) as wf:
        first = inc(x=wf.inputs.x)
        refused: list[Callable[[], object]] = [
            lambda: inc(x="one"),
            lambda: b.map_task(inc)(x=wf.inputs.x),
            lambda: b.approve(first, "ok", timeout=-1),
            lambda: b.sleep(0),
            lambda: _simple_workflow()(x="one"),
            lambda: b.launch_plan_ref("lp", inputs={"y": int})(y="one"),
        ]
        for bad in refused:
            with pytest.raises(BuildError):
                bad()
        second = inc(x=first)
        wf.outputs(o0=second)
    built = wf.build()
    assert [n.id for n in built.template.nodes] == ["n0", "n1"]
    assert [t.id.name for t in built.tasks] == ["tasks.inc"]
    assert built.subworkflows == []
    assert built.launch_plans == []


def test_promises_belong_to_their_workflow() -> None:
    with b.workflow("wf.first", inputs={"x": int}) as first:
        elsewhere = inc(x=first.inputs.x)
    with b.workflow("wf.second", inputs={"x": int}):
        with pytest.raises(BuildError) as err:
            inc(x=elsewhere)
        assert err.value.where == "node n0 (tasks.inc): x="
        with pytest.raises(BuildError):
            inc(x=first.inputs.x)


def test_nested_builders() -> None:
    """A builder opened inside another takes the calls until it is closed."""
    with b.workflow("wf.outer", inputs={"x": int}) as outer:
        before = inc(x=outer.inputs.x)
        with b.workflow("wf.inner", inputs={"y": int}) as inner:
            inner.outputs(o0=inc(x=inner.inputs.y))
        after = inc(x=before)
        outer.outputs(o0=after)
    assert [n.id for n in outer.build().template.nodes] == ["n0", "n1"]
    assert [n.id for n in inner.build().template.nodes] == ["n0"]


def test_nodes_are_made_inside_a_builder() -> None:
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: inc(x=1), "calling tasks.inc"),
        (lambda: b.conditional("c"), "calling conditional('c')"),
        (lambda: b.sleep(1), "calling sleep(...)"),
        (lambda: b.wait_for_input("s", expected_type=int), "calling wait_for_input('s')"),
        (lambda: b.map_task(inc)(x=[1]), "calling map_task('tasks.inc')"),
        (lambda: _simple_workflow()(x=1), "calling workflow 'wf.simple'"),
        (lambda: b.launch_plan_ref("lp")(), "calling launch plan 'lp'"),
    ]
    for call, where in calls:
        with pytest.raises(BuildError) as err:
            call()
        assert err.value.where == where


def test_a_built_builder_cannot_be_reopened() -> None:
    with b.workflow("wf.once", inputs={"x": int}) as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
    wf.build()
    with pytest.raises(BuildError) as err, wf:
        pass
    assert err.value.where == "workflow 'wf.once'"


def test_node_handles_cannot_change_a_built_workflow() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        first = inc(x=wf.inputs.x)
        second = inc(x=first)
        wf.outputs(o0=second)
    built = wf.build()
    with pytest.raises(BuildError):
        first.after(second)  # a cycle
    assert built.validate() == []


def test_unknown_attributes_are_attribute_errors() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        node = inc(x=wf.inputs.x)
        assert not hasattr(node, "nope")
        assert getattr(wf.inputs, "nope", None) is None


# --------------------------------------------------------------------------------------------------------------
# after, >>


def test_after_and_rshift() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        a = inc(x=wf.inputs.x)
        c = inc(x=wf.inputs.x)
        d = inc(x=a)
        assert d.after(c, a) is d  # a is upstream already: once
        pause = b.sleep(5)
        assert (pause >> c) is c
        wf.outputs(o0=d, o1=c)
    nodes = wf.build().template.nodes
    assert list(nodes[2].upstream_node_ids) == ["n0", "n1"]
    assert list(nodes[1].upstream_node_ids) == ["n3"]


def test_a_cycle_made_with_after_is_reported_by_build() -> None:
    """The builder does not look for cycles as after() adds edges; build() runs the validator when one may close."""
    with b.workflow("wf.cycle", inputs={"x": int}) as wf:
        first = inc(x=wf.inputs.x)
        second = inc(x=first)
        first.after(second)
        wf.outputs(o0=second)
    with pytest.raises(ValidationError) as err:
        wf.build()
    assert error_codes(err.value.diagnostics) == [("CycleDetected", "nodes[0]")]


def test_bad_after() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        a = inc(x=wf.inputs.x)
        with pytest.raises(BuildError) as err:
            a.after(a)
        assert err.value.where == "node n0: after(...)"
        with pytest.raises(BuildError) as err:
            a.after("n0")  # type: ignore[arg-type]
        assert err.value.where == "node n0: after(...)"
        holder: list[b.NodeHandle] = []
        b.conditional("c").if_(wf.inputs.x > 1).then(_keep(holder, inc(x=1))).else_().then(inc(x=2))
        with pytest.raises(BuildError) as err:
            a.after(holder[0])  # a branch case's node
        assert err.value.where == "node n0: after(n2)"
    with b.workflow("wf.other", inputs={"x": int}):
        other = inc(x=1)
        with pytest.raises(BuildError) as err:
            other.after(a)
        assert err.value.where == "node n0: after(n0)"


def _keep(holder: list[b.NodeHandle], node: b.NodeHandle) -> b.NodeHandle:
    holder.append(node)
    return node


# --------------------------------------------------------------------------------------------------------------
# with_overrides


def test_with_overrides_of_node_settings() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        n = inc(x=wf.inputs.x).with_overrides(
            name="renamed",
            timeout=datetime.timedelta(minutes=1),
            retries=4,
            interruptible=False,
            cache=b.Cache(version="3", serialize=True),
            config={"k": "v"},
        )
        cached = inc(x=n).with_overrides(cache=True)
        uncached = inc(x=n).with_overrides(cache=False)
        wf.outputs(o0=cached, o1=uncached)
    nodes = wf.build().template.nodes
    md = nodes[0].metadata
    assert md.name == "renamed"
    assert md.timeout.seconds == 60
    assert md.retries.retries == 4
    assert md.WhichOneof("interruptible_value") == "interruptible"
    assert md.interruptible is False
    assert (md.cacheable, md.cache_version, md.cache_serializable) == (True, "3", True)
    assert dict(md.config) == {"k": "v"}
    assert (nodes[1].metadata.cacheable, nodes[1].metadata.cache_version) == (True, "")
    assert nodes[2].metadata.WhichOneof("cacheable_value") == "cacheable"
    assert nodes[2].metadata.cacheable is False
    assert nodes[0].task_node.overrides == workflow_pb2.TaskNodeOverrides()


def test_with_overrides_of_the_task() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        n = inc(x=wf.inputs.x).with_overrides(
            requests=b.Resources(cpu="2", mem="4Gi"),
            limits=b.Resources(cpu="4"),
            image="ghcr.io/org/gpu:v2",
            gpu_accelerator=b.gpu_accelerator("nvidia-tesla-t4"),
            shared_memory=b.shared_memory("1Gi"),
        )
        paired = inc(x=n).with_overrides(resources=b.Resources(mem=("1Gi", "2Gi")))
        wf.outputs(o0=paired)
    nodes = wf.build().template.nodes
    overrides = nodes[0].task_node.overrides
    assert [(e.name, e.value) for e in overrides.resources.requests] == [
        (tasks_pb2.Resources.CPU, "2"),
        (tasks_pb2.Resources.MEMORY, "4Gi"),
    ]
    assert [(e.name, e.value) for e in overrides.resources.limits] == [(tasks_pb2.Resources.CPU, "4")]
    assert overrides.container_image == "ghcr.io/org/gpu:v2"
    assert overrides.extended_resources.gpu_accelerator.device == "nvidia-tesla-t4"
    assert overrides.extended_resources.shared_memory.size_limit == "1Gi"
    paired_resources = nodes[1].task_node.overrides.resources
    assert [e.value for e in paired_resources.requests] == ["1Gi"]
    assert [e.value for e in paired_resources.limits] == ["2Gi"]


def test_with_overrides_pod_template_merges_the_tasks_container() -> None:
    pod = b.PodTemplate(
        labels={"lane": "fast"}, pod_spec={"containers": [{"name": "primary"}], "nodeSelector": {"pool": "fast"}}
    )
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        wf.outputs(o0=inc(x=wf.inputs.x).with_overrides(pod_template=pod))
    built = wf.build()
    override = built.template.nodes[0].task_node.overrides.pod_template
    assert override.primary_container_name == "primary"
    assert dict(override.metadata.labels) == {"lane": "fast"}
    spec = io.to_dict(override.pod_spec)
    assert spec["nodeSelector"] == {"pool": "fast"}
    container = spec["containers"][0]
    task = built.tasks[0].container
    assert container["image"] == task.image
    assert container["args"] == list(task.args)


def test_with_overrides_of_a_mapped_task_reach_the_sub_node() -> None:
    with b.workflow("wf.t", inputs={"xs": list[int]}) as wf:
        mapped = b.map_task(inc)(x=wf.inputs.xs).with_overrides(name="many", requests=b.Resources(mem="2Gi"))
        wf.outputs(o0=mapped)
    node = wf.build().template.nodes[0]
    assert node.metadata.name == "many"
    assert [e.value for e in node.array_node.node.task_node.overrides.resources.requests] == ["2Gi"]


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"retries": -1}, "node n0: with_overrides.retries"),
        ({"timeout": -1}, "node n0: with_overrides.timeout"),
        ({"timeout": "1m"}, "node n0: with_overrides.timeout"),
        ({"cache": "yes"}, "node n0: with_overrides.cache"),
        ({"config": {"k": 1}}, "node n0: with_overrides.config['k']"),
        ({"requests": b.Resources(cpu="2"), "limits": b.Resources(cpu="1")}, "node n0: with_overrides.limits.cpu"),
        ({"resources": b.Resources(cpu="1"), "requests": b.Resources(cpu="1")}, "node n0: with_overrides.resources"),
        ({"requests": {"cpu": "1"}}, "node n0: with_overrides.requests"),
        ({"image": ""}, "node n0: with_overrides.image"),
    ],
)
def test_bad_overrides(overrides: dict[str, Any], where: str) -> None:
    with b.workflow("wf.t", inputs={"x": int}):
        node = inc(x=1)
        with pytest.raises(BuildError) as err:
            node.with_overrides(**overrides)
    assert err.value.where == where


@pytest.mark.parametrize(
    "make",
    [
        lambda wf: b.sleep(1),
        lambda wf: _simple_workflow()(x=wf.inputs.x),
        lambda wf: b.launch_plan_ref("lp", inputs={"x": int})(x=wf.inputs.x),
        lambda wf: b.map_task(_simple_workflow())(x=[1]),
    ],
    ids=["gate", "subworkflow", "launch-plan", "mapped-workflow"],
)
def test_task_overrides_need_a_task_node(make: Callable[[Any], b.NodeHandle]) -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        node = make(wf)
        node.with_overrides(name="fine", retries=1)
        with pytest.raises(BuildError) as err:
            node.with_overrides(image="other:1")
    assert err.value.where == "node n0: with_overrides"


def test_override_cache_refuses_ignored_inputs() -> None:
    with b.workflow("wf.t", inputs={"x": int}):
        node = inc(x=1)
        with pytest.raises(BuildError) as err:
            node.with_overrides(cache=b.Cache(version="1", ignored_inputs=["x"]))
    assert err.value.where == "node n0: with_overrides.cache"


def test_a_refused_override_changes_nothing() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        node = inc(x=wf.inputs.x)
        with pytest.raises(BuildError):
            node.with_overrides(name="renamed", retries=-1)
        wf.outputs(o0=node)
    assert wf.build().template.nodes[0].metadata.name == "inc"


def test_overrides_of_a_case_node_after_then_are_not_lost() -> None:
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        holder: list[b.NodeHandle] = []
        branch = b.conditional("c").if_(wf.inputs.x > 1).then(_keep(holder, inc(x=1))).else_().then(inc(x=2))
        try:
            holder[0].with_overrides(retries=3)
        except BuildError:
            return  # refusing is fine too
        wf.outputs(o0=branch)
    assert wf.build().template.nodes[0].branch_node.if_else.case.then_node.metadata.retries.retries == 3


# --------------------------------------------------------------------------------------------------------------
# Conditionals


def _branch(cond: Callable[[Any], b.Condition], **inputs: Any) -> workflow_pb2.Node:
    """The branch node of a workflow with one conditional on ``cond``."""
    with b.workflow("wf.branch", inputs=inputs or {"x": int, "f": float, "s": str, "flag": bool}) as wf:
        result = b.conditional("c").if_(cond(wf.inputs)).then(inc(x=1)).else_().then(inc(x=2))
        wf.outputs(o0=result)
    return wf.build().template.nodes[0]


def test_conditional_structure() -> None:
    with b.workflow("wf.branch", inputs={"x": int}) as wf:
        score = inc(x=wf.inputs.x)
        result = (
            b.conditional("grade")
            .if_(score > 10)
            .then(inc(x=score))
            .elif_(score < 0)
            .then(add(a=score))
            .else_()
            .then(inc(x=wf.inputs.x))
        )
        wf.outputs(o0=result)
    built = wf.build()
    node = built.template.nodes[1]
    # the branch node's id is taken before its cases' ids
    assert node.id == "n1"
    assert node.metadata.name == "grade"
    assert node.metadata.HasField("retries")
    if_else = node.branch_node.if_else
    assert if_else.case.then_node.id == "n2"
    assert [o.then_node.id for o in if_else.other] == ["n3"]
    assert if_else.else_node.id == "n4"
    assert if_else.case.then_node.task_node.reference_id == inc.id
    assert list(node.upstream_node_ids) == ["n0"]
    assert built.template.outputs[0].binding == _promise("n1", "o0")


def test_branch_inputs_are_named_node_dot_var() -> None:
    """A branch node's inputs are ``<node>.<var>``, and ``.<var>`` for workflow inputs, sorted by name."""
    with b.workflow("wf.branch", inputs={"x": int, "y": int}) as wf:
        n = inc(x=wf.inputs.x)
        result = b.conditional("c").if_((wf.inputs.y > 1) & (n.o0 < wf.inputs.x)).then(inc(x=1)).else_().then(inc(x=2))
        wf.outputs(o0=result)
    node = wf.build().template.nodes[1]
    assert [(i.var, i.binding) for i in node.inputs] == [
        (".x", _promise("", "x")),
        (".y", _promise("", "y")),
        ("n0.o0", _promise("n0", "o0")),
    ]
    comparison = node.branch_node.if_else.case.condition.conjunction.right_expression.comparison
    assert comparison.left_value.var == "n0.o0"
    assert comparison.right_value.var == ".x"


@pytest.mark.parametrize(
    ("make", "operator", "constant"),
    [
        (lambda i: i.x == 3, OPS.EQ, 3),
        (lambda i: i.x != 3, OPS.NEQ, 3),
        (lambda i: i.x < 3, OPS.LT, 3),
        (lambda i: i.x <= 3, OPS.LTE, 3),
        (lambda i: i.x > 3, OPS.GT, 3),
        (lambda i: i.x >= 3, OPS.GTE, 3),
        (lambda i: 3 < i.x, OPS.GT, 3),  # noqa: SIM300 (reflected: x > 3)
        (lambda i: 3 >= i.x, OPS.LTE, 3),  # noqa: SIM300
        (lambda i: 3 == i.x, OPS.EQ, 3),  # noqa: SIM300
    ],
)
def test_comparison_operators(make: Callable[[Any], b.Condition], operator: int, constant: int) -> None:
    comparison = _branch(make).branch_node.if_else.case.condition.comparison
    assert comparison.operator == operator
    assert comparison.left_value.var == ".x"
    assert comparison.right_value.primitive == literals_pb2.Primitive(integer=constant)


@pytest.mark.parametrize(
    ("make", "primitive"),
    [
        (lambda i: i.f > 3, literals_pb2.Primitive(float_value=3.0)),  # 3 against a float is 3.0
        (lambda i: i.s == "go", literals_pb2.Primitive(string_value="go")),
        (lambda i: i.flag.is_true(), literals_pb2.Primitive(boolean=True)),
        (lambda i: i.flag.is_false(), literals_pb2.Primitive(boolean=False)),
    ],
)
def test_constants_are_typed_like_the_other_operand(make: Callable[[Any], b.Condition], primitive: Any) -> None:
    comparison = _branch(make).branch_node.if_else.case.condition.comparison
    assert comparison.right_value.primitive == primitive


def test_duration_and_datetime_constants() -> None:
    moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    node = _branch(
        lambda i: (i.d > datetime.timedelta(seconds=3)) | (i.t < moment),
        d=datetime.timedelta,
        t=datetime.datetime,
    )
    conjunction = node.branch_node.if_else.case.condition.conjunction
    assert conjunction.operator == condition_pb2.ConjunctionExpression.OR
    assert conjunction.left_expression.comparison.right_value.primitive.duration.seconds == 3
    assert conjunction.right_expression.comparison.right_value.primitive.datetime.seconds == 1704067200


def test_conjunctions_nest() -> None:
    node = _branch(lambda i: (i.x > 1) & ((i.f < 2) | (i.s == "q")))
    expr = node.branch_node.if_else.case.condition
    assert expr.conjunction.operator == condition_pb2.ConjunctionExpression.AND
    assert expr.conjunction.left_expression.comparison.left_value.var == ".x"
    inner = expr.conjunction.right_expression.conjunction
    assert inner.operator == condition_pb2.ConjunctionExpression.OR
    assert inner.left_expression.comparison.left_value.var == ".f"
    assert inner.right_expression.comparison.left_value.var == ".s"
    assert [i.var for i in node.inputs] == [".f", ".s", ".x"]


def test_promise_against_promise() -> None:
    node = _branch(lambda i: i.x == i.y, x=int, y=int)
    comparison = node.branch_node.if_else.case.condition.comparison
    assert (comparison.left_value.var, comparison.right_value.var) == (".x", ".y")


def test_nested_conditionals() -> None:
    with b.workflow("wf.nested", inputs={"x": int}) as wf:
        x = wf.inputs.x
        outer = b.conditional("outer").if_(x > 10)
        inner = b.conditional("inner").if_(x > 100).then(inc(x=3)).else_().then(inc(x=2))
        result = outer.then(inner).else_().then(inc(x=1))
        wf.outputs(o0=result)
    built = wf.build()
    node = built.template.nodes[0]
    nested = node.branch_node.if_else.case.then_node
    assert nested.metadata.name == "inner"
    assert nested.HasField("branch_node")
    ids = [n.id for n in all_nodes(built.template)]
    assert sorted(ids) == ["n0", "n1", "n2", "n3", "n4"]


def test_fail_in_else() -> None:
    with b.workflow("wf.fail", inputs={"x": int}) as wf:
        result = b.conditional("only-positive").if_(wf.inputs.x > 0).then(inc(x=wf.inputs.x)).else_().fail("no")
        wf.outputs(o0=result)
    if_else = wf.build().template.nodes[0].branch_node.if_else
    assert not if_else.HasField("else_node")
    assert if_else.error == types_pb2.Error(failed_node_id="only-positive", message="no")


def test_branch_outputs_are_those_every_case_has() -> None:
    other = make_task("tasks.other", inputs={"x": int}, outputs={"lo": int, "extra": float})
    with b.workflow("wf.out", inputs={"x": int}) as wf:
        x = wf.inputs.x
        shared = b.conditional("c1").if_(x > 0).then(split(x=1)).else_().then(other(x=2))
        assert list(shared.outputs) == ["lo"]  # hi and extra are not in every case
        with pytest.raises(BuildError) as err:
            shared["hi"]
        assert err.value.where == "node n0"
        assert not hasattr(shared, "hi")
        disjoint = b.conditional("c2").if_(x > 0).then(split(x=1)).else_().then(inc(x=2))
        assert list(disjoint.outputs) == []
        failing = b.conditional("c3").if_(x > 0).then(split(x=1)).else_().fail("no")
        assert list(failing.outputs) == ["lo", "hi"]  # a failing else has no outputs to share
        wf.outputs(a=shared.lo, b=failing.hi)
        del disjoint
    built = wf.build()
    assert built.template.interface.outputs.variables["b"].type == STR


@pytest.mark.parametrize(
    ("body", "where"),
    [
        # a case's outputs with one name and two types
        (lambda x: b.conditional("c").if_(x > 1).then(inc(x=1)).else_().then(half(x=1.0)), "conditional 'c'"),
        (lambda x: b.conditional("c").if_(x > 1).then(inc(x=1)).if_(x > 2), "conditional 'c'"),
        (lambda x: b.conditional("c").else_(), "conditional 'c'"),
        (lambda x: b.conditional("c").elif_(x > 1), "conditional 'c'"),
        (lambda x: b.conditional("c").if_(True), "conditional 'c'"),  # type: ignore[arg-type]
        (lambda x: b.conditional("c").if_(x), "conditional 'c'"),
        (lambda x: b.conditional("c").if_((x > 1) and (x < 5)), "condition"),  # Python's and
        (lambda x: b.conditional("c").if_(x > 1 if x else x), "input 'x'"),  # a promise has no truth value
        (lambda x: b.conditional("c").if_((x > 1) & x), "condition"),
        (lambda x: b.conditional(""), "conditional"),
    ],
    ids=[
        "case-outputs-of-two-types",
        "if-twice",
        "else-first",
        "elif-first",
        "not-a-condition",
        "a-promise-is-not-a-condition",
        "python-and",
        "promise-truth",
        "and-with-a-promise",
        "no-name",
    ],
)
def test_bad_conditionals(body: Callable[[Any], object], where: str) -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf:
        with pytest.raises(BuildError) as err:
            body(wf.inputs.x)
        assert err.value.where == where


def test_a_case_runs_one_node() -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf:
        case = b.conditional("c").if_(wf.inputs.x > 1)
        first = inc(x=1)
        with pytest.raises(BuildError) as err:
            inc(x=2)
        assert err.value.where == "conditional 'c'"
        with pytest.raises(BuildError) as err:
            case.then(inc)  # type: ignore[arg-type]
        assert err.value.where == "conditional 'c'"
        del first


def test_then_takes_the_node_made_inside_it() -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf:
        outside = inc(x=1)
        with pytest.raises(BuildError) as err:
            b.conditional("c").if_(wf.inputs.x > 1).then(outside)
        assert err.value.where == "conditional 'c'"


def test_an_open_conditional_stops_build() -> None:
    with b.workflow("wf.open", inputs={"x": int}) as wf:
        b.conditional("c").if_(wf.inputs.x > 1).then(inc(x=1))
    with pytest.raises(BuildError) as err:
        wf.build()
    assert err.value.where == "workflow 'wf.open'"
    with b.workflow("wf.waiting", inputs={"x": int}) as wf2:
        b.conditional("c").if_(wf2.inputs.x > 1)
    with pytest.raises(BuildError):
        wf2.build()


@pytest.mark.parametrize(
    ("constant", "where"),
    [("one", "conditional 'c': 'one'"), (1.5, "conditional 'c': 1.5"), ([1], "conditional 'c': [1]")],
)
def test_constants_that_do_not_fit_are_refused(constant: Any, where: str) -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf, pytest.raises(b.TypeConversionError) as err:
        b.conditional("c").if_(wf.inputs.x == constant)
    assert err.value.where == where


def test_conditions_are_checked_when_given() -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf, pytest.raises(b.TypeConversionError) as err:
        b.conditional("c").if_(wf.inputs.x == "one")
    assert err.value.where == "conditional 'c': 'one'"


def test_case_outputs_are_reached_through_the_branch() -> None:
    with b.workflow("wf.bad", inputs={"x": int}) as wf:
        holder: list[b.NodeHandle] = []
        b.conditional("c").if_(wf.inputs.x > 0).then(_keep(holder, inc(x=1))).else_().fail("no")
        with pytest.raises(BuildError) as err:
            inc(x=holder[0])
        assert err.value.where == "node n2 (tasks.inc): x="
        with pytest.raises(BuildError) as err:
            b.conditional("d").if_(holder[0].o0 > 1).then(inc(x=1)).else_().fail("no")
        assert err.value.where == "conditional 'd'"


def test_attribute_paths_are_not_compared() -> None:
    stats = make_task("tasks.stats", outputs={"o0": dict[str, int]})
    with b.workflow("wf.bad", inputs={"x": int}):
        s = stats()
        with pytest.raises(BuildError) as err:
            b.conditional("c").if_(s.o0["a"] > 1).then(inc(x=1)).else_().fail("no")
        assert err.value.where == "conditional 'c'"


def test_comparing_promises_of_different_types_is_refused_at_once() -> None:
    with b.workflow("wf.bad", inputs={"x": int, "f": float}) as wf, pytest.raises(BuildError) as err:
        b.conditional("c").if_(wf.inputs.x == wf.inputs.f).then(inc(x=1)).else_().fail("no")
    assert err.value.where == "conditional 'c'"


def test_comparing_an_optional_with_a_constant_is_refused_at_once() -> None:
    with b.workflow("wf.bad", inputs={"o": int | None}) as wf, pytest.raises(BuildError) as err:
        b.conditional("c").if_(wf.inputs.o == 3).then(inc(x=1)).else_().fail("no")
    assert err.value.where == "conditional 'c'"


def test_optional_promises_have_no_is_none() -> None:
    """Flyte 1.16's compiler refuses the operand an "is None" test would need (ValueRequired), so there is none;
    comparing an optional promise with a constant is refused too (operands of one type)."""
    with b.workflow("wf.bad", inputs={"o": int | None}) as wf:
        assert not hasattr(wf.inputs.o, "is_none")
        with pytest.raises(BuildError) as err:
            b.conditional("c").if_(wf.inputs.o == 3)
    assert err.value.where == "conditional 'c'"


# --------------------------------------------------------------------------------------------------------------
# Gates


def test_approve() -> None:
    with b.workflow("wf.gates", inputs={"x": int}) as wf:
        proposal = inc(x=wf.inputs.x)
        ok = b.approve(proposal, "approve-it", timeout=datetime.timedelta(hours=2))
        wf.outputs(o0=inc(x=ok))
    nodes = wf.build().template.nodes
    gate = nodes[1]
    assert gate.gate_node.approve.signal_id == "approve-it"
    assert gate.metadata.name == "approve-it"
    assert gate.metadata.timeout.seconds == 7200
    assert list(gate.upstream_node_ids) == ["n0"]
    # the gate's output is the approved value, under the upstream output's name
    assert [(i.var, i.binding) for i in gate.inputs] == [("o0", _promise("n0", "o0"))]
    assert nodes[2].inputs[0].binding == _promise("n1", "o0")


def test_wait_for_input() -> None:
    with b.workflow("wf.gates", inputs={"x": int}) as wf:
        note = b.wait_for_input("release-note", expected_type=list[str], timeout=30)
        wf.outputs(o0=note)
    built = wf.build()
    signal = built.template.nodes[0].gate_node.signal
    assert signal.signal_id == "release-note"
    assert signal.type == types_pb2.LiteralType(collection_type=STR)
    assert signal.output_variable_name == "o0"
    assert built.template.nodes[0].metadata.timeout.seconds == 30
    assert built.template.interface.outputs.variables["o0"].type == signal.type


def test_sleep() -> None:
    with b.workflow("wf.gates", inputs={"x": int}) as wf:
        pause = b.sleep(datetime.timedelta(seconds=45))
        named = b.sleep(1.5, name="short")
        done = inc(x=wf.inputs.x)
        pause >> done
        named >> done
        wf.outputs(o0=done)
    nodes = wf.build().template.nodes
    assert nodes[0].gate_node.sleep.duration.seconds == 45
    assert nodes[0].metadata.name == "sleep-gate"
    assert nodes[0].metadata.timeout.seconds == 3600  # flytekit's default for every gate
    assert (nodes[1].gate_node.sleep.duration.seconds, nodes[1].gate_node.sleep.duration.nanos) == (1, 500_000_000)
    assert nodes[1].metadata.name == "short"
    assert list(nodes[2].upstream_node_ids) == ["n0", "n1"]
    assert list(pause.outputs) == []


@pytest.mark.parametrize(
    ("call", "where"),
    [
        (lambda wf: b.approve(wf.inputs.x, "ok"), "approve('ok')"),  # workflow inputs cannot be approved
        (lambda wf: b.approve(3, "ok"), "approve('ok')"),
        (lambda wf: b.approve(inc(x=1), "ok", timeout=-1), "gate 'ok': timeout"),
        (lambda wf: b.approve(inc(x=1), ""), "gate"),
        (lambda wf: b.sleep(0), "gate 'sleep-gate': duration"),
        (lambda wf: b.sleep(-1), "gate 'sleep-gate': duration"),
        (lambda wf: b.sleep("1m"), "gate 'sleep-gate': duration"),  # type: ignore[arg-type]
        (lambda wf: b.wait_for_input("s", expected_type=set), "wait_for_input('s'): expected_type"),
        (lambda wf: b.wait_for_input("s", expected_type=int, timeout=-2), "gate 's': timeout"),
    ],
)
def test_bad_gates(call: Callable[[Any], object], where: str) -> None:
    with b.workflow("wf.gates", inputs={"x": int}) as wf, pytest.raises(BuildError) as err:
        call(wf)
    assert err.value.where == where


# --------------------------------------------------------------------------------------------------------------
# Array nodes


def test_map_task() -> None:
    scale = make_task("tasks.scale", inputs={"x": int, "factor": float, "label": str}, outputs={"o0": float})
    mapped = b.map_task(scale, bound_inputs=["label", "factor"], concurrency=4, min_successes=2)
    with b.workflow("wf.map", inputs={"xs": list[int]}) as wf:
        result = mapped(x=wf.inputs.xs, factor=2.0, label="s")
        wf.outputs(o0=result)
    built = wf.build()
    node = built.template.nodes[0]
    array = node.array_node
    assert node.id == "n0"
    assert array.node.id == "n1"
    assert array.parallelism == 4
    assert array.WhichOneof("success_criteria") == "min_successes"
    assert array.min_successes == 2
    assert list(array.bound_inputs) == ["factor", "label"]  # sorted
    assert array.execution_mode == workflow_pb2.ArrayNode.MINIMAL_STATE
    assert array.data_mode == workflow_pb2.ArrayNode.SINGLE_INPUT_FILE
    assert array.is_original_sub_node_interface.value is False
    assert not array.run_all_sub_nodes
    assert list(array.node.inputs) == list(node.inputs)
    assert node.metadata.name == array.node.metadata.name == mapped.name
    # the mapped task: list-typed where not bound, flytekit's name and arguments
    task = next(t for t in built.tasks if t.id.name == mapped.name)
    assert array.node.task_node.reference_id == task.id
    assert re.fullmatch(r"tasks\.map_scale_[0-9a-f]{32}-arraynode", task.id.name)
    assert task.task_type_version == 1
    inputs = task.interface.inputs.variables
    assert inputs["x"].type == types_pb2.LiteralType(collection_type=INT)
    assert inputs["factor"].type == FLOAT
    assert inputs["label"].type == STR
    assert task.interface.outputs.variables["o0"].type == types_pb2.LiteralType(collection_type=FLOAT)
    assert list(task.container.args) == b.pyflyte_map_execute_args(
        b.pyflyte_execute_args("tasks", "scale"), ["factor", "label"]
    )
    assert built.template.interface.outputs.variables["o0"].type == types_pb2.LiteralType(collection_type=FLOAT)


def test_map_task_defaults() -> None:
    with b.workflow("wf.map", inputs={"xs": list[int]}) as wf:
        wf.outputs(o0=b.map_task(inc)(x=wf.inputs.xs))
    array = wf.build().template.nodes[0].array_node
    assert array.WhichOneof("parallelism_option") is None  # left to the platform
    assert array.WhichOneof("success_criteria") == "min_success_ratio"
    assert array.min_success_ratio == 1.0


def test_map_task_settings() -> None:
    mapped = b.map_task(
        inc,
        min_success_ratio=0.75,
        execution_mode="full_state",
        data_mode="individual_input_files",
        run_all_sub_nodes=True,
    )
    with b.workflow("wf.map", inputs={"xs": list[int]}) as wf:
        wf.outputs(o0=mapped(x=[1, wf.inputs.xs[0], 3]))
    built = wf.build()
    array = built.template.nodes[0].array_node
    assert array.min_success_ratio == 0.75
    assert array.execution_mode == workflow_pb2.ArrayNode.FULL_STATE
    assert array.data_mode == workflow_pb2.ArrayNode.INDIVIDUAL_INPUT_FILES
    assert array.run_all_sub_nodes
    # below a ratio of 1, a single output is a list of optional values (flytekit's)
    element = built.template.interface.outputs.variables["o0"].type.collection_type
    assert [v.structure.tag for v in element.union_type.variants] == ["int", "none"]


def test_mapping_the_same_task_twice_gives_one_mapped_task() -> None:
    with b.workflow("wf.map", inputs={"xs": list[int]}) as wf:
        first = b.map_task(inc)(x=wf.inputs.xs)
        second = b.map_task(inc)(x=first)
        third = b.map_task(inc, concurrency=2)(x=second)
        wf.outputs(o0=third)
    names = sorted(t.id.name for t in wf.build().tasks)
    assert len(names) == 2  # the concurrency is part of the mapped task's name


def _one() -> b.Workflow:
    with b.workflow("wf.one", inputs={"x": int, "y": str}) as wf:
        wf.outputs(o0=shout(s=wf.inputs.y))
    return wf.build()


@pytest.mark.parametrize("kind", ["workflow", "launch-plan"])
def test_mapping_a_workflow_or_launch_plan_keeps_its_interface(kind: str) -> None:
    """The sub-node keeps the original interface (``is_original_sub_node_interface``). Flyte 1.16's compiler
    checks an array node against its sub-node's interface as it is, so the validator reports the list inputs and
    outputs as MismatchingTypes: documented behaviour, see tests/build/goldens/wf_map_launch_plan."""
    one = _one()
    target: b.Workflow | b.LaunchPlanRef = one if kind == "workflow" else one.launch_plan_ref("wf.one_lp")
    with b.workflow("wf.many", inputs={"xs": list[int]}) as wf:
        result = b.map_task(target, bound_inputs=["y"], concurrency=2)(x=wf.inputs.xs, y="s")
        wf.outputs(o0=result)
    with pytest.raises(ValidationError) as err:
        wf.build()
    assert error_codes(err.value.diagnostics) == [
        ("MismatchingTypes", "nodes[0].inputs[0].binding.promise"),
        ("MismatchingTypes", "outputs[0].binding.promise"),
    ]
    built = wf.build(validate=False)
    array = built.template.nodes[0].array_node
    assert array.is_original_sub_node_interface.value is True
    assert array.execution_mode == workflow_pb2.ArrayNode.FULL_STATE  # workflows' default
    reference = array.node.workflow_node
    if kind == "workflow":
        assert reference.sub_workflow_ref == one.id
        assert [s.id.name for s in built.subworkflows] == ["wf.one"]
    else:
        assert reference.launchplan_ref.name == "wf.one_lp"
        assert reference.launchplan_ref.resource_type == identifier_pb2.LAUNCH_PLAN
        assert [p.id.name for p in built.launch_plans] == ["wf.one_lp"]
    assert built.template.interface.outputs.variables["o0"].type == types_pb2.LiteralType(collection_type=STR)


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"min_successes": 1, "min_success_ratio": 0.5}, "map_task('tasks.inc')"),  # one oneof
        ({"min_success_ratio": 1.5}, "map_task('tasks.inc'): min_success_ratio"),
        ({"min_success_ratio": -0.1}, "map_task('tasks.inc'): min_success_ratio"),
        ({"min_successes": -1}, "map_task('tasks.inc'): min_successes"),
        ({"concurrency": -1}, "map_task('tasks.inc'): concurrency"),
        ({"concurrency": True}, "map_task('tasks.inc'): concurrency"),
        ({"bound_inputs": ["y"]}, "map_task('tasks.inc'): bound_inputs"),
        ({"bound_inputs": "x"}, "map_task('tasks.inc'): bound_inputs"),
        ({"execution_mode": "fast"}, "map_task('tasks.inc'): execution_mode"),
        ({"data_mode": "files"}, "map_task('tasks.inc'): data_mode"),
        ({"concurrency": 2**32}, "map_task('tasks.inc'): concurrency"),  # parallelism is a uint32
        ({"min_successes": 2**40}, "map_task('tasks.inc'): min_successes"),
        ({"min_success_ratio": "0.5"}, "map_task('tasks.inc'): min_success_ratio"),
        ({"bound_inputs": None}, "map_task('tasks.inc'): bound_inputs"),
        ({"execution_mode": []}, "map_task('tasks.inc'): execution_mode"),
        ({"data_mode": {}}, "map_task('tasks.inc'): data_mode"),
        ({"run_all_sub_nodes": "no"}, "map_task('tasks.inc'): run_all_sub_nodes"),
    ],
)
def test_bad_map_tasks(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.map_task(inc, **kwargs)
    assert err.value.where == where


def test_map_task_maps_tasks_workflows_and_launch_plans() -> None:
    with pytest.raises(BuildError) as err:
        b.map_task("tasks.inc")  # type: ignore[arg-type]
    assert err.value.where == "map_task('tasks.inc'): target"


def test_mapped_inputs_take_lists() -> None:
    with b.workflow("wf.map", inputs={"x": int}) as wf, pytest.raises(BuildError) as err:
        b.map_task(inc)(x=wf.inputs.x)
    assert err.value.where == "node n0 (map tasks.inc): x="


# --------------------------------------------------------------------------------------------------------------
# Subworkflows and launch plans


def _layers() -> tuple[b.Workflow, b.Task]:
    pinned = make_task("tasks.pinned", inputs={"x": int}, outputs={"o0": int}, project="shared", version="v9")
    with b.workflow("wf.leaf", inputs={"a": int}) as leaf:
        leaf.outputs(o0=pinned(x=inc(x=leaf.inputs.a)))
    with b.workflow("wf.middle", inputs={"a": int}, interruptible=True) as middle:
        middle.outputs(o0=leaf.build()(a=middle.inputs.a))
    return middle.build(), pinned


def test_subworkflows_inherit_the_callers_identity() -> None:
    """Empty project, domain, version (and org) of what a workflow calls are the calling workflow's."""
    middle, _ = _layers()
    lp = b.launch_plan_ref("lp.daily", inputs={"x": int}, outputs={"r": int})
    with b.workflow("wf.top", inputs={"x": int}, project="p", domain="d", version="v1", org="o") as wf:
        first = middle(a=wf.inputs.x)
        second = middle(a=first)
        wf.outputs(o0=inc(x=lp(x=second).r))
    built = wf.build()
    resolved = {"project": "p", "domain": "d", "version": "v1", "org": "o"}

    def identity(ident: identifier_pb2.Identifier) -> tuple[str, str, str, str]:
        return (ident.project, ident.domain, ident.version, ident.org)

    expected = tuple(resolved.values())
    assert sorted(s.id.name for s in built.subworkflows) == ["wf.leaf", "wf.middle"]  # embedded once each
    for sub in built.subworkflows:
        assert identity(sub.id) == expected
    tasks = {t.id.name: t.id for t in built.tasks}
    assert sorted(tasks) == ["tasks.inc", "tasks.pinned"]
    assert identity(tasks["tasks.inc"]) == expected
    # fields a task set itself are kept
    assert identity(tasks["tasks.pinned"]) == ("shared", "d", "v9", "o")
    for node in [*all_nodes(built.template), *(n for s in built.subworkflows for n in all_nodes(s))]:
        kind = node.WhichOneof("target")
        ref = node.task_node.reference_id if kind == "task_node" else None
        reference = node.workflow_node.WhichOneof("reference")
        if kind == "workflow_node" and reference is not None:
            ref = getattr(node.workflow_node, reference)
        if ref is not None and ref.name != "tasks.pinned":
            assert identity(ref) == expected, node.id
    assert [identity(p.id) for p in built.launch_plans] == [expected]
    assert built.validate() == []


def test_subworkflow_node() -> None:
    middle, _ = _layers()
    with b.workflow("wf.top", inputs={"x": int}) as wf:
        wf.outputs(o0=middle(a=wf.inputs.x))
    node = wf.build().template.nodes[0]
    assert node.workflow_node.sub_workflow_ref == middle.id
    assert node.metadata.name == "middle"
    assert node.metadata.HasField("retries")
    # the subworkflow's default interruptibility, written as flytekit writes it
    assert node.metadata.WhichOneof("interruptible_value") == "interruptible"
    assert node.metadata.interruptible is True


def test_subworkflow_defaults_bind_left_out_inputs() -> None:
    with b.workflow("wf.sub", inputs={"a": int, "b": b.Input(int, default=4)}) as sub_builder:
        sub_builder.outputs(o0=add(a=sub_builder.inputs.a, b=sub_builder.inputs.b))
    sub = sub_builder.build()
    with b.workflow("wf.top", inputs={"x": int}) as wf:
        wf.outputs(o0=sub(a=wf.inputs.x))
    assert _bindings(wf.build().template.nodes[0])["b"] == _int(4)


def test_a_workflow_cannot_call_itself() -> None:
    built = _simple_workflow("wf.self")
    with b.workflow("wf.self", inputs={"x": int}), pytest.raises(BuildError) as err:
        built(x=1)
    assert err.value.where == "workflow 'wf.self': 'wf.self'"


def test_two_tasks_with_one_identifier_are_refused() -> None:
    other = make_task("tasks.inc", inputs={"x": int}, outputs={"o0": int}, image="other:1")
    with b.workflow("wf.clash", inputs={"x": int}):
        inc(x=1)
        with pytest.raises(BuildError) as err:
            other(x=2)
    assert err.value.where == "workflow 'wf.clash': task 'tasks.inc'"


def test_launch_plan_node() -> None:
    daily = b.launch_plan_ref(
        "etl.daily",
        project="shared",
        domain="production",
        version="2024-01",
        inputs={"day": str, "limit": b.Input(int, default=10)},
        outputs={"rows": int},
    )
    with b.workflow("wf.caller", inputs={"day": str}, project="p", domain="d", version="v") as wf:
        result = daily(day=wf.inputs.day)
        wf.outputs(o0=inc(x=result.rows))
    built = wf.build()
    node = built.template.nodes[0]
    assert node.metadata.name == "daily"
    assert node.workflow_node.launchplan_ref == identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN,
        project="shared",
        domain="production",
        name="etl.daily",
        version="2024-01",
    )
    assert _bindings(node)["limit"] == _int(10)
    (plan,) = built.launch_plans
    assert plan.id == node.workflow_node.launchplan_ref
    parameters = plan.closure.expected_inputs.parameters
    assert parameters["day"].required
    assert parameters["limit"].default.scalar.primitive.integer == 10
    assert list(plan.closure.expected_outputs.variables) == ["rows"]


def test_launch_plan_ref_of_a_built_workflow() -> None:
    wf = _with_defaults()
    ref = wf.launch_plan_ref()
    assert ref.name == "wf.defaults"
    assert ref.input_names == wf.input_names
    assert ref.id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", name="wf.defaults", version="v"
    )
    with b.workflow("wf.caller", inputs={"x": int}) as caller:
        caller.outputs(o0=ref(x=caller.inputs.x))
    built = caller.build()
    node = built.template.nodes[0]
    assert node.metadata.name == "defaults"
    assert sorted(_bindings(node)) == ["maybe", "names", "ratio", "when", "x"]
    plan = built.launch_plans[0]
    assert sorted(plan.closure.expected_inputs.parameters) == sorted(wf.default_inputs().parameters)
    assert plan.closure.expected_inputs.parameters["x"].required


def test_launch_plan_ref_describes_defaults_as_the_launch_plan_does() -> None:
    wf = _with_defaults()
    with b.workflow("wf.caller", inputs={"x": int}) as caller:
        caller.outputs(o0=wf.launch_plan_ref()(x=caller.inputs.x))
    plan = caller.build().launch_plans[0]
    assert plan.closure.expected_inputs == wf.launch_plan().spec.default_inputs


def test_bad_launch_plan_refs() -> None:
    with pytest.raises(BuildError) as err:
        b.launch_plan_ref("")
    assert err.value.where == "launch_plan_ref"
    with pytest.raises(BuildError) as err:
        b.launch_plan_ref("lp", inputs={"x": set})
    assert err.value.where == "launch plan 'lp': inputs.x"


# --------------------------------------------------------------------------------------------------------------
# Workflow metadata, failure node


def test_workflow_metadata() -> None:
    wf = _simple_workflow(
        failure_policy="fail_after_executable_nodes_complete",
        interruptible=True,
        tags={"team": "data"},
        quality_of_service="high",
    )
    md = wf.template.metadata
    assert md.on_failure == workflow_pb2.WorkflowMetadata.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
    assert dict(md.tags) == {"team": "data"}
    assert md.quality_of_service.tier == execution_pb2.QualityOfService.HIGH
    assert wf.template.metadata_defaults.interruptible is True


def test_workflow_metadata_defaults() -> None:
    wf = _simple_workflow()
    assert wf.template.metadata == workflow_pb2.WorkflowMetadata()
    assert wf.template.HasField("metadata_defaults")  # present though empty, as flytekit writes it
    assert not wf.template.metadata_defaults.interruptible


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ({"failure_policy": "never"}, "workflow 'wf.simple': failure_policy"),
        ({"quality_of_service": "ultra"}, "workflow 'wf.simple': quality_of_service"),
        ({"tags": {"a": 1}}, "workflow 'wf.simple': tags['a']"),
        ({"inputs": {"x": set}}, "workflow 'wf.simple': inputs.x"),
        ({"outputs": {"y": set}}, "workflow 'wf.simple': outputs.y"),
        # promises name workflow inputs and outputs: letters, digits and _ only
        ({"inputs": {"a-b": int}}, "workflow 'wf.simple': inputs.a-b"),
        ({"outputs": {"a.b": int}}, "workflow 'wf.simple': outputs.a.b"),
    ],
)
def test_bad_workflow_settings(settings: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.workflow("wf.simple", **settings)
    assert err.value.where == where


def test_on_failure_binds_same_named_inputs() -> None:
    with b.workflow("wf.guarded", inputs={"x": int, "name": str}) as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
        handler = wf.on_failure(cleanup)
    built = wf.build()
    node = built.template.failure_node
    assert node.id == "fn0"
    assert handler.id == "fn0"
    assert node.task_node.reference_id == cleanup.id
    assert [(i.var, i.binding) for i in node.inputs] == [("name", _promise("", "name")), ("x", _promise("", "x"))]
    assert [n.id for n in built.template.nodes] == ["n0"]  # the failure node is no ordinary node


def test_on_failure_with_explicit_inputs_and_a_workflow() -> None:
    with b.workflow("wf.handler", inputs={"x": int}) as handler_builder:
        noop(x=handler_builder.inputs.x)
    handler = handler_builder.build()
    with b.workflow("wf.guarded", inputs={"y": int}) as wf:
        wf.outputs(o0=inc(x=wf.inputs.y))
        node = wf.on_failure(handler, x=wf.inputs.y)
        node.with_overrides(retries=2)
    built = wf.build()
    assert built.template.failure_node.workflow_node.sub_workflow_ref == handler.id
    assert built.template.failure_node.metadata.retries.retries == 2  # the handle writes into the failure node
    assert [s.id.name for s in built.subworkflows] == ["wf.handler"]


def test_bad_failure_nodes() -> None:
    with b.workflow("wf.guarded", inputs={"x": int, "name": str}) as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
        with pytest.raises(BuildError) as err:
            wf.on_failure("cleanup")  # type: ignore[arg-type]
        assert err.value.where == "workflow 'wf.guarded': on_failure"
        wf.on_failure(cleanup)
        with pytest.raises(BuildError) as err:
            wf.on_failure(cleanup)
        assert err.value.where == "workflow 'wf.guarded': on_failure"


# --------------------------------------------------------------------------------------------------------------
# Node ids


def test_node_ids_are_unique_dns_labels_across_nesting() -> None:
    with b.workflow("wf.ids", inputs={"x": int, "xs": list[int]}) as wf:
        x = wf.inputs.x
        first = inc(x=x)
        inner = b.conditional("inner").if_(x > 2).then(inc(x=1)).else_().then(inc(x=2))
        outer = b.conditional("outer").if_(x > 1).then(inc(x=inner)).elif_(x < 0).then(inc(x=first)).else_()
        branch = outer.then(inc(x=3))
        mapped = b.map_task(inc)(x=wf.inputs.xs)
        wf.outputs(o0=branch, o1=mapped)
        wf.on_failure(noop)
    ids = [n.id for n in all_nodes(wf.build().template)]
    assert len(ids) == len(set(ids))
    assert all(DNS_1123_LABEL.match(i) for i in ids)
    assert sorted(ids) == sorted(["fn0", *(f"n{i}" for i in range(len(ids) - 1))])


# --------------------------------------------------------------------------------------------------------------
# Dynamic job specs


# ``with b.dynamic_job() as dj`` types ``dj`` as a WorkflowBuilder (whose build() gives a Workflow): the builder is
# kept apart to call its own build().


def test_dynamic_job() -> None:
    builder = b.dynamic_job(version="v2")
    with builder as dj:
        first = inc(x=1)
        second = inc(x=first)
        dj.outputs(o0=second)
    spec = builder.build()
    assert isinstance(spec, dynamic_job_pb2.DynamicJobSpec)
    assert [n.id for n in spec.nodes] == ["n0", "n1"]
    assert spec.min_successes == 2  # every node
    assert [o.var for o in spec.outputs] == ["o0"]
    assert [t.id.name for t in spec.tasks] == ["tasks.inc"]
    assert spec.tasks[0].id.version == "v2"  # identity inheritance works here too
    assert spec.nodes[0].task_node.reference_id.version == "v2"
    assert_round_trips(spec)


def dynamic_job_with_a_subworkflow() -> None:
    sub = _simple_workflow("wf.sub")
    builder = b.dynamic_job(min_successes=1, outputs={"o0": int})
    with builder as dj:
        dj.outputs(o0=sub(x=3))
        inc(x=4)
    spec = builder.build()
    assert spec.min_successes == 1
    assert [s.id.name for s in spec.subworkflows] == ["wf.sub"]
    assert spec.nodes[0].workflow_node.sub_workflow_ref == sub.id


def test_dynamic_job_min_successes_and_subworkflows() -> None:
    if OLD_UPB:  # in a child process: the crash would take the whole test run down
        _run_isolated("dynamic_subworkflow")
    else:
        dynamic_job_with_a_subworkflow()


def test_bad_dynamic_jobs() -> None:
    with pytest.raises(BuildError) as err:
        b.dynamic_job(min_successes=-1)
    assert err.value.where == "dynamic job: min_successes"
    with b.dynamic_job() as dj:
        dj.outputs(o0=b.map_task(_one().launch_plan_ref("wf.one_lp"))(x=[1, 2], y=["a", "b"]))
    with pytest.raises(ValidationError) as failed:
        dj.build()  # a mapped launch plan keeps its interface: list values do not fit it (documented behaviour)
    assert error_codes(failed.value.diagnostics) == [
        ("MismatchingBindings", "nodes[0].inputs[0].binding"),
        ("MismatchingBindings", "nodes[0].inputs[1].binding"),
    ]


# --------------------------------------------------------------------------------------------------------------
# Built workflows


def test_closure() -> None:
    wf = _simple_workflow()
    closure = wf.closure
    assert isinstance(closure, workflow_closure_pb2.WorkflowClosure)
    assert closure.workflow == wf.template
    assert list(closure.tasks) == wf.tasks
    assert_round_trips(closure)


def test_closure_refuses_subworkflows() -> None:
    middle, _ = _layers()
    with pytest.raises(BuildError) as err:
        middle.closure  # noqa: B018
    assert err.value.where == "workflow 'wf.middle'"


def test_spec() -> None:
    middle, _ = _layers()
    spec = middle.spec()
    assert spec.template == middle.template
    assert [s.id.name for s in spec.sub_workflows] == ["wf.leaf"]
    with b.workflow("wf.documented", inputs={"x": int}, docs="Short.\n\nLonger.") as wf:
        wf.outputs(o0=inc(x=wf.inputs.x))
    described = wf.build().spec().description
    assert described.short_description == "Short."
    assert described.long_description.value == "Short.\n\nLonger."


def test_task_specs() -> None:
    wf = _simple_workflow()
    specs = wf.task_specs()
    assert [s.template for s in specs] == wf.tasks


def test_compile() -> None:
    middle, _ = _layers()
    compiled = middle.compile()
    assert isinstance(compiled, compiler_pb2.CompiledWorkflowClosure)
    assert compiled.primary.template.id == middle.id
    assert [s.template.id.name for s in compiled.sub_workflows] == ["wf.leaf"]
    assert sorted(t.template.id.name for t in compiled.tasks) == ["tasks.inc", "tasks.pinned"]
    assert compiled.primary.HasField("connections")
    assert_round_trips(compiled)


def test_build_raises_with_every_diagnostic() -> None:
    one = _one()
    with b.workflow("wf.many", inputs={"xs": list[int], "ys": list[str]}) as wf:
        by_workflow = b.map_task(one)(x=wf.inputs.xs, y=wf.inputs.ys)
        by_plan = b.map_task(one.launch_plan_ref("wf.one_lp"))(x=wf.inputs.xs, y=wf.inputs.ys)
        wf.outputs(a=by_workflow, b=by_plan)
    with pytest.raises(ValidationError) as err:
        wf.build()
    found = error_codes(err.value.diagnostics)
    assert len(found) == 6
    assert {code for code, _ in found} == {"MismatchingTypes"}
    assert {path.split(".")[0] for _, path in found} == {"nodes[0]", "nodes[1]", "outputs[0]", "outputs[1]"}


def test_build_without_validation() -> None:
    one = _one()
    with b.workflow("wf.many", inputs={"xs": list[int], "ys": list[str]}) as wf:
        wf.outputs(o0=b.map_task(one)(x=wf.inputs.xs, y=wf.inputs.ys))
    built = wf.build(validate=False)
    assert error_codes(built.validate()) != []
    with pytest.raises(ValidationError):
        built.check()


def test_build_checks_the_tasks() -> None:
    """build() reports what is wrong in the tasks a workflow runs, with every diagnostic (paths ``tasks[i]...``)."""
    # No entry point: a container task with inputs needs a command or arguments (the builder cannot know it).
    untyped = b.task("tasks.untyped", inputs={"x": int}, outputs={"o0": int}, image="i")
    also = b.task("tasks.also", inputs={"x": int}, image="i")
    with b.workflow("wf.t", inputs={"x": int}) as wf:
        also(x=untyped(x=wf.inputs.x))
    with pytest.raises(ValidationError) as err:
        wf.build()
    assert error_codes(err.value.diagnostics) == [
        ("ValueRequired", "tasks[0].container.command"),
        ("ValueRequired", "tasks[1].container.command"),
    ]
    assert error_codes(wf.build(validate=False).validate()) == error_codes(err.value.diagnostics)


def test_a_valid_workflow_has_no_diagnostics() -> None:
    wf = _simple_workflow()
    assert wf.validate() == []
    wf.check()


# --------------------------------------------------------------------------------------------------------------
# workflow_from_function


class Pair(typing.NamedTuple):
    lo: int
    hi: str


def _named(x: int) -> Pair:
    lo, hi = split(x=x)
    return Pair(lo=inc(x=lo), hi=hi)  # type: ignore[arg-type]


def _tuple(x: int = 3) -> tuple[int, str]:
    parts = split(x=x)
    return parts.lo, parts.hi  # type: ignore[return-value]


def _single(x: int) -> int:
    """Increment x."""
    return inc(x=x)  # type: ignore[return-value]


def _nothing(x: int) -> None:
    noop(x=x)


@pytest.mark.parametrize(
    ("fn", "outputs", "types"),
    [
        (_named, ["lo", "hi"], [INT, STR]),
        (_tuple, ["o0", "o1"], [INT, STR]),
        (_single, ["o0"], [INT]),
        (_nothing, [], []),
    ],
    ids=["named-tuple", "tuple", "single", "none"],
)
def test_workflow_from_function(fn: Callable[..., Any], outputs: list[str], types: list[Any]) -> None:
    wf = b.workflow_from_function(fn, project="p")
    assert wf.name == f"{__name__}.{fn.__name__}"
    assert wf.id.project == "p"
    assert [o.var for o in wf.template.outputs] == outputs
    variables = wf.template.interface.outputs.variables
    assert [variables[name].type for name in outputs] == types


def test_workflow_from_function_defaults_and_docs() -> None:
    wf = b.workflow_from_function(_tuple, name="wf.custom")
    assert wf.name == "wf.custom"
    assert wf.default_inputs().parameters["x"].default.scalar.primitive.integer == 3
    assert b.workflow_from_function(_single).spec().description.short_description == "Increment x."


def _wrong_count(x: int) -> tuple[int, int]:
    return inc(x=x)  # type: ignore[return-value]


def _wrong_count_promise(x: int) -> tuple[int, int]:
    return inc(x=x).o0  # type: ignore[return-value]  # a promise: it used to be iterated without end


def _no_annotation(x: int):  # type: ignore[no-untyped-def]
    return inc(x=x)


def _untyped(x):  # type: ignore[no-untyped-def]
    return inc(x=x)


def _wrong_type(x: int) -> str:
    return inc(x=x)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("fn", "where"),
    [
        (_wrong_count, "function '_wrong_count'"),
        (_wrong_count_promise, "function '_wrong_count_promise'"),
        (_no_annotation, "function '_no_annotation'"),
        (_untyped, "function '_untyped'"),
        (_wrong_type, "workflow 'tests.build.test_workflows._wrong_type': outputs: o0="),
    ],
)
def test_bad_workflow_functions(fn: Callable[..., Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.workflow_from_function(fn)
    assert err.value.where == where.replace("tests.build.test_workflows", __name__)


def test_interruptible_is_a_bool_for_workflows_and_nodes() -> None:
    with pytest.raises(BuildError) as err:
        b.workflow("wf.flag", interruptible="no")  # type: ignore[arg-type]
    assert err.value.where == "workflow 'wf.flag': interruptible"
    with b.workflow("wf.node_flag", inputs={"x": int}) as wf, pytest.raises(BuildError) as err:
        inc(x=wf.inputs.x).with_overrides(interruptible="false")  # type: ignore[arg-type]
    assert err.value.where.endswith(".interruptible")


def test_a_promise_cannot_be_unpacked() -> None:
    with b.workflow("wf.unpack", inputs={"x": int}) as wf, pytest.raises(BuildError) as err:
        _lo, _hi = inc(x=wf.inputs.x).o0  # a mistake for split(...): it used to hang
    assert err.value.where == "n0.o0"


def test_workflow_from_function_validates_unless_told() -> None:
    one = _one()

    def many(xs: list[int], ys: list[str]) -> list[str]:
        return b.map_task(one)(x=xs, y=ys)  # type: ignore[return-value]

    with pytest.raises(ValidationError):
        b.workflow_from_function(many)
    assert b.workflow_from_function(many, validate=False).name.endswith("many")


# --------------------------------------------------------------------------------------------------------------
# Formats, determinism, size


def _rich() -> b.Workflow:
    middle, _ = _layers()
    lp = b.launch_plan_ref("lp.daily", inputs={"x": int, "y": b.Input(str, default="d")}, outputs={"r": int})
    inputs = {"x": int, "f": b.Input(float, default=0.25), "xs": b.Input(list[int], default=[1, 2])}
    with b.workflow("wf.rich", inputs=inputs, project="p", domain="d", version="v1", tags={"t": "1"}) as wf:
        x = wf.inputs.x
        first = inc(x=x).with_overrides(retries=2, requests=b.Resources(cpu="1"))
        sub = middle(a=first)
        planned = lp(x=sub)
        mapped = b.map_task(inc, concurrency=2)(x=[first, 1, wf.inputs.xs[0]])
        gated = b.approve(planned.r, "ok")
        signal = b.wait_for_input("extra", expected_type=float)
        pause = b.sleep(datetime.timedelta(seconds=5))
        total = gather(xs=mapped, named={"a": gated, "b": 2})
        pause >> total
        flag = check(x=total)
        branch = (
            b.conditional("pick")
            .if_((wf.inputs.f > 1) & (total.o0 != 0))
            .then(half(x=signal))
            .elif_(flag.is_true() | (x < 0))
            .then(half(x=wf.inputs.f))
            .else_()
            .fail("nothing fits")
        )
        wf.outputs(o0=branch, o1=total)
        wf.on_failure(cleanup, x=x, name="rich")
    return wf.build()


@pytest.mark.parametrize("which", ["template", "spec", "compiled", "launch_plan", "tasks"])
def test_round_trips(which: str) -> None:
    wf = _rich()
    messages: dict[str, list[Any]] = {
        "template": [wf.template],
        "spec": [wf.spec()],
        "compiled": [wf.compile()],
        "launch_plan": [wf.launch_plan(), *wf.launch_plans],
        "tasks": [*wf.tasks, *wf.task_specs()],
    }
    for message in messages[which]:
        assert_round_trips(message)


def test_the_rich_workflow_validates() -> None:
    assert _rich().validate() == []


def test_same_code_same_bytes() -> None:
    first, second = _rich(), _rich()
    assert io.to_binary(first.spec()) == io.to_binary(second.spec())
    assert io.to_binary(first.compile()) == io.to_binary(second.compile())
    assert io.to_binary(first.launch_plan()) == io.to_binary(second.launch_plan())
    assert [io.to_binary(t) for t in first.tasks] == [io.to_binary(t) for t in second.tasks]
    assert [io.to_binary(p) for p in first.launch_plans] == [io.to_binary(p) for p in second.launch_plans]


# A long chain builds without recursion: 100,000 nodes on upb; 20,000 on the pure-Python backend, which makes messages
# several times slower (some 7 s for 100,000 calls), and is far beyond any recursion limit all the same. build()
# checks what its builders could not check as they wrote (for a chain, little); the whole validator and the compiler
# run on a shorter chain (the validator takes 2.6 s for 100,000 nodes on upb), still longer than the recursion limit.
CHAIN = 20_000 if PURE_PYTHON else 100_000
VALIDATED_CHAIN = 3_000 if PURE_PYTHON else 5_000


def _chain(length: int, validate: bool) -> b.Workflow:
    with b.workflow("wf.chain", inputs={"x": int}) as wf:
        p: Any = wf.inputs.x
        for _ in range(length):
            p = inc(x=p)
        wf.outputs(o0=p)
    return wf.build(validate=validate)


def test_a_long_chain_builds() -> None:
    wf = _chain(CHAIN, validate=True)
    nodes = wf.template.nodes
    assert len(nodes) == CHAIN
    assert nodes[-1].id == f"n{CHAIN - 1}"
    assert list(nodes[-1].upstream_node_ids) == [f"n{CHAIN - 2}"]
    assert wf.template.outputs[0].binding == _promise(f"n{CHAIN - 1}", "o0")


def test_a_long_chain_validates_and_compiles() -> None:
    wf = _chain(VALIDATED_CHAIN, validate=True)
    assert wf.validate() == []
    compiled = wf.compile()
    assert len(compiled.primary.template.nodes) == VALIDATED_CHAIN + 2  # with the start and end nodes


def deep_conditional(depth: int, validate: bool) -> None:
    """A conditional in the first case of a conditional... ``depth`` deep, built (and validated)."""
    with b.workflow("wf.deep", inputs={"x": int}) as wf:
        x = wf.inputs.x
        cases = [b.conditional(f"c{d}").if_(x > d) for d in range(depth)]
        node = inc(x=x)
        for case in reversed(cases):
            node = case.then(node).else_().then(inc(x=x))
        wf.outputs(o0=node)
    built = wf.build(validate=validate)
    found, message = 0, built.template.nodes[0]
    while message.HasField("branch_node"):
        found, message = found + 1, message.branch_node.if_else.case.then_node
    assert found == depth


# The 1,000-deep conditional is built in a child process: the builder copies each finished case into its branch node
# (CopyFrom), which crashes protobuf 4.21's upb (SIGSEGV) about 28 levels deep, and would take the whole test run down.
# On the pure-Python backend the copies recurse (RecursionError about 250 levels deep, after some 12 s of quadratic
# copying); a builder that does not recurse does not care about the recursion limit, so the child lowers it to fail
# fast, and builds without validation (the pure-Python runtime's own writers recurse: docs of flytespec.io).
_DEEP = """
import sys
from tests.build.test_workflows import deep_conditional, PURE_PYTHON
if PURE_PYTHON:
    sys.setrecursionlimit(400)
deep_conditional(1000, validate=not PURE_PYTHON)
print("ok")
"""
_DYNAMIC = """
from tests.build.test_workflows import dynamic_job_with_a_subworkflow
dynamic_job_with_a_subworkflow()
print("ok")
"""
ROOT = Path(__file__).resolve().parents[2]


def _run_isolated(case: str) -> None:
    """Run a case in a child process, where a crash of the protobuf runtime fails the test, not the test run."""
    code = {"deep_conditional": _DEEP, "dynamic_subworkflow": _DYNAMIC}[case]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_deep_conditional_builds_without_recursion_error() -> None:
    _run_isolated("deep_conditional")


def test_map_task_takes_its_bound_inputs_as_a_set_too() -> None:
    """Their order carries nothing (they are written sorted): a set was taken, and is again since map_task's
    arguments are checked by their type hints."""
    scale = b.task(
        "tasks.scale",
        inputs={"x": int, "factor": int, "label": str},
        outputs={"o0": int},
        image="img:1",
        command=["run"],
    )
    from_set = b.map_task(scale, bound_inputs={"label", "factor"})
    from_list = b.map_task(scale, bound_inputs=["factor", "label"])
    with b.workflow("wf.set", inputs={"xs": list[int]}) as wf:
        a = from_set(x=wf.inputs.xs, factor=2, label="s")
        c = from_list(x=wf.inputs.xs, factor=2, label="s")
    built = wf.build()
    nodes = {n.id: n for n in built.template.nodes}
    assert list(nodes[a.id].array_node.bound_inputs) == list(nodes[c.id].array_node.bound_inputs) == ["factor", "label"]
    with pytest.raises(BuildError) as err:
        b.map_task(scale, bound_inputs={"label", 3})  # type: ignore[arg-type]
    assert err.value.where == "map_task('tasks.scale'): bound_inputs[1]"  # elements in repr order: '3' after "'label'"
    with pytest.raises(BuildError) as err:
        b.MappedTask(  # built directly, it is checked the same way
            "tasks.scale",  # type: ignore[arg-type]
            concurrency=None,
            min_successes=None,
            min_success_ratio=None,
            bound_inputs=(),
            execution_mode=None,
            data_mode=None,
            run_all_sub_nodes=False,
        )
    assert err.value.where == "map_task('tasks.scale'): target"
