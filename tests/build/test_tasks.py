"""The task builder: ``task(...)``, ``task_from_function(...)``, their helpers, and ``Task``'s methods, one feature
per test. What the specs look like next to flytekit's is tests/build/test_goldens.py's job."""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import struct_pb2

from flytespec import build as b
from flytespec import io
from flytespec.admin import description_entity_pb2
from flytespec.core import identifier_pb2, literals_pb2, security_pb2, tasks_pb2, types_pb2
from flytespec.errors import BuildError
from tests.build._support import IMAGE, assert_round_trips, make_task, task_errors

R = tasks_pb2.Resources
CPU, GPU, MEM, STORAGE = R.CPU, R.GPU, R.MEMORY, R.EPHEMERAL_STORAGE
IO = tasks_pb2.IOStrategy
INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)


def _entries(entries: Any) -> list[tuple[int, str]]:
    return [(e.name, e.value) for e in entries]


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


def _pod_spec(task: b.Task) -> Any:
    return io.to_dict(task.template.k8s_pod.pod_spec)


# --------------------------------------------------------------------------------------------------------------
# Identity and interface


def test_identity() -> None:
    t = b.task(
        "etl.load",
        project="proj",
        domain="development",
        version="v3",
        org="acme",
        task_type="spark",
        task_type_version=2,
    )
    assert t.template.id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK,
        project="proj",
        domain="development",
        name="etl.load",
        version="v3",
        org="acme",
    )
    assert t.id == t.template.id
    assert t.name == "etl.load"
    assert t.template.type == "spark"
    assert t.template.task_type_version == 2


def test_defaults_of_identity() -> None:
    template = b.task("etl.load").template
    assert template.id == identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="etl.load")
    assert template.type == "python-task"
    assert template.task_type_version == 0


@pytest.mark.parametrize("name", ["", None, 3])
def test_the_name_is_a_non_empty_string(name: Any) -> None:
    with pytest.raises(BuildError) as err:
        b.task(name)
    assert err.value.where == "task: name"


def test_explicit_interface_keeps_declaration_order() -> None:
    t = b.task("t", inputs={"b": int, "a": str, "c": float}, outputs={"z": int, "y": bool})
    assert t.input_names == ["b", "a", "c"]
    assert t.output_names == ["z", "y"]
    variables = t.template.interface.inputs.variables
    assert variables["b"].type == INT
    assert variables["a"].type.simple == types_pb2.STRING
    assert variables["c"].type.simple == types_pb2.FLOAT
    assert t.template.interface.outputs.variables["y"].type.simple == types_pb2.BOOLEAN


def test_descriptions_default_to_the_variable_name() -> None:
    """flytekit writes the variable's name as its description; so does flytespec."""
    t = b.task(
        "t",
        inputs={"x": int, "y": b.Input(int, description="the y")},
        outputs={"o": int, "p": b.Output(int, description="the p")},
    )
    assert t.template.interface.inputs.variables["x"].description == "x"
    assert t.template.interface.inputs.variables["y"].description == "the y"
    assert t.template.interface.outputs.variables["o"].description == "o"
    assert t.template.interface.outputs.variables["p"].description == "the p"


def test_a_single_output_type_is_o0() -> None:
    t = b.task("t", outputs=float)
    assert t.output_names == ["o0"]
    assert t.template.interface.outputs.variables["o0"].type.simple == types_pb2.FLOAT


def test_no_interface_is_an_empty_interface() -> None:
    interface = b.task("t").template.interface
    assert interface.HasField("inputs")
    assert interface.HasField("outputs")
    assert len(interface.inputs.variables) == 0
    assert len(interface.outputs.variables) == 0


def test_input_defaults_are_not_part_of_the_template() -> None:
    """A default is the builder's: a node that leaves the input out is bound to it (test_workflows.py)."""
    with_default = b.task("t", inputs={"x": b.Input(int, default=3)})
    without = b.task("t", inputs={"x": int})
    assert with_default.template == without.template


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"inputs": {"x": set}}, "task 't': inputs.x"),
        ({"inputs": {"x": list}}, "task 't': inputs.x"),
        ({"outputs": {"y": dict[int, int]}}, "task 't': outputs.y"),
        ({"outputs": complex}, "task 't': outputs.o0"),
        ({"inputs": {"x": b.Output(int)}}, "task 't': inputs.x"),
        ({"outputs": {"y": b.Input(int)}}, "task 't': outputs.y"),
        ({"inputs": {"": int}}, "task 't'"),
        ({"inputs": [("x", int)]}, "task 't': inputs"),
        # promises name outputs: letters, digits and _ only (Flyte's compiler: SyntaxError)
        ({"outputs": {"a-b": int}}, "task 't': outputs.a-b"),
    ],
)
def test_bad_interfaces_are_refused(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", **kwargs)
    assert err.value.where == where


# --------------------------------------------------------------------------------------------------------------
# Container


def test_container() -> None:
    t = b.task(
        "t",
        image="ghcr.io/org/app:v2",
        command=["python", "-m", "app"],
        args=["--x", "{{.inputs.x}}"],
        env={"B": "1", "A": "2"},
        ports=[b.port(8080, name="http"), b.port(9090)],
        architecture="arm64",
        config={"k": "v"},
    )
    container = t.template.container
    assert container.image == "ghcr.io/org/app:v2"
    assert list(container.command) == ["python", "-m", "app"]
    assert list(container.args) == ["--x", "{{.inputs.x}}"]
    assert [(e.key, e.value) for e in container.env] == [("B", "1"), ("A", "2")]  # in the order given
    assert [(p.container_port, p.name) for p in container.ports] == [(8080, "http"), (9090, "")]
    assert container.architecture == tasks_pb2.Container.ARM64
    assert container.HasField("resources")  # present though empty, as flytekit writes it
    assert dict(t.template.config) == {"k": "v"}


def test_no_image_no_container() -> None:
    t = b.task("t", inputs={"x": int})
    assert t.template.WhichOneof("target") is None


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"command": ["x"]}, "task 't'"),  # container settings without image=
        ({"env": {"A": "1"}}, "task 't'"),
        ({"image": "i", "command": "ls -l"}, "task 't': command"),
        ({"image": "i", "args": [1]}, "task 't': args[0]"),
        ({"image": "i", "env": {"A": 1}}, "task 't': env['A']"),
        ({"image": "i", "env": ["A=1"]}, "task 't': env"),
        ({"image": "i", "architecture": "x86"}, "task 't': architecture"),
        ({"image": "i", "config": {"k": 1}}, "task 't': config['k']"),
        ({"image": "i", "sql": b.sql("select 1")}, "task 't'"),
    ],
)
def test_bad_container_settings_are_refused(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", **kwargs)
    assert err.value.where == where


@pytest.mark.parametrize(("number", "ok"), [(1, True), (65535, True), (0, False), (65536, False), (True, False)])
def test_ports(number: Any, ok: bool) -> None:
    if ok:
        assert b.port(number).container_port == number
        return
    with pytest.raises(BuildError) as err:
        b.port(number)
    assert err.value.where == "port: container_port"


def test_data_loading_config() -> None:
    cfg = b.data_loading_config(input_path="/in", output_path="/out", format="yaml")
    assert cfg == tasks_pb2.DataLoadingConfig(
        enabled=True, input_path="/in", output_path="/out", format=tasks_pb2.DataLoadingConfig.YAML
    )
    assert not cfg.HasField("io_strategy")  # Flyte's defaults apply
    t = b.task("t", task_type="raw-container", image="alpine", command=["sh"], data_loading=cfg)
    assert t.template.container.data_config == cfg


@pytest.mark.parametrize(
    ("download", "upload", "modes"),
    [
        ("stream", None, (IO.DOWNLOAD_STREAM, IO.UPLOAD_ON_EXIT)),
        (None, "eager", (IO.DOWNLOAD_EAGER, IO.UPLOAD_EAGER)),
        (
            "DO_NOT_DOWNLOAD",
            "do_not_upload",
            (tasks_pb2.IOStrategy.DO_NOT_DOWNLOAD, tasks_pb2.IOStrategy.DO_NOT_UPLOAD),
        ),
    ],
)
def test_data_loading_io_strategy(download: str | None, upload: str | None, modes: tuple[int, int]) -> None:
    cfg = b.data_loading_config(download=download, upload=upload, format="proto")
    assert cfg.format == tasks_pb2.DataLoadingConfig.PROTO
    assert cfg.HasField("io_strategy")
    assert (cfg.io_strategy.download_mode, cfg.io_strategy.upload_mode) == modes


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"format": "xml"}, "data_loading_config.format"),
        ({"download": "lazy"}, "data_loading_config.download"),
        ({"upload": "never"}, "data_loading_config.upload"),
        ({"input_path": ""}, "data_loading_config"),
    ],
)
def test_bad_data_loading_config(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.data_loading_config(**kwargs)
    assert err.value.where == where


# --------------------------------------------------------------------------------------------------------------
# Resources


def test_resources_as_requests_and_limits_in_flytekits_order() -> None:
    t = b.task(
        "t",
        image=IMAGE,
        requests=b.Resources(cpu="100m", mem="2Gi", gpu=1, ephemeral_storage="10Gi"),
        limits=b.Resources(cpu=1, mem="4Gi", gpu="1", ephemeral_storage="20Gi"),
    )
    resources = t.template.container.resources
    # flytekit's order: ephemeral storage, cpu, gpu, memory.
    assert _entries(resources.requests) == [(STORAGE, "10Gi"), (CPU, "100m"), (GPU, "1"), (MEM, "2Gi")]
    assert _entries(resources.limits) == [(STORAGE, "20Gi"), (CPU, "1"), (GPU, "1"), (MEM, "4Gi")]


def test_resources_pairs() -> None:
    """``resources=`` takes (request, limit) pairs; a single value there is a request only, as in flytekit."""
    t = b.task("t", image=IMAGE, resources=b.Resources(cpu=("1", "2"), mem="1Gi"))
    resources = t.template.container.resources
    assert _entries(resources.requests) == [(CPU, "1"), (MEM, "1Gi")]
    assert _entries(resources.limits) == [(CPU, "2")]


@pytest.mark.parametrize(
    ("field", "given", "canonical"),
    [
        ("cpu", "100m", "100m"),
        ("cpu", 0.5, "500m"),
        ("cpu", 2, "2"),
        ("cpu", "1.5", "1500m"),
        ("cpu", "0.1", "100m"),
        ("mem", 1024, "1024"),
        ("mem", "2Gi", "2Gi"),
        ("mem", "1.5Gi", "1536Mi"),
        ("mem", "1e3", "1e3"),
        ("gpu", "2.0", "2"),
        ("gpu", "1000m", "1"),
        ("ephemeral_storage", "10G", "10G"),
        ("ephemeral_storage", 0, "0"),
    ],
)
def test_quantities_are_normalized(field: str, given: Any, canonical: str) -> None:
    assert getattr(b.Resources(**{field: given}), field) == canonical


@pytest.mark.parametrize(
    ("field", "given"),
    [
        ("cpu", "1Gx"),  # not a quantity
        ("mem", ""),
        ("cpu", -1),  # negative
        ("mem", "-1Gi"),
        ("gpu", 1.5),  # a GPU is whole
        ("gpu", "500m"),
        ("cpu", True),  # not a quantity type
        ("cpu", None.__class__),
        ("cpu", float("nan")),
        ("cpu", float("inf")),
        ("mem", ("2Gi", "1Gi")),  # the limit is below the request
        ("cpu", ("1", "2", "3")),  # a pair has two values
    ],
)
def test_bad_quantities_are_refused(field: str, given: Any) -> None:
    with pytest.raises(BuildError) as err:
        b.Resources(**{field: given})
    assert err.value.where == f"Resources.{field}"


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"requests": b.Resources(cpu="2"), "limits": b.Resources(cpu="1")}, "task 't': limits.cpu"),
        ({"requests": b.Resources(mem="1Gi"), "limits": b.Resources(mem="1000Mi")}, "task 't': limits.mem"),
        ({"requests": b.Resources(gpu=1), "limits": b.Resources(gpu=2)}, "task 't': limits.gpu"),
        ({"requests": b.Resources(cpu=("1", "2"))}, "task 't': requests"),  # pairs belong in resources=
        ({"limits": b.Resources(cpu=("1", "2"))}, "task 't': limits"),
        ({"resources": b.Resources(cpu="1"), "requests": b.Resources(cpu="1")}, "task 't': resources"),
        ({"resources": {"cpu": "1"}}, "task 't': resources"),
        ({"requests": "1"}, "task 't': requests"),
    ],
)
def test_bad_resource_settings_are_refused(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", image=IMAGE, **kwargs)
    assert err.value.where == where


def test_a_limit_equal_to_its_request_in_other_units() -> None:
    t = b.task("t", image=IMAGE, requests=b.Resources(mem="1Gi", cpu="1"), limits=b.Resources(mem="1024Mi", cpu=1.0))
    assert _entries(t.template.container.resources.limits) == [(CPU, "1"), (MEM, "1Gi")]  # canonical: 1024Mi is 1Gi


def test_a_gpu_pair_must_be_equal() -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", image=IMAGE, resources=b.Resources(gpu=(1, 2)))
    assert err.value.where in ("Resources.gpu", "task 't': resources.gpu")


def test_gpu_accelerator() -> None:
    assert b.gpu_accelerator("nvidia-tesla-t4") == tasks_pb2.GPUAccelerator(device="nvidia-tesla-t4")
    partitioned = b.gpu_accelerator("nvidia-tesla-a100", partition_size="1g.5gb")
    assert partitioned.WhichOneof("partition_size_value") == "partition_size"
    assert partitioned.partition_size == "1g.5gb"
    whole = b.gpu_accelerator("nvidia-tesla-a100", unpartitioned=True)
    assert whole.WhichOneof("partition_size_value") == "unpartitioned"
    assert whole.unpartitioned


@pytest.mark.parametrize(
    "kwargs", [{"device": "a100", "partition_size": "1g.5gb", "unpartitioned": True}, {"device": ""}]
)
def test_bad_gpu_accelerator(kwargs: dict[str, Any]) -> None:
    """partition_size and unpartitioned are two members of one oneof."""
    with pytest.raises(BuildError) as err:
        b.gpu_accelerator(**kwargs)
    assert err.value.where == "gpu_accelerator"


def test_shared_memory() -> None:
    assert b.shared_memory() == tasks_pb2.SharedMemory(mount_path="/dev/shm", mount_name="flyte-shared-memory")
    sized = b.shared_memory("1.5Gi", mount_path="/shm", mount_name="shm")
    assert sized == tasks_pb2.SharedMemory(mount_path="/shm", mount_name="shm", size_limit="1536Mi")


@pytest.mark.parametrize(
    ("args", "kwargs", "where"),
    [
        (("1Gx",), {}, "shared_memory.size_limit"),
        ((-1,), {}, "shared_memory.size_limit"),
        ((), {"mount_path": ""}, "shared_memory"),
        ((), {"mount_name": ""}, "shared_memory"),
    ],
)
def test_bad_shared_memory(args: tuple[Any, ...], kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.shared_memory(*args, **kwargs)
    assert err.value.where == where


def test_extended_resources() -> None:
    t = b.task(
        "t",
        image=IMAGE,
        gpu_accelerator=b.gpu_accelerator("nvidia-tesla-a100", partition_size="1g.5gb"),
        shared_memory=b.shared_memory("2Gi"),
    )
    extended = t.template.extended_resources
    assert extended.gpu_accelerator.partition_size == "1g.5gb"
    assert extended.shared_memory.size_limit == "2Gi"
    assert not b.task("t", image=IMAGE).template.HasField("extended_resources")


# --------------------------------------------------------------------------------------------------------------
# Pods, SQL


def test_pod_template_merges_the_container_into_the_primary_container() -> None:
    pod = b.PodTemplate(
        primary_container_name="main",
        labels={"team": "ml"},
        annotations={"owner": "alice"},
        pod_spec={
            "containers": [
                {"name": "main", "env": [{"name": "EXTRA", "value": "1"}]},
                {"name": "sidecar", "image": "busybox"},
            ],
            "nodeSelector": {"pool": "gpu"},
        },
    )
    t = b.task(
        "t",
        image=IMAGE,
        command=["run"],
        args=["--x"],
        env={"A": "b"},
        requests=b.Resources(cpu="1", mem="1Gi"),
        limits=b.Resources(cpu="2"),
        pod_template=pod,
    )
    template = t.template
    assert template.WhichOneof("target") == "k8s_pod"
    assert dict(template.config) == {"primary_container_name": "main"}
    assert dict(template.k8s_pod.metadata.labels) == {"team": "ml"}
    assert dict(template.k8s_pod.metadata.annotations) == {"owner": "alice"}
    spec = _pod_spec(t)
    assert spec["nodeSelector"] == {"pool": "gpu"}
    main, sidecar = spec["containers"]
    assert main == {
        "name": "main",
        "image": IMAGE,
        "command": ["run"],
        "args": ["--x"],
        # the task's environment first, then the pod spec's (flytekit's order)
        "env": [{"name": "A", "value": "b"}, {"name": "EXTRA", "value": "1"}],
        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2"}},
    }
    assert sidecar == {"name": "sidecar", "image": "busybox"}


def test_pod_template_adds_a_missing_primary_container() -> None:
    t = b.task("t", image=IMAGE, args=["go"], pod_template=b.PodTemplate(pod_spec={"containers": [{"name": "side"}]}))
    names = [c["name"] for c in _pod_spec(t)["containers"]]
    assert names == ["side", "primary"]
    assert dict(t.template.config) == {"primary_container_name": "primary"}


def test_pod_template_keeps_the_primary_containers_own_image() -> None:
    pod = b.PodTemplate(pod_spec={"containers": [{"name": "primary", "image": "own:1"}]})
    t = b.task("t", image=IMAGE, args=["go"], pod_template=pod)
    assert _pod_spec(t)["containers"][0]["image"] == "own:1"


def test_pod_template_with_data_loading() -> None:
    cfg = b.data_loading_config()
    t = b.task("t", image=IMAGE, command=["sh"], pod_template=b.PodTemplate(), data_loading=cfg)
    assert t.template.k8s_pod.data_config == cfg


def test_pod_template_name() -> None:
    assert b.task("t", pod_template_name="gpu-pool").template.metadata.pod_template_name == "gpu-pool"


def test_pod_template_without_any_image_is_refused() -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", args=["go"], pod_template=b.PodTemplate())
    assert err.value.where.startswith("task 't'")


ENV_PATH = "PodTemplate.pod_spec.containers[0].env"


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"pod_spec": []}, "PodTemplate.pod_spec"),
        ({"pod_spec": {"containers": {}}}, "PodTemplate.pod_spec.containers"),
        ({"pod_spec": {"containers": ["main"]}}, "PodTemplate.pod_spec.containers"),
        ({"primary_container_name": ""}, "PodTemplate.primary_container_name"),
        ({"labels": {"a": 1}}, "PodTemplate.labels['a']"),
        ({"annotations": {"a": None}}, "PodTemplate.annotations['a']"),
        # A dict env lost its values (only the names were kept) when the task's env was added to it.
        ({"pod_spec": {"containers": [{"name": "primary", "env": {"A": "1"}}]}}, ENV_PATH),
        ({"pod_spec": {"containers": [{"name": "side", "env": ["A=1"]}]}}, ENV_PATH),
    ],
)
def test_bad_pod_templates(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.PodTemplate(**kwargs)
    assert err.value.where == where


def test_a_pod_template_is_a_pod_template() -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", image=IMAGE, pod_template={"containers": []})  # type: ignore[arg-type]
    assert err.value.where == "task 't': pod_template"


def test_sql_task() -> None:
    t = b.task(
        "queries.daily",
        task_type="sql",
        inputs={"ds": str},
        outputs={"results": b.StructuredDataset.of("parquet")},
        sql=b.sql("select * from t where ds = '{{ .inputs.ds }}'", dialect="hive"),
    )
    template = t.template
    assert template.WhichOneof("target") == "sql"
    assert template.sql == tasks_pb2.Sql(
        statement="select * from t where ds = '{{ .inputs.ds }}'", dialect=tasks_pb2.Sql.HIVE
    )
    assert task_errors(t) == []


@pytest.mark.parametrize(
    ("kwargs", "where"), [({"statement": ""}, "sql"), ({"statement": "select 1", "dialect": "mysql"}, "sql.dialect")]
)
def test_bad_sql(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.sql(**kwargs)
    assert err.value.where == where


def test_sql_and_pod_are_one_target() -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", sql=b.sql("select 1"), pod_template=b.PodTemplate())
    assert err.value.where == "task 't'"


# --------------------------------------------------------------------------------------------------------------
# Metadata


def test_metadata_always_present_fields() -> None:
    """flytekit always writes ``retries {}``, ``generates_deck`` and ``metadata {}``; so does flytespec."""
    md = b.task("t").template.metadata
    assert md.HasField("retries")
    assert md.retries.retries == 0
    assert md.HasField("generates_deck")
    assert md.generates_deck.value is False
    assert md.HasField("metadata")
    assert not md.HasField("timeout")
    assert md.WhichOneof("interruptible_value") is None
    assert not md.discoverable


def test_default_runtime_is_flytespecs() -> None:
    runtime = b.task("t").template.metadata.runtime
    assert runtime == tasks_pb2.RuntimeMetadata(
        type=tasks_pb2.RuntimeMetadata.OTHER, version="0.1.0", flavor="flytespec"
    )


def test_runtime() -> None:
    t = b.task("t", runtime=b.runtime("1.16.31"))
    assert t.template.metadata.runtime == tasks_pb2.RuntimeMetadata(
        type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version="1.16.31", flavor="python"
    )
    with pytest.raises(BuildError) as err:
        b.runtime("1", type="JAVA")
    assert err.value.where == "runtime.type"


@pytest.mark.parametrize(
    ("retries", "expected"),
    [(0, literals_pb2.RetryStrategy()), (3, literals_pb2.RetryStrategy(retries=3))],
)
def test_retries(retries: int, expected: literals_pb2.RetryStrategy) -> None:
    assert b.task("t", retries=retries).template.metadata.retries == expected
    strategy = b.task("t", retries=literals_pb2.RetryStrategy(retries=4)).template.metadata.retries
    assert strategy.retries == 4


@pytest.mark.parametrize(
    ("timeout", "seconds", "nanos"),
    [
        (datetime.timedelta(minutes=10), 600, 0),
        (30, 30, 0),
        (1.5, 1, 500_000_000),
        (datetime.timedelta(microseconds=1), 0, 1000),
        (0, 0, 0),
    ],
)
def test_timeout(timeout: Any, seconds: int, nanos: int) -> None:
    md = b.task("t", timeout=timeout).template.metadata
    assert md.HasField("timeout")
    assert (md.timeout.seconds, md.timeout.nanos) == (seconds, nanos)


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"retries": -1}, "task 't': retries"),
        ({"retries": True}, "task 't': retries"),
        ({"retries": 1.0}, "task 't': retries"),
        ({"timeout": -5}, "task 't': timeout"),
        ({"timeout": "5s"}, "task 't': timeout"),
        ({"timeout": float("inf")}, "task 't': timeout"),
        ({"timeout": True}, "task 't': timeout"),
        ({"cache": "yes"}, "task 't': cache"),
        ({"cache": b.Cache(ignored_inputs=["nope"])}, "task 't': cache.ignored_inputs"),
        ({"tags": {"a": 1}}, "task 't': tags['a']"),
        ({"labels": {"a": 1}}, "task 't': labels['a']"),
        ({"annotations": ["a"]}, "task 't': annotations"),
    ],
)
def test_bad_metadata_is_refused(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", inputs={"x": int}, **kwargs)
    assert err.value.where == where


def test_cache() -> None:
    md = b.task("t", inputs={"data": str, "seed": int}, cache=True).template.metadata
    assert md.discoverable
    assert md.discovery_version == ""
    assert not md.cache_serializable
    md = b.task(
        "t", inputs={"data": str, "seed": int}, cache=b.Cache(version="1.2", serialize=True, ignored_inputs=["seed"])
    ).template.metadata
    assert md.discoverable
    assert md.discovery_version == "1.2"
    assert md.cache_serializable
    assert list(md.cache_ignore_input_vars) == ["seed"]


def test_cache_ignored_inputs_is_a_list() -> None:
    with pytest.raises(BuildError) as err:
        b.Cache(ignored_inputs="seed")
    assert err.value.where == "Cache.ignored_inputs"


@pytest.mark.parametrize("interruptible", [True, False])
def test_interruptible(interruptible: bool) -> None:
    md = b.task("t", interruptible=interruptible).template.metadata
    assert md.WhichOneof("interruptible_value") == "interruptible"
    assert md.interruptible is interruptible


def test_other_metadata() -> None:
    md = b.task(
        "t",
        deprecated="use t2",
        tags={"team": "data"},
        generates_deck=True,
        is_eager=True,
        labels={"app": "etl"},
        annotations={"cost-center": "42"},
    ).template.metadata
    assert md.deprecated_error_message == "use t2"
    assert dict(md.tags) == {"team": "data"}
    assert md.generates_deck.value is True
    assert md.is_eager
    assert dict(md.metadata.labels) == {"app": "etl"}
    assert dict(md.metadata.annotations) == {"cost-center": "42"}


# --------------------------------------------------------------------------------------------------------------
# Security, custom


def test_secrets_and_identity() -> None:
    secrets = [
        b.secret("password", group="db"),
        b.secret("token", group="api", mount="env", env_var="API_TOKEN"),
        b.secret("cert", group="tls", group_version="2", mount="file"),
    ]
    run_as = b.identity(k8s_service_account="etl", iam_role="arn:aws:iam::1:role/etl")
    ctx = b.task("t", secrets=secrets, run_as=run_as).template.security_context
    assert [(s.group, s.key, s.mount_requirement, s.env_var) for s in ctx.secrets] == [
        ("db", "password", security_pb2.Secret.ANY, ""),
        ("api", "token", security_pb2.Secret.ENV_VAR, "API_TOKEN"),
        ("tls", "cert", security_pb2.Secret.FILE, ""),
    ]
    assert ctx.secrets[2].group_version == "2"
    assert ctx.run_as == security_pb2.Identity(k8s_service_account="etl", iam_role="arn:aws:iam::1:role/etl")
    assert not b.task("t").template.HasField("security_context")


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda: b.secret(), "secret"),
        (lambda: b.secret("k", mount="disk"), "secret.mount"),
        (lambda: b.secret("k", mount="file", env_var="K"), "secret.env_var"),
        (lambda: b.identity(), "identity"),
        (lambda: b.task("t", secrets=["password"]), "task 't': secrets[0]"),  # type: ignore[list-item]
    ],
)
def test_bad_security_settings(make: Callable[[], object], where: str) -> None:
    with pytest.raises(BuildError) as err:
        make()
    assert err.value.where == where


def test_custom_is_a_struct_and_config_a_string_map() -> None:
    custom = {"spark_conf": {"spark.executor.cores": "4"}, "workers": "2", "flags": [True, None]}
    t = b.task("t", custom=custom, config={"plugin": "spark"})
    assert t.template.custom == _struct(custom)
    assert dict(t.template.config) == {"plugin": "spark"}
    assert not b.task("t").template.HasField("custom")


@pytest.mark.parametrize(
    ("custom", "where"),
    [
        ({"a": object()}, "task 't': custom['a']"),
        (["a"], "task 't': custom"),
        ({"a": {1, 2}}, "task 't': custom['a']"),
        ({"a": [{1: "x"}]}, "task 't': custom['a'][0]"),
    ],
)
def test_custom_must_be_json(custom: Any, where: str) -> None:
    with pytest.raises(BuildError) as err:
        b.task("t", custom=custom)
    assert err.value.where == where


# --------------------------------------------------------------------------------------------------------------
# flytekit's entry point


ENTRY = [
    "pyflyte-execute",
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


def test_pyflyte_execute_args() -> None:
    assert b.pyflyte_execute_args("etl.tasks", "load") == [
        *ENTRY,
        "--resolver",
        b.DEFAULT_RESOLVER,
        "--",
        "task-module",
        "etl.tasks",
        "task-name",
        "load",
    ]
    custom = b.pyflyte_execute_args("m", "n", resolver="my.resolver", loader_args=["a", "b"])
    assert custom[-4:] == ["my.resolver", "--", "a", "b"]


def test_pyflyte_fast_execute_args() -> None:
    args = b.pyflyte_fast_execute_args("etl.tasks", "load")
    assert args[:6] == [
        "pyflyte-fast-execute",
        "--additional-distribution",
        "{{ .remote_package_path }}",
        "--dest-dir",
        "{{ .dest_dir }}",
        "--",
    ]
    assert args[6:] == b.pyflyte_execute_args("etl.tasks", "load")
    explicit = b.pyflyte_fast_execute_args("m", "n", distribution="s3://code.tgz", dest_dir="/root")
    assert explicit[2] == "s3://code.tgz"
    assert explicit[4] == "/root"


@pytest.mark.parametrize("fast", [False, True])
def test_pyflyte_map_execute_args(fast: bool) -> None:
    make = b.pyflyte_fast_execute_args if fast else b.pyflyte_execute_args
    args = make("etl.tasks", "load")
    mapped = b.pyflyte_map_execute_args(args, bound_inputs=["y", "x"])
    prefix = args[: args.index("pyflyte-execute")]
    assert mapped == [
        *prefix,
        "pyflyte-map-execute",
        *ENTRY[1:],
        "--resolver",
        b.MAP_RESOLVER,
        "--",
        "vars",
        "x,y",  # sorted
        "resolver",
        b.DEFAULT_RESOLVER,
        "task-module",
        "etl.tasks",
        "task-name",
        "load",
    ]
    assert b.pyflyte_map_execute_args(["python", "app.py"]) is None


# --------------------------------------------------------------------------------------------------------------
# Task handles: override, spec, immutability


def test_override_returns_a_new_task() -> None:
    t = make_task("etl.load", inputs={"x": int}, retries=1, requests=b.Resources(cpu="1"), docs="Load.")
    changed = t.override(retries=5, timeout=60, requests=b.Resources(cpu="2"), interruptible=True)
    assert changed is not t
    assert changed.template.metadata.retries.retries == 5
    assert changed.template.metadata.timeout.seconds == 60
    assert changed.template.metadata.interruptible
    assert _entries(changed.template.container.resources.requests) == [(CPU, "2")]
    # the rest is kept
    assert changed.template.container.image == IMAGE
    assert list(changed.template.container.args) == list(t.template.container.args)
    assert changed.template.interface == t.template.interface
    assert changed.spec().description == t.spec().description
    # and the original is unchanged
    assert t.template.metadata.retries.retries == 1
    assert not t.template.metadata.HasField("timeout")
    assert _entries(t.template.container.resources.requests) == [(CPU, "1")]


def test_override_resources_replaces_requests_and_limits() -> None:
    t = make_task("t", requests=b.Resources(cpu="1"), limits=b.Resources(cpu="2"))
    replaced = t.override(resources=b.Resources(mem=("1Gi", "2Gi"))).template.container.resources
    assert _entries(replaced.requests) == [(MEM, "1Gi")]
    assert _entries(replaced.limits) == [(MEM, "2Gi")]
    limits_only = t.override(limits=b.Resources(cpu="3")).template.container.resources
    assert _entries(limits_only.requests) == [(CPU, "1")]
    assert _entries(limits_only.limits) == [(CPU, "3")]


@pytest.mark.parametrize("key", ["name", "image", "inputs", "outputs", "docs"])
def test_override_refuses_what_makes_the_task(key: str) -> None:
    with pytest.raises(BuildError) as err:
        make_task("etl.load", inputs={"x": int}).override(**{key: "x"})
    assert err.value.where == f"task 'etl.load': override({key}=...)"


def test_override_refuses_unknown_settings() -> None:
    with pytest.raises(BuildError) as err:
        make_task("etl.load").override(retry=3)
    assert err.value.where == "task 'etl.load': override(retry=...)"


def test_override_checks_values() -> None:
    with pytest.raises(BuildError) as err:
        make_task("etl.load").override(retries=-1)
    assert err.value.where == "task 'etl.load': retries"


def test_spec() -> None:
    t = make_task("etl.load", docs="Load the data.\n\nIn detail: everything.")
    spec = t.spec()
    assert spec.template == t.template
    assert spec.description.short_description == "Load the data."
    assert spec.description.long_description.value == "Load the data.\n\nIn detail: everything."
    assert spec.description.long_description.format == description_entity_pb2.DESCRIPTION_FORMAT_RST
    bare = make_task("etl.bare").spec()
    assert bare.description.short_description == ""
    assert bare.description.long_description.format == description_entity_pb2.DESCRIPTION_FORMAT_RST


def test_short_description_is_at_most_255_characters() -> None:
    spec = make_task("t", docs="x" * 300).spec()
    assert spec.description.short_description == "x" * 255
    assert spec.description.long_description.value == "x" * 300


def test_the_handle_gives_copies() -> None:
    t = make_task("t", inputs={"x": int})
    template = t.template
    template.id.name = "changed"
    template.interface.inputs.variables["y"].type.simple = types_pb2.STRING
    t.interface.inputs.variables.clear()
    t.id.name = "changed"
    assert t.name == "t"
    assert t.input_names == ["x"]
    assert list(t.template.interface.inputs.variables) == ["x"]


def test_calling_a_task_outside_a_workflow() -> None:
    with pytest.raises(BuildError) as err:
        make_task("etl.load", inputs={"x": int})(x=1)
    assert err.value.where == "calling etl.load"


# --------------------------------------------------------------------------------------------------------------
# task_from_function


class Split(typing.NamedTuple):
    train: list[int]
    test: list[int]


def load(path: str, limit: int = 10, ratio: float | None = None) -> Split:
    """Load and split.

    More words."""
    raise NotImplementedError


def pair(x: int) -> tuple[int, str]:
    raise NotImplementedError


def single(x: int) -> float:
    raise NotImplementedError


def nothing(x: int) -> None:
    raise NotImplementedError


def test_task_from_function_interface() -> None:
    t = b.task_from_function(load, image=IMAGE)
    assert t.name == f"{__name__}.load"
    assert t.input_names == ["path", "limit", "ratio"]
    assert t.output_names == ["train", "test"]
    variables = t.template.interface.inputs.variables
    assert variables["ratio"].type == b.literal_type(float | None)
    assert t.template.interface.outputs.variables["train"].type == b.literal_type(list[int])
    assert list(t.template.container.args) == b.pyflyte_execute_args(__name__, "load")
    spec = t.spec()
    assert spec.description.short_description == "Load and split."
    assert spec.description.long_description.value == "Load and split.\n\nMore words."
    assert task_errors(t) == []


@pytest.mark.parametrize(
    ("fn", "outputs"), [(pair, ["o0", "o1"]), (single, ["o0"]), (nothing, [])], ids=["tuple", "single", "none"]
)
def test_task_from_function_outputs(fn: Callable[..., Any], outputs: list[str]) -> None:
    assert b.task_from_function(fn).output_names == outputs


def test_task_from_function_defaults_are_input_defaults() -> None:
    """``limit`` and ``ratio`` have defaults: a node may leave them out."""
    t = b.task_from_function(load, image=IMAGE)
    with b.workflow("wf.load") as wf:
        node = t(path="s3://x")
    bindings = {i.var: i.binding for i in node.message.inputs}
    assert bindings["limit"].scalar.primitive.integer == 10
    assert bindings["ratio"].scalar.union.value.scalar.HasField("none_type")
    del wf


def test_task_from_function_settings() -> None:
    fast = b.task_from_function(single, image=IMAGE, fast=True)
    assert list(fast.template.container.args) == b.pyflyte_fast_execute_args(__name__, "single")
    named = b.task_from_function(single, name="custom.name", image=IMAGE, retries=2)
    assert named.name == "custom.name"
    assert named.template.metadata.retries.retries == 2
    assert list(named.template.container.args)[-1] == "single"  # the function's name, not the task's
    explicit = b.task_from_function(single, image=IMAGE, command=["python", "run.py"])
    assert list(explicit.template.container.command) == ["python", "run.py"]
    assert list(explicit.template.container.args) == []
    assert b.task_from_function(single).template.WhichOneof("target") is None


def _untyped(x):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def _star(*xs: int) -> int:
    raise NotImplementedError


def _stars(**kw: int) -> int:
    raise NotImplementedError


def _unresolvable(x: NotDefinedAtRunTime) -> int:  # type: ignore[name-defined]  # noqa: F821
    raise NotImplementedError


def _positional(x: int, /) -> int:
    raise NotImplementedError


@pytest.mark.parametrize("fn", [_untyped, _star, _stars, _unresolvable, _positional])
def test_task_from_function_refuses_what_is_not_an_interface(fn: Callable[..., Any]) -> None:
    with pytest.raises(BuildError) as err:
        b.task_from_function(fn)
    assert err.value.where == f"function {fn.__qualname__!r}"


@pytest.mark.parametrize("fn", [5, int])
def test_task_from_function_refuses_what_is_not_a_function(fn: Any) -> None:
    with pytest.raises(BuildError):
        b.task_from_function(fn)


def test_blank_docs_write_no_description_and_other_docs_are_refused() -> None:
    spec = make_task("t.blank", docs="  \n ").spec()
    assert not spec.description.short_description
    assert not spec.description.long_description.value
    with pytest.raises(BuildError) as err:
        make_task("t.number", docs=5)
    assert err.value.where == "task 't.number': docs"


@pytest.mark.parametrize("value", ["false", 0, None.__class__])
def test_interruptible_is_a_bool(value: Any) -> None:
    with pytest.raises(BuildError) as err:
        make_task("t.flag", interruptible=value)
    assert err.value.where == "task 't.flag': interruptible"


# --------------------------------------------------------------------------------------------------------------
# Whole tasks: validation, formats, determinism


def _rich_task() -> b.Task:
    return make_task(
        "etl.tasks.train",
        inputs={"data": b.File.of("csv"), "epochs": b.Input(int, default=3), "rate": float | None},
        outputs={"model": b.Directory, "score": float},
        project="proj",
        domain="development",
        version="v1",
        env={"LOG": "debug"},
        ports=[b.port(8080)],
        resources=b.Resources(cpu=("500m", "1"), mem=("1Gi", "2Gi"), gpu=1, ephemeral_storage="1Gi"),
        gpu_accelerator=b.gpu_accelerator("nvidia-tesla-a100", partition_size="1g.5gb"),
        shared_memory=b.shared_memory("1Gi"),
        retries=2,
        timeout=datetime.timedelta(hours=1),
        cache=b.Cache(version="1", serialize=True, ignored_inputs=["rate"]),
        interruptible=True,
        tags={"team": "ml"},
        labels={"app": "train"},
        annotations={"owner": "alice"},
        secrets=[b.secret("token", group="api", mount="env")],
        run_as=b.identity(k8s_service_account="trainer"),
        custom={"mode": "fast"},
        config={"k": "v"},
        docs="Train a model.",
    )


def test_a_rich_task_validates() -> None:
    assert task_errors(_rich_task()) == []


def test_a_rich_pod_task_validates() -> None:
    pod = b.PodTemplate(pod_spec={"containers": [{"name": "primary"}, {"name": "side", "image": "busybox"}]})
    assert task_errors(make_task("t", inputs={"x": int}, outputs=int, pod_template=pod)) == []


@pytest.mark.parametrize("which", ["template", "spec"])
def test_a_rich_task_round_trips(which: str) -> None:
    t = _rich_task()
    assert_round_trips(t.template if which == "template" else t.spec())


def test_tasks_are_deterministic() -> None:
    first, second = _rich_task(), _rich_task()
    assert io.to_binary(first.template) == io.to_binary(second.template)
    assert io.to_binary(first.spec()) == io.to_binary(second.spec())
    assert io.to_json(first.template) == io.to_json(second.template)
