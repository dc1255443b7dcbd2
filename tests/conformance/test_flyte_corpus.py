"""Flyte's own compiler test corpus reads, and writes back, without loss.

The corpus (``../shared/conformance/flytepropeller-compiler``, Flyte v1.16.8) is not part of this repository; these
tests skip, saying so, where it is absent. Cases are discovered by globbing, never listed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from flytespec import io, registry
from flytespec._compat import is_map
from flytespec.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flytespec.core import compiler_pb2, dynamic_job_pb2, workflow_closure_pb2
from tests.conftest import corpus_dir

CORPUS = corpus_dir()
ABSENT = "Flyte's conformance corpus (../shared/conformance/flytepropeller-compiler) is absent"


def _files(pattern: str) -> list[object]:
    if CORPUS is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))]
    found = sorted(CORPUS.glob(pattern))
    assert found, f"no corpus files match {pattern}"
    return [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in found]


SNACKS_PB = _files("snacks-core/*.pb")
COMPILED_JSON = _files("snacks-core/compiled/*.json")
BRANCH_JSON = _files("branch/*.json")
BRANCH_COMPILED_JSON = _files("branch/compiled/*.json")
DYNAMIC_JSON = _files("dynamic/*.json")

# pyflyte serialize names its outputs NNN_<name>_<k>.pb: k=1 TaskSpec, k=2 WorkflowSpec, k=3 LaunchPlan.
_KINDS: dict[str, type[Message]] = {
    "1": task_pb2.TaskSpec,
    "2": workflow_pb2.WorkflowSpec,
    "3": launch_plan_pb2.LaunchPlan,
}


@pytest.mark.parametrize("path", SNACKS_PB)
def test_snacks_core_member_reads_as_its_type_and_writes_back_equal(path: Path) -> None:
    data = path.read_bytes()
    expected = _KINDS[path.stem.rsplit("_", 1)[1]]
    message = io.load(path)  # the type is told by the file name
    assert type(message) is expected
    back = expected.FromString(io.to_binary(message))
    assert back == message
    # Every file was written by a known schema: nothing is left over as unknown fields.
    assert io.to_dict(message) == json_format.MessageToDict(message)
    assert io.from_json(io.to_json(message), expected) == message
    assert io.from_yaml(io.to_yaml(message), expected) == message
    # Canonical files come back byte for byte. Old-SDK files wrote map entries out of order: the bytes are a
    # permutation of ours (same length, same byte multiset), and the messages are equal (asserted above).
    ours = io.to_binary(message)
    if ours != data:
        assert len(ours) == len(data)
        assert sorted(ours) == sorted(data)
        assert any(is_map(field) for field, _ in _all_fields(message))


def _all_fields(message: Message) -> list[tuple[FieldDescriptor, object]]:
    from flytespec._walk import submessages

    return [pair for _, m in submessages(message) for pair in m.ListFields()]


def test_snacks_core_byte_identical_count() -> None:
    if CORPUS is None:
        pytest.skip(ABSENT)
    members = sorted((CORPUS / "snacks-core").glob("*.pb"))
    identical = [p for p in members if io.to_binary(io.load(p)) == p.read_bytes()]
    # 183 files: 87 tasks, 45 workflows, 51 launch plans; 139 were written with map entries in canonical order.
    assert (len(members), len(identical)) == (183, 139)
    kinds = [p.stem.rsplit("_", 1)[1] for p in members]
    assert (kinds.count("1"), kinds.count("2"), kinds.count("3")) == (87, 45, 51)


def _compiled_type(path: Path) -> type[Message]:
    return compiler_pb2.CompiledTask if path.stem.endswith("_task") else compiler_pb2.CompiledWorkflowClosure


@pytest.mark.parametrize("path", COMPILED_JSON)
def test_expected_compiled_output_parses(path: Path) -> None:
    cls = _compiled_type(path)
    message = io.load(path, cls)
    assert message == json_format.Parse(path.read_text(), cls())
    assert io.from_json(io.to_json(message), cls) == message
    assert io.from_binary(io.to_binary(message), cls) == message


@pytest.mark.parametrize("path", BRANCH_JSON)
def test_branch_closures_parse(path: Path) -> None:
    message = io.load(path, workflow_closure_pb2.WorkflowClosure)
    assert message.workflow.nodes
    assert io.from_yaml(io.to_yaml(message), workflow_closure_pb2.WorkflowClosure) == message


@pytest.mark.parametrize("path", BRANCH_COMPILED_JSON)
def test_branch_compiled_outputs_parse(path: Path) -> None:
    message = io.load(path, compiler_pb2.CompiledWorkflowClosure)
    assert message.primary.connections.downstream


@pytest.mark.parametrize("path", DYNAMIC_JSON)
def test_dynamic_job_spec_parses(path: Path) -> None:
    message = io.load(path)  # the only document type its keys fit
    assert isinstance(message, dynamic_job_pb2.DynamicJobSpec)
    assert len(message.nodes) == 4


def test_old_closure_in_yaml_with_proto_field_names_parses() -> None:
    if CORPUS is None:
        pytest.skip(ABSENT)
    path = CORPUS / "app-workflows-work-one-python-task-w-f.yaml"
    closure = io.load(path, workflow_closure_pb2.WorkflowClosure)
    assert closure.tasks[0].container.command == ["pyflyte-execute"]
    binary = io.load(CORPUS / "app-workflows-work-one-python-task-w-f.pb", "WorkflowClosure")
    assert isinstance(binary, workflow_closure_pb2.WorkflowClosure)


def test_every_document_type_is_exercised_by_the_corpus() -> None:
    """The corpus covers the registration messages and the compiled outputs flytespec detects."""
    if CORPUS is None:
        pytest.skip(ABSENT)
    seen = {type(io.load(p)).DESCRIPTOR.full_name for p in sorted((CORPUS / "snacks-core").glob("*.pb"))}
    assert seen == {"flytespec.admin.TaskSpec", "flytespec.admin.WorkflowSpec", "flytespec.admin.LaunchPlan"}
    assert set(registry.DOCUMENT_TYPES) >= seen
