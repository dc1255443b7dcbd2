"""The reference floor for validation: plain Python doing only cycle detection and connection maps.

What a user would hand-write over a pb2 WorkflowClosure (after ../shared/bench-anchors/bench_validate.py): collect
node ids and their references (upstream_node_ids, and promises in bindings, including lists and maps of them,
through branch children and array sub-nodes), build the downstream adjacency, run Kahn's algorithm as the cycle
check, and build Flyte-style upstream/downstream connection maps with start-node and end-node, as sorted lists.
"""

from __future__ import annotations

from typing import Any

from flytespec.core import workflow_closure_pb2


def baseline(closure: workflow_closure_pb2.WorkflowClosure) -> tuple[dict[str, list[str]], dict[str, list[str]], bool]:
    """Return (upstream map, downstream map, acyclic)."""
    wf = closure.workflow
    deps: dict[str, set[str]] = {}
    for node in wf.nodes:
        refs = set(node.upstream_node_ids)
        stack: list[Any] = [node]
        while stack:
            current = stack.pop()
            for binding in current.inputs:
                data = [binding.binding]
                while data:
                    d = data.pop()
                    kind = d.WhichOneof("value")
                    if kind == "promise":
                        refs.add(d.promise.node_id or "start-node")
                    elif kind == "collection":
                        data.extend(d.collection.bindings)
                    elif kind == "map":
                        data.extend(d.map.bindings.values())
            target = current.WhichOneof("target")
            if target == "branch_node":
                if_else = current.branch_node.if_else
                stack.append(if_else.case.then_node)
                stack.extend(block.then_node for block in if_else.other)
                if if_else.HasField("else_node"):
                    stack.append(if_else.else_node)
            elif target == "array_node":
                stack.append(current.array_node.node)
        refs.discard(node.id)
        deps[node.id] = refs
    downstream: dict[str, set[str]] = {"start-node": set()}
    upstream: dict[str, set[str]] = {}
    for node_id, refs in deps.items():
        if not refs:
            refs = {"start-node"}
        upstream[node_id] = refs
        for ref in refs:
            downstream.setdefault(ref, set()).add(node_id)
    for node_id in deps:
        if node_id not in downstream:
            downstream[node_id] = {"end-node"}
            upstream.setdefault("end-node", set()).add(node_id)
    indegree = {n: len(r) for n, r in upstream.items()}
    ready = ["start-node"]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for m in downstream.get(n, ()):
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
    acyclic = seen == len(indegree) + 1
    return (
        {k: sorted(v) for k, v in upstream.items()},
        {k: sorted(v) for k, v in downstream.items()},
        acyclic,
    )
