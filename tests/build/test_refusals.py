"""What the builders refuse, or keep, rather than change silently or fail with a bare Python or protobuf error.

Each case was found by probing the builders with unusual values; before its fix it raised a bare exception, or built
a spec that dropped or changed what was given (the docstrings say which).
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from collections.abc import Callable
from typing import Any

import pytest

from flytespec import build as b
from flytespec import io
from flytespec.errors import BuildError
from flytespec.validate import errors
from tests.build._support import make_task


def _inc() -> b.Task:
    return make_task("m.inc", inputs={"x": int}, outputs={"o0": int})


def test_two_different_subworkflows_with_one_identifier_are_refused() -> None:
    """The second was replaced by the first: the node calling it ran the other workflow."""
    inc = _inc()
    with b.workflow("m.sub", inputs={"x": int}) as sub:
        sub.outputs(o=inc(x=sub.inputs.x))
    first = sub.build()
    with b.workflow("m.sub", inputs={"x": int}) as sub:
        sub.outputs(o=inc(x=inc(x=sub.inputs.x)))
    second = sub.build()
    with pytest.raises(BuildError) as err, b.workflow("m.main") as wf:
        wf.outputs(a=first(x=1), b=second(x=2))
    assert err.value.where == "workflow 'm.main': subworkflow 'm.sub'"
    with b.workflow("m.main") as wf:  # the same one twice, or an equal one built again: fine
        wf.outputs(a=first(x=1), b=first(x=2))
    assert len(wf.build().subworkflows) == 1


def test_two_different_launch_plans_with_one_identifier_are_refused() -> None:
    """The second's interface was dropped: the node bound inputs the kept interface does not have."""
    one = b.launch_plan_ref("m.lp", inputs={"x": int}, outputs={"o": int})
    other = b.launch_plan_ref("m.lp", inputs={"y": str}, outputs={"q": str})
    with pytest.raises(BuildError) as err, b.workflow("m.main") as wf:
        wf.outputs(a=one(x=1), b=other(y="s"))
    assert err.value.where == "workflow 'm.main': launch plan 'm.lp'"
    described = b.launch_plan_ref("m.lp", inputs={"x": b.Input(int, description="a count")}, outputs={"o": int})
    with b.workflow("m.main") as wf:  # the same plan, described otherwise: fine
        wf.outputs(a=one(x=1), b=described(x=2))


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda: make_task("t", custom={"a": [1.0, float("nan")]}), "task 't': custom['a'][1]"),
        (lambda: b.to_literal({"a": float("inf")}, dict), "value['a']"),
        (lambda: make_task("t", inputs={"d": b.Input(dict, default={"x": float("-inf")})}), "task 't': inputs.d"),
    ],
    ids=["custom", "untyped-dict", "default"],
)
def test_nan_and_infinity_are_refused_in_structs(make: Callable[[], object], where: str) -> None:
    """A Struct holding NaN was built, and the spec could not be written as JSON (EncodeError)."""
    with pytest.raises(BuildError) as err:
        make()
    assert err.value.where.startswith(where)


@pytest.mark.parametrize(
    ("value", "python_type"),
    [
        (10**400, float),  # OverflowError before
        (2**53 + 1, float),  # written as 9007199254740992.0 before
        (datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))), datetime.datetime),
    ],
    ids=["huge-int", "inexact-int", "before-year-1"],
)
def test_values_a_literal_cannot_hold_exactly_are_refused(value: Any, python_type: Any) -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(value, python_type, "v")
    assert err.value.where == "v"
    assert b.to_literal(2**53, float).scalar.primitive.float_value == 2**53


def test_dataclass_defaults_are_written_as_their_json_values() -> None:
    """A datetime or timedelta default raised protobuf's bare ValueError ("Unexpected type"); NaN was written into the
    schema, which JSON cannot hold."""

    @dataclasses.dataclass
    class Window:
        start: datetime.datetime = datetime.datetime(2024, 1, 1)
        length: datetime.timedelta = datetime.timedelta(minutes=1)

    schema = io.to_dict(b.literal_type(Window).metadata)["properties"]
    assert schema["start"]["default"] == "2024-01-01T00:00:00"
    assert schema["length"]["default"] == 60

    @dataclasses.dataclass
    class Ratio:
        value: float = float("nan")

    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(Ratio, "x")
    assert err.value.where == "x.value.default"


@pytest.mark.parametrize("seconds", [1e-12, 4e-10])
def test_durations_shorter_than_a_nanosecond_are_refused(seconds: float) -> None:
    """They were rounded to zero: a timeout of 1e-12 s became no timeout, a sleep an invalid zero sleep."""
    with pytest.raises(BuildError) as err:
        make_task("t", timeout=seconds)
    assert err.value.where == "task 't': timeout"
    assert make_task("t", timeout=6e-10).template.metadata.timeout.nanos == 1


def test_a_default_of_none_needs_a_type_that_takes_none() -> None:
    """It was written as a none_type literal for an int input: the launch plan failed validation."""
    with pytest.raises(b.TypeConversionError) as err, b.workflow("m.w", inputs={"x": b.Input(int, default=None)}):
        pass
    assert err.value.where == "workflow 'm.w': inputs.x.default"
    inc = _inc()
    with b.workflow("m.w", inputs={"x": int, "y": b.Input(typing.Optional[int], default=None)}) as wf:  # noqa: UP045
        inc(x=wf.inputs.x)
    built = wf.build()
    with pytest.raises(b.TypeConversionError) as err:
        built.launch_plan(fixed_inputs={"x": None})
    assert err.value.where == "launch plan 'm.w': fixed_inputs.x"
    assert (
        built.launch_plan(defaults={"y": None}).spec.default_inputs.parameters["y"].default.scalar.HasField("none_type")
    )


def test_an_input_is_a_default_or_fixed_not_both() -> None:
    """The default was dropped silently."""
    inc = _inc()
    with b.workflow("m.w", inputs={"x": int}) as wf:
        inc(x=wf.inputs.x)
    with pytest.raises(BuildError) as err:
        wf.build().launch_plan(defaults={"x": 5}, fixed_inputs={"x": 6})
    assert err.value.where == "launch plan 'm.w': fixed_inputs"


@pytest.mark.parametrize(
    ("output", "step"),
    [(int, 0), (int, "a"), (str, 0), (list[int], "a"), (dict[str, int], 0), (list[int], 2**31), (list[int], -1)],
)
def test_attribute_paths_must_fit_the_type(output: Any, step: Any) -> None:
    """Indexing an int, a list by name, a dict by number passed the validator (Flyte's compiler lets them through)
    and failed when run; an index beyond an int32 raised protobuf's bare ValueError."""
    producer = make_task("m.p", outputs={"o0": output})
    with pytest.raises(BuildError) as err, b.workflow("m.w"):
        producer().o0[step]
    assert err.value.where == "n0.o0"


def test_attribute_paths_into_lists_dicts_and_untyped_dicts_are_kept() -> None:
    producer = make_task("m.p", outputs={"items": list[int], "named": dict[str, int], "free": dict})
    consumer = _inc()
    takes_dict = make_task("m.d", inputs={"x": dict})
    with b.workflow("m.w") as wf:
        p = producer()
        consumer(x=p.items[2])
        consumer(x=p.named["k"])
        takes_dict(x=p.free["a"]["b"])
    nodes = wf.build().template.nodes
    assert [step.int_value for step in nodes[1].inputs[0].binding.promise.attr_path] == [2]
    assert [step.string_value for step in nodes[3].inputs[0].binding.promise.attr_path] == ["a", "b"]


def test_a_pod_task_keeps_its_ports_and_refuses_an_architecture() -> None:
    """Both were dropped silently when the task ran in a pod."""
    pod = b.PodTemplate(pod_spec={"containers": [{"name": "primary", "ports": [{"containerPort": 9000}]}]})
    task = make_task("t", pod_template=pod, ports=[b.port(8080, name="http")])
    spec = io.to_dict(task.template.k8s_pod.pod_spec)
    assert spec["containers"][0]["ports"] == [{"containerPort": 9000}, {"containerPort": 8080, "name": "http"}]
    with pytest.raises(BuildError) as err:
        make_task("t", pod_template=b.PodTemplate(), architecture="arm64")
    assert err.value.where == "task 't': architecture"
    with pytest.raises(BuildError) as err:
        b.PodTemplate(pod_spec={"containers": [{"name": "primary", "ports": {"http": 80}}]})
    assert err.value.where == "PodTemplate.pod_spec.containers[0].ports"


def test_a_mapped_pod_task_runs_the_map_entry_point() -> None:
    """The pod's primary container kept pyflyte-execute (only a bare container's arguments were rewritten)."""
    task = make_task("m.pod", inputs={"x": int}, outputs={"o0": int}, pod_template=b.PodTemplate())
    with b.workflow("m.w") as wf:
        wf.outputs(o=b.map_task(task)(x=[1]))
    built = wf.build()
    (mapped,) = [t for t in built.tasks if "map_" in t.id.name]
    containers = io.to_dict(mapped.k8s_pod.pod_spec)["containers"]
    assert containers[0]["args"][0] == "pyflyte-map-execute"
    assert not errors(built.validate())


def test_pod_specs_and_custom_settings_take_any_mapping() -> None:
    """A MappingProxyType in a pod spec raised a bare TypeError (cannot pickle) from the copy."""
    pod = b.PodTemplate(pod_spec={"containers": [types.MappingProxyType({"name": "primary", "args": ("a",)})]})
    spec = io.to_dict(make_task("t", pod_template=pod).template.k8s_pod.pod_spec)
    assert spec["containers"][0]["name"] == "primary"
    custom = make_task("t", custom={"a": types.MappingProxyType({"b": (1, 2)})}).template.custom
    assert io.to_dict(custom) == {"a": {"b": [1, 2]}}


def test_overriding_one_side_of_a_tasks_resources_keeps_the_other() -> None:
    """For a task made with resources=, override(limits=...) dropped every request (made with requests= and
    limits=, the requests were kept)."""
    task = make_task("t", resources=b.Resources(cpu=(1, 2), mem=("1Gi", "2Gi")))
    resources = task.override(limits=b.Resources(cpu=4, mem="2Gi")).template.container.resources
    assert {e.value for e in resources.requests} == {"1", "1Gi"}
    assert {e.value for e in resources.limits} == {"4", "2Gi"}
    resources = task.override(requests=b.Resources(cpu=2)).template.container.resources
    assert [e.value for e in resources.requests] == ["2"]
    assert {e.value for e in resources.limits} == {"2", "2Gi"}
    with pytest.raises(BuildError) as err:
        task.override(requests=b.Resources(cpu=4))  # above the limit kept
    assert err.value.where == "task 't': limits.cpu"


@dataclasses.dataclass
class _Inner:
    a: int
    names: list[str]


@dataclasses.dataclass
class _Settings:
    i: int
    ratio: float = 0.5
    inner: typing.Optional[_Inner] = None  # noqa: UP045
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"i": "x"}, "v['i']"),
        ({"i": 1, "junk": 1}, "v['junk']"),
        ({"ratio": 1.0}, "v"),
        ({"i": 1.5}, "v['i']"),
        ({"i": 1, "inner": {"a": 1, "names": [3]}}, "v['inner']"),  # Optional[_Inner]: fits none of its types
        ({"i": 1, "counts": {"a": "b"}}, "v['counts']['a']"),
        ({"i": 1, "inner": {"a": 1}}, "v['inner']"),
    ],
    ids=["wrong-type", "unknown-field", "missing-required", "float-for-int", "nested", "map-value", "nested-required"],
)
def test_a_dataclass_in_a_union_checks_its_fields(value: dict[str, Any], where: str) -> None:
    """A union's variant keeps only its tag (as flytekit writes it), so the dataclass's field types were not at hand
    and any dict was accepted; its JSON schema checks the value instead, and the error says where it does not fit."""
    optional: Any = typing.Optional[_Settings]  # noqa: UP045
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(value, optional, "v")
    assert err.value.where == where
    for fine in (_Settings(1, inner=_Inner(2, ["a"])), {"i": 1, "ratio": 2}, None):
        b.to_literal(fine, optional)
    with pytest.raises(b.TypeConversionError), b.workflow("m.w"):
        make_task("m.t", inputs={"s": optional})(s=value)


def test_a_list_bound_to_a_union_takes_the_first_list_variant_that_fits() -> None:
    """Only the first list variant was tried: ["a"] was refused for Union[list[int], list[str]]."""
    union: Any = typing.Union[list[int], list[str]]  # noqa: UP007
    task = make_task("m.t", inputs={"x": union}, outputs={"o0": int})
    producer = make_task("m.p", outputs={"o0": str})
    with b.workflow("m.w") as wf:
        p = producer()
        wf.outputs(a=task(x=["a", p.o0]), b=task(x=[1]))
    built = wf.build()
    strings, ints = (node.inputs[0].binding.collection.bindings for node in built.template.nodes[1:])
    assert strings[0].scalar.primitive.string_value == "a"
    assert strings[1].promise.node_id == "n0"
    assert list(built.template.nodes[1].upstream_node_ids) == ["n0"]
    assert ints[0].scalar.primitive.integer == 1
    assert not errors(built.validate())
    with pytest.raises(b.TypeConversionError), b.workflow("m.w2"):
        task(x=[1.5])


def test_an_input_defaulting_to_none_without_optional_is_required() -> None:
    """``x: int = None`` is flytekit's idiom for a required input with no default; the None default check refused it.
    An explicit Input(int, default=None) is still refused (test_a_default_of_none_needs_a_type_that_takes_none)."""

    def f(x: int = None, y: typing.Optional[int] = None) -> int:  # type: ignore[assignment]  # noqa: RUF013, UP045
        return 0

    task = b.task_from_function(f, image="img:1")
    assert set(task.template.interface.inputs.variables) == {"x", "y"}
    with b.workflow("m.w"):
        task(x=1)  # y has its default
    with pytest.raises(BuildError), b.workflow("m.w"):
        task(y=1)  # x has none
