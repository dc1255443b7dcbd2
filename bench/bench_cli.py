"""Command-line benchmark: ``flytespec validate`` over 1,000 spec files, whole process, and import times.

    python bench/bench_cli.py [--files 1000] [--nodes 30] [--sample 30] [--rounds 3]

Times, each the median of ``--rounds`` runs:

- ``import flytespec`` (``python -X importtime``, the package alone) and the modules ``validate`` loads
  (``flytespec.cli``, ``flytespec.io``, ``flytespec.validate``, ``flytespec.archive``);
- ``flytespec --help``: a whole process, start-up included;
- ``flytespec validate DIR`` over ``--files`` spec files (valid, flytekit-shaped WorkflowClosures of ``--nodes``
  nodes, a third each as binary, JSON and YAML): one process, start-up included;
- the same files validated one process per file (``flytespec validate FILE``), timed on ``--sample`` files and
  scaled to ``--files``.

Targets (issue 5): ``import flytespec`` under 150 ms; one process over 1,000 files faster than a process per file.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timer import environment

from flytespec import io
from flytespec.testing import random_workflow_closure

SCRIPT = Path(sys.executable).with_name("flytespec")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "flytespec"]


def _wall(argv: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _import_ms(module: str, rounds: int) -> float:
    """Cumulative import time of ``module`` as ``-X importtime`` reports it, in milliseconds (median)."""
    found = []
    for _ in range(rounds):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
        )
        pattern = rf"\|\s*(\d+)\s*\|\s*{re.escape(module)}\s*$"
        cumulative = [int(m.group(1)) for line in proc.stderr.splitlines() if (m := re.search(pattern, line))]
        found.append(cumulative[-1] / 1000)
    return statistics.median(found)


def make_files(folder: Path, count: int, nodes: int) -> list[Path]:
    formats = ("pb", "json", "yaml")
    files = []
    for i in range(count):
        closure = random_workflow_closure(nodes, seed=i)
        path = folder / f"spec-{i:04d}.{formats[i % 3]}"
        io.dump(closure, path)
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=30)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "cli.json")
    args = parser.parse_args()
    env = environment()
    print(f"# flytespec command line ({', '.join(f'{k} {v}' for k, v in env.items())})\n")
    results: dict[str, Any] = {"environment": env, "files": args.files, "nodes_per_file": args.nodes}

    imports = {m: _import_ms(m, 5) for m in ("flytespec", "flytespec.cli", "flytespec.io", "flytespec.validate")}
    imports["flytespec.archive"] = _import_ms("flytespec.archive", 5)
    results["import_ms"] = imports
    results["help_ms"] = _wall([*COMMAND, "--help"], 5) * 1e3
    results["python_startup_ms"] = _wall([sys.executable, "-c", "pass"], 5) * 1e3

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_files(folder, args.files, args.nodes)
        check = subprocess.run([*COMMAND, "validate", "-q", str(folder)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        one = _wall([*COMMAND, "validate", "-q", str(folder)], args.rounds)
        sample = files[:: max(1, len(files) // args.sample)][: args.sample]
        start = time.perf_counter()
        for path in sample:
            subprocess.run([*COMMAND, "validate", "-q", str(path)], check=True, capture_output=True)
        per_file = (time.perf_counter() - start) / len(sample)
    results["validate_one_process_s"] = one
    results["validate_process_per_file_s"] = per_file * args.files
    results["process_per_file_ms"] = per_file * 1e3

    print("| measure | value |")
    print("|---|---|")
    for module, ms in imports.items():
        print(f"| import {module} | {ms:.1f} ms |")
    print(f"| python -c pass (interpreter start-up) | {results['python_startup_ms']:.0f} ms |")
    print(f"| flytespec --help (whole process) | {results['help_ms']:.0f} ms |")
    print(
        f"| flytespec validate, {args.files:,} files, one process | {one:.2f} s "
        f"({one * 1e3 / args.files:.1f} ms/file) |"
    )
    print(
        f"| flytespec validate, one process per file (scaled from {len(sample)}) | {per_file * args.files:.1f} s "
        f"({per_file * 1e3:.0f} ms/file) |"
    )
    print(f"| speed-up of one process | {per_file * args.files / one:.0f}x |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
