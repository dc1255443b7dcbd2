"""Shared fixtures for IDL tests: the IDL compiled by buf, with source info."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[2]


def buf_executable() -> str | None:
    """Return the buf binary next to the running interpreter, else on PATH."""
    local = Path(sys.executable).parent / "buf"
    return str(local) if local.exists() else shutil.which("buf")


@dataclass(frozen=True)
class IdlImage:
    files: tuple[descriptor_pb2.FileDescriptorProto, ...]

    @property
    def own_files(self) -> tuple[descriptor_pb2.FileDescriptorProto, ...]:
        return tuple(f for f in self.files if f.name.startswith("flytespec/"))


def build_image() -> IdlImage:
    """Compile idl/ with buf (source info kept) and return its file descriptors."""
    buf = buf_executable()
    if buf is None:
        raise FileNotFoundError("buf")
    out = subprocess.run(
        [buf, "build", "--as-file-descriptor-set", "-o", "-#format=binpb"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    fds = descriptor_pb2.FileDescriptorSet.FromString(out)
    return IdlImage(tuple(fds.file))


@pytest.fixture(scope="session")
def idl_image() -> IdlImage:
    try:
        return build_image()
    except FileNotFoundError:
        pytest.skip("buf is not installed (it comes with the dev extra: pip install -e .[dev])")
