"""Content digests of specs: "is this the same spec?", answered locally.

A digest is the SHA-256 of the message's deterministic binary encoding (:func:`flytespec.io.to_binary`: fields in
number order, map entries sorted by key, fields unknown to this version kept as read, ``Any`` payloads encoded the
same way), written
``sha256:<64 hex digits>``. The same message gives the same digest whatever format it was read from (binary, JSON or
YAML), whatever the order of its map entries in the input, on every run and every protobuf backend::

    from flytespec import io
    from flytespec.digest import digest

    assert digest(io.load("wf.yaml")) == digest(io.load("wf.pb"))

The digest covers the bytes only, not the message type: two specs of different types are compared by type first.
Order that has meaning in the encoding (the order of nodes, of list elements) is part of the content.
"""

from __future__ import annotations

import hashlib

from google.protobuf.message import Message

from flytespec import io
from flytespec._walk import with_canonical_anys

__all__ = ["ALGORITHM", "digest"]

#: The hash function, and the prefix of every digest.
ALGORITHM = "sha256"


def digest(message: Message) -> str:
    """The content digest of ``message``: ``sha256:`` and the hex SHA-256 of its deterministic encoding.

    Raises:
        TypeError: ``message`` is not a protobuf message.
    """
    if not isinstance(message, Message):
        raise TypeError(f"message: expected a protobuf message, got {type(message).__name__}")
    return f"{ALGORITHM}:{hashlib.sha256(io.to_binary(with_canonical_anys(message))).hexdigest()}"
