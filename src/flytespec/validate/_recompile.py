"""Subworkflows compiled more than once.

Flyte compiles each workflow with a builder of its own, which compiles every subworkflow its nodes run once; the
builder of that subworkflow does the same. So a subworkflow is compiled once for each compile of each workflow that
runs it: twice if the primary workflow and one of its subworkflows both run it. Each compile renames the branch
children in the template itself, so a later compile prefixes the renamed ids again (``b-c``, then ``b-b-c``),
outermost branch first. :func:`flytespec.compiler.compile` writes those ids, and validation checks them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from flytespec._walk import all_nodes, child_nodes
from flytespec.core import workflow_pb2
from flytespec.validate._workflow import WorkflowResult

__all__ = ["MAX_COMPILES", "MAX_RENAMED_ID", "compile_counts", "renamed_children", "subworkflow_runs"]

#: The longest id a branch child may get from a further compile of its subworkflow (flytespec's own limit: each
#: compile makes it longer, by as much as the ids of the branches above it).
MAX_RENAMED_ID = 255

#: Compile counts stop growing here (a chain of diamonds doubles them at each level).
MAX_COMPILES = 1_000_000


def subworkflow_runs(
    primary: WorkflowResult, checked: Mapping[bytes, WorkflowResult | None], *, mapped: bool = False
) -> dict[bytes | None, list[bytes]]:
    """The subworkflows each workflow runs, for the primary workflow (key None) and every subworkflow it runs,
    directly or through others; only those that were checked. ``mapped``: count the subworkflows that array nodes
    map as run too (Flyte never compiles those, but their tasks belong to the closure)."""
    runs: dict[bytes | None, list[bytes]] = {}
    pending: list[tuple[bytes | None, WorkflowResult]] = [(None, primary)]
    while pending:
        key, result = pending.pop()
        if key in runs:
            continue
        runs[key] = []
        referenced = [*result.referenced_subworkflows, *(result.mapped_subworkflows if mapped else ())]
        for sub in dict.fromkeys(referenced):
            sub_result = checked.get(sub)
            if sub_result is not None:
                runs[key].append(sub)
                pending.append((sub, sub_result))
    return runs


def compile_counts(runs: Mapping[bytes | None, list[bytes]]) -> dict[bytes, int]:
    """How many times Flyte compiles each subworkflow in ``runs`` (see :func:`subworkflow_runs`), up to
    :data:`MAX_COMPILES`: the counts of the workflows that run it, added up in a topological order (subworkflows that
    run each other are refused before this)."""
    waiting = Counter(sub for subs in runs.values() for sub in subs)
    counts: dict[bytes | None, int] = {None: 1}
    ready: list[bytes | None] = [None]
    while ready:
        key = ready.pop()
        for sub in runs[key]:
            counts[sub] = min(MAX_COMPILES, counts.get(sub, 0) + counts[key])
            waiting[sub] -= 1
            if not waiting[sub]:
                ready.append(sub)
    return {key: count for key, count in counts.items() if key is not None}


def renamed_children(
    result: WorkflowResult, template: workflow_pb2.WorkflowTemplate, times: int
) -> dict[int, str] | None:
    """The ids of the branch children of a checked template after ``times`` compiles, by the ``id()`` of each
    child's message; None when a further compile would make one longer than :data:`MAX_RENAMED_ID`."""
    if not result.children:
        return {}
    checked = {id(child.msg) for child in result.children}
    ids = {id(child.msg): child.msg.id for child in result.children}
    families = [
        (node, [child for child in child_nodes(node) if id(child) in checked])
        for node in all_nodes(template)
        if node.WhichOneof("target") == "branch_node"
    ]
    for compile_number in range(1, times + 1):
        for branch, children in families:  # outermost first: a branch is renamed before what it holds
            prefix = ids.get(id(branch), branch.id)
            for child in children:
                renamed = f"{prefix}-{ids[id(child)]}"
                if compile_number > 1 and len(renamed) > MAX_RENAMED_ID:
                    return None
                ids[id(child)] = renamed
    return ids
