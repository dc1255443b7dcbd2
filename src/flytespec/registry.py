"""Finding flytespec message classes by name.

A message type can be given as a class (``workflow_pb2.WorkflowClosure``), a descriptor, or a name:

- a full name: ``flytespec.core.WorkflowClosure``, ``flytespec.admin.TaskSpec``;
- Flyte's full name, mapped to ours: ``flyteidl.core.WorkflowClosure``;
- a package-relative name: ``core.WorkflowClosure``, ``admin.TaskSpec``, ``core.Node.metadata``-style nesting with
  dots (``core.ArrayNode.ExecutionMode`` is an enum, not a message, and is refused);
- a bare name: ``WorkflowClosure``. Bare names are looked up in ``flytespec.core`` first, then ``flytespec.admin``
  (``flytespec.admin`` has its own ``WorkflowClosure``: write ``admin.WorkflowClosure`` for that one);
- a well-known type: ``google.protobuf.Duration``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from google.protobuf import descriptor, descriptor_pool
from google.protobuf.message import Message

from flytespec._compat import message_class_of
from flytespec.errors import UnknownMessageTypeError

__all__ = [
    "DOCUMENT_TYPES",
    "PACKAGES",
    "MessageType",
    "all_message_types",
    "message_type",
    "modules",
]

#: The proto packages flytespec defines, in the order bare names are looked up.
PACKAGES = ("flytespec.core", "flytespec.admin")

#: The message types a spec file usually holds, in the order content-based detection tries them: registration
#: messages first (what ``pyflyte package`` writes), then closures, then single templates, then compiled pieces.
#: A type whose fields are a subset of an earlier one's (``CompiledTask`` of ``TaskSpec``) comes after it.
DOCUMENT_TYPES = (
    "flytespec.admin.TaskSpec",
    "flytespec.admin.WorkflowSpec",
    "flytespec.admin.LaunchPlan",
    "flytespec.core.WorkflowClosure",
    "flytespec.core.CompiledWorkflowClosure",
    "flytespec.core.DynamicJobSpec",
    "flytespec.core.TaskTemplate",
    "flytespec.core.WorkflowTemplate",
    "flytespec.core.CompiledTask",
    "flytespec.core.CompiledWorkflow",
)

#: What a message type may be given as.
MessageType = type[Message] | descriptor.Descriptor | str


@functools.cache
def modules() -> tuple[ModuleType, ...]:
    """Import and return every generated ``_pb2`` module of flytespec, sorted by module name."""
    found = []
    for pkg in PACKAGES:
        package = importlib.import_module(pkg)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.endswith("_pb2"):
                found.append(importlib.import_module(f"{pkg}.{info.name}"))
    return tuple(sorted(found, key=lambda m: m.__name__))


def all_message_types() -> Iterator[type[Message]]:
    """Every message class of flytespec (nested ones included, map entries excluded), in a stable order."""
    for module in modules():
        # Sorted by name; (iterating the mapping itself yields descriptors, not names, on protobuf 4.21's upb).
        stack = sorted(module.DESCRIPTOR.message_types_by_name.values(), key=lambda d: d.name, reverse=True)
        while stack:
            desc = stack.pop()
            if desc.GetOptions().map_entry:
                continue
            yield message_class_of(desc)
            stack.extend(reversed(desc.nested_types))


def message_type(spec: MessageType) -> type[Message]:
    """Resolve a class, descriptor or name (see the module docstring) to a flytespec message class.

    Raises:
        UnknownMessageTypeError: ``spec`` names no known message.
    """
    if isinstance(spec, type) and issubclass(spec, Message):
        return spec
    if isinstance(spec, descriptor.Descriptor):
        return message_class_of(spec)
    if not isinstance(spec, str):
        raise UnknownMessageTypeError(f"expected a message class, descriptor or name, got {type(spec).__name__}")
    return _by_name(spec)


@functools.cache
def _by_name(name: str) -> type[Message]:
    modules()  # make sure every flytespec descriptor is in the pool
    pool = descriptor_pool.Default()
    text = name.strip()
    if text.startswith("flyteidl."):
        text = "flytespec." + text[len("flyteidl.") :]
    candidates = [text] if text.startswith(("flytespec.", "google.protobuf.")) else []
    if text.startswith(("core.", "admin.")):
        candidates.append(f"flytespec.{text}")
    if not candidates:
        candidates = [f"{pkg}.{text}" for pkg in PACKAGES]
    for full in candidates:
        if full.startswith("google.protobuf."):
            _import_well_known(full)
        try:
            return message_class_of(pool.FindMessageTypeByName(full))
        except (KeyError, TypeError):  # TypeError: not UTF-8 (a command-line argument of undecodable bytes)
            continue
    raise UnknownMessageTypeError(
        f"unknown message type {name!r}: give a flytespec message such as 'WorkflowClosure', "
        "'core.TaskTemplate' or 'flytespec.admin.TaskSpec'" + _suggestion(text)
    )


def _import_well_known(full_name: str) -> None:
    module = {
        "Any": "any_pb2",
        "Duration": "duration_pb2",
        "Empty": "empty_pb2",
        "FieldMask": "field_mask_pb2",
        "Struct": "struct_pb2",
        "Value": "struct_pb2",
        "ListValue": "struct_pb2",
        "Timestamp": "timestamp_pb2",
    }.get(full_name.rsplit(".", 1)[-1], "wrappers_pb2")
    importlib.import_module(f"google.protobuf.{module}")


@functools.cache
def _known_names() -> tuple[str, ...]:
    return tuple(sorted({cls.DESCRIPTOR.full_name for cls in all_message_types()}))


def _suggestion(text: str) -> str:
    import difflib

    short = {n.rsplit(".", 1)[-1]: n for n in _known_names()}
    last = text.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(last, list(short), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(short[c]) for c in close)}?)" if close else ""
