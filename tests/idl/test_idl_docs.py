"""Every element of the IDL is documented in our own words.

Conventions enforced here (see idl/README.md):
- each file has a comment before its ``package`` statement;
- each message, enum, enum value and oneof has a leading comment;
- each field's leading comment starts with ``Required.`` or ``Optional.``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from google.protobuf import descriptor_pb2

from tests.idl.conftest import IdlImage

# Field numbers inside descriptor.proto, used to build source-location paths.
_FILE_PACKAGE, _FILE_MESSAGE, _FILE_ENUM, _FILE_SYNTAX = 2, 4, 5, 12
_MSG_FIELD, _MSG_NESTED, _MSG_ENUM, _MSG_ONEOF = 2, 3, 4, 8
_ENUM_VALUE = 2
_REQUIREDNESS = ("Required.", "Optional.")


def _elements(
    fd: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """Yield (kind, qualified name, source path) for every documentable element."""

    def enum(
        e: descriptor_pb2.EnumDescriptorProto, name: str, path: tuple[int, ...]
    ) -> Iterator[tuple[str, str, tuple[int, ...]]]:
        yield "enum", name, path
        for i, v in enumerate(e.value):
            yield "enum value", f"{name}.{v.name}", (*path, _ENUM_VALUE, i)

    stack: list[tuple[descriptor_pb2.DescriptorProto, str, tuple[int, ...]]] = [
        (m, f"{fd.package}.{m.name}", (_FILE_MESSAGE, i)) for i, m in enumerate(fd.message_type)
    ]
    for i, e in enumerate(fd.enum_type):
        yield from enum(e, f"{fd.package}.{e.name}", (_FILE_ENUM, i))
    while stack:
        msg, name, path = stack.pop()
        if msg.options.map_entry:
            continue
        yield "message", name, path
        for i, f in enumerate(msg.field):
            yield "field", f"{name}.{f.name}", (*path, _MSG_FIELD, i)
        synthetic = {f.oneof_index for f in msg.field if f.proto3_optional}  # proto3 `optional` makes these
        for i, o in enumerate(msg.oneof_decl):
            if i not in synthetic:
                yield "oneof", f"{name}.{o.name}", (*path, _MSG_ONEOF, i)
        for i, e in enumerate(msg.enum_type):
            yield from enum(e, f"{name}.{e.name}", (*path, _MSG_ENUM, i))
        stack.extend((n, f"{name}.{n.name}", (*path, _MSG_NESTED, i)) for i, n in enumerate(msg.nested_type))


def _comments(fd: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location]:
    return {tuple(loc.path): loc for loc in fd.source_code_info.location}


def test_every_idl_file_was_checked(idl_image: IdlImage) -> None:
    assert len(idl_image.own_files) >= 24


def _header_missing(fd: descriptor_pb2.FileDescriptorProto) -> bool:
    locs = _comments(fd)
    for key in ((_FILE_SYNTAX,), (_FILE_PACKAGE,)):
        loc = locs.get(key)
        if loc is not None and (loc.leading_comments.strip() or any(c.strip() for c in loc.leading_detached_comments)):
            return False
    return True


def undocumented(fd: descriptor_pb2.FileDescriptorProto, kind: str | None = None) -> list[str]:
    """Names of the elements of ``fd`` (of one ``kind``, or all) that break the conventions."""
    locs = _comments(fd)
    out = []
    for k, name, path in _elements(fd):
        if kind is not None and k != kind:
            continue
        loc = locs.get(path)
        text = loc.leading_comments.strip() if loc is not None else ""
        if not text:
            out.append(f"{k} {name}")
        elif k == "field" and not text.startswith(_REQUIREDNESS):
            out.append(f"{k} {name} (must start with 'Required.' or 'Optional.')")
    return out


def test_files_have_a_header_comment(idl_image: IdlImage) -> None:
    assert [fd.name for fd in idl_image.own_files if _header_missing(fd)] == []


@pytest.mark.parametrize("kind", ["message", "field", "oneof", "enum", "enum value"])
def test_elements_are_documented(idl_image: IdlImage, kind: str) -> None:
    assert [name for fd in idl_image.own_files for name in undocumented(fd, kind)] == []


if __name__ == "__main__":  # python -m tests.idl.test_idl_docs [proto file names...]
    from tests.idl.conftest import build_image

    wanted = set(sys.argv[1:])
    for fd in build_image().own_files:
        if wanted and fd.name not in wanted and f"idl/{fd.name}" not in wanted:
            continue
        problems = (["file header comment"] if _header_missing(fd) else []) + undocumented(fd)
        print(f"{fd.name}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  {p}")
