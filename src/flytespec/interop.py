"""Conversion between flytespec messages and Flyte's own ``flyteidl`` messages.

The two are wire-identical type for type (``flytespec.core.X`` and ``flyteidl.core.X``), so conversion goes
through the wire format and loses nothing, unknown fields included. ``flyteidl`` is not a dependency of flytespec:
:func:`to_flyteidl` imports it when called.

Example::

    from flytespec import interop
    fly = interop.to_flyteidl(workflow_closure)      # a flyteidl.core.workflow_closure_pb2.WorkflowClosure
    ours = interop.from_flyteidl(fly)                # back to flytespec
"""

from __future__ import annotations

import importlib

from google.protobuf.message import Message

from flytespec import registry
from flytespec._compat import descriptor_of, type_name

__all__ = ["as_flytespec", "flyteidl_class", "from_flyteidl", "to_flyteidl"]


def flyteidl_class(message_type: registry.MessageType) -> type[Message]:
    """The ``flyteidl`` class matching a flytespec message type (class, descriptor or name).

    Raises:
        ImportError: ``flyteidl`` is not installed.
    """
    desc = descriptor_of(registry.message_type(message_type))
    if not desc.full_name.startswith("flytespec."):
        raise TypeError(f"{desc.full_name} is not a flytespec message")
    module_name = desc.file.name.replace("flytespec/", "flyteidl/", 1).removesuffix(".proto").replace("/", ".")
    try:
        module = importlib.import_module(module_name + "_pb2")
    except ImportError as err:
        raise ImportError(f"converting to flyteidl needs flyteidl installed (pip install flyteidl): {err}") from err
    nested = desc.full_name[len(desc.file.package) + 1 :].split(".")
    obj: object = module
    for part in nested:
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Message)):  # pragma: no cover - flyteidl's layout is fixed
        raise TypeError(f"{module_name}_pb2 has no message {desc.full_name}")
    return obj


def to_flyteidl(message: Message) -> Message:
    """The ``flyteidl`` message with the same content as a flytespec message."""
    return flyteidl_class(type(message)).FromString(message.SerializeToString(deterministic=True))


def from_flyteidl(message: Message) -> Message:
    """The flytespec message with the same content as a ``flyteidl`` message (or any message named ``flyteidl.*``)."""
    name = descriptor_of(message).full_name
    if not name.startswith("flyteidl."):
        raise TypeError(f"{name} is not a flyteidl message")
    return registry.message_type(name).FromString(message.SerializeToString(deterministic=True))


def as_flytespec(value: object, role: str = "spec") -> Message:
    """``value`` if it is a flytespec message; the flytespec copy of it if it is a ``flyteidl`` message (the entry
    points, :func:`flytespec.validate.validate`, :func:`flytespec.compiler.compile` and the others, take both).

    Raises:
        TypeError: ``value`` is not a message of either (``role`` names the argument in the error).
    """
    if isinstance(value, Message):
        name = descriptor_of(value).full_name
        if name.startswith("flytespec."):
            return value
        if name.startswith("flyteidl."):
            return from_flyteidl(value)
    got = type_name(value)
    raise TypeError(f"{role}: expected a flytespec message (or the flyteidl message of the same type), got {got}")
