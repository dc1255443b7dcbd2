"""Small shims over the protobuf runtime API, which changed between 4.21 and 7.x, over its type stubs, and over
Python 3.10 (no ``enum.StrEnum``)."""

from __future__ import annotations

import enum
from typing import Any

from google.protobuf import message, message_factory
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

__all__ = [
    "StrEnum",
    "descriptor_of",
    "enum_of",
    "is_map",
    "is_repeated",
    "message_class_of",
    "message_of",
    "type_name",
]


class StrEnum(str, enum.Enum):
    """An enum of strings that prints as its value (``enum.StrEnum`` from Python 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


def is_repeated(field: FieldDescriptor) -> bool:
    """Whether ``field`` is repeated (``label`` is gone in protobuf 7; ``is_repeated`` is new in 5.x)."""
    flag = getattr(field, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(getattr(field, "label") == FieldDescriptor.LABEL_REPEATED)  # noqa: B009


def message_of(field: FieldDescriptor) -> Descriptor:
    """The message type of a message-typed field."""
    desc = field.message_type
    if desc is None:
        raise TypeError(f"{field.full_name} is not a message field")
    return desc


def enum_of(field: FieldDescriptor) -> EnumDescriptor:
    """The enum type of an enum-typed field."""
    desc = field.enum_type
    if desc is None:
        raise TypeError(f"{field.full_name} is not an enum field")
    return desc


def is_map(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a map field (a repeated field of synthetic map-entry messages)."""
    desc = field.message_type
    return desc is not None and bool(desc.GetOptions().map_entry)


def descriptor_of(msg: message.Message | type[message.Message]) -> Descriptor:
    """The descriptor of a message or message class (typed as the Python descriptor whatever the backend)."""
    desc: Any = msg.DESCRIPTOR
    return desc  # type: ignore[no-any-return]


def type_name(value: object) -> str:
    """The full name of a message's type (``flytespec.core.Node``), else the name of ``value``'s Python type."""
    return descriptor_of(value).full_name if isinstance(value, message.Message) else type(value).__name__


_factory: Any = None


def message_class_of(desc: Descriptor | Any) -> type[message.Message]:
    """The Python class of a message descriptor from the default pool."""
    get = getattr(message_factory, "GetMessageClass", None)
    if get is not None:
        cls: type[message.Message] = get(desc)
        return cls
    global _factory
    if _factory is None:
        _factory = message_factory.MessageFactory()
    found: type[message.Message] = _factory.GetPrototype(desc)
    return found
