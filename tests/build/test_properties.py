"""Properties of the builders: random workflows built through them validate, compile, round-trip through every
format and are deterministic.

A random workflow is first drawn as a *plan* (plain data: tasks with random interfaces, then steps that call them
with bindings to earlier outputs of castable types, workflow inputs or constants, lists and dicts mixing both,
``after`` edges, node overrides, conditionals, array nodes, gates, a subworkflow and a launch plan), then built by
:func:`_build`, which only follows the plan. Building one plan twice must give the same bytes.

The budget is the hypothesis profile's (tests/conftest.py: 25 examples; ``HYPOTHESIS_PROFILE=thorough`` for more).
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flytespec import build as b
from flytespec import io
from flytespec._walk import child_nodes
from flytespec.errors import BuildError
from flytespec.validate import errors, validate
from tests.build._support import assert_round_trips, make_task

NoneType = type(None)
SCALARS: list[Any] = [int, float, str, bool]
VALUE_TYPES: list[Any] = [*SCALARS, list[int], list[float], list[str], dict[str, int]]
UNION_TYPES: list[Any] = [int | None, str | None, int | str, list[int] | None]
INPUT_TYPES: list[Any] = VALUE_TYPES + UNION_TYPES
COMPARABLE: list[Any] = [int, float, str]
OPERATORS = ["==", "!=", "<", "<=", ">", ">="]

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------------------------------------------
# The type model: when a value of one type may be bound to an input of another (a subset of Flyte's rules)


def _is_union(t: Any) -> bool:
    return typing.get_origin(t) is typing.Union or isinstance(t, types.UnionType)


def castable(src: Any, dst: Any) -> bool:
    if src == dst:
        return True
    if _is_union(dst):
        return any(castable(src, member) for member in typing.get_args(dst))
    if typing.get_origin(src) is list and typing.get_origin(dst) is list:
        return castable(typing.get_args(src)[0], typing.get_args(dst)[0])
    return False


def _list_element(t: Any) -> Any | None:
    """The element type of a list type, or of the list member of a union (None when there is none)."""
    if typing.get_origin(t) is list:
        return typing.get_args(t)[0]
    if _is_union(t):
        for member in typing.get_args(t):
            if typing.get_origin(member) is list:
                return typing.get_args(member)[0]
    return None


def values(t: Any, empty: bool = True) -> st.SearchStrategy[Any]:
    """Python values of type ``t`` that convert without ambiguity (without empty lists and dicts unless ``empty``)."""
    if t is int:
        return st.integers(-(2**63), 2**63 - 1)
    if t is float:
        return st.floats(allow_nan=False) | st.integers(-(2**53), 2**53)  # an int is a float's value too
    if t is str:
        return st.text(max_size=8)
    if t is bool:
        return st.booleans()
    if t is NoneType:
        return st.none()
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is list:
        return st.lists(values(args[0], empty), min_size=0 if empty else 1, max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), values(args[1], empty), min_size=0 if empty else 1, max_size=3)
    if _is_union(t):
        return st.one_of([values(member, empty) for member in args])
    raise AssertionError(t)


# --------------------------------------------------------------------------------------------------------------
# Plans


@dataclasses.dataclass(frozen=True)
class TaskPlan:
    name: str
    inputs: tuple[tuple[str, Any, tuple[Any, ...]], ...]  # (name, type, () or (default,))
    outputs: tuple[tuple[str, Any], ...]
    settings: tuple[tuple[str, Any], ...]


# A source is ("input", name) or ("out", step, var); a binding is ("ref", source), ("const", value),
# ("list", [bindings]) or ("dict", {key: binding}); a condition is ("cmp", op, source, ("const", v) | ("ref", s)),
# ("bool", source, True | False) or ("and" | "or", condition, condition).
Source = tuple[Any, ...]
Binding = tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class Step:
    kind: str  # call, map, branch, approve, wait, sleep, sub, lp
    target: int = 0  # a task's (or, for "sub", the subworkflow's) index
    bindings: tuple[tuple[str, Binding], ...] = ()
    after: tuple[int, ...] = ()
    options: tuple[tuple[str, Any], ...] = ()
    cases: tuple[tuple[Any, tuple[tuple[str, Binding], ...]], ...] = ()  # branch: (condition, bindings) per case
    otherwise: tuple[tuple[str, Binding], ...] | None = None  # branch: the else case's bindings, None to fail


@dataclasses.dataclass(frozen=True)
class Plan:
    name: str
    inputs: tuple[tuple[str, Any, tuple[Any, ...]], ...]
    tasks: tuple[TaskPlan, ...]
    steps: tuple[Step, ...]
    outputs: tuple[tuple[str, Source], ...]
    sub: Plan | None = None
    launch_plan: TaskPlan | None = None  # the interface of a launch plan the workflow calls
    identity: tuple[str, str, str] = ("", "", "")  # project, domain, version


class _Env:
    """The values a step may bind: workflow inputs and earlier top-level outputs, with their types."""

    def __init__(self) -> None:
        self.sources: list[tuple[Source, Any]] = []

    def add(self, source: Source, t: Any) -> None:
        self.sources.append((source, t))

    def castable_to(self, t: Any) -> list[Source]:
        return [s for s, st_ in self.sources if castable(st_, t)]

    def of_exact(self, types: list[Any], outputs_only: bool = False) -> list[tuple[Source, Any]]:
        return [(s, t) for s, t in self.sources if t in types and (not outputs_only or s[0] == "out")]


@st.composite
def bindings_for(draw: st.DrawFn, env: _Env, t: Any, empty: bool, depth: int = 0) -> Binding:
    """A binding of a value of type ``t``: a castable source, a constant, or a list or dict mixing both."""
    options = ["const"]
    if env.castable_to(t):
        options += ["ref", "ref"]
    element = _list_element(t)
    if element is not None and depth == 0:
        options.append("list")
    if typing.get_origin(t) is dict and depth == 0:
        options.append("dict")
    kind = draw(st.sampled_from(options))
    if kind == "ref":
        return ("ref", draw(st.sampled_from(env.castable_to(t))))
    if kind == "list":
        items = draw(st.lists(bindings_for(env, element, empty, depth + 1), min_size=0 if empty else 1, max_size=4))
        return ("list", tuple(items))
    if kind == "dict":
        keys = draw(st.lists(st.text(max_size=4), unique=True, min_size=0 if empty else 1, max_size=3))
        return ("dict", tuple((k, draw(bindings_for(env, typing.get_args(t)[1], empty, depth + 1))) for k in keys))
    return ("const", draw(values(t, empty)))


@st.composite
def call_bindings(draw: st.DrawFn, env: _Env, task: TaskPlan, empty: bool) -> tuple[tuple[str, Binding], ...]:
    out = []
    for name, t, default in task.inputs:
        if len(default) > 0 and draw(st.booleans()):
            continue  # left out: the default is bound
        out.append((name, draw(bindings_for(env, t, empty))))
    return tuple(out)


@st.composite
def task_plans(draw: st.DrawFn, index: int, prefix: str = "prop", empty: bool = False) -> TaskPlan:
    n_inputs = draw(st.integers(0, 3))
    inputs = []
    for i in range(n_inputs):
        t = draw(st.sampled_from(INPUT_TYPES))
        default = (draw(values(t, empty)),) if draw(st.integers(0, 3)) == 0 else ()
        inputs.append((f"i{i}", t, default))
    outputs = tuple((f"o{i}", draw(st.sampled_from(VALUE_TYPES))) for i in range(draw(st.integers(0, 2))))
    task_settings: list[tuple[str, Any]] = []
    if draw(st.booleans()):
        task_settings.append(("retries", draw(st.integers(0, 5))))
    if draw(st.booleans()):
        task_settings.append(("interruptible", draw(st.booleans())))
    if draw(st.booleans()):
        task_settings.append(("timeout", draw(st.integers(1, 10_000))))
    if draw(st.booleans()):
        cpus: list[str | float] = ["100m", "1", 0.5, 2]
        mems: list[str | int] = ["1Gi", 1024, "1.5Gi"]
        resources = b.Resources(cpu=draw(st.sampled_from(cpus)), mem=draw(st.sampled_from(mems)))
        task_settings.append(("requests", resources))
    if draw(st.booleans()):
        task_settings.append(("cache", b.Cache(version=draw(st.sampled_from(["", "1"])))))
    return TaskPlan(f"{prefix}.tasks.t{index}", tuple(inputs), outputs, tuple(task_settings))


@st.composite
def conditions(draw: st.DrawFn, env: _Env, depth: int = 0) -> Any:
    if depth < 2 and draw(st.integers(0, 3)) == 0:
        op = draw(st.sampled_from(["and", "or"]))
        return (op, draw(conditions(env, depth + 1)), draw(conditions(env, depth + 1)))
    booleans = env.of_exact([bool])
    comparable = env.of_exact(COMPARABLE)
    if booleans and (not comparable or draw(st.booleans())):
        source, _ = draw(st.sampled_from(booleans))
        return ("bool", source, draw(st.booleans()))
    source, t = draw(st.sampled_from(comparable))
    op = draw(st.sampled_from(OPERATORS))
    same = [s for s, other in env.of_exact([t]) if s != source]
    if len(same) > 0 and draw(st.booleans()):
        return ("cmp", op, source, ("ref", draw(st.sampled_from(same))))
    # values(float) draws ints too: 3 against a float is 3.0
    return ("cmp", op, source, ("const", draw(values(t))))


@st.composite
def plans(draw: st.DrawFn, name: str = "prop.wf", with_sub: bool = True, empty: bool = False) -> Plan:
    """A random workflow's plan; ``empty``: with empty lists and dicts among the constants and defaults."""
    tasks = tuple(draw(task_plans(i, name, empty)) for i in range(draw(st.integers(1, 4))))
    wf_inputs = []
    for i in range(draw(st.integers(0, 3))):
        t = draw(st.sampled_from(INPUT_TYPES))
        default = (draw(values(t, empty)),) if draw(st.booleans()) else ()
        wf_inputs.append((f"x{i}", t, default))
    env = _Env()
    for input_name, t, _ in wf_inputs:
        env.add(("input", input_name), t)
    sub = draw(plans(f"{name}.sub", False, empty)) if with_sub and draw(st.integers(0, 2)) == 0 else None
    steps: list[Step] = []
    kinds = ["call"] * 6 + ["map", "map", "branch", "branch", "approve", "wait", "sleep"]
    kinds += ["sub", "sub"] if sub else []
    launch_plan = draw(task_plans(0, f"{name}.lp", empty)) if draw(st.integers(0, 2)) == 0 else None
    kinds += ["lp", "lp"] if launch_plan else []
    for index in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(kinds))
        earlier = st.lists(st.integers(0, index - 1), max_size=2, unique=True) if index else st.just([])
        after = tuple(sorted(draw(earlier))) if draw(st.integers(0, 3)) == 0 else ()
        if kind == "approve" and not env.of_exact(VALUE_TYPES, outputs_only=True):
            kind = "wait"
        if kind == "branch" and not (env.of_exact(COMPARABLE) or env.of_exact([bool])):
            kind = "call"
        if kind == "map" and not any(t.inputs for t in tasks):
            kind = "call"
        if kind == "call":
            target = draw(st.integers(0, len(tasks) - 1))
            task = tasks[target]
            options: tuple[tuple[str, Any], ...] = ()
            if draw(st.integers(0, 3)) == 0:
                options = (("retries", draw(st.integers(0, 3))), ("name", f"renamed-{index}"))
                if draw(st.booleans()):
                    options += (("requests", b.Resources(cpu=draw(st.sampled_from(["250m", "2"])))),)
            steps.append(Step("call", target, draw(call_bindings(env, task, empty)), after, options))
            for var, t in task.outputs:
                env.add(("out", index, var), t)
        elif kind == "lp":
            assert launch_plan is not None
            steps.append(Step("lp", 0, draw(call_bindings(env, launch_plan, empty)), after))
            for var, t in launch_plan.outputs:
                env.add(("out", index, var), t)
        elif kind == "sub":
            assert sub is not None
            sub_task = TaskPlan("", sub.inputs, _plan_outputs(sub), ())
            steps.append(Step("sub", 0, draw(call_bindings(env, sub_task, empty)), after))
            for var, t in sub_task.outputs:
                env.add(("out", index, var), t)
        elif kind == "map":
            target = draw(st.sampled_from([i for i, t in enumerate(tasks) if t.inputs]))
            task = tasks[target]
            names = [n for n, _, _ in task.inputs]
            bound = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names) - 1))
            map_bindings = []
            for input_name, t, _ in task.inputs:
                want = t if input_name in bound else list[t]  # type: ignore[valid-type]
                map_bindings.append((input_name, draw(bindings_for(env, want, empty))))
            map_options: list[tuple[str, Any]] = [("bound_inputs", tuple(sorted(bound)))]
            if draw(st.booleans()):
                map_options.append(("concurrency", draw(st.integers(0, 8))))
            criterion = draw(st.sampled_from(["none", "count", "ratio"]))
            if criterion == "count":
                map_options.append(("min_successes", draw(st.integers(0, 5))))
            elif criterion == "ratio":
                map_options.append(("min_success_ratio", draw(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]))))
            steps.append(Step("map", target, tuple(map_bindings), after, tuple(map_options)))
            ratio = dict(map_options).get("min_success_ratio")
            optional = ratio is not None and ratio != 1 and len(task.outputs) == 1
            for var, t in task.outputs:
                env.add(("out", index, var), list[t | None] if optional else list[t])  # type: ignore[valid-type]
        elif kind == "branch":
            target = draw(st.integers(0, len(tasks) - 1))
            task = tasks[target]
            cases = tuple(
                (draw(conditions(env)), draw(call_bindings(env, task, empty))) for _ in range(draw(st.integers(1, 3)))
            )
            otherwise = draw(call_bindings(env, task, empty)) if draw(st.integers(0, 3)) else None
            steps.append(Step("branch", target, (), after, (), cases, otherwise))
            for var, t in task.outputs:
                env.add(("out", index, var), t)
        elif kind == "approve":
            source, t = draw(st.sampled_from(env.of_exact(VALUE_TYPES, outputs_only=True)))
            steps.append(Step("approve", 0, (("upstream", ("ref", source)),), after))
            env.add(("out", index, source[2]), t)
        elif kind == "wait":
            t = draw(st.sampled_from(VALUE_TYPES))
            steps.append(Step("wait", 0, (), after, (("type", t),)))
            env.add(("out", index, "o0"), t)
        else:
            steps.append(Step("sleep", 0, (), after, (("seconds", draw(st.integers(1, 3600))),)))
    chosen = draw(st.lists(st.sampled_from(env.sources), max_size=3)) if env.sources else []
    outputs = tuple((f"out{i}", source) for i, (source, _) in enumerate(chosen))
    identity = draw(st.sampled_from([("", "", ""), ("p", "d", "v1")]))
    return Plan(name, tuple(wf_inputs), tasks, tuple(steps), outputs, sub, launch_plan, identity)


def _plan_outputs(plan: Plan) -> tuple[tuple[str, Any], ...]:
    """The output types of a plan's workflow (what its sources' types are)."""
    types: dict[Source, Any] = {("input", n): t for n, t, _ in plan.inputs}
    for index, step in enumerate(plan.steps):
        if step.kind in ("call", "branch"):
            for var, t in plan.tasks[step.target].outputs:
                types[("out", index, var)] = t
        elif step.kind == "lp":
            assert plan.launch_plan is not None
            for var, t in plan.launch_plan.outputs:
                types[("out", index, var)] = t
        elif step.kind == "sub":
            assert plan.sub is not None
            for var, t in _plan_outputs(plan.sub):
                types[("out", index, var)] = t
        elif step.kind == "map":
            task = plan.tasks[step.target]
            ratio = dict(step.options).get("min_success_ratio")
            optional = ratio is not None and ratio != 1 and len(task.outputs) == 1
            for var, t in task.outputs:
                types[("out", index, var)] = list[t | None] if optional else list[t]  # type: ignore[valid-type]
        elif step.kind == "approve":
            source = dict(step.bindings)["upstream"][1]
            types[("out", index, source[2])] = types[source]
        elif step.kind == "wait":
            types[("out", index, "o0")] = dict(step.options)["type"]
    return tuple((name, types[source]) for name, source in plan.outputs)


# --------------------------------------------------------------------------------------------------------------
# Building a plan


def _inputs(declared: tuple[tuple[str, Any, tuple[Any, ...]], ...]) -> dict[str, Any]:
    return {name: (b.Input(t, default=default[0]) if default else t) for name, t, default in declared}


def _task(plan: TaskPlan) -> b.Task:
    return make_task(plan.name, inputs=_inputs(plan.inputs), outputs=dict(plan.outputs), **dict(plan.settings))


def _build(plan: Plan, validate: bool = True) -> b.Workflow:
    tasks = [_task(t) for t in plan.tasks]
    sub = _build(plan.sub) if plan.sub is not None else None
    lp = None
    if plan.launch_plan is not None:
        lp_plan = plan.launch_plan
        lp = b.launch_plan_ref(
            lp_plan.name, version="lp-v1", inputs=_inputs(lp_plan.inputs), outputs=dict(lp_plan.outputs)
        )
    inputs = _inputs(plan.inputs)
    project, domain, version = plan.identity
    with b.workflow(plan.name, inputs=inputs, project=project, domain=domain, version=version) as wf:
        handles: dict[int, b.NodeHandle] = {}

        def source(s: Source) -> Any:
            return wf.inputs[s[1]] if s[0] == "input" else handles[s[1]][s[2]]

        def value(binding: Binding) -> Any:
            kind = binding[0]
            if kind == "ref":
                return source(binding[1])
            if kind == "list":
                return [value(item) for item in binding[1]]
            if kind == "dict":
                return {key: value(item) for key, item in binding[1]}
            return binding[1]

        def kwargs(bindings: tuple[tuple[str, Binding], ...]) -> dict[str, Any]:
            return {name: value(binding) for name, binding in bindings}

        def condition(c: Any) -> b.Condition:
            if c[0] in ("and", "or"):
                left, right = condition(c[1]), condition(c[2])
                return (left & right) if c[0] == "and" else (left | right)
            if c[0] == "bool":
                operand: b.Promise = source(c[1])
                return operand.is_true() if c[2] else operand.is_false()
            _, op, left_source, (right_kind, right) = c
            left = source(left_source)
            other = source(right) if right_kind == "ref" else right
            result: b.Condition = {
                "==": lambda: left == other,
                "!=": lambda: left != other,
                "<": lambda: left < other,
                "<=": lambda: left <= other,
                ">": lambda: left > other,
                ">=": lambda: left >= other,
            }[op]()
            return result

        for index, step in enumerate(plan.steps):
            handle: b.NodeHandle
            if step.kind == "call":
                handle = tasks[step.target](**kwargs(step.bindings))
                if step.options:
                    handle.with_overrides(**dict(step.options))
            elif step.kind == "sub":
                assert sub is not None
                handle = sub(**kwargs(step.bindings))
            elif step.kind == "lp":
                assert lp is not None
                handle = lp(**kwargs(step.bindings))
            elif step.kind == "map":
                handle = b.map_task(tasks[step.target], **dict(step.options))(**kwargs(step.bindings))
            elif step.kind == "branch":
                task = tasks[step.target]
                branch = b.conditional(f"branch-{index}")
                for i, (cond, bindings) in enumerate(step.cases):
                    case = branch.if_(condition(cond)) if i == 0 else branch.elif_(condition(cond))
                    case.then(task(**kwargs(bindings)))
                if step.otherwise is None:
                    handle = branch.else_().fail(f"no case of branch-{index} holds")
                else:
                    handle = branch.else_().then(task(**kwargs(step.otherwise)))
            elif step.kind == "approve":
                handle = b.approve(value(dict(step.bindings)["upstream"]), f"approve-{index}")
            elif step.kind == "wait":
                handle = b.wait_for_input(f"signal-{index}", expected_type=dict(step.options)["type"])
            else:
                handle = b.sleep(dict(step.options)["seconds"], name=f"sleep-{index}")
            handles[index] = handle
            for earlier in step.after:
                handle.after(handles[earlier])
        wf.outputs(**{name: source(s) for name, s in plan.outputs})
    return wf.build(validate=validate)


def _messages(wf: b.Workflow) -> dict[str, Any]:
    return {
        "template": wf.template,
        "spec": wf.spec(),
        "launch_plan": wf.launch_plan(),
        "compiled": wf.compile(),
        **{f"task {t.id.name}": t for t in wf.tasks},
        **{f"launch plan {p.id.name}": p for p in wf.launch_plans},
    }


# --------------------------------------------------------------------------------------------------------------
# Properties


def _check(plan: Plan) -> None:
    wf = _build(plan)  # build() validates: a ValidationError fails the test
    # build() checks only what its builders could not check as they wrote; the whole validator agrees with it
    assert errors(wf.validate()) == []
    compiled = wf.compile()
    assert compiled.primary.template.id == wf.id
    messages = _messages(wf)
    for message in messages.values():
        assert_round_trips(message)
    again = _messages(_build(plan))
    assert sorted(again) == sorted(messages)
    for key, message in messages.items():
        assert io.to_binary(again[key]) == io.to_binary(message), key


@SETTINGS
@given(plans())
def test_random_workflows_validate_compile_round_trip_and_are_deterministic(plan: Plan) -> None:
    """Without empty lists and dicts among the constants: see the next test."""
    _check(plan)


# The smallest workflow the builder gets wrong: an empty list bound to a list input.
EMPTY_LIST = Plan(
    name="prop.wf",
    inputs=(),
    tasks=(TaskPlan("prop.wf.tasks.t0", (("i0", list[int], ()),), (), ()),),
    steps=(Step("call", 0, (("i0", ("const", [])),)),),
    outputs=(),
)


@SETTINGS
@example(EMPTY_LIST)
@given(plans(empty=True))
def test_random_workflows_with_empty_collections(plan: Plan) -> None:
    _check(plan)


@SETTINGS
@given(plans())
def test_node_ids_are_unique_dns_labels(plan: Plan) -> None:
    wf = _build(plan)
    templates = [wf.template, *wf.subworkflows]
    for template in templates:
        ids = []
        stack = list(template.nodes)
        while stack:
            node = stack.pop()
            ids.append(node.id)
            stack += child_nodes(node)
        assert len(ids) == len(set(ids))
        assert ids
        assert all(i[:1] == "n" and i[1:].isdigit() for i in ids)
        assert sorted(int(i[1:]) for i in ids) == list(range(len(ids)))


@SETTINGS
@given(plans(), st.data())
def test_a_binding_of_the_wrong_type_is_a_build_error(plan: Plan, data: st.DataObject) -> None:
    """Any call given a workflow input of a type not castable to the task's input is refused at once."""
    tasks = [_task(t) for t in plan.tasks]
    candidates = [
        (task, name, t, input_name, input_type)
        for task, task_plan in zip(tasks, plan.tasks, strict=True)
        for name, t, _ in task_plan.inputs
        for input_name, input_type, _ in plan.inputs
        if not castable(input_type, t)
    ]
    if not candidates:
        return
    task, name, _, input_name, _ = data.draw(st.sampled_from(candidates))
    task_plan = plan.tasks[tasks.index(task)]
    others = {n: data.draw(values(t, empty=False)) for n, t, _ in task_plan.inputs if n != name}
    inputs = {n: t for n, t, _ in plan.inputs}
    with b.workflow("prop.wrong", inputs=inputs) as wf, pytest.raises(BuildError) as err:
        task(**others, **{name: wf.inputs[input_name]})
    assert err.value.where == f"node n0 ({task.name}): {name}="


@SETTINGS
@given(st.integers(0, 3).flatmap(lambda i: task_plans(i)))
def test_random_tasks_validate_and_round_trip(plan: TaskPlan) -> None:
    task = _task(plan)
    assert errors(validate(task.template)) == []
    assert_round_trips(task.template)
    assert_round_trips(task.spec())
    assert io.to_binary(_task(plan).template) == io.to_binary(task.template)


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[Any, Any]:
    t = draw(st.sampled_from([*INPUT_TYPES, list[list[int]], dict[str, list[str]], datetime.timedelta, bytes]))
    if t is datetime.timedelta:  # within a Duration's range, 10,000 years
        limit = datetime.timedelta(days=3_650_000)
        return t, draw(st.timedeltas(min_value=-limit, max_value=limit))
    if t is bytes:
        return t, draw(st.binary(max_size=8))
    if t == list[list[int]]:
        return t, draw(st.lists(values(list[int]), max_size=3))
    if t == dict[str, list[str]]:
        return t, draw(st.dictionaries(st.text(max_size=3), values(list[str]), max_size=3))
    return t, draw(values(t))


@SETTINGS
@given(typed_values())
def test_random_literals_round_trip(typed: tuple[Any, Any]) -> None:
    t, value = typed
    literal = b.to_literal(value, b.literal_type(t), "x")
    assert_round_trips(literal)
