"""Small spec makers for validation tests: a few lines per test workflow, plain _pb2 messages underneath."""

from __future__ import annotations

from flytespec.core import (
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)

INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
FLOAT = types_pb2.LiteralType(simple=types_pb2.FLOAT)
STR = types_pb2.LiteralType(simple=types_pb2.STRING)
BOOL = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
NONE = types_pb2.LiteralType(simple=types_pb2.NONE)


def list_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(collection_type=t)


def dict_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(map_value_type=t)


def union(*variants: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=list(variants)))


def enum(*values: str) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=list(values)))


def ident(name: str, kind: int = identifier_pb2.TASK) -> identifier_pb2.Identifier:
    identifier = identifier_pb2.Identifier(project="p", domain="d", name=name, version="v1")
    identifier.resource_type = kind  # type: ignore[assignment]
    return identifier


def variables(**types: types_pb2.LiteralType) -> interface_pb2.VariableMap:
    vm = interface_pb2.VariableMap()
    for name, t in types.items():
        vm.variables[name].type.CopyFrom(t)
    return vm


def task(
    name: str = "t",
    inputs: dict[str, types_pb2.LiteralType] | None = None,
    outputs: dict[str, types_pb2.LiteralType] | None = None,
) -> tasks_pb2.TaskTemplate:
    t = tasks_pb2.TaskTemplate(id=ident(name), type="python-task")
    t.metadata.runtime.version = "1.16.31"
    t.interface.inputs.CopyFrom(variables(**(inputs or {})))
    t.interface.outputs.CopyFrom(variables(**(outputs or {})))
    t.container.image = "img:1"
    t.container.args.extend(["run", name])
    return t


def promise(node_id: str, var: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=var))


def scalar_int(value: int) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def scalar_str(value: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def bind(**data: literals_pb2.BindingData) -> list[literals_pb2.Binding]:
    return [literals_pb2.Binding(var=var, binding=d) for var, d in data.items()]


def task_node(
    node_id: str, task_name: str = "t", upstream: tuple[str, ...] = (), **inputs: literals_pb2.BindingData
) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id=node_id, inputs=bind(**inputs), upstream_node_ids=list(upstream))
    node.task_node.reference_id.CopyFrom(ident(task_name))
    return node


def workflow(
    *nodes: workflow_pb2.Node,
    inputs: dict[str, types_pb2.LiteralType] | None = None,
    outputs: dict[str, types_pb2.LiteralType] | None = None,
    output_bindings: dict[str, literals_pb2.BindingData] | None = None,
    name: str = "wf",
) -> workflow_pb2.WorkflowTemplate:
    wf = workflow_pb2.WorkflowTemplate(id=ident(name, identifier_pb2.WORKFLOW), nodes=list(nodes))
    wf.interface.inputs.CopyFrom(variables(**(inputs or {})))
    wf.interface.outputs.CopyFrom(variables(**(outputs or {})))
    wf.outputs.extend(bind(**(output_bindings or {})))
    return wf


def closure(wf: workflow_pb2.WorkflowTemplate, *tasks: tasks_pb2.TaskTemplate) -> workflow_closure_pb2.WorkflowClosure:
    return workflow_closure_pb2.WorkflowClosure(workflow=wf, tasks=list(tasks))


def add_one() -> tasks_pb2.TaskTemplate:
    """A task taking ``x: int`` and returning ``o0: int``."""
    return task("add_one", {"x": INT}, {"o0": INT})
