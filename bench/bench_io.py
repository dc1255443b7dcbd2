"""Codec benchmark: flytespec beside flyteidl (protobuf's ``_pb2`` and ``json_format``), in one process.

    python bench/bench_io.py [--sizes 1000,10000] [--rounds 7]

For WorkflowClosures of each size (flytespec.testing.random_workflow_closure): parse and serialize binary, write
and read JSON, to and from
dicts, and YAML (flytespec only: flyteidl has no YAML). Each operation is calibrated to at least 0.1 s per sample,
then every operation of every peer runs once per round, the order rotated each round, so machine noise lands on all
of them alike; medians are reported, with ratios flytespec / flyteidl from the same run. The GC stays on.

Targets (issue: IDL and bindings): binary within 1.1x of flyteidl; JSON no slower than json_format (<= 1.0x).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from flyteidl.core import workflow_closure_pb2 as fly_closure_pb2
from google.protobuf import json_format

sys.path.insert(0, str(Path(__file__).resolve().parent))


from flytespec import io
from flytespec.core import workflow_closure_pb2
from flytespec.testing import random_workflow_closure

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timer import Op, environment, interleaved


def ops_for(n: int) -> tuple[list[Op], int]:
    ours = random_workflow_closure(n)
    wire = io.to_binary(ours)
    theirs = fly_closure_pb2.WorkflowClosure.FromString(wire)
    text = io.to_json(ours)
    value = io.to_dict(ours)
    yaml_text = io.to_yaml(ours)
    assert json_format.MessageToDict(theirs) == value
    assert theirs.SerializeToString(deterministic=True) == wire
    wc, fwc = workflow_closure_pb2.WorkflowClosure, fly_closure_pb2.WorkflowClosure
    ops: list[Op] = [
        ("parse binary", "flytespec", lambda: io.from_binary(wire, wc)),
        ("parse binary", "flyteidl", lambda: fwc.FromString(wire)),
        ("serialize binary", "flytespec", lambda: io.to_binary(ours)),
        ("serialize binary", "flyteidl", lambda: theirs.SerializeToString(deterministic=True)),
        ("to JSON", "flytespec", lambda: io.to_json(ours)),
        ("to JSON", "flyteidl", lambda: json_format.MessageToJson(theirs)),
        ("from JSON", "flytespec", lambda: io.from_json(text, wc)),
        ("from JSON", "flyteidl", lambda: json_format.Parse(text, fwc())),
        ("to dict", "flytespec", lambda: io.to_dict(ours)),
        ("to dict", "flyteidl", lambda: json_format.MessageToDict(theirs)),
        ("from dict", "flytespec", lambda: io.from_dict(value, wc)),
        ("from dict", "flyteidl", lambda: json_format.ParseDict(value, fwc())),
        ("to YAML", "flytespec", lambda: io.to_yaml(ours)),
        ("from YAML", "flytespec", lambda: io.from_yaml(yaml_text, wc)),
    ]
    return ops, len(wire)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "io.json")
    args = parser.parse_args()
    env = environment()
    print(f"# flytespec codecs beside flyteidl ({', '.join(f'{k} {v}' for k, v in env.items())})\n")
    results: dict[str, Any] = {"environment": env, "sizes": {}}
    for n in (int(s) for s in args.sizes.split(",")):
        ops, nbytes = ops_for(n)
        timings = interleaved(ops, args.rounds)
        print(f"## {n:,} nodes ({nbytes:,} bytes binary)\n")
        print("| operation | flytespec ms | flyteidl ms | ratio | µs/node (flytespec) |")
        print("|---|---|---|---|---|")
        rows = {}
        for name in dict.fromkeys(op for op, _, _ in ops):
            mine = timings[(name, "flytespec")]
            ref = timings.get((name, "flyteidl"))
            ratio = mine / ref if ref else None
            rows[name] = {"flytespec_ms": mine * 1e3, "flyteidl_ms": ref * 1e3 if ref else None, "ratio": ratio}
            ref_text = f"{ref * 1e3:.2f}" if ref else "-"
            ratio_text = f"{ratio:.2f}x" if ratio else "-"
            print(f"| {name} | {mine * 1e3:.2f} | {ref_text} | {ratio_text} | {mine * 1e6 / n:.1f} |")
        print()
        results["sizes"][str(n)] = {"bytes": nbytes, "operations": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
