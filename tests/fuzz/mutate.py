"""Mutation of real inputs: byte-level and text-aware (:func:`mutate`), and message-level (:func:`mutate_message`).

:func:`mutate` applies one to a few random edits: bit flips, byte changes, insertions and deletions, repeated chunks
(growing nesting and size), splices with another input, wire-format varints with extreme values; and, when the
payload is text, edits that target readers: extreme numbers, deep brackets, long strings, YAML anchors and aliases,
duplicated lines and keys, odd Unicode. The first two bytes of a typed target's input (its selectors) are mutated
too, but rarely.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from flytespec._compat import descriptor_of, enum_of, is_map, is_repeated, message_of
from flytespec._walk import copy_into, copy_message, encode_varint, submessages

_MESSAGE = FieldDescriptor.TYPE_MESSAGE

__all__ = ["mutate", "mutate_message"]

_INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x08)
_VARINTS = (
    b"\xff\xff\xff\xff\x0f",  # 2**32 - 1
    b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # 2**64 - 1
    b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # too long
    b"\x00",
    b"\x7f",
)
_NUMBERS = (
    "1e999",
    "-1e999",
    "9007199254740993",
    "18446744073709551616",
    "-9223372036854775809",
    "1" * 5000,
    "0.000000000000000000000000001",
    "-0",
    "1.5",
    "NaN",
    '"NaN"',
    '"Infinity"',
    '"-Infinity"',
    "0x10",
    "1_000",
    ".inf",
    "4294967296",
)
_SNIPPETS = (
    "[" * 300,
    "{" * 300,
    '{"a":' * 150,
    "- " * 300,
    "&a [1, 2]",
    "*a",
    "<<: *a",
    "!!binary aGVsbG8=",
    "!!python/object:os.system",
    '"\\ud800"',
    "\u2028",
    "\ufeff",
    "\x00",
    "null",
    "~",
    "---\n",
    "...\n",
    "? [a]\n: b\n",
    '"' + "x" * 70000 + '"',
    "'a': 1\n'a': 2\n",
    '"@type": "type.googleapis.com/google.protobuf.Any"',
    '"3.000000001s"',
    '"315576000001s"',
    '"0000-01-01T00:00:00Z"',
    '"2024-02-30T00:00:00Z"',
    '"9999-12-31T23:59:60.999999999+00:00"',
)
_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _byte_edit(data: bytearray, rng: random.Random, others: list[bytes]) -> None:
    choice = rng.randrange(10)
    n = len(data)
    if choice == 0 and n:
        data[rng.randrange(n)] ^= 1 << rng.randrange(8)
    elif choice == 1 and n:
        data[rng.randrange(n)] = rng.choice(_INTERESTING_BYTES)
    elif choice == 2:
        at = rng.randrange(n + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif choice == 3 and n:
        start = rng.randrange(n)
        del data[start : start + rng.randint(1, max(1, n // 8))]
    elif choice == 4 and n:
        start = rng.randrange(n)
        chunk = data[start : start + rng.randint(1, 64)]
        at = rng.randrange(n + 1)
        data[at:at] = chunk * rng.choice((1, 2, 8, 64))
    elif choice == 5 and others:
        other = rng.choice(others)
        cut, start = rng.randrange(n + 1), rng.randrange(len(other) + 1)
        data[cut:] = other[start:]
    elif choice == 6 and n:
        del data[rng.randrange(n) :]
    elif choice == 7:
        at = rng.randrange(n + 1)
        data[at:at] = rng.choice(_VARINTS)
    elif choice == 8 and n > 1:
        a, b = sorted(rng.sample(range(n), 2))
        data[a], data[b] = data[b], data[a]
    elif n:
        # Wrap a random span in a length-delimited field (nesting grows by one level).
        start = rng.randrange(n)
        span = bytes(data[start:])
        tag = rng.choice((0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A))
        data[start:] = bytes([tag]) + encode_varint(len(span)) + span


def _text_edit(text: str, rng: random.Random) -> str:
    choice = rng.randrange(7)
    n = len(text)
    if choice == 0:
        matches = list(_NUMBER.finditer(text.encode("utf-8", "surrogatepass")))
        if matches:
            match = rng.choice(matches)
            encoded = text.encode("utf-8", "surrogatepass")
            replaced = encoded[: match.start()] + rng.choice(_NUMBERS).encode() + encoded[match.end() :]
            return replaced.decode("utf-8", "surrogatepass")
    if choice == 1:
        at = rng.randrange(n + 1)
        return text[:at] + rng.choice(_SNIPPETS) + text[at:]
    if choice == 2:
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if choice == 3:
        quote = [i for i, c in enumerate(text) if c == '"']
        if quote:
            at = rng.choice(quote)
            return text[: at + 1] + "x" * rng.choice((1, 1000, 100_000)) + text[at + 1 :]
    if choice == 4:
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        lines.insert(i, " " * indent + rng.choice(("a: &x [1, *x]", "b: *x", "c: &y {k: v}", "<<: *y")))
        return "\n".join(lines)
    if choice == 5:
        at = rng.randrange(n + 1)
        return text[:at] + rng.choice(("\ud800", "\x85", "\t", "\r", "\u00a0", "é", "\U0001f600")) + text[at:]
    lines = text.split("\n")
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def mutate(data: bytes, rng: random.Random, others: list[bytes] | None = None, *, selectors: int = 0) -> bytes:
    """A mutant of ``data``: one to four edits; ``selectors`` leading bytes are kept most of the time."""
    head, body = bytearray(data[:selectors]), data[selectors:]
    if head and rng.random() < 0.05:
        head[rng.randrange(len(head))] = rng.randrange(256)
    pool = [o[selectors:] for o in (others or [])]
    for _ in range(rng.randint(1, 4)):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and rng.random() < 0.6:
            body = _text_edit(text, rng).encode("utf-8", "surrogatepass")
        else:
            edited = bytearray(body)
            _byte_edit(edited, rng, pool)
            body = bytes(edited)
    return bytes(head) + body


# --------------------------------------------------------------------------------------------------------------
# Message-level mutation: valid messages with hostile content (structure-aware, from the descriptors).

_STRINGS = ("", "start-node", "end-node", "n0", "x" * 64, "é\u2028\x00", "{{.input}}", "[0].o0", "a" * 10_000)
_INTS = (0, 1, -1, 2**31 - 1, -(2**31), 2**53 + 1, 2**63 - 1, -(2**63))
_UINTS = (0, 1, 2**32 - 1, 2**64 - 1)
_FLOATS = (0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, 1.5, 3.4028234663852886e38, 1e300)


def mutate_message(message: Message, rng: random.Random, edits: int = 3) -> Message:
    """A mutant of ``message`` (a copy): fields set to extreme values, cleared, duplicated, or replaced by another
    submessage of the same type (which makes references dangle, ids collide and graphs cycle)."""
    mutant = copy_message(message)
    for _ in range(rng.randint(1, edits)):
        everything = [m for _, m in submessages(mutant)]
        target = rng.choice(everything)
        fields = list(descriptor_of(target).fields)
        if not fields:
            continue
        _edit_field(target, rng.choice(fields), rng, everything)
    return mutant


def _edit_field(msg: Any, fd: FieldDescriptor, rng: random.Random, everything: list[Message]) -> None:
    name = fd.name
    if is_map(fd):
        entries = getattr(msg, name)
        entry = message_of(fd)
        key_fd, value_fd = entry.fields_by_name["key"], entry.fields_by_name["value"]
        if entries and rng.random() < 0.3:
            del entries[rng.choice(sorted(entries))]
            return
        key = _scalar(key_fd, rng, everything)
        if value_fd.type == _MESSAGE:
            entries[key].SetInParent()
            _maybe_copy(entries[key], rng, everything)
        else:
            entries[key] = _scalar(value_fd, rng, everything)
        return
    if is_repeated(fd):
        items = getattr(msg, name)
        roll = rng.random()
        if roll < 0.2:
            del items[:]
        elif roll < 0.5 and len(items):
            del items[rng.randrange(len(items))]
        elif fd.type == _MESSAGE:
            added = items.add()
            source = items[rng.randrange(len(items) - 1)] if len(items) > 1 and roll < 0.8 else None
            if source is not None:
                copy_into(added, source)
            else:
                _maybe_copy(added, rng, everything)
        else:
            items.append(_scalar(fd, rng, everything))
        return
    if fd.type == _MESSAGE:
        if rng.random() < 0.3:
            msg.ClearField(name)
        else:
            child = getattr(msg, name)
            child.SetInParent()
            _maybe_copy(child, rng, everything)
        return
    setattr(msg, name, _scalar(fd, rng, everything))


def _maybe_copy(target: Message, rng: random.Random, everything: list[Message]) -> None:
    """Replace ``target`` with another submessage of its type (not one containing it), sometimes."""
    same = [m for m in everything if type(m) is type(target) and m is not target]
    if same and rng.random() < 0.7:
        source = rng.choice(same)
        if source.ByteSize() < 1 << 16:
            copy_into(target, copy_message(source))  # via a copy: the source may contain the target


def _scalar(fd: FieldDescriptor, rng: random.Random, everything: list[Message]) -> Any:
    t = fd.type
    if t == FieldDescriptor.TYPE_STRING:
        if rng.random() < 0.4:
            # A string already in the message (a node id, a variable name): references that resolve, or collide.
            found = [
                v
                for m in rng.sample(everything, min(8, len(everything)))
                for f, v in m.ListFields()
                if f.type == FieldDescriptor.TYPE_STRING and isinstance(v, str)
            ]
            if found:
                return rng.choice(found)
        return rng.choice(_STRINGS)
    if t == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if t == FieldDescriptor.TYPE_BYTES:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
    if t == FieldDescriptor.TYPE_ENUM:
        values = [v.number for v in enum_of(fd).values]
        return rng.choice(values) if rng.random() < 0.8 else rng.choice((99, -1, 2**31 - 1))
    if t in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        value = rng.choice(_FLOATS)
        return min(value, 3.4028234663852886e38) if t == FieldDescriptor.TYPE_FLOAT and value == 1e300 else value
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return rng.choice(_UINTS[:3])
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return rng.choice(_UINTS)
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return rng.choice([v for v in _INTS if -(2**31) <= v < 2**31])
    return rng.choice(_INTS)
