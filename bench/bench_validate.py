"""Validation and compilation benchmark, beside the reference floor, in one run.

    python bench/bench_validate.py [--sizes 1000,10000,100000] [--rounds 5]

For valid, flytekit-shaped WorkflowClosures (task, branch and array nodes; flytespec.testing.random_workflow_closure)
of each size, times:

- ``floor``: plain Python doing only cycle detection and connection maps (bench/baseline_graph.py);
- ``anchors``: the hand-written validator of ../shared/bench-anchors/bench_validate.py (extraction, references,
  cycle check, connection sets; run on flyteidl's messages), when ../shared is present;
- ``validate``: flytespec.validate.validate (every check: field rules, references, types, bindings, graph);
- ``compile``: flytespec.compiler.compile (validation plus Flyte's compiled closure).

Targets (issue: validate and compile): linear growth, and full validation within 3x of the floor.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timer import Op, environment, interleaved
from baseline_graph import baseline

from flytespec.compiler import compile
from flytespec.testing import random_workflow_closure
from flytespec.validate import Code, validate

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "bench-anchors" / "bench_validate.py"


def _anchors_validator() -> Any:
    if not ANCHORS.exists():
        return None
    sys.path.insert(0, str(ANCHORS.parent))
    spec = importlib.util.spec_from_file_location("anchors_bench_validate", ANCHORS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate_pb2


def ops_for(n: int, anchors: Any) -> list[Op]:
    closure = random_workflow_closure(n)
    # Valid; from about 17,000 nodes on it is too large to register at admin's default gRPC limit (a warning).
    assert [d.code for d in validate(closure)] in ([], [Code.SpecTooLarge]), "the fixture must be valid"
    ops: list[Op] = [
        ("validate", "floor", lambda: baseline(closure)),
        ("validate", "flytespec", lambda: validate(closure)),
        ("compile", "flytespec", lambda: compile(closure)),
    ]
    if anchors is not None:
        from flyteidl.core import workflow_closure_pb2 as fly

        theirs = fly.WorkflowClosure.FromString(closure.SerializeToString())
        ops.insert(1, ("validate", "anchors", lambda: anchors(theirs)))
    return ops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "validate.json")
    args = parser.parse_args()
    anchors = _anchors_validator()
    env = environment()
    print(f"# flytespec validation beside the floor ({', '.join(f'{k} {v}' for k, v in env.items())})\n")
    print("| nodes | floor ms | anchors ms | validate ms | compile ms | validate / floor | µs/node (validate) |")
    print("|---|---|---|---|---|---|---|")
    results: dict[str, Any] = {"environment": env, "sizes": {}}
    for n in (int(s) for s in args.sizes.split(",")):
        rounds = args.rounds if n <= 10_000 else max(2, args.rounds // 2)
        t = interleaved(ops_for(n, anchors), rounds, min_sample=0.05)
        floor = t[("validate", "floor")]
        mine = t[("validate", "flytespec")]
        comp = t[("compile", "flytespec")]
        anchor = t.get(("validate", "anchors"))
        anchor_text = f"{anchor * 1e3:.1f}" if anchor else "-"
        print(
            f"| {n:,} | {floor * 1e3:.1f} | {anchor_text} | {mine * 1e3:.1f} | {comp * 1e3:.1f} | "
            f"{mine / floor:.2f}x | {mine * 1e6 / n:.1f} |"
        )
        results["sizes"][str(n)] = {
            "floor_ms": floor * 1e3,
            "anchors_ms": anchor * 1e3 if anchor else None,
            "validate_ms": mine * 1e3,
            "compile_ms": comp * 1e3,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
