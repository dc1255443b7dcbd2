"""Builders: task and workflow specs from a few readable lines of Python.

>>> from flytespec import build as b
>>> double = b.task("demo.double", inputs={"x": int}, outputs={"o0": int}, image="python:3.12")
>>> with b.workflow("demo.wf", inputs={"x": int}) as wf:
...     n = double(x=wf.inputs.x)
...     wf.outputs(y=n.o0)
>>> spec = wf.build()
>>> [node.id for node in spec.template.nodes]
['n0']

Every builder returns protobuf messages (``flytespec.core`` / ``flytespec.admin``): ``task(...)`` a :class:`Task`
handle on a ``TaskTemplate``, ``workflow(...)`` a :class:`WorkflowBuilder` whose ``build()`` gives a
:class:`Workflow` (template, tasks, subworkflows, closure, registration messages, compiled closure), and
``dynamic_job()`` a ``DynamicJobSpec``. Arguments are checked at once (:class:`~flytespec.errors.BuildError`);
``build()`` runs the validator and raises :class:`~flytespec.validate.ValidationError` with every diagnostic.

The specs are those flytekit 1.16 writes for the same code, apart from the documented differences (docs/build.md):
node ids, the runtime metadata, and a few flytekit defects not reproduced.
"""

from __future__ import annotations

from flytespec.build._common import MISSING, Input, Output
from flytespec.build._resources import Resources, gpu_accelerator, shared_memory
from flytespec.build._task import (
    DEFAULT_RESOLVER,
    MAP_RESOLVER,
    Cache,
    PodTemplate,
    Task,
    data_loading_config,
    identity,
    port,
    pyflyte_execute_args,
    pyflyte_fast_execute_args,
    pyflyte_map_execute_args,
    runtime,
    secret,
    sql,
    task,
    task_from_function,
)
from flytespec.build._types import (
    MAX_TYPE_DEPTH,
    MAX_VALUE_DEPTH,
    Directory,
    File,
    StructuredDataset,
    TypeConversionError,
    ValueTooDeepError,
    literal_type,
    to_literal,
)
from flytespec.build._workflow import (
    Comparison,
    Condition,
    Conditional,
    Conjunction,
    DynamicJobBuilder,
    LaunchPlanRef,
    MappedTask,
    NodeHandle,
    Promise,
    Workflow,
    WorkflowBuilder,
    approve,
    conditional,
    dynamic_job,
    launch_plan_ref,
    map_task,
    sleep,
    wait_for_input,
    workflow,
    workflow_from_function,
)
from flytespec.errors import BuildError

__all__ = [
    "DEFAULT_RESOLVER",
    "MAP_RESOLVER",
    "MAX_TYPE_DEPTH",
    "MAX_VALUE_DEPTH",
    "MISSING",
    "BuildError",
    "Cache",
    "Comparison",
    "Condition",
    "Conditional",
    "Conjunction",
    "Directory",
    "DynamicJobBuilder",
    "File",
    "Input",
    "LaunchPlanRef",
    "MappedTask",
    "NodeHandle",
    "Output",
    "PodTemplate",
    "Promise",
    "Resources",
    "StructuredDataset",
    "Task",
    "TypeConversionError",
    "ValueTooDeepError",
    "Workflow",
    "WorkflowBuilder",
    "approve",
    "conditional",
    "data_loading_config",
    "dynamic_job",
    "gpu_accelerator",
    "identity",
    "launch_plan_ref",
    "literal_type",
    "map_task",
    "port",
    "pyflyte_execute_args",
    "pyflyte_fast_execute_args",
    "pyflyte_map_execute_args",
    "runtime",
    "secret",
    "shared_memory",
    "sleep",
    "sql",
    "task",
    "task_from_function",
    "to_literal",
    "wait_for_input",
    "workflow",
    "workflow_from_function",
]
