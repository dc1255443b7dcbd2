"""The optional typed view: betterproto2 dataclasses of every flytespec message.

Needs ``betterproto2`` (``pip install flytespec[betterproto]``). The classes live in :data:`core` and
:data:`admin` (``view.core.WorkflowTemplate``, ``view.admin.TaskSpec``), with nested types flattened
(``view.core.ArrayNodeExecutionMode``).

The protobuf ``_pb2`` messages stay the canonical objects: builders return them, validators read them, and binary,
JSON and YAML go through them. The view is for code that prefers dataclasses, and crossing over is checked:

- :func:`to_view` refuses (:class:`~flytespec.errors.ViewConversionError`, naming the field) any message the view
  cannot hold exactly. betterproto2 holds Durations and Timestamps as ``timedelta`` and ``datetime``, to the
  microsecond, so a value with nanoseconds (or one too large for those types) is refused rather than rounded.
- :func:`from_view` is exact: it goes through the wire format, which the view writes faithfully.
- JSON never goes through the view: betterproto2 writes some names wrongly (``k8SPod`` for ``k8sPod``). Convert to
  ``_pb2`` and use :mod:`flytespec.io`.

Example::

    from flytespec import view
    v = view.to_view(task_template)          # a betterproto2 dataclass
    v.metadata.retries.retries = 3
    task_template = view.from_view(v)        # back to the _pb2 message
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

from google.protobuf.message import Message

from flytespec import registry
from flytespec._compat import descriptor_of
from flytespec._walk import first_difference
from flytespec.errors import ViewConversionError

try:
    import betterproto2
except ImportError as _err:  # pragma: no cover - depends on the environment
    raise ImportError("flytespec.view needs betterproto2: pip install 'flytespec[betterproto]'") from _err

from flytespec._view.flytespec import admin as _admin
from flytespec._view.flytespec import core as _core
from flytespec._view.message_pool import default_message_pool as _pool

__all__ = ["admin", "core", "from_view", "to_view", "view_class"]

#: betterproto2 classes of the ``flytespec.core`` package.
core: ModuleType = _core
#: betterproto2 classes of the ``flytespec.admin`` package.
admin: ModuleType = _admin

_URL_PREFIX = "type.googleapis.com/"


def view_class(message_type: registry.MessageType) -> type[betterproto2.Message]:
    """The betterproto2 class of a flytespec message type (class, descriptor or name)."""
    full_name = descriptor_of(registry.message_type(message_type)).full_name
    cls: Any = _pool.url_to_type.get(_URL_PREFIX + full_name)
    if cls is None:
        raise TypeError(f"{full_name} has no betterproto2 view (only flytespec.core and flytespec.admin do)")
    return cls  # type: ignore[no-any-return]


def to_view(message: Message) -> Any:
    """Convert a ``_pb2`` message to its betterproto2 dataclass, exactly.

    Raises:
        ViewConversionError: the view cannot hold the message exactly (for example a Duration with nanoseconds);
            the error names the first field concerned.
    """
    cls = view_class(type(message))
    with warnings.catch_warnings():
        # betterproto2 warns when it builds a message type the IDL marks deprecated; converting is not using it.
        warnings.simplefilter("ignore", DeprecationWarning)
        view = cls.parse(message.SerializeToString(deterministic=True))
    back = type(message).FromString(bytes(view))
    if back != message:
        path = first_difference(message, back) or ""
        raise ViewConversionError(
            "the view would not keep this value (betterproto2 holds Durations and Timestamps as timedelta and "
            "datetime, to the microsecond)",
            message_type=descriptor_of(message).full_name,
            path=path,
        )
    return view


def from_view(view: Any) -> Message:
    """Convert a betterproto2 dataclass of this package back to its ``_pb2`` message (exact)."""
    url = _pool.type_to_url.get(type(view))
    if url is None:
        raise TypeError(f"{type(view).__name__} is not a flytespec betterproto2 view class")
    cls = registry.message_type(url[len(_URL_PREFIX) :])
    return cls.FromString(bytes(view))
