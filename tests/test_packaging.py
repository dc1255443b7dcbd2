"""One distribution, `flytespec`: the wheel carries the generated messages, the view, the hand-written package and
py.typed, and works outside the source tree, next to flyteidl."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stderr[-3000:]}")
    (found,) = out.glob("flytespec-*.whl")
    return found


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("core/workflow_pb2", "core/tasks_pb2", "admin/launch_plan_pb2", "admin/task_pb2"):
        assert f"flytespec/{module}.py" in names
        assert f"flytespec/{module}.pyi" in names
    assert "flytespec/py.typed" in names
    assert "flytespec/_view/flytespec/core/__init__.py" in names
    assert "flytespec/io/__init__.py" in names
    assert "flytespec/testing/__init__.py" in names
    generated = {n for n in names if n.endswith("_pb2.py")}
    assert len(generated) == 25  # 17 core, 7 admin, and flytespec.options
    sources = {n.removeprefix("src/") for n in names if n.endswith(".py")}
    assert not any(n.startswith(("tests/", "tools/", "gen/", "src/")) for n in sources)
    # Every module of both trees ships (the package list in pyproject.toml is explicit).
    for tree in ("src", "gen"):
        for path in (ROOT / tree).rglob("*.py"):
            assert path.relative_to(ROOT / tree).as_posix() in names, path


def test_wheel_works_outside_the_source_tree_next_to_flyteidl(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
import flytespec
assert flytespec.__file__.startswith({str(tmp_path)!r}), flytespec.__file__
from flytespec.core import workflow_pb2
from flytespec import io
import flyteidl.core.workflow_pb2 as theirs
node = workflow_pb2.Node(id="n0")
assert theirs.Node.FromString(io.to_binary(node)).id == "n0"
assert io.from_yaml(io.to_yaml(node), "Node") == node
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.strip() == "ok", proc.stderr[-3000:]


def test_importing_flytespec_loads_nothing_heavy() -> None:
    code = (
        "import sys; before = set(sys.modules); import flytespec; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(('google', 'yaml', 'flytespec.'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
