"""Fuzz targets: a registry of name -> callable taking bytes.

A target feeds its input to one flytespec entry point and checks the contract: the call returns, or raises a
:class:`~flytespec.errors.FlytespecError`; any other exception propagates and is a finding. Some targets also check
invariants (a conversion reads back to the same message; validation is deterministic) with ``AssertionError``.

Typed targets read their first byte as a selector (the message type, the formats), so that byte-level mutation
explores every type; the rest is the payload. :func:`encode` builds such inputs from a message.

Adding a target is one function with the ``@target("name")`` decorator, taking the input's bytes; the fuzz tests,
``tools/fuzz.py`` and the regression replay pick it up (``cli`` below runs the command line that way).
"""

from __future__ import annotations

import contextlib
import io as stdio
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from google.protobuf.message import Message

from flytespec import io, registry
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.cli import main as cli_main
from flytespec.cli._common import CliError
from flytespec.compiler import compile, compile_task, to_go_json
from flytespec.core import literals_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import FlytespecError, FlytespecWarning, UnknownFieldsError
from flytespec.validate import validate

__all__ = ["COMMANDS", "FORMATS", "TARGETS", "TYPES", "Target", "check", "encode", "run", "target"]

Target = Callable[[bytes], None]

#: name -> target. Order matters only for tools/fuzz.py's round-robin.
TARGETS: dict[str, Target] = {}

#: The message types a typed target's first byte selects from (byte % len).
TYPES: tuple[type[Message], ...] = (
    *(registry.message_type(name) for name in registry.DOCUMENT_TYPES),
    workflow_pb2.Node,
    literals_pb2.Literal,
    literals_pb2.LiteralMap,
)
FORMATS: tuple[io.Format, ...] = io.FORMATS

# Fuzzed inputs are small: a limit far below the default keeps one input from eating the run's memory.
_MAX_SIZE = 1 << 20


def target(name: str) -> Callable[[Target], Target]:
    """Register a target under ``name``."""

    def register(function: Target) -> Target:
        TARGETS[name] = function
        return function

    return register


def encode(message: Message, fmt: io.Format, to: io.Format | None = None) -> bytes:
    """A typed target's input for ``message`` written in ``fmt`` (``to``: the second format of ``convert``)."""
    selector = bytes([TYPES.index(type(message))])
    formats = bytes([FORMATS.index(fmt) + 3 * FORMATS.index(to or fmt)])
    text = io.dumps(message, fmt)
    return selector + formats + (text if isinstance(text, bytes) else text.encode("utf-8"))


def _split(data: bytes) -> tuple[type[Message], io.Format, io.Format, bytes]:
    if len(data) < 2:
        return TYPES[data[0] % len(TYPES) if data else 0], "binary", "binary", b""
    cls = TYPES[data[0] % len(TYPES)]
    return cls, FORMATS[data[1] % 3], FORMATS[data[1] // 3 % 3], data[2:]


def _read(cls: type[Message], fmt: io.Format, payload: bytes, max_depth: int | None = None) -> Message:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FlytespecWarning)
        return io.loads(payload, cls, format=fmt, max_size=_MAX_SIZE, max_depth=max_depth)


@target("load")
def load_any(data: bytes) -> None:
    """io.loads with nothing given: format and message type detected."""
    io.loads(data, max_size=_MAX_SIZE)


@target("binary")
def load_binary(data: bytes) -> None:
    cls, _, _, payload = _split(data)
    _read(cls, "binary", payload)


@target("json")
def load_json(data: bytes) -> None:
    cls, _, _, payload = _split(data)
    _read(cls, "json", payload)


@target("yaml")
def load_yaml(data: bytes) -> None:
    cls, _, _, payload = _split(data)
    _read(cls, "yaml", payload)


def _same(a: Message, b: Message) -> bool:
    """Equal as proto3 JSON defines equality (NaN is NaN), or byte for byte."""
    if io.to_binary(a) == io.to_binary(b):
        return True
    try:
        return bool(io.to_dict(a) == io.to_dict(b))
    except FlytespecError:
        return False


@target("convert")
def convert(data: bytes) -> None:
    """Read in one format, write in another, read that back: the same message (what flytespec writes, it reads)."""
    cls, source, destination, payload = _split(data)
    message = _read(cls, source, payload)
    try:
        written = io.dumps(message, destination)
    except UnknownFieldsError:
        # Not dropped: refused, naming where they are. Binary keeps them, byte for byte.
        assert io.to_binary(io.from_binary(io.to_binary(message), cls)) == io.to_binary(message)
        return
    # Binary read at the parser's bound (101) may be one level deeper than the text default (100).
    back = _read(cls, destination, written if isinstance(written, bytes) else written.encode(), max_depth=101)
    assert _same(message, back), f"{source} -> {destination} changed the message"
    again = io.dumps(back, destination)
    assert again == written, f"writing {destination} twice gave different output"


@target("validate")
def validate_spec(data: bytes) -> None:
    """Read (binary, JSON or YAML), then validate: diagnostics, twice the same."""
    cls, source, _, payload = _split(data)
    message = _read(cls, source, payload)
    first = validate(message)
    assert all(isinstance(d.path, str) and d.code for d in first)
    assert validate(message) == first, "validation is not deterministic"


@target("compile")
def compile_spec(data: bytes) -> None:
    """Read, then compile what compiles (workflows and tasks), then write the result as Go's JSON and as binary."""
    cls, source, _, payload = _split(data)
    message = _read(cls, source, payload)
    if isinstance(
        message, (workflow_pb2.WorkflowTemplate, admin_workflow_pb2.WorkflowSpec, workflow_closure_pb2.WorkflowClosure)
    ):
        closure = compile(message)
        to_go_json(closure)
        io.to_binary(closure)
    elif isinstance(message, tasks_pb2.TaskTemplate):
        to_go_json(compile_task(message))


_EXTENSIONS = {"binary": ".pb", "json": ".json", "yaml": ".yaml"}
# ``{out}`` stands for a file in the input's temporary folder.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("validate", "--format", "json"),
    ("validate", "--strict"),
    ("convert", "--to", "json", "-o", "{out}"),
    ("convert", "-o", "{out}.yaml"),
    ("convert", "--to", "binary", "-o", "{out}"),
    ("compile", "-o", "{out}.json", "--format", "go-json"),
    ("graph",),
    ("digest",),
)


@target("cli")
def cli(data: bytes) -> None:
    """The command line, in process, on the payload written to a file: an exit status, never another exception.

    ``--debug`` lets exceptions through (a FlytespecError or the command line's CliError is the contract; anything
    else is a finding). The first byte selects the command; the second, as :func:`encode` writes it, the file's
    extension (the format), and any other value none (the format detected from the content).
    """
    command = COMMANDS[data[0] % len(COMMANDS)] if data else COMMANDS[0]
    extension = _EXTENSIONS[FORMATS[data[1] % 3]] if len(data) > 1 and data[1] < 9 else ""
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / f"spec{extension}"
        spec.write_bytes(data[2:])
        out_path = str(Path(folder) / "out")
        argv = ["--debug", command[0], str(spec), *(arg.replace("{out}", out_path) for arg in command[1:])]
        out = stdio.TextIOWrapper(stdio.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings():
            warnings.simplefilter("ignore", FlytespecWarning)
            try:
                status = cli_main(argv)
            except CliError:  # what the command line reports as a usage or input error (exit status 2)
                return
    assert status in (0, 1, 2), f"exit status {status}"


def run(name: str, data: bytes) -> None:
    """Run target ``name`` on ``data``: returns when the contract holds; raises the finding otherwise."""
    with contextlib.suppress(FlytespecError):
        TARGETS[name](data)


def check(name: str, data: bytes) -> BaseException | None:
    """The finding of target ``name`` on ``data`` (an exception that is not a FlytespecError), or None."""
    try:
        run(name, data)
    except Exception as err:
        return err
    return None
