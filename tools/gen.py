"""Regenerate the bindings in gen/ from the .proto sources in idl/.

Run by ``make gen`` inside the pinned generator environment (.venv-gen), never by hand-editing gen/:

    python tools/gen.py            # rewrite gen/
    python tools/gen.py --out DIR  # write a fresh tree elsewhere (make check-gen compares it with gen/)

Output, from one protoc run per flavour over the sorted list of sources (so the result does not depend on the
order files are found in):

- ``flytespec/{core,admin,options}/*_pb2.py``: protobuf modules (protoc's Python generator);
- ``flytespec/{core,admin,options}/*_pb2.pyi``: typed stubs (mypy-protobuf);
- ``flytespec/_view/``: betterproto2 dataclasses, the optional typed view (see flytespec.view);
- ``README.md``: the toolchain that wrote the tree.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDL = ROOT / "idl"
GENERATED = ("flytespec", "README.md")
PACKAGES = ("core", "admin", "options")
TOOLS = ("grpcio-tools", "mypy-protobuf", "betterproto2-compiler", "ruff")

_INIT = '"""Generated protobuf modules of the flytespec.{pkg} package. Do not edit: run `make gen`."""\n'
_README = """\
# gen/: generated code, do not edit

Everything here is written by `tools/gen.py` from the sources in `idl/`; `make gen` rebuilds it from scratch and
`make check-gen` fails when it is stale.

| tree | generator |
|---|---|
| `flytespec/{{core,admin,options}}/*_pb2.py` | protoc {protoc} (grpcio-tools {grpcio-tools}) |
| `flytespec/{{core,admin,options}}/*_pb2.pyi` | mypy-protobuf {mypy-protobuf} |
| `flytespec/_view/` | betterproto2-compiler {betterproto2-compiler} (formatted by ruff {ruff}) |
"""


def _plugin(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        sys.exit(f"{name} not found next to {sys.executable}: run `make gen` (it installs the pinned generators)")
    return str(path)


def _protoc(*args: str) -> None:
    sources = sorted(p.relative_to(IDL).as_posix() for p in IDL.rglob("*.proto"))
    cmd = [sys.executable, "-W", "ignore", "-m", "grpc_tools.protoc", "-I.", *args, *sources]
    # The plugins run with the generator environment first on PATH (betterproto2-compiler calls ruff).
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(cmd, cwd=IDL, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"protoc failed:\n{proc.stderr}")


def generate(out: Path) -> None:
    """Write a complete generated tree into ``out`` (its previous generated content is removed first)."""
    for name in GENERATED:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    _protoc(
        f"--plugin=protoc-gen-mypy={_plugin('protoc-gen-mypy')}",
        f"--python_out={out.resolve()}",
        f"--mypy_out={out.resolve()}",
    )
    view = out / "flytespec" / "_view"
    view.mkdir(parents=True)
    _protoc(
        f"--plugin=protoc-gen-python_betterproto2={_plugin('protoc-gen-python_betterproto2')}",
        f"--python_betterproto2_out={view.resolve()}",
    )
    for pkg in PACKAGES:
        (out / "flytespec" / pkg / "__init__.py").write_text(_INIT.format(pkg=pkg))
    versions = {tool: importlib.metadata.version(tool) for tool in TOOLS}
    protoc = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "grpc_tools.protoc", "--version"], capture_output=True, text=True
    ).stdout.split()[-1]
    (out / "README.md").write_text(_README.format(protoc=protoc, **versions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "gen", help="output directory (default: gen/)")
    parser.add_argument("--check", action="store_true", help="regenerate into a temporary directory and diff")
    args = parser.parse_args()
    if not args.check:
        generate(args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "gen"
        generate(fresh)
        diff = ["diff", "-ruN", "-x", "__pycache__", str(args.out), str(fresh)]
        proc = subprocess.run(diff, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stdout[:20000])
            sys.exit("gen/ is stale (the diff above turns it into a fresh generation): run `make gen` and commit")
    print("gen/ is up to date")


if __name__ == "__main__":
    main()
