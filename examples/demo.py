"""What ``make demo`` shows: build workflows with the builders, write them, validate them, draw one, show a broken
spec's diagnostics, and round-trip every shipped example through binary, JSON and YAML.

1. build: the workflows of examples/workflows.py, written to OUT as closures (YAML) and as a ``pyflyte package``
   archive (numbered TaskSpec, WorkflowSpec and LaunchPlan files in a .tgz);
2. validate: ``flytespec validate OUT`` (the archive's files are checked against each other);
3. graph: ``flytespec graph`` of the training workflow, as Mermaid;
4. diagnostics: ``flytespec validate`` of examples/broken/, which must report its four mistakes (exit status 1);
5. round-trip: every spec file under examples/ through binary, JSON and YAML, byte-stable.

The commands run through the real entry point (``python -m flytespec``), as a user would run them.

Usage: python examples/demo.py [OUT]   (default: build/demo)
"""

from __future__ import annotations

import io as stdio
import subprocess
import sys
import tarfile
from pathlib import Path

from google.protobuf.message import Message

from flytespec import io
from flytespec.build import Workflow
from flytespec.errors import FlytespecError

EXAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(EXAMPLES))

import workflows  # noqa: E402  (examples/workflows.py, beside this script)


def _step(title: str) -> None:
    print(f"\n== {title}")


def _rel(path: Path) -> str:
    """``path`` as the user would type it: relative to the current folder when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _flytespec(*args: str) -> int:
    """Run the command line as a user would, showing the command and its output."""
    print(f"$ flytespec {' '.join(args)}")
    proc = subprocess.run([sys.executable, "-m", "flytespec", *args], capture_output=True, text=True)
    sys.stdout.write(proc.stdout + proc.stderr)
    return proc.returncode


def _package(built: list[Workflow], path: Path) -> int:
    """A ``pyflyte package``-style archive: every task, then every workflow, then its default launch plan."""
    members: list[tuple[str, Message]] = []
    tasks = {spec.template.id.name: spec for wf in built for spec in wf.task_specs()}
    for name, spec in sorted(tasks.items()):
        members.append((f"{name}_1.pb", spec))
    for wf in built:
        members.append((f"{wf.name}_2.pb", wf.spec()))
        members.append((f"{wf.name}_3.pb", wf.launch_plan()))
    with tarfile.open(path, "w:gz") as archive:
        for i, (name, message) in enumerate(members):
            data = io.to_binary(message)
            info = tarfile.TarInfo(f"{i:03d}_{name}")
            info.size, info.mtime = len(data), 0
            archive.addfile(info, stdio.BytesIO(data))
    return len(members)


def build(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    built = [make() for make in workflows.WORKFLOWS.values()]
    for wf in built:
        tasks = ", ".join(sorted(t.id.name for t in wf.tasks))
        subs = f", subworkflows {', '.join(s.id.name for s in wf.subworkflows)}" if wf.subworkflows else ""
        print(f"{wf.name}: {len(wf.template.nodes)} nodes; tasks {tasks}{subs}")
    closure = out / "ml.training.closure.yaml"
    io.dump(built[0].closure, closure)  # a closure holds the workflow and its tasks (no subworkflows)
    print(f"wrote {_rel(closure)}")
    archive = out / "flyte-package.tgz"
    count = _package(built, archive)
    print(f"wrote {_rel(archive)}: {count} files in the pyflyte package layout")
    return closure


def round_trip(path: Path) -> str:
    """Round-trip one file; its summary line. Raises AssertionError or FlytespecError on failure."""
    message = io.load(path)
    binary = io.to_binary(message)
    written: list[tuple[io.Format, bytes | str]] = [
        ("binary", binary),
        ("json", io.to_json(message)),
        ("yaml", io.to_yaml(message)),
    ]
    for fmt, data in written:
        back = io.loads(data, type(message), format=fmt)
        assert back == message, f"{fmt} round-trip changed the message"
        assert io.to_binary(back) == binary, f"{fmt} round-trip changed the bytes"
    return f"{path.relative_to(EXAMPLES)!s:<48} {message.DESCRIPTOR.full_name:<30} {len(binary):>6} B  round-trip ok"


def main(out: Path) -> int:
    _step("1. build: examples/workflows.py with flytespec.build")
    closure = build(out)

    _step("2. validate what was built (the archive's tasks, workflows and launch plans against each other)")
    if _flytespec("validate", _rel(out)) != 0:
        return 1

    _step("3. graph: the training workflow as Mermaid")
    if _flytespec("graph", _rel(closure), "--format", "mermaid") != 0:
        return 1

    _step("4. diagnostics: a broken spec (exit status 1 is expected)")
    if _flytespec("validate", _rel(EXAMPLES / "broken")) != 1:
        print("the broken spec was not reported")
        return 1

    _step("5. round-trip: every shipped example through binary, JSON and YAML")
    files = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and io.format_from_name(p) is not None)
    failures = 0
    for path in files:
        try:
            print(round_trip(path))
        except (AssertionError, FlytespecError) as err:
            failures += 1
            print(f"{path.name}: FAILED: {err}")
    print(f"{len(files) - failures} of {len(files)} specs round-tripped through binary, JSON and YAML")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/demo")))
