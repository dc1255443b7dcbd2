"""Extreme specs: time and peak memory of each operation at the sizes issue 6 names, each case in a fresh process.

    python bench/bench_extreme.py [--cases nodes,fan,branches,cycle,literals,strings,hostile] [--rounds 3]
                                  [--nodes 100000] [--literals 1000000] [--no-yaml]

Cases: a flytekit-shaped workflow of 100,000 nodes (flytespec.testing.random_workflow_closure); fan-out and fan-in of
10,000; branches nested 1,000 deep; a cycle of 10,000 nodes; a collection of 1,000,000 literals; 10 MB strings; and
hostile input refused by the limits (YAML alias bomb, YAML and JSON nested 100,000 deep, 100,000-level binary).

For each operation: the median time of ``--rounds`` runs (the GC on, as users run it), the peak resident memory above
the process's level before the operation (VmHWM, reset through /proc/self/clear_refs, Linux), and the peak of the
Python heap (tracemalloc, on a separate run: tracing slows the operation). Operations over 5 s run once. Inputs are
built before measuring.
Results: a table on stdout and bench/results/extreme.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timer import environment

ROOT = Path(__file__).resolve().parents[1]
CASES = ("nodes", "fan", "branches", "cycle", "literals", "strings", "hostile")

Op = tuple[str, Callable[[], Any]]


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(fn: Callable[[], Any], rounds: int) -> dict[str, float | str | None]:
    """Median seconds, peak RSS above the start (MiB), tracemalloc peak (MiB); the outcome (result or error type)."""
    outcome = "ok"
    times: list[float] = []
    peak_rss: float | None = None
    for i in range(rounds):
        if i and times[0] > 5:
            break  # one run of a slow operation is figure enough (and keeps the bench within minutes)
        gc.collect()
        resettable = _reset_peak()
        before = _rss_kib("VmRSS")
        start = time.perf_counter()
        try:
            result = fn()
        except Exception as err:
            outcome = type(err).__name__
            result = None
        times.append(time.perf_counter() - start)
        if resettable:
            peak = (_rss_kib("VmHWM") - before) / 1024
            peak_rss = peak if peak_rss is None else max(peak_rss, peak)
        del result
    gc.collect()
    tracemalloc.start()
    with contextlib.suppress(Exception):
        fn()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": statistics.median(times),
        "peak_rss_mib": peak_rss,
        "python_peak_mib": traced / 2**20,
        "outcome": outcome,
    }


# --------------------------------------------------------------------------------------------------------------
# Cases: each returns (description, operations); inputs are built here, before measuring.


def case_nodes(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec import io
    from flytespec.compiler import compile
    from flytespec.testing import random_workflow_closure
    from flytespec.validate import validate

    n = args.nodes
    closure = random_workflow_closure(n)
    wire = io.to_binary(closure)
    text = io.to_json(closure)
    ops: list[Op] = [
        ("to_binary", lambda: io.to_binary(closure)),
        ("from_binary", lambda: io.from_binary(wire, "WorkflowClosure")),
        ("validate", lambda: validate(closure)),
        ("compile", lambda: compile(closure)),
        ("to_json", lambda: io.to_json(closure)),
        ("from_json", lambda: io.from_json(text, "WorkflowClosure")),
    ]
    if not args.no_yaml:
        yaml_text = io.to_yaml(closure)
        ops += [
            ("to_yaml", lambda: io.to_yaml(closure)),
            ("from_yaml", lambda: io.from_yaml(yaml_text, "WorkflowClosure")),
        ]
    sizes = f"binary {len(wire) / 2**20:.1f} MiB, JSON {len(text) / 2**20:.1f} MiB"
    return f"{n:,} nodes ({sizes})", ops


def case_fan(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec.compiler import compile
    from flytespec.validate import validate
    from tests.extreme.test_extremes import _fan

    closure = _fan(10_000)
    return "fan-out and fan-in of 10,000", [
        ("validate", lambda: validate(closure)),
        ("compile", lambda: compile(closure)),
    ]


def case_branches(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec import io
    from flytespec.compiler import compile
    from flytespec.validate import validate
    from tests.extreme.test_extremes import _nested_branches

    closure = _nested_branches(1000)
    wire = io.to_binary(closure)
    return "branches nested 1,000 deep (4,006 levels of messages)", [
        ("validate", lambda: validate(closure)),
        ("compile", lambda: compile(closure)),
        ("to_binary", lambda: io.to_binary(closure)),
        ("to_dict", lambda: io.to_dict(closure)),
        ("from_binary (refused: LimitExceededError)", lambda: io.from_binary(wire, "WorkflowClosure")),
        ("to_json (refused: EncodeError)", lambda: io.to_json(closure)),
    ]


def case_cycle(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec.validate import validate
    from tests.extreme.test_extremes import _ring
    from tests.validate import specs

    closure = specs.closure(specs.workflow(*_ring(10_000)), specs.add_one())
    return "a cycle of 10,000 nodes", [("validate (one CycleDetected, whole)", lambda: validate(closure))]


def case_literals(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec import io
    from flytespec.admin import launch_plan_pb2
    from flytespec.core import literals_pb2
    from flytespec.validate import validate
    from tests.validate import specs

    literal = literals_pb2.Literal()
    items = literal.collection.literals
    for i in range(args.literals):
        items.add().scalar.primitive.integer = i
    wire = io.to_binary(literal)
    text = io.to_json(literal, indent=None)
    plan = launch_plan_pb2.LaunchPlan()
    plan.id.CopyFrom(specs.ident("lp", 3))
    plan.spec.workflow_id.CopyFrom(specs.ident("wf", 2))
    plan.spec.fixed_inputs.literals["xs"].CopyFrom(literal)
    wf = specs.workflow(inputs={"xs": specs.list_of(specs.INT)})
    return f"a collection of {args.literals:,} literals (binary {len(wire) / 2**20:.1f} MiB)", [
        ("to_binary", lambda: io.to_binary(literal)),
        ("from_binary", lambda: io.from_binary(wire, literals_pb2.Literal)),
        ("to_json", lambda: io.to_json(literal, indent=None)),
        ("from_json", lambda: io.from_json(text, literals_pb2.Literal)),
        ("validate (as a launch plan's fixed input)", lambda: validate(plan, workflows=[wf])),
    ]


def case_strings(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec import io
    from flytespec.testing import random_workflow_closure
    from flytespec.validate import validate

    closure = random_workflow_closure(10)
    closure.tasks[0].container.args.append("x" * (10 << 20))
    closure.workflow.nodes[0].metadata.name = "é" * (5 << 20)
    texts = {fmt: io.dumps(closure, fmt) for fmt in io.FORMATS}
    ops: list[Op] = [("validate", lambda: validate(closure))]
    for fmt in io.FORMATS:
        ops.append((f"to {fmt}", lambda fmt=fmt: io.dumps(closure, fmt)))  # type: ignore[misc]
        ops.append((f"from {fmt}", lambda fmt=fmt: io.loads(texts[fmt], "WorkflowClosure", format=fmt)))  # type: ignore[misc]
    return "two 10 MB strings", ops


def case_hostile(args: argparse.Namespace) -> tuple[str, list[Op]]:
    from flytespec import io
    from flytespec._walk import encode_varint
    from flytespec.core import workflow_pb2

    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    deep_yaml = "[" * 100_000 + "]" * 100_000
    deep_json = "[" * 100_000 + "]" * 100_000
    # Written on the wire directly (upb's serializer recurses: a message this deep cannot be built and written):
    # Node.array_node.node, 50,000 times; length-delimited nesting is all prefixes, computed from the inside out.
    node_tag = encode_varint(workflow_pb2.Node.DESCRIPTOR.fields_by_name["array_node"].number << 3 | 2)
    array_tag = encode_varint(workflow_pb2.ArrayNode.DESCRIPTOR.fields_by_name["node"].number << 3 | 2)
    leaf = b"\x0a\x01x"  # Node.id = "x"
    prefixes, size = [], len(leaf)
    for level in range(100_000):
        prefix = (array_tag if level % 2 == 0 else node_tag) + encode_varint(size)
        prefixes.append(prefix)
        size += len(prefix)
    wire = b"".join(reversed(prefixes)) + leaf
    too_large = b"\n" * (300 << 20)
    return "hostile input, refused by the limits", [
        ("YAML billion laughs (10**9 values from 500 bytes)", lambda: io.from_yaml(laughs, "google.protobuf.Struct")),
        ("YAML nested 100,000 deep", lambda: io.from_yaml(deep_yaml, "google.protobuf.ListValue")),
        ("JSON nested 100,000 deep", lambda: io.from_json(deep_json, "google.protobuf.ListValue")),
        ("binary nested 100,000 deep", lambda: io.from_binary(wire, workflow_pb2.Node)),
        ("300 MB input over max_size", lambda: io.loads(too_large, "WorkflowClosure", format="json")),
    ]


def run_case(name: str, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")
    title, ops = globals()[f"case_{name}"](args)
    results = {}
    for op, fn in ops:
        results[op] = measure(fn, args.rounds)
    return {"title": title, "operations": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--literals", type=int, default=1_000_000)
    parser.add_argument("--no-yaml", action="store_true", help="skip YAML at 100,000 nodes (about a minute)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # run one case in this process, print JSON
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "extreme.json")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args)))
        return
    env = environment()
    print(f"# flytespec at the extremes ({', '.join(f'{k} {v}' for k, v in env.items())})\n")
    print("| case | operation | outcome | time | peak RSS above start | peak Python heap |")
    print("|---|---|---|---|---|---|")
    results: dict[str, Any] = {"environment": env, "cases": {}}
    for name in (c for c in args.cases.split(",") if c):
        command = [sys.executable, __file__, "--case", name, "--rounds", str(args.rounds)]
        command += ["--nodes", str(args.nodes), "--literals", str(args.literals)] + (
            ["--no-yaml"] if args.no_yaml else []
        )
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        if done.returncode != 0:
            print(f"| {name} | (the case failed: exit {done.returncode}) | | | | |")
            sys.stderr.write(done.stderr[-3000:])
            results["cases"][name] = {"error": done.stderr[-3000:]}
            continue
        case = json.loads(done.stdout.strip().splitlines()[-1])
        results["cases"][name] = case
        for op, r in case["operations"].items():
            rss = f"{r['peak_rss_mib']:.0f} MiB" if r["peak_rss_mib"] is not None else "-"
            print(
                f"| {case['title']} | {op} | {r['outcome']} | {r['seconds'] * 1e3:,.0f} ms | {rss} | "
                f"{r['python_peak_mib']:.0f} MiB |"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
