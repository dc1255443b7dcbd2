"""Format and message type detection, and clear errors when the input does not tell."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2

from flytespec import io
from flytespec.admin import task_pb2 as admin_task_pb2
from flytespec.core import identifier_pb2, literals_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import (
    DecodeError,
    FlytespecWarning,
    FormatDetectionError,
    LimitExceededError,
    TypeDetectionError,
)


def _closure() -> workflow_closure_pb2.WorkflowClosure:
    closure = workflow_closure_pb2.WorkflowClosure()
    closure.workflow.id.name = "wf"
    closure.workflow.nodes.add(id="n0").task_node.reference_id.name = "t"
    closure.tasks.add(type="python-task").id.name = "t"
    return closure


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.pb", "binary"),
        ("a.bin", "binary"),
        ("a.binpb", "binary"),
        ("a.json", "json"),
        ("a.JSON", "json"),
        ("a.yaml", "yaml"),
        ("a.yml", "yaml"),
        ("a.txt", None),
        ("a", None),
    ],
)
def test_format_from_extension(name: str, fmt: str | None) -> None:
    assert io.format_from_name(name) == fmt


def test_format_from_content() -> None:
    closure = _closure()
    assert io.detect_format(io.to_binary(closure)) == "binary"
    assert io.detect_format(io.to_json(closure)) == "json"
    assert io.detect_format(io.to_json(closure).encode()) == "json"
    assert io.detect_format("\ufeff  \n" + io.to_json(closure)) == "json"
    assert io.detect_format(io.to_yaml(closure)) == "yaml"
    assert io.detect_format(b"\xff\xfe\xfd") == "binary"  # not UTF-8
    assert io.detect_format(io.to_json(closure), name="x.yaml") == "yaml"  # the name wins
    for empty in (b"", "", "  \n"):
        with pytest.raises(FormatDetectionError):
            io.detect_format(empty)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_type_from_json_and_yaml_keys(fmt: io.Format) -> None:
    closure = _closure()
    text = io.dumps(closure, fmt)
    assert io.detect_message_type(text) is workflow_closure_pb2.WorkflowClosure
    loaded = io.loads(text)
    assert isinstance(loaded, workflow_closure_pb2.WorkflowClosure)
    assert loaded == closure
    wf = io.loads(io.dumps(closure.workflow, fmt))
    assert isinstance(wf, workflow_pb2.WorkflowTemplate)
    custom = struct_pb2.Struct()
    custom.update({"a": 1})
    task = io.loads(io.dumps(tasks_pb2.TaskTemplate(type="python-task", custom=custom), fmt))
    assert isinstance(task, tasks_pb2.TaskTemplate)


def test_type_from_pyflyte_package_member_names(tmp_path: Path) -> None:
    spec = admin_task_pb2.TaskSpec(template=tasks_pb2.TaskTemplate(type="python-task"))
    path = tmp_path / "007_my.module.task_1.pb"
    io.dump(spec, path)
    loaded = io.load(path)
    assert isinstance(loaded, admin_task_pb2.TaskSpec)
    assert loaded == spec


def test_binary_content_that_reads_as_several_types_needs_the_type() -> None:
    closure = _closure()
    del closure.tasks[:]
    wire = io.to_binary(closure)  # WorkflowClosure and WorkflowSpec share field 1 (a WorkflowTemplate)
    with pytest.raises(TypeDetectionError) as info:
        io.loads(wire)
    assert info.value.format == "binary"
    assert "flytespec.core.WorkflowClosure" in info.value.reason
    assert "flytespec.admin.WorkflowSpec" in info.value.reason
    assert io.loads(wire, "WorkflowClosure") == closure


def test_binary_content_only_one_type_reads_strictly_is_detected() -> None:
    # The tasks (field 2) do not read as WorkflowSpec's sub_workflows without unknown fields.
    assert io.detect_message_type(io.to_binary(_closure())) is workflow_closure_pb2.WorkflowClosure
    assert io.loads(io.to_binary(_closure())) == _closure()


def test_json_that_reads_as_several_types_needs_the_type() -> None:
    text = '{"template": {"id": {"name": "t"}}}'  # TaskSpec, WorkflowSpec, CompiledTask and CompiledWorkflow
    with pytest.raises(TypeDetectionError) as info:
        io.loads(text)
    assert "flytespec.admin.TaskSpec" in info.value.reason
    expected = admin_task_pb2.TaskSpec(template=tasks_pb2.TaskTemplate(id=identifier_pb2.Identifier(name="t")))
    assert io.loads(text, "TaskSpec") == expected


@pytest.mark.parametrize("text", ['{"nodes": "not a list"}', '{"something": 1}', "{}", "[]", "just text"])
def test_content_no_document_type_reads_needs_the_type(text: str) -> None:
    with pytest.raises(TypeDetectionError) as info:
        io.loads(text)
    assert info.value.message_type is None


def test_content_no_type_reads_is_read_as_the_one_type_its_keys_name() -> None:
    task = '{"type": "python-task", "interface": {"inputs": {"variables": {"x": {"type": {"simple": "INTEGR"}}}}}}'
    assert io.detect_message_type(task) is tasks_pb2.TaskTemplate
    with pytest.raises(DecodeError) as info:
        io.loads(task)
    assert not isinstance(info.value, TypeDetectionError)  # the real problem, where it is
    assert info.value.message_type == "flytespec.core.TaskTemplate"
    assert info.value.path == 'interface.inputs.variables["x"].type.simple'
    # An unknown key inside: ignore_unknown_fields reads it as that type.
    unknown = '{"type": "python-task", "metadata": {"retries": {}, "color": "red"}}'
    with pytest.warns(FlytespecWarning):
        assert io.loads(unknown, ignore_unknown_fields=True) == tasks_pb2.TaskTemplate(
            type="python-task", metadata=tasks_pb2.TaskMetadata(retries=literals_pb2.RetryStrategy())
        )


def test_content_whose_keys_name_several_types_names_each_failure() -> None:
    text = '{"nodes": "not a list"}'  # WorkflowTemplate and DynamicJobSpec both have nodes
    with pytest.raises(TypeDetectionError) as info:
        io.loads(text)
    assert "as WorkflowTemplate at nodes" in info.value.reason
    assert "as DynamicJobSpec at nodes" in info.value.reason


def test_detection_reads_within_max_depth() -> None:
    node: dict[str, object] = {"id": "n", "taskNode": {"referenceId": {"name": "t"}}}
    for _ in range(60):  # two messages a level: deeper than the default of 100
        node = {"id": "n", "arrayNode": {"node": node}}
    text = json.dumps({"workflow": {"id": {"name": "w"}, "nodes": [node]}})
    assert io.detect_message_type(text, max_depth=200) is workflow_closure_pb2.WorkflowClosure
    assert isinstance(io.loads(text, max_depth=200), workflow_closure_pb2.WorkflowClosure)
    with pytest.raises(LimitExceededError) as info:
        io.loads(text)
    assert info.value.message_type == "flytespec.core.WorkflowClosure"
    assert info.value.limit == "max_depth"


def test_empty_binary_needs_the_type() -> None:
    with pytest.raises((TypeDetectionError, FormatDetectionError)):
        io.loads(b"", format="binary")
    assert io.loads(b"", "WorkflowClosure", format="binary") == workflow_closure_pb2.WorkflowClosure()


def test_dump_needs_a_format_it_can_tell(tmp_path: Path) -> None:
    from flytespec.errors import EncodeError

    with pytest.raises(EncodeError):
        io.dump(_closure(), tmp_path / "wf.txt")
    io.dump(_closure(), tmp_path / "wf.txt", format="yaml")
    assert io.load(tmp_path / "wf.txt", format="yaml") == _closure()


def test_dump_errors_name_the_file_asked_for_and_leave_nothing_behind(tmp_path: Path) -> None:
    from flytespec.errors import EncodeError

    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    for target, reason in [
        (tmp_path / "missing" / "wf.json", "does not exist"),
        (tmp_path / "plain" / "wf.json", "is not a folder"),
        (tmp_path / "folder", "is a folder"),
    ]:
        with pytest.raises(EncodeError) as refused:
            io.dump(_closure(), target, format="json")
        assert refused.value.target == str(target)
        assert str(refused.value).startswith(f"{target}: cannot write: ")
        assert reason in refused.value.reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "plain"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_dump_keeps_the_mode_of_a_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "wf.json"
    target.write_text("{}")
    target.chmod(0o600)
    io.dump(_closure(), target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert io.load(target) == _closure()


def test_dump_follows_symbolic_links_and_writes_pipes_in_place(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    target = tmp_path / "target.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    io.dump(_closure(), link)
    assert link.is_symlink()
    assert io.load(target) == _closure()

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    io.dump(_closure(), fifo, format="json")
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert io.loads(received[0], "WorkflowClosure") == _closure()


@pytest.mark.parametrize("fmt", ["binary", "json", "yaml"])
def test_bytes_like_input_reads_as_bytes(fmt: io.Format) -> None:
    closure = _closure()
    data = io.dumps(closure, fmt)
    raw = data if isinstance(data, bytes) else data.encode()
    for given in (bytearray(raw), memoryview(raw)):
        assert io.loads(given) == closure
        assert io.loads(given, "WorkflowClosure", format=fmt) == closure
        assert io.detect_format(given) == fmt
        assert io.detect_message_type(given, format=fmt) is workflow_closure_pb2.WorkflowClosure
    assert io.from_binary(memoryview(io.to_binary(closure)), "WorkflowClosure") == closure


@pytest.mark.parametrize("given", [None, 3, ["{}"], {"workflow": {}}])
def test_input_that_is_neither_text_nor_bytes_is_a_type_error(given: Any) -> None:
    readers: list[Callable[[], object]] = [
        lambda: io.loads(given),
        lambda: io.from_json(given, "WorkflowClosure"),
        lambda: io.from_yaml(given, "WorkflowClosure"),
        lambda: io.from_binary(given, "WorkflowClosure"),
        lambda: io.detect_format(given),
    ]
    for read in readers:
        with pytest.raises(TypeError, match=f"got {type(given).__name__}$"):
            read()
    text: Any = "text"
    with pytest.raises(TypeError, match="got str"):
        io.from_binary(text, "WorkflowClosure")
