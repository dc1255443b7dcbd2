"""Task template checks: what Flyte's compiler (CompileTask) and admin service (ValidateTask) check, and more.

- Container tasks: a command or arguments when the interface has variables (compiler); resources (admin): each
  name once, values as Kubernetes quantities, GPU a whole number and its limit equal to its request, limits not
  below requests (compared exactly, where admin rounds up to whole units).
- Pod tasks: the pod spec must read as a Kubernetes PodSpec, checked field by field against the PodSpec shape
  (Flyte only tries to decode it, at registration), container names DNS-1123 labels (compiler), resources as for
  containers, and the primary container present.
- Struct payloads (``custom``): integers are stored as floats and read back as floats (a warning).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from google.protobuf import struct_pb2

from flytespec._walk import key_segment
from flytespec.core import interface_pb2, tasks_pb2
from flytespec.quantity import QuantityError, quantity_value
from flytespec.validate._diagnostics import Code, Severity
from flytespec.validate._rules import DNS_LABEL

__all__ = ["VARIABLE_NAME", "check_readable_names", "check_resources", "check_struct_integers", "check_task"]

# emit(code, path segments, message, severity)
Emit = Callable[[Code, tuple[str, ...], str, Severity], None]

_R = tasks_pb2.Resources
# Admin reads these four; limits must not be below requests for all but GPU, whose limit must equal its request.
_CHECKED = {_R.CPU: "cpu", _R.MEMORY: "memory", _R.EPHEMERAL_STORAGE: "ephemeral-storage", _R.GPU: "gpu"}
_POD_RESOURCE_NAMES = {"cpu": "cpu", "memory": "memory", "ephemeral-storage": "ephemeral-storage"}
_GPU_KEYS = ("nvidia.com/gpu", "amd.com/gpu", "gpu")

_POD_SPEC_FIELDS = frozenset(
    """volumes initContainers containers ephemeralContainers restartPolicy terminationGracePeriodSeconds
    activeDeadlineSeconds dnsPolicy nodeSelector serviceAccountName serviceAccount automountServiceAccountToken nodeName
    hostNetwork hostPID hostIPC shareProcessNamespace securityContext imagePullSecrets hostname subdomain affinity
    schedulerName tolerations hostAliases priorityClassName priority dnsConfig readinessGates runtimeClassName
    enableServiceLinks preemptionPolicy overhead topologySpreadConstraints setHostnameAsFQDN os hostUsers
    schedulingGates resourceClaims resources""".split()
)
_CONTAINER_FIELDS = frozenset(
    """name image command args workingDir ports envFrom env resources resizePolicy restartPolicy volumeMounts
    volumeDevices livenessProbe readinessProbe startupProbe lifecycle terminationMessagePath terminationMessagePolicy
    imagePullPolicy securityContext stdin stdinOnce tty""".split()
)


_AMOUNTS: dict[str, Fraction | None] = {}


def _amount(text: str) -> Fraction | None:
    """The exact value of a quantity string, or None when it is not one (cached: specs repeat a few values)."""
    if text in _AMOUNTS:
        return _AMOUNTS[text]
    try:
        value: Fraction | None = quantity_value(text)
    except QuantityError:
        value = None
    if len(_AMOUNTS) < 4096:
        _AMOUNTS[text] = value
    return value


# The names a promise's var can spell (Flyte's compiler parses it as (\[N\]\.)?\w+, \w being ASCII).
VARIABLE_NAME = r"[A-Za-z0-9_]+"
_READABLE = re.compile(VARIABLE_NAME)


def check_readable_names(variables: interface_pb2.VariableMap, segments: tuple[str, ...], emit: Emit) -> None:
    """Warn about variables that promises read (outputs; a workflow's inputs) whose name no promise can spell."""
    for name in sorted(variables.variables):
        if name and not _READABLE.fullmatch(name):
            emit(
                Code.UnreadableVariableName,
                (*segments, "variables", key_segment(name)),
                f"no binding can read {name!r}: a promise names a variable with letters, digits and '_' only",
                Severity.WARNING,
            )


def check_task(task: tasks_pb2.TaskTemplate, segments: tuple[str, ...], emit: Emit) -> None:
    """Check a task template; ``segments`` is its path from the validated root."""
    target = task.WhichOneof("target")
    has_variables = bool(task.interface.inputs.variables or task.interface.outputs.variables)
    if target == "container":
        container = task.container
        base = (*segments, "container")
        if has_variables and not container.command and not container.args:
            emit(
                Code.ValueRequired,
                (*base, "command"),
                "a container task with inputs or outputs needs a command or arguments (the entry point that reads "
                "inputs and writes outputs)",
                Severity.ERROR,
            )
        if container.HasField("resources"):
            check_resources(container.resources, (*base, "resources"), emit)
        if container.HasField("data_config") and container.data_config.enabled:
            for name in ("input_path", "output_path"):
                if not getattr(container.data_config, name):
                    emit(
                        Code.ValueRequired,
                        (*base, "data_config", name),
                        f"data_config.{name} is required when data loading is enabled",
                        Severity.ERROR,
                    )
    elif target == "k8s_pod" and task.k8s_pod.HasField("pod_spec"):
        base = (*segments, "k8s_pod")
        primary = task.k8s_pod.primary_container_name or task.config.get("primary_container_name", "")
        check_pod_spec(task.k8s_pod.pod_spec, (*base, "pod_spec"), primary, emit)
    if task.HasField("custom"):
        check_struct_integers(task.custom, (*segments, "custom"), emit)
    if task.interface.HasField("outputs"):
        check_readable_names(task.interface.outputs, (*segments, "interface", "outputs"), emit)


def check_resources(resources: tasks_pb2.Resources, segments: tuple[str, ...], emit: Emit) -> None:
    """Resources of a container or an override: names once each, quantities, GPU whole, limits against requests."""
    values: dict[str, dict[int, tuple[Fraction, tuple[str, ...], str]]] = {"requests": {}, "limits": {}}
    for side in ("requests", "limits"):
        found = values[side]
        for i, entry in enumerate(getattr(resources, side)):
            name = entry.name
            if name not in _CHECKED:
                continue  # admin reads only CPU, memory, GPU and ephemeral storage
            where = (*segments, side, f"[{i}]")
            if name in found:
                emit(
                    Code.DuplicateResourceName,
                    (*where, "name"),
                    f"{_resource_name(name)} appears more than once in {side}",
                    Severity.ERROR,
                )
                continue
            text = entry.value
            amount = _amount(text)
            if amount is None:
                continue  # reported by the field rule on ResourceEntry.value
            found[name] = (amount, where, text)
            if name == _R.GPU and amount.denominator != 1:
                emit(
                    Code.GpuNotWholeNumber,
                    (*where, "value"),
                    f"GPU {side} must be a whole number, got {text!r}",
                    Severity.ERROR,
                )
    for name, (limit, where, text) in values["limits"].items():
        request = values["requests"].get(name)
        if request is None or text == request[2]:
            continue  # no request, or the very same quantity (the common case, told without comparing fractions)
        if name == _R.GPU:
            if limit != request[0]:
                emit(
                    Code.GpuLimitNotEqualRequest,
                    (*where, "value"),
                    f"the GPU limit ({text}) must equal the GPU request ({request[2]})",
                    Severity.ERROR,
                )
        elif limit < request[0]:
            label = _resource_name(name)
            emit(
                Code.ResourceLimitBelowRequest,
                (*where, "value"),
                f"the {label} limit ({text}) is below the {label} request ({request[2]})",
                Severity.ERROR,
            )


def _resource_name(number: int) -> str:
    return tasks_pb2.Resources.ResourceName.Name(number)  # type: ignore[arg-type]


def _value(v: struct_pb2.Value) -> Any:
    kind = v.WhichOneof("kind")
    if kind == "struct_value":
        return v.struct_value
    if kind == "list_value":
        return v.list_value
    return getattr(v, kind) if kind else None


def check_pod_spec(spec: struct_pb2.Struct, segments: tuple[str, ...], primary: str, emit: Emit) -> None:
    """The pod spec read as a Kubernetes PodSpec: shapes of the fields Flyte and Kubernetes rely on."""

    def bad(rel: tuple[str, ...], text: str, code: Code = Code.InvalidPodSpec) -> None:
        emit(code, (*segments, *rel), text, Severity.ERROR)

    for key in sorted(spec.fields):
        if key not in _POD_SPEC_FIELDS:
            emit(
                Code.InvalidPodSpec,
                (*segments, key_segment(key)),
                f"{key!r} is not a PodSpec field; Kubernetes ignores it",
                Severity.WARNING,
            )
    names: list[str] = []
    for field in ("containers", "initContainers"):
        if field not in spec.fields:
            if field == "containers":
                bad((key_segment("containers"),), "a pod spec needs a list of containers")
            continue
        items = _value(spec.fields[field])
        if not isinstance(items, struct_pb2.ListValue):
            bad((key_segment(field),), f"{field} must be a list of containers")
            continue
        if field == "containers" and not items.values:
            bad((key_segment(field),), "a pod spec needs at least one container")
        for i, item in enumerate(items.values):
            container = _value(item)
            where = (key_segment(field), f"[{i}]")
            if not isinstance(container, struct_pb2.Struct):
                bad(where, "a container must be an object")
                continue
            name = _check_container(container, (*segments, *where), emit)
            if name is not None and field == "containers":
                names.append(name)
    for field, item_kind in (
        ("volumes", "volume"),
        ("imagePullSecrets", "secret reference"),
        ("tolerations", "toleration"),
    ):
        if field in spec.fields:
            items = _value(spec.fields[field])
            if not isinstance(items, struct_pb2.ListValue):
                bad((key_segment(field),), f"{field} must be a list")
            else:
                for i, item in enumerate(items.values):
                    if not isinstance(_value(item), struct_pb2.Struct):
                        bad((key_segment(field), f"[{i}]"), f"each {item_kind} must be an object")
    if "nodeSelector" in spec.fields:
        selector = _value(spec.fields["nodeSelector"])
        if not isinstance(selector, struct_pb2.Struct):
            bad((key_segment("nodeSelector"),), "nodeSelector must be an object of strings")
        else:
            for key in sorted(selector.fields):
                if not isinstance(_value(selector.fields[key]), str):
                    bad((key_segment("nodeSelector"), key_segment(key)), "nodeSelector values must be strings")
    if primary and names and primary not in names:
        emit(
            Code.PrimaryContainerNotFound,
            (*segments, key_segment("containers")),
            f"the primary container {primary!r} is not among the pod's containers ({', '.join(names)})",
            Severity.ERROR,
        )


def _check_container(container: struct_pb2.Struct, segments: tuple[str, ...], emit: Emit) -> str | None:
    def bad(rel: tuple[str, ...], text: str, code: Code = Code.InvalidPodSpec) -> None:
        emit(code, (*segments, *rel), text, Severity.ERROR)

    fields = container.fields
    for key in sorted(fields):
        if key not in _CONTAINER_FIELDS:
            emit(
                Code.InvalidPodSpec,
                (*segments, key_segment(key)),
                f"{key!r} is not a Container field; Kubernetes ignores it",
                Severity.WARNING,
            )
    name = _value(fields["name"]) if "name" in fields else None
    if not isinstance(name, str) or not name:
        bad((key_segment("name"),), "a container needs a name")
        name = None
    elif len(name) > 63 or not DNS_LABEL.fullmatch(name):
        bad((key_segment("name"),), f"container name {name!r} is not a DNS-1123 label", Code.InvalidValue)
    for key in ("image", "workingDir", "imagePullPolicy"):
        if key in fields and not isinstance(_value(fields[key]), str):
            bad((key_segment(key),), f"{key} must be a string")
    for key in ("command", "args"):
        if key in fields:
            items = _value(fields[key])
            if not isinstance(items, struct_pb2.ListValue) or not all(isinstance(_value(v), str) for v in items.values):
                bad((key_segment(key),), f"{key} must be a list of strings")
    for key, required in (("env", ("name",)), ("volumeMounts", ("name", "mountPath")), ("ports", ("containerPort",))):
        if key not in fields:
            continue
        items = _value(fields[key])
        if not isinstance(items, struct_pb2.ListValue):
            bad((key_segment(key),), f"{key} must be a list (of objects), not a single object")
            continue
        for i, item in enumerate(items.values):
            entry = _value(item)
            if not isinstance(entry, struct_pb2.Struct):
                bad((key_segment(key), f"[{i}]"), f"each entry of {key} must be an object")
                continue
            for field in required:
                if field not in entry.fields:
                    bad((key_segment(key), f"[{i}]"), f"each entry of {key} needs {field!r}")
            if key == "ports" and "containerPort" in entry.fields:
                port = _value(entry.fields["containerPort"])
                if not isinstance(port, float) or not port.is_integer() or not 1 <= port <= 65535:
                    bad(
                        (key_segment(key), f"[{i}]", key_segment("containerPort")),
                        "containerPort must be a whole number in 1..65535",
                    )
    if "resources" in fields:
        _check_pod_resources(_value(fields["resources"]), (*segments, key_segment("resources")), emit)
    return name


def _check_pod_resources(resources: Any, segments: tuple[str, ...], emit: Emit) -> None:
    if not isinstance(resources, struct_pb2.Struct):
        emit(Code.InvalidPodSpec, segments, "resources must be an object with requests and limits", Severity.ERROR)
        return
    amounts: dict[str, dict[str, tuple[Fraction, str]]] = {"requests": {}, "limits": {}}
    for side in ("requests", "limits"):
        if side not in resources.fields:
            continue
        values = _value(resources.fields[side])
        if not isinstance(values, struct_pb2.Struct):
            emit(Code.InvalidPodSpec, (*segments, key_segment(side)), f"{side} must be an object", Severity.ERROR)
            continue
        for name in sorted(values.fields):
            raw = _value(values.fields[name])
            where = (*segments, key_segment(side), key_segment(name))
            try:
                if isinstance(raw, bool) or not isinstance(raw, (str, float)):
                    raise QuantityError(str(raw), "not a string or number")
                amount = quantity_value(raw)
            except QuantityError:
                emit(Code.UnrecognizedValue, where, f"{raw!r} is not a Kubernetes quantity", Severity.ERROR)
                continue
            amounts[side][name] = (amount, str(raw))
            if name in _GPU_KEYS and amount.denominator != 1:
                emit(Code.GpuNotWholeNumber, where, f"GPU {side} must be a whole number, got {raw!r}", Severity.ERROR)
    for name, (limit, text) in amounts["limits"].items():
        request = amounts["requests"].get(name)
        if request is None:
            continue
        where = (*segments, key_segment("limits"), key_segment(name))
        if name in _GPU_KEYS:
            if limit != request[0]:
                emit(
                    Code.GpuLimitNotEqualRequest,
                    where,
                    f"the GPU limit ({text}) must equal the request ({request[1]})",
                    Severity.ERROR,
                )
        elif name in _POD_RESOURCE_NAMES and limit < request[0]:
            emit(
                Code.ResourceLimitBelowRequest,
                where,
                f"the {name} limit ({text}) is below the {name} request ({request[1]})",
                Severity.ERROR,
            )


def _struct_numbers(struct: struct_pb2.Struct) -> Iterator[tuple[tuple[str, ...], float]]:
    stack: list[tuple[tuple[str, ...], struct_pb2.Value]] = [
        ((key_segment(k),), struct.fields[k]) for k in sorted(struct.fields, reverse=True)
    ]
    while stack:
        segments, value = stack.pop()
        kind = value.WhichOneof("kind")
        if kind == "number_value":
            yield segments, value.number_value
        elif kind == "struct_value":
            fields = value.struct_value.fields
            stack.extend(((*segments, key_segment(k)), fields[k]) for k in sorted(fields, reverse=True))
        elif kind == "list_value":
            items = list(value.list_value.values)
            stack.extend(((*segments, f"[{i}]"), items[i]) for i in reversed(range(len(items))))


def check_struct_integers(struct: struct_pb2.Struct, segments: tuple[str, ...], emit: Emit) -> None:
    """Warn about integers in a Struct: protobuf stores every number as a float, so 3 reads back as 3.0."""
    for rel, number in _struct_numbers(struct):
        if number.is_integer():
            emit(
                Code.StructIntegerAsFloat,
                (*segments, *rel),
                f"{int(number)} is stored as the float {number!r}: code reading it back gets a float, not an int",
                Severity.WARNING,
            )
