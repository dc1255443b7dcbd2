"""YAML specifics: YAML 1.2 core scalars, quoting that both YAML versions read back, one document per file."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io
from flytespec.core import tasks_pb2, workflow_pb2
from flytespec.errors import DecodeError
from flytespec.io._yaml import dump_yaml, load_yaml


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "y", "n", "1:30", "2024-05-01", "0b101"])
def test_yaml_1_1_surprises_stay_strings(word: str) -> None:
    assert load_yaml(f"a: {word}\n") == {"a": word}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("12", 12),
        ("-3", -3),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("-.inf", float("-inf")),
    ],
)
def test_yaml_1_2_core_scalars(text: str, value: object) -> None:
    assert load_yaml(f"a: {text}\n") == {"a": value}


@given(st.text(max_size=20))
def test_every_string_reads_back_as_a_string_with_both_yaml_versions(text: str) -> None:
    dumped = dump_yaml({"a": text})
    assert load_yaml(dumped) == {"a": text}
    assert yaml.safe_load(dumped) == {"a": text}


def test_strings_that_look_like_numbers_survive_a_round_trip() -> None:
    task = tasks_pb2.TaskTemplate(type="1e3", task_type_version=0)
    task.metadata.discovery_version = "yes"
    task.config["retries"] = "3"
    assert io.from_yaml(io.to_yaml(task), tasks_pb2.TaskTemplate) == task


def test_one_document_per_file() -> None:
    with pytest.raises(DecodeError) as info:
        io.from_yaml("id: a\n---\nid: b\n", workflow_pb2.Node)
    assert info.value.line == 3  # where the second document starts


def test_empty_yaml_is_an_empty_message_only_when_the_type_is_given() -> None:
    with pytest.raises(DecodeError):
        io.from_yaml("", workflow_pb2.Node)  # null is not an object


def test_merge_keys_are_refused_and_a_quoted_one_is_a_key() -> None:
    """YAML 1.2 has no merge keys: ``<<: *defaults`` was read as a key named "<<" (PyYAML and kubectl merge it)."""
    with pytest.raises(DecodeError) as info:
        io.from_yaml("custom:\n  d: &d {cpu: 1}\n  job:\n    <<: *d\n    cpu: 4\n", tasks_pb2.TaskTemplate)
    assert (info.value.line, info.value.column) == (4, 5)
    task = tasks_pb2.TaskTemplate()
    task.custom.update({"<<": "x"})
    assert io.from_yaml(io.to_yaml(task), tasks_pb2.TaskTemplate) == task  # written quoted
    assert io.from_yaml("custom: {x: <<}", tasks_pb2.TaskTemplate).custom["x"] == "<<"  # a value, not a key


def test_anchors_and_aliases_read_as_copies() -> None:
    text = "inputs:\n- &b {var: x, binding: {promise: {nodeId: a, var: o}}}\n- *b\n"
    node = io.from_yaml(text, workflow_pb2.Node)
    assert node.inputs[0] == node.inputs[1]
