"""Every builder argument of the wrong Python type, or out of its field's range, is a BuildError naming the builder
and the argument, raised before anything is built (not a bare TypeError or ValueError from protobuf)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from flytespec import build as b
from flytespec.core import tasks_pb2
from flytespec.errors import BuildError

inc = b.task("tasks.inc", inputs={"x": int}, outputs={"o0": int}, image="img:1")


def _wrong(value: object) -> Any:
    """A value of the wrong type, passed on as Any (the type checker would refuse it, as the builder does)."""
    return value


def _task(**kwargs: Any) -> Callable[[], Any]:
    return lambda: b.task("t", image="img:1", **kwargs)


def _in_workflow(make: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with b.workflow("wf", inputs={"x": int}):
            return make()

    return run


def _override(**kwargs: Any) -> Callable[[], Any]:
    return _in_workflow(lambda: inc(x=1).with_overrides(**kwargs))


CASES: list[tuple[str, Callable[[], Any], str]] = [
    # Each was a bare TypeError, ValueError or OverflowError from protobuf (or Python), naming no argument.
    ("image", lambda: b.task("t", image=1), "task 't': image"),  # type: ignore[arg-type]
    ("project", _task(project=1), "task 't': project"),
    ("deprecated", _task(deprecated=5), "task 't': deprecated"),
    ("ports", _task(ports=[80]), "task 't': ports[0]"),
    ("runtime", _task(runtime="1.0"), "task 't': runtime"),
    ("secrets", _task(secrets=b.secret("k")), "task 't': secrets"),
    ("task_type_version", _task(task_type_version="x"), "task 't': task_type_version"),
    ("task_type_version range", _task(task_type_version=2**31), "task 't': task_type_version"),
    ("retries range", _task(retries=2**40), "task 't': retries"),
    ("timeout range", _task(timeout=1e300), "task 't': timeout"),
    ("timeout timedelta range", _task(timeout=datetime.timedelta(days=10**8)), "task 't': timeout"),
    ("architecture", _task(architecture=5), "task 't': architecture"),
    ("data_loading", _task(data_loading={"input_path": "/in"}), "task 't': data_loading"),
    ("run_as", _task(run_as="me"), "task 't': run_as"),
    ("generates_deck", _task(generates_deck="yes"), "task 't': generates_deck"),
    ("cache version", lambda: b.Cache(version=_wrong(1)), "Cache.version"),
    ("cache serialize", lambda: b.Cache(serialize=_wrong("yes")), "Cache.serialize"),
    (
        "pod template name",
        lambda: b.PodTemplate(primary_container_name=_wrong(3)),
        "PodTemplate.primary_container_name",
    ),
    ("secret key", lambda: b.secret(_wrong(1)), "secret: key"),
    ("runtime version", lambda: b.runtime(1.0), "runtime: version"),  # type: ignore[arg-type]
    ("sql statement", lambda: b.sql(["select 1"]), "sql: statement"),  # type: ignore[arg-type]
    ("identity", lambda: b.identity(iam_role=1), "identity: iam_role"),  # type: ignore[arg-type]
    ("workflow project", lambda: b.workflow("wf", project=1), "workflow 'wf': project"),  # type: ignore[arg-type]
    ("launch plan ref", lambda: b.launch_plan_ref("lp", version=2), "launch_plan_ref 'lp': version"),  # type: ignore[arg-type]
    ("dynamic job", lambda: b.dynamic_job(min_successes=2**64), "dynamic job: min_successes"),
    ("override pod_template", _override(pod_template="x"), "node n0: with_overrides.pod_template"),
    ("override image", _override(image=1), "node n0: with_overrides.image"),
    ("override retries range", _override(retries=2**40), "node n0: with_overrides.retries"),
    ("override config", _override(config={"k": 1}), "node n0: with_overrides.config['k']"),
    ("sleep", _in_workflow(lambda: b.sleep(1e300)), "gate 'sleep-gate': duration"),
    ("sleep type", _in_workflow(lambda: b.sleep("1s")), "gate 'sleep-gate': duration"),  # type: ignore[arg-type]
    ("approve timeout", _in_workflow(lambda: b.approve(1, "ok", timeout="1h")), "gate 'ok': timeout"),  # type: ignore[arg-type]
    ("rshift", _in_workflow(lambda: inc(x=1) >> _wrong(5)), "node n0: >>"),  # was an AttributeError
    ("map concurrency", lambda: b.map_task(inc, concurrency="2"), "map_task('tasks.inc'): concurrency"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("make", "where"), [(make, where) for _, make, where in CASES], ids=[c[0] for c in CASES])
def test_wrong_arguments_are_build_errors_naming_them(make: Callable[[], Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        make()
    assert err.value.where == where


def test_elements_and_entries_are_named() -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", image="img:1", env=_wrong({"A": "1", "B": 2}))
    assert err.value.where == "task 't': env['B']"
    with pytest.raises(BuildError) as err:
        b.task("t", image="img:1", command=_wrong(["run", ("x",)]))
    assert err.value.where == "task 't': command[1]"
    with pytest.raises(BuildError) as err:
        b.task("t", image="img:1", tags=_wrong({1: "a"}))
    assert err.value.where == "task 't': tags"


def test_a_bool_is_not_a_number() -> None:
    """True is an int to Python; as a count or a duration it is a mistake."""
    for make in (_task(retries=True), _task(timeout=True), _task(task_type_version=False)):
        with pytest.raises(BuildError):
            make()


def test_right_types_pass_unchanged() -> None:
    """Integers for floats, tuples for lists, any Mapping for dicts, and messages by their class are all accepted."""
    t = b.task(
        "t",
        image="img:1",
        command=("run",),
        ports=(b.port(80),),
        timeout=datetime.timedelta(minutes=5),
        retries=3,
        env={"A": "1"},
        secrets=[b.secret("k")],
        data_loading=b.data_loading_config(input_path="/in", output_path="/out"),
        runtime=tasks_pb2.RuntimeMetadata(version="1"),
    )
    assert t.template.container.command == ["run"]
    assert t.template.metadata.retries.retries == 3
    assert t.template.metadata.timeout.seconds == 300
    mapped = b.map_task(inc, min_success_ratio=1)  # an int where a float is expected
    assert mapped.name


def test_the_checked_builders_keep_their_signatures() -> None:
    import inspect

    assert "image" in inspect.signature(b.task).parameters
    assert "image" in (b.task.__doc__ or "")
