"""What the builder tests share: tasks that validate, and the round-trip and validation checks."""

from __future__ import annotations

from typing import Any

from google.protobuf import __version__ as protobuf_version
from google.protobuf.internal import api_implementation
from google.protobuf.message import Message

from flytespec import build as b
from flytespec import io
from flytespec.validate import Diagnostic, errors, validate

IMAGE = "ghcr.io/org/app:v1"

# protobuf's pure-Python backend builds, copies and serializes messages about ten times slower than upb, and
# recurses where upb loops (CopyFrom, SerializeToString, ==).
PURE_PYTHON = api_implementation.Type() == "python"
# protobuf 4.x's upb (the oldest runtime flytespec supports is 4.21.1) has defects newer runtimes fixed.
OLD_UPB = not PURE_PYTHON and int(protobuf_version.split(".")[0]) < 5


def make_task(name: str, *, inputs: Any = None, outputs: Any = None, **settings: Any) -> b.Task:
    """A task the validator accepts: an image and flytekit's entry point (a container task with an interface needs
    a command or arguments)."""
    module, _, short = name.rpartition(".")
    settings.setdefault("image", IMAGE)
    if settings["image"] is not None and "command" not in settings and "args" not in settings:
        settings["args"] = b.pyflyte_execute_args(module or "tasks", short)
    return b.task(name, inputs=inputs, outputs=outputs, **settings)


def assert_round_trips(message: Message) -> None:
    """Binary is byte-identical after a read and a write; JSON and YAML read back equal, and write the same text."""
    cls = type(message)
    data = io.to_binary(message)
    from_binary = io.from_binary(data, cls)
    assert from_binary == message
    assert io.to_binary(from_binary) == data
    text = io.to_json(message)
    from_json = io.from_json(text, cls)
    assert from_json == message
    assert io.to_binary(from_json) == data
    assert io.to_json(from_json) == text
    document = io.to_yaml(message)
    from_yaml = io.from_yaml(document, cls)
    assert from_yaml == message
    assert io.to_binary(from_yaml) == data
    assert io.to_yaml(from_yaml) == document


def error_codes(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[tuple[str, str]]:
    """``(code, path)`` of each error (warnings left out)."""
    return [(d.code.value, d.path) for d in errors(list(diagnostics))]


def task_errors(task: b.Task) -> list[tuple[str, str]]:
    """The validator's errors about a task's template."""
    return error_codes(validate(task.template))
