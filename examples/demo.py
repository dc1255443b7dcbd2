"""Round-trip every shipped example spec through binary, JSON and YAML (``make demo``).

For each spec file under the given folder: read it (format and message type detected), write it as binary, JSON
and YAML, read each back, check that every trip gives back the same message and that binary output is stable, and
print one line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from google.protobuf.message import Message

from flytespec import io
from flytespec.errors import FlytespecError


def _describe(message: Message) -> str:
    name = message.DESCRIPTOR.name
    if name == "WorkflowClosure":
        return f"{len(message.workflow.nodes)} nodes, {len(message.tasks)} tasks"  # type: ignore[attr-defined]
    if name == "WorkflowSpec":
        return f"{len(message.template.nodes)} nodes"  # type: ignore[attr-defined]
    if name == "TaskSpec":
        return f"task {message.template.id.name}"  # type: ignore[attr-defined]
    if name == "TaskTemplate":
        return f"{message.type} task, image {message.container.image}"  # type: ignore[attr-defined]
    if name == "LaunchPlan":
        return f"runs {message.spec.workflow_id.name}"  # type: ignore[attr-defined]
    return ""


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB"


def round_trip(path: Path) -> str:
    """Round-trip one file; return its summary line. Raises AssertionError or FlytespecError on failure."""
    message = io.load(path)
    cls = type(message)
    binary = io.to_binary(message)
    json_text = io.to_json(message)
    yaml_text = io.to_yaml(message)
    trips: tuple[tuple[io.Format, bytes | str], ...] = (("binary", binary), ("json", json_text), ("yaml", yaml_text))
    for fmt, data in trips:
        back = io.loads(data, cls, format=fmt)
        assert back == message, f"{fmt} round-trip changed the message"
        assert io.to_binary(back) == binary, f"{fmt} round-trip changed the bytes"
    return (
        f"{path.name:<38} {message.DESCRIPTOR.full_name:<32} {_describe(message):<34} "
        f"binary {_size(len(binary)):>8} | JSON {_size(len(json_text.encode())):>8} | "
        f"YAML {_size(len(yaml_text.encode())):>8}  round-trip ok"
    )


def main(folder: str) -> int:
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and io.format_from_name(p) is not None)
    if not files:
        print(f"no spec files under {folder}", file=sys.stderr)
        return 1
    failures = 0
    for path in files:
        try:
            print(round_trip(path))
        except (AssertionError, FlytespecError) as err:
            failures += 1
            print(f"{path.name:<38} FAILED: {err}")
    print(f"{len(files) - failures} of {len(files)} specs round-tripped through binary, JSON and YAML")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent)))
