"""The JSON Schemas accept what flytespec reads and what the validator accepts, and reject constraint violations.

Checked with the ``jsonschema`` package (draft 2020-12) against the shipped examples, Flyte's compiler corpus
converted to JSON (when ../shared is present), and random messages from flytespec.testing.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from flytespec import io, registry
from flytespec.core import workflow_pb2
from flytespec.schema import json_schema
from flytespec.testing import messages
from flytespec.validate._rules import check_rules
from tests.cli.conftest import EXAMPLES
from tests.conftest import corpus_dir

CORPUS = corpus_dir()


@functools.cache
def validator(name: str, constraints: bool = True) -> Draft202012Validator:
    schema = json_schema(name, constraints=constraints)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(message: Message | Any, name: str | None = None, constraints: bool = True) -> list[str]:
    value = io.to_dict(message) if isinstance(message, Message) else message
    full = name or message.DESCRIPTOR.full_name
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(full, constraints).iter_errors(value)]


def _spec_files() -> list[Any]:
    # examples/broken holds mistakes on purpose (test_the_broken_example_breaks_the_schema).
    files = sorted(p for p in EXAMPLES.rglob("*") if io.format_from_name(p) and "broken" not in p.parts)
    files += sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.yaml"))
    return [pytest.param(p, id=p.name) for p in files if p.name not in ("not-a-spec.yaml", "node.yaml")]


@pytest.mark.parametrize("path", _spec_files())
def test_examples_are_valid(path: Path) -> None:
    assert errors(io.load(path)) == []


def test_the_broken_example_breaks_the_schema() -> None:
    found = errors(io.load(EXAMPLES / "broken" / "etl.broken.closure.yaml"))
    assert [e.split(":")[0] for e in found] == ["['tasks', 0, 'container']"]  # the "1Gx" memory request


def _corpus() -> list[Any]:
    if CORPUS is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="Flyte's conformance corpus (../shared) is absent"))]
    found = sorted(CORPUS.glob("snacks-core/*.pb")) + sorted(CORPUS.glob("snacks-core/compiled/*.json"))
    found += sorted(CORPUS.glob("branch/*.json"))
    return [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in found]


def _load(path: Path) -> Message:
    if path.parent.name == "compiled":
        return io.load(path, "CompiledTask" if path.stem.endswith("_task") else "CompiledWorkflowClosure")
    if path.parent.name == "branch":
        return io.load(path, "WorkflowClosure")
    return io.load(path)


@pytest.mark.parametrize("path", _corpus())
def test_corpus_files_as_json_are_valid(path: Path) -> None:
    assert errors(_load(path)) == []


def test_original_field_names_and_other_accepted_forms() -> None:
    node = {"id": "n0", "upstream_node_ids": ["a"], "taskNode": {"reference_id": {"resourceType": 1}}}
    assert errors(node, "flytespec.core.Node", constraints=False) == []
    assert io.from_dict(node, workflow_pb2.Node).upstream_node_ids == ["a"]
    retry = {"retries": "3"}
    assert errors(retry, "flytespec.core.RetryStrategy") == []
    assert errors({"timeout": None, "name": None}, "flytespec.core.NodeMetadata") == []


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"id": "n0", "taskNode": {}, "bogus": 1}, "flytespec.core.Node"),  # unknown key
        ({"id": "n0", "taskNode": {}, "task_node": {}}, "flytespec.core.Node"),  # one field under both names
        ({"id": "n0", "taskNode": {}, "gateNode": {}}, "flytespec.core.Node"),  # two members of a oneof
        ({"retries": 1.5}, "flytespec.core.RetryStrategy"),
        ({"timeout": "10 minutes"}, "flytespec.core.NodeMetadata"),
        ({"upstreamNodeIds": [None]}, "flytespec.core.Node"),
        ({"simple": "NOT_A_TYPE"}, "flytespec.core.LiteralType"),
    ],
)
def test_shape_violations_are_rejected(value: Any, name: str) -> None:
    assert errors(value, name, constraints=False)
    with pytest.raises(Exception):  # noqa: B017, PT011 - the reader refuses it too
        io.from_dict(value, name)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"taskNode": {}}, "flytespec.core.Node"),  # id required
        ({"id": "Not_A_Label", "taskNode": {}}, "flytespec.core.Node"),  # DNS-1123 label
        ({"id": "x" * 64, "taskNode": {}}, "flytespec.core.Node"),  # too long
        ({"id": "n0"}, "flytespec.core.Node"),  # target required
        ({"gateNode": {"sleep": {"duration": "0s"}}, "id": "g"}, "flytespec.core.Node"),  # positive duration
        ({"node": {"id": "a", "taskNode": {}}, "minSuccessRatio": 1.5}, "flytespec.core.ArrayNode"),  # max 1
        ({"name": "CPU", "value": "1Gx"}, "flytespec.core.Resources.ResourceEntry"),  # quantity
        ({"nodeId": "n0", "var": "a.b"}, "flytespec.core.OutputReference"),  # pattern
    ],
)
def test_constraint_violations_are_rejected_as_the_validator_rejects_them(value: Any, name: str) -> None:
    message = io.from_dict(value, name)
    found: list[Any] = []
    check_rules(message, lambda *a: found.append(a))
    assert found, "the validator rejects it"
    assert errors(value, name), "so does the schema"
    assert errors(value, name, constraints=False) == [], "the shape alone is fine"


def test_compiled_start_and_end_nodes_need_no_target() -> None:
    assert errors({"id": "start-node"}, "flytespec.core.Node") == []
    assert errors({"id": "end-node", "inputs": []}, "flytespec.core.Node") == []


ROOTS = ["WorkflowClosure", "admin.TaskSpec", "admin.LaunchPlan", "CompiledWorkflowClosure", "Node", "TaskTemplate"]


@given(st.data())
def test_random_messages_fit_the_shape_and_valid_ones_the_constraints(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(ROOTS))
    cls = registry.message_type(name)
    message = data.draw(messages(cls))
    full = cls.DESCRIPTOR.full_name
    assert errors(message, full, constraints=False) == []
    found: list[Any] = []
    check_rules(message, lambda *a: found.append(a))
    if not found:
        assert errors(message, full) == []
