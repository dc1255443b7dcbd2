"""The task builder: ``task(...)`` makes a ``TaskTemplate`` and a :class:`Task` handle to call in workflows."""

from __future__ import annotations

import dataclasses
import datetime
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from google.protobuf import wrappers_pb2

from flytespec.admin import description_entity_pb2
from flytespec.admin import task_pb2 as admin_task_pb2
from flytespec.build._common import (
    INT32_MAX,
    UINT32_MAX,
    check_fields,
    checked_arguments,
    duration,
    fill_description,
    function_interface,
    identifier,
    ordered_types,
    output_spec,
    string_map,
    struct,
    variable_map,
    whole_number,
)
from flytespec.build._resources import POD_KEYS, Resources, resource_requirements
from flytespec.build._types import json_data
from flytespec.core import identifier_pb2, interface_pb2, literals_pb2, security_pb2, tasks_pb2, workflow_pb2
from flytespec.errors import BuildError

if TYPE_CHECKING:
    from flytespec.build._workflow import NodeHandle

__all__ = [
    "DEFAULT_RESOLVER",
    "MAP_RESOLVER",
    "Cache",
    "PodTemplate",
    "Task",
    "data_loading_config",
    "identity",
    "port",
    "pyflyte_execute_args",
    "pyflyte_fast_execute_args",
    "pyflyte_map_execute_args",
    "runtime",
    "secret",
    "sql",
    "task",
    "task_from_function",
]

DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
"""The task resolver flytekit's ``@task`` functions use."""
MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
"""The resolver flytekit's mapped tasks use."""

_ENTRY_TEMPLATES = [
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
]


@checked_arguments
def pyflyte_execute_args(
    module: str, name: str, *, resolver: str = DEFAULT_RESOLVER, loader_args: Sequence[str] | None = None
) -> list[str]:
    """The container arguments flytekit's runtime entry point expects for a task, as flytekit writes them.

    ``pyflyte-execute`` with the input, output-prefix, raw-output-data-prefix and checkpoint templates Flyte fills in,
    the task resolver, ``--``, and the resolver's loader arguments (``task-module M task-name T`` for the default
    resolver).

    Args:
        module: the Python module holding the task function (``"my_project.tasks"``).
        name: the task function's name in that module.
        resolver: the resolver's import path.
        loader_args: the resolver's arguments, when it is not the default resolver.
    """
    loader = list(loader_args) if loader_args is not None else ["task-module", module, "task-name", name]
    return ["pyflyte-execute", *_ENTRY_TEMPLATES, "--resolver", resolver, "--", *loader]


@checked_arguments
def pyflyte_fast_execute_args(
    module: str,
    name: str,
    *,
    distribution: str = "{{ .remote_package_path }}",
    dest_dir: str = "{{ .dest_dir }}",
    resolver: str = DEFAULT_RESOLVER,
    loader_args: Sequence[str] | None = None,
) -> list[str]:
    """:func:`pyflyte_execute_args` for fast registration: ``pyflyte-fast-execute`` first downloads the code.

    Args:
        distribution: where the code archive is (flytekit's template when not given).
        dest_dir: where to unpack it (flytekit's template when not given).
    """
    prefix = ["pyflyte-fast-execute", "--additional-distribution", distribution, "--dest-dir", dest_dir, "--"]
    return prefix + pyflyte_execute_args(module, name, resolver=resolver, loader_args=loader_args)


@checked_arguments
def pyflyte_map_execute_args(args: Sequence[str], bound_inputs: Iterable[str] = ()) -> list[str] | None:
    """The arguments of a mapped task made from a task's ``pyflyte-execute`` arguments (None when they are not).

    ``pyflyte-map-execute`` runs one element of the mapped inputs; its resolver wraps the task's own resolver and
    names the inputs that are not mapped (``vars``), as flytekit's ``map_task`` writes them.
    """
    args = list(args)
    try:
        start = args.index("pyflyte-execute")
        split = args.index("--", start)
        resolver = args[args.index("--resolver", start) + 1]
    except (ValueError, IndexError):
        return None
    mapped = ["pyflyte-map-execute", *args[start + 1 : split]]
    mapped[mapped.index("--resolver") + 1] = MAP_RESOLVER
    vars_ = ",".join(sorted(bound_inputs))
    return [*args[:start], *mapped, "--", "vars", vars_, "resolver", resolver, *args[split + 1 :]]


@dataclasses.dataclass(frozen=True)
class Cache:
    """Output caching of a task (or a node).

    Attributes:
        version: the cache version; change it to invalidate earlier results.
        serialize: run identical concurrent executions once and let the others wait for its result.
        ignored_inputs: input names left out of the cache key.
    """

    version: str = ""
    serialize: bool = False
    ignored_inputs: Sequence[str] = ()

    def __post_init__(self) -> None:
        check_fields(self)
        if isinstance(self.ignored_inputs, str):
            raise BuildError("Cache.ignored_inputs", "give a list of input names, not one string")
        object.__setattr__(self, "ignored_inputs", tuple(self.ignored_inputs))


@dataclasses.dataclass(frozen=True)
class PodTemplate:
    """A Kubernetes pod to run a task in: a pod spec (a dict, as in a pod's YAML), the name of the container the
    task runs in, and the pod's labels and annotations.

    The task's image, command, arguments, resources and environment go into the primary container (added when the
    spec does not list it), as flytekit does; the spec's other containers are kept as they are.
    """

    pod_spec: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    primary_container_name: str = "primary"
    labels: Mapping[str, str] | None = None
    annotations: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        check_fields(self)
        if not isinstance(self.pod_spec, Mapping):
            raise BuildError("PodTemplate.pod_spec", f"expected a dict, got {type(self.pod_spec).__name__}")
        json_data(self.pod_spec, "PodTemplate.pod_spec", plain=True)  # JSON, or refused now (not at each task)
        containers = self.pod_spec.get("containers", [])
        if not isinstance(containers, list) or not all(isinstance(c, Mapping) for c in containers):
            raise BuildError("PodTemplate.pod_spec.containers", "expected a list of container dicts")
        for i, c in enumerate(containers):
            # The task's environment and ports are added to the primary container's lists; a dict there would lose
            # its values.
            for key, entry in (("env", "{'name': ..., 'value': ...}"), ("ports", "{'containerPort': ...}")):
                given = c.get(key)
                if given is not None and (
                    not isinstance(given, list) or not all(isinstance(e, Mapping) for e in given)
                ):
                    raise BuildError(
                        f"PodTemplate.pod_spec.containers[{i}].{key}",
                        f"a container's {key} is a list of {entry} dicts, got {given!r}",
                    )
        if not self.primary_container_name:
            raise BuildError("PodTemplate.primary_container_name", "name the container the task runs in")
        string_map("PodTemplate.labels", self.labels)
        string_map("PodTemplate.annotations", self.annotations)

    def primary_image(self) -> str:
        """The image the pod spec gives the primary container ("" when none)."""
        for c in self.pod_spec.get("containers", []):
            if c.get("name") == self.primary_container_name:
                return str(c.get("image") or "")
        return ""

    def k8s_pod(
        self,
        where: str,
        container: tasks_pb2.Container | None = None,
        data_config: tasks_pb2.DataLoadingConfig | None = None,
        prefix: str = "",
    ) -> tasks_pb2.K8sPod:
        """The ``K8sPod`` message, with ``container`` merged into the primary container of the spec."""
        spec = json_data(self.pod_spec, "PodTemplate.pod_spec", plain=True)  # a copy, every mapping a dict
        if container is not None:
            containers = [dict(c) for c in spec.get("containers", [])]
            if not any(c.get("name") == self.primary_container_name for c in containers):
                containers.append({"name": self.primary_container_name})
            for c in containers:
                if c.get("name") == self.primary_container_name:
                    _merge_primary(c, container)
            spec["containers"] = containers
        out = tasks_pb2.K8sPod(pod_spec=struct(f"{where}: {prefix}pod_template.pod_spec", spec))
        out.metadata.labels.update(self.labels or {})
        out.metadata.annotations.update(self.annotations or {})
        if data_config is not None:
            out.data_config.CopyFrom(data_config)
        return out


def _merge_primary(c: dict[str, Any], container: tasks_pb2.Container) -> None:
    """What flytekit's ``_serialize_pod_spec`` does to the primary container."""
    c.setdefault("image", container.image)
    c["command"] = list(container.command)
    c["args"] = list(container.args)
    limits = {POD_KEYS[e.name]: e.value for e in container.resources.limits}
    requests = {POD_KEYS[e.name]: e.value for e in container.resources.requests}
    if limits or requests:
        c["resources"] = {"limits": limits, "requests": requests}
    c["env"] = [{"name": e.key, "value": e.value} for e in container.env] + list(c.get("env") or [])
    if container.ports:  # flytekit drops them; they are the primary container's Kubernetes ports
        ports = [{"containerPort": p.container_port, **({"name": p.name} if p.name else {})} for p in container.ports]
        c["ports"] = list(c.get("ports") or []) + ports


@checked_arguments
def runtime(version: str, *, type: str = "FLYTE_SDK", flavor: str = "python") -> tasks_pb2.RuntimeMetadata:
    """The runtime a task says it was written with (flytekit: ``runtime("1.16.31")``)."""
    try:
        kind = tasks_pb2.RuntimeMetadata.RuntimeType.Value(type)
    except ValueError:
        raise BuildError("runtime.type", f"expected FLYTE_SDK or OTHER, got {type!r}") from None
    return tasks_pb2.RuntimeMetadata(type=kind, version=version, flavor=flavor)


_DEFAULT_RUNTIME = tasks_pb2.RuntimeMetadata(type=tasks_pb2.RuntimeMetadata.OTHER, version="0.1.0", flavor="flytespec")


@checked_arguments
def sql(statement: str, *, dialect: str = "ansi") -> tasks_pb2.Sql:
    """A SQL query task's statement and dialect (``ansi``, ``hive``, ``other``); inputs appear as templates."""
    if not statement:
        raise BuildError("sql", "the statement cannot be empty")
    try:
        value = tasks_pb2.Sql.Dialect.Value(dialect.upper())
    except ValueError:
        raise BuildError("sql.dialect", f"expected ansi, hive or other, got {dialect!r}") from None
    return tasks_pb2.Sql(statement=statement, dialect=value)


@checked_arguments
def secret(
    key: str = "",
    *,
    group: str = "",
    group_version: str = "",
    mount: str = "any",
    env_var: str = "",
) -> security_pb2.Secret:
    """A secret the task needs, and how it is mounted: ``"any"``, ``"env"`` (an environment variable, optionally
    named by ``env_var``) or ``"file"``."""
    modes = {"any": security_pb2.Secret.ANY, "env": security_pb2.Secret.ENV_VAR, "file": security_pb2.Secret.FILE}
    if mount not in modes:
        raise BuildError("secret.mount", f"expected one of {sorted(modes)}, got {mount!r}")
    if not key and not group:
        raise BuildError("secret", "name the secret's key (and its group where the secret manager has groups)")
    if env_var and mount == "file":
        raise BuildError("secret.env_var", "an environment variable name makes no sense for a secret mounted as a file")
    return security_pb2.Secret(
        group=group, group_version=group_version, key=key, mount_requirement=modes[mount], env_var=env_var
    )


@checked_arguments
def identity(
    *, iam_role: str = "", k8s_service_account: str = "", execution_identity: str = ""
) -> security_pb2.Identity:
    """The identity a task runs as (an IAM role, a Kubernetes service account, an execution identity)."""
    if not (iam_role or k8s_service_account or execution_identity):
        raise BuildError("identity", "give iam_role, k8s_service_account or execution_identity")
    return security_pb2.Identity(
        iam_role=iam_role, k8s_service_account=k8s_service_account, execution_identity=execution_identity
    )


@checked_arguments
def port(container_port: int, *, name: str = "") -> tasks_pb2.ContainerPort:
    """A port the task's container exposes."""
    return tasks_pb2.ContainerPort(
        container_port=whole_number("port: container_port", container_port, 65535, 1), name=name
    )


@checked_arguments
def data_loading_config(
    *,
    input_path: str = "/var/flyte/inputs",
    output_path: str = "/var/flyte/outputs",
    format: str = "json",
    download: str | None = None,
    upload: str | None = None,
) -> tasks_pb2.DataLoadingConfig:
    """CoPilot's data loading for a raw container: where inputs are written and outputs read, in which format
    (``json``, ``yaml``, ``proto``), and optionally when to download (``eager``, ``stream``, ``do_not_download``)
    and upload (``on_exit``, ``eager``, ``do_not_upload``); without either, no ``io_strategy`` is written (Flyte's
    defaults: eager, on exit)."""
    cfg = tasks_pb2.DataLoadingConfig
    io = tasks_pb2.IOStrategy
    if not input_path or not output_path:
        raise BuildError("data_loading_config", "input_path and output_path cannot be empty")
    out = cfg(enabled=True, input_path=input_path, output_path=output_path)
    out.format = _choice("data_loading_config.format", format, cfg.LiteralMapFormat, "")
    if download is not None or upload is not None:
        out.io_strategy.download_mode = _choice(
            "data_loading_config.download", download or "eager", io.DownloadMode, "DOWNLOAD_"
        )
        out.io_strategy.upload_mode = _choice(
            "data_loading_config.upload", upload or "on_exit", io.UploadMode, "UPLOAD_"
        )
    return out


def _choice(where: str, given: str, enum: Any, prefix: str) -> Any:
    """The number of an enum value named ``given`` (case-insensitive, without the value's prefix)."""
    names = {n.removeprefix(prefix).lower(): n for n in enum.keys()}  # noqa: SIM118 (keys of a protobuf enum)
    if not isinstance(given, str) or given.lower() not in names:
        raise BuildError(where, f"expected one of {sorted(names)}, got {given!r}")
    return enum.Value(names[given.lower()])


# Keyword arguments of ``task`` that ``Task.override`` refuses, and why.
_FIXED = {
    "name": "the name is the task's identity; make another task",
    "image": "a task's image is part of what it is; override it on a node with with_overrides(image=...)",
    "inputs": "the interface is fixed: nodes that call the task depend on it",
    "outputs": "the interface is fixed: nodes that call the task depend on it",
    "docs": "the documentation describes the task itself",
}


class Task:
    """An immutable handle on a ``TaskTemplate`` made by :func:`task`.

    Call it inside a workflow builder with keyword inputs to add a task node; use :meth:`override` for a variant
    with other settings. ``template`` and the other accessors return copies: the handle never changes.
    """

    __slots__ = ("_defaults", "_docs", "_inputs", "_kwargs", "_node_metadata", "_outputs", "_template")

    def __init__(
        self,
        template: tasks_pb2.TaskTemplate,
        defaults: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        docs: str | None = None,
        node_name: str | None = None,
        order: tuple[list[str], list[str]] = ([], []),
    ) -> None:
        self._template = template
        self._defaults = dict(defaults)
        self._kwargs = dict(kwargs)
        self._docs = docs
        # Variable types by name: held here, so their identities stay stable (the builder caches type checks).
        self._inputs = ordered_types(template.interface.inputs, order[0])
        self._outputs = ordered_types(template.interface.outputs, order[1])
        meta = workflow_pb2.NodeMetadata(name=node_name or template.id.name.rsplit(".", 1)[-1])
        if template.metadata.HasField("timeout"):
            meta.timeout.CopyFrom(template.metadata.timeout)
        meta.retries.CopyFrom(template.metadata.retries)
        if template.metadata.HasField("interruptible"):
            meta.interruptible = template.metadata.interruptible
        self._node_metadata = meta

    @property
    def name(self) -> str:
        """The task's name (``template.id.name``)."""
        return self._template.id.name

    @property
    def id(self) -> identifier_pb2.Identifier:
        """A copy of the task's identifier."""
        return identifier_pb2.Identifier(**_id_fields(self._template.id))

    @property
    def template(self) -> tasks_pb2.TaskTemplate:
        """A copy of the ``TaskTemplate``."""
        out = tasks_pb2.TaskTemplate()
        out.CopyFrom(self._template)
        return out

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        """A copy of the task's interface."""
        out = interface_pb2.TypedInterface()
        out.CopyFrom(self._template.interface)
        return out

    @property
    def input_names(self) -> list[str]:
        """The task's input names, in the order they were declared."""
        return list(self._inputs)

    @property
    def output_names(self) -> list[str]:
        """The task's output names, in the order they were declared."""
        return list(self._outputs)

    def spec(self) -> admin_task_pb2.TaskSpec:
        """The registration message (``TaskSpec``) of the task, as ``pyflyte package`` writes it."""
        out = admin_task_pb2.TaskSpec(template=self._template)
        out.description.long_description.format = description_entity_pb2.DESCRIPTION_FORMAT_RST
        fill_description(out.description, self._docs)
        return out

    def override(self, **changes: Any) -> Task:
        """A new task like this one with some settings replaced (any keyword of :func:`task` but the name, image,
        interface and docs). ``requests=`` or ``limits=`` replaces that side of the resources and keeps the other
        (of ``resources=`` too); ``resources=`` replaces both.

        Raises:
            BuildError: a setting that cannot be overridden, or an invalid value.
        """
        for key in changes:
            if key in _FIXED:
                raise BuildError(f"task {self.name!r}: override({key}=...)", f"cannot be overridden: {_FIXED[key]}")
            if key not in _TASK_KEYWORDS:
                raise BuildError(
                    f"task {self.name!r}: override({key}=...)", f"unknown setting; expected one of {_OVERRIDABLE}"
                )
        kwargs = {**self._kwargs, **changes}
        if "requests" in changes or "limits" in changes:
            whole = kwargs.pop("resources", None)
            if whole is not None:  # the side not overridden is kept
                for side, key in ((0, "requests"), (1, "limits")):
                    if key not in changes:
                        kwargs[key] = whole.side(side)
        if "resources" in changes:
            kwargs.pop("requests", None)
            kwargs.pop("limits", None)
        return task(**kwargs)

    def __call__(self, **inputs: Any) -> NodeHandle:
        """Add a node running this task to the workflow being built (keyword inputs only)."""
        from flytespec.build._workflow import current_builder

        return current_builder(self.name).call_task(self, inputs)

    def __repr__(self) -> str:
        return f"Task({self.name!r})"


def _id_fields(ident: identifier_pb2.Identifier) -> dict[str, Any]:
    return {
        "resource_type": ident.resource_type,
        "project": ident.project,
        "domain": ident.domain,
        "name": ident.name,
        "version": ident.version,
        "org": ident.org,
    }


@checked_arguments
def task(
    name: str,
    *,
    inputs: Mapping[str, Any] | None = None,
    outputs: Any = None,
    task_type: str = "python-task",
    task_type_version: int = 0,
    project: str = "",
    domain: str = "",
    version: str = "",
    org: str = "",
    image: str | None = None,
    command: Sequence[str] = (),
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    ports: Sequence[tasks_pb2.ContainerPort] = (),
    data_loading: tasks_pb2.DataLoadingConfig | None = None,
    architecture: str | None = None,
    resources: Resources | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    gpu_accelerator: tasks_pb2.GPUAccelerator | None = None,
    shared_memory: tasks_pb2.SharedMemory | None = None,
    pod_template: PodTemplate | None = None,
    pod_template_name: str = "",
    sql: tasks_pb2.Sql | None = None,
    retries: int | literals_pb2.RetryStrategy = 0,
    timeout: datetime.timedelta | int | float | None = None,
    cache: bool | Cache = False,
    interruptible: bool | None = None,
    deprecated: str = "",
    runtime: tasks_pb2.RuntimeMetadata | None = None,
    tags: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    generates_deck: bool = False,
    is_eager: bool = False,
    secrets: Sequence[security_pb2.Secret] = (),
    run_as: security_pb2.Identity | None = None,
    custom: Mapping[str, Any] | None = None,
    config: Mapping[str, str] | None = None,
    docs: str | None = None,
) -> Task:
    """Make a task: a ``TaskTemplate`` and the :class:`Task` handle to call it in workflows.

    Args:
        name: the task's name, conventionally the module path of its function (``"etl.tasks.load"``).
        inputs: ``{name: type}`` or ``{name: Input(type, default=..., description=...)}``; types are Python types
            (``int``, ``list[str]``, ``Optional[float]``, an Enum, a dataclass, ``File``...) or ``LiteralType``\\ s.
        outputs: ``{name: type}`` (or ``Output(type, description=...)``), or one type for a single output ``o0``.
        task_type, task_type_version: the plugin that runs the task (``"python-task"``, ``"container"``, ...).
        project, domain, version, org: the identity; left empty, a workflow fills them with its own when it
            calls the task.
        image: the container image; with ``command``, ``args``, ``env``, ``ports``, ``data_loading`` and
            ``architecture`` (``amd64``, ``arm64``, ``arm_v6``, ``arm_v7``) it makes the container.
        resources, requests, limits: :class:`Resources` (``resources=`` takes ``(request, limit)`` pairs).
        gpu_accelerator, shared_memory: extended resources (see :func:`gpu_accelerator`, :func:`shared_memory`).
        pod_template: run in a Kubernetes pod (:class:`PodTemplate`) instead of a bare container.
        pod_template_name: the name of a pod template registered on the platform to start from.
        sql: a query task (see :func:`sql`); it has no container.
        retries: the number of retries, or a ``RetryStrategy``.
        timeout: a timedelta or a number of seconds.
        cache: True, or a :class:`Cache` with a version, serialization and ignored inputs.
        interruptible: whether the task may run on interruptible (spot) machines; None leaves it to the workflow.
        deprecated: a deprecation message shown to users of the task.
        runtime: what the task says it was written with (default: flytespec); see :func:`runtime`.
        tags, generates_deck, is_eager: task metadata as in Flyte.
        labels, annotations: Kubernetes labels and annotations of the task's pod (``TaskMetadata.metadata``).
        secrets, run_as: the security context (see :func:`secret` and :func:`identity`).
        custom: the plugin's settings (a JSON-like dict, held as a ``Struct``).
        config: the plugin's ``{str: str}`` configuration.
        docs: a description, written into the task's registration message (:meth:`Task.spec`).

    Raises:
        BuildError: an argument it cannot use, naming it and what was expected.
    """
    kwargs = {k: v for k, v in locals().items() if k in _TASK_KEYWORDS}
    where = f"task {name!r}"
    if not isinstance(name, str) or not name:
        raise BuildError("task: name", f"the name is a non-empty string, got {name!r}")
    if not isinstance(task_type, str) or not task_type:
        raise BuildError(f"{where}: task_type", f"names the plugin that runs the task, got {task_type!r}")
    if sum(x is not None for x in (sql, pod_template)) > 1 or (sql is not None and image is not None):
        raise BuildError(where, "a task runs one target: a container (image=), a pod (pod_template=) or sql=")
    version_number = whole_number(f"{where}: task_type_version", task_type_version, INT32_MAX, -INT32_MAX - 1)
    out = tasks_pb2.TaskTemplate(type=task_type, task_type_version=version_number)
    out.id.CopyFrom(identifier(identifier_pb2.TASK, name, project, domain, version, org))

    in_map, defaults, in_names = variable_map(where, inputs, "inputs")
    out_map, _, out_names = variable_map(where, output_spec(outputs), "outputs")
    out.interface.inputs.CopyFrom(in_map)
    out.interface.outputs.CopyFrom(out_map)

    _metadata(out.metadata, where, in_map, retries, timeout, cache, interruptible, deprecated, runtime, tags)
    out.metadata.pod_template_name = pod_template_name
    out.metadata.generates_deck.CopyFrom(wrappers_pb2.BoolValue(value=generates_deck))
    out.metadata.is_eager = is_eager
    out.metadata.metadata.SetInParent()
    out.metadata.metadata.labels.update(string_map(f"{where}: labels", labels))
    out.metadata.metadata.annotations.update(string_map(f"{where}: annotations", annotations))

    container_args = (command, args, env, ports, data_loading, architecture, resources, requests, limits)
    if image is None and pod_template is None and any(a for a in container_args if a is not None):
        raise BuildError(where, "container settings (command, args, env, resources...) need image=")
    if image is not None or pod_template is not None:
        container = _container(where, image or "", command, args, env, ports, architecture, resources, requests, limits)
        if pod_template is not None:
            if not isinstance(pod_template, PodTemplate):
                raise BuildError(f"{where}: pod_template", f"expected a PodTemplate, got {type(pod_template).__name__}")
            if architecture is not None:
                raise BuildError(
                    f"{where}: architecture",
                    "applies to a bare container; in a pod, choose the node with the pod spec's nodeSelector "
                    "(kubernetes.io/arch)",
                )
            if image is None and not pod_template.primary_image():
                raise BuildError(
                    f"{where}: image", "give image= or an image for the primary container in the pod template"
                )
            out.k8s_pod.CopyFrom(pod_template.k8s_pod(where, container, data_loading))
            out.config["primary_container_name"] = pod_template.primary_container_name
        else:
            if data_loading is not None:
                container.data_config.CopyFrom(data_loading)
            out.container.CopyFrom(container)
    elif sql is not None:
        out.sql.CopyFrom(sql)

    if gpu_accelerator is not None:
        out.extended_resources.gpu_accelerator.CopyFrom(gpu_accelerator)
    if shared_memory is not None:
        out.extended_resources.shared_memory.CopyFrom(shared_memory)
    if secrets or run_as is not None:
        for i, item in enumerate(secrets):
            if not isinstance(item, security_pb2.Secret):
                raise BuildError(
                    f"{where}: secrets[{i}]", f"expected a Secret (see secret()), got {type(item).__name__}"
                )
        out.security_context.secrets.extend(secrets)
        if run_as is not None:
            out.security_context.run_as.CopyFrom(run_as)
    if custom is not None:
        out.custom.CopyFrom(struct(f"{where}: custom", custom))
    out.config.update(string_map(f"{where}: config", config))
    return Task(out, defaults, kwargs, docs, order=(in_names, out_names))


_TASK_KEYWORDS = frozenset(inspect.signature(task).parameters)
_OVERRIDABLE = sorted(_TASK_KEYWORDS - set(_FIXED))


def _metadata(
    md: tasks_pb2.TaskMetadata,
    where: str,
    inputs: interface_pb2.VariableMap,
    retries: int | literals_pb2.RetryStrategy,
    timeout: datetime.timedelta | int | float | None,
    cache: bool | Cache,
    interruptible: bool | None,
    deprecated: str,
    runtime_: tasks_pb2.RuntimeMetadata | None,
    tags: Mapping[str, str] | None,
) -> None:
    md.runtime.CopyFrom(runtime_ if runtime_ is not None else _DEFAULT_RUNTIME)
    md.retries.CopyFrom(retry_strategy(f"{where}: retries", retries))
    if timeout is not None:
        md.timeout.CopyFrom(duration(f"{where}: timeout", timeout))
    if cache is True:
        cache = Cache()
    if isinstance(cache, Cache):
        md.discoverable = True
        md.discovery_version = cache.version
        md.cache_serializable = cache.serialize
        for var in cache.ignored_inputs:
            if var not in inputs.variables:
                raise BuildError(f"{where}: cache.ignored_inputs", f"{var!r} is not an input of the task")
        md.cache_ignore_input_vars.extend(cache.ignored_inputs)
    elif cache is not False:
        raise BuildError(f"{where}: cache", f"expected True, False or a Cache, got {type(cache).__name__}")
    if interruptible is not None:
        md.interruptible = interruptible  # a bool: task() checks its arguments' types
    md.deprecated_error_message = deprecated
    md.tags.update(string_map(f"{where}: tags", tags))


def retry_strategy(where: str, retries: int | literals_pb2.RetryStrategy) -> literals_pb2.RetryStrategy:
    """A ``RetryStrategy`` from a count (or as given)."""
    if isinstance(retries, literals_pb2.RetryStrategy):
        return retries
    return literals_pb2.RetryStrategy(retries=whole_number(where, retries, UINT32_MAX))


def _container(
    where: str,
    image: str,
    command: Sequence[str],
    args: Sequence[str],
    env: Mapping[str, str] | None,
    ports: Sequence[tasks_pb2.ContainerPort],
    architecture: str | None,
    resources: Resources | None,
    requests: Resources | None,
    limits: Resources | None,
) -> tasks_pb2.Container:
    for label, seq in (("command", command), ("args", args)):
        if isinstance(seq, str) or not all(isinstance(a, str) for a in seq):
            raise BuildError(f"{where}: {label}", "expected a list of strings")
    out = tasks_pb2.Container(image=image, command=command, args=args)
    for key, value in string_map(f"{where}: env", env).items():
        out.env.add(key=key, value=value)
    out.ports.extend(ports)
    if architecture is not None:
        try:
            out.architecture = tasks_pb2.Container.Architecture.Value(architecture.upper())
        except ValueError:
            raise BuildError(f"{where}: architecture", "expected amd64, arm64, arm_v6 or arm_v7") from None
    res = resource_requirements(where, resources, requests, limits)
    out.resources.CopyFrom(res if res is not None else tasks_pb2.Resources())
    return out


@checked_arguments
def task_from_function(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    image: str | None = None,
    fast: bool = False,
    **settings: Any,
) -> Task:
    """A task whose interface comes from a Python function's type hints, run by flytekit's entry point.

    The name is ``module.function`` (flytekit's), the inputs are the parameters (their defaults become input
    defaults), the outputs come from the return annotation (a ``NamedTuple`` names them; one type is ``o0``;
    ``None`` is none), the docstring is the task's docs and, with an ``image``, the container runs
    ``pyflyte-execute`` for the function (``fast=True``: ``pyflyte-fast-execute``). Other keywords go to
    :func:`task`.

    Raises:
        BuildError: a parameter without a type hint, ``*args``/``**kwargs``, or an argument :func:`task` refuses.
    """
    inputs, outputs = function_interface(fn)
    module, short = fn.__module__, fn.__name__
    if image is not None and "args" not in settings and "command" not in settings:
        settings["args"] = pyflyte_fast_execute_args(module, short) if fast else pyflyte_execute_args(module, short)
    settings.setdefault("docs", inspect.getdoc(fn))
    return task(name or f"{module}.{short}", inputs=inputs, outputs=outputs, image=image, **settings)
