"""Compute resources: requests and limits as Kubernetes quantities, GPU accelerators and shared memory."""

from __future__ import annotations

import dataclasses

from flytespec.build._common import checked_arguments
from flytespec.core import tasks_pb2
from flytespec.errors import BuildError
from flytespec.quantity import QuantityError, canonical_quantity, compare_quantities, is_whole, quantity_value

__all__ = ["Resources", "gpu_accelerator", "resource_requirements", "shared_memory"]

Quantity = str | int | float
QuantitySetting = Quantity | tuple[Quantity, Quantity]

_NAMES = tasks_pb2.Resources.ResourceName
# The order flytekit writes resource entries in (``_get_container_definition``), and each field's resource name.
_FIELDS = (
    ("ephemeral_storage", _NAMES.EPHEMERAL_STORAGE),
    ("cpu", _NAMES.CPU),
    ("gpu", _NAMES.GPU),
    ("mem", _NAMES.MEMORY),
)
# Pod-spec keys for the same resources (flytekit: the enum name, lower case, ``_`` as ``-``).
POD_KEYS = {
    _NAMES.CPU: "cpu",
    _NAMES.GPU: "gpu",
    _NAMES.MEMORY: "memory",
    _NAMES.EPHEMERAL_STORAGE: "ephemeral-storage",
}


@dataclasses.dataclass(frozen=True)
class Resources:
    """CPU, memory, GPU and ephemeral storage, each a Kubernetes quantity.

    A quantity is a string (``"500m"``, ``"2Gi"``, ``"1e3"``), an int or a float (``0.5`` CPU is ``"500m"``;
    ``1024`` memory is 1024 bytes). Given as ``requests=`` or ``limits=``, each value is one quantity. Given as
    ``resources=``, a value may also be a ``(request, limit)`` pair; a single value there is a request only, as in
    flytekit.

    Every value is checked when the ``Resources`` is made and written in Kubernetes' canonical form
    (``0.5`` → ``"500m"``, ``"1.5Gi"`` → ``"1536Mi"``).

    Raises:
        BuildError: a value that is not a quantity (``"1Gx"``), a negative value, a GPU count that is not whole,
            a pair whose limit is below its request.
    """

    cpu: QuantitySetting | None = None
    mem: QuantitySetting | None = None
    gpu: QuantitySetting | None = None
    ephemeral_storage: QuantitySetting | None = None

    def __post_init__(self) -> None:
        for name, _ in _FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, (tuple, list)):
                if len(value) != 2:
                    raise BuildError(f"Resources.{name}", f"a pair is (request, limit), got {len(value)} values")
                request, limit = (_quantity(f"Resources.{name}", name, v) for v in value)
                if compare_quantities(limit, request) < 0:
                    raise BuildError(f"Resources.{name}", f"the limit {limit!r} is below the request {request!r}")
                if name == "gpu" and compare_quantities(limit, request) != 0:
                    raise BuildError("Resources.gpu", f"a GPU limit must equal its request ({request!r})")
                object.__setattr__(self, name, (request, limit))
            else:
                object.__setattr__(self, name, _quantity(f"Resources.{name}", name, value))

    def _entries(self, side: int) -> list[tasks_pb2.Resources.ResourceEntry]:
        """Entries of the requests (side 0) or the limits (side 1), in flytekit's order (see :meth:`side`)."""
        part = self.side(side)
        if part is None:
            return []
        values = ((enum, getattr(part, name)) for name, enum in _FIELDS)
        return [
            tasks_pb2.Resources.ResourceEntry(name=enum, value=value) for enum, value in values if value is not None
        ]

    def side(self, side: int) -> Resources | None:
        """The requests (side 0: single values and the first of pairs) or the limits (side 1: the second of
        pairs) alone, as single values; None when there are none. A single value is a request only (flytekit's
        ``ResourceSpec.from_multiple_resource``)."""
        values = {}
        for name, _ in _FIELDS:
            value = getattr(self, name)
            if isinstance(value, tuple):
                values[name] = value[side]
            elif value is not None and side == 0:
                values[name] = value
        return Resources(**values) if values else None

    def _has_pairs(self) -> bool:
        return any(isinstance(getattr(self, name), tuple) for name, _ in _FIELDS)


def _quantity(where: str, name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BuildError(where, f"expected a quantity (a str, int or float), got {type(value).__name__}")
    try:
        if quantity_value(value) < 0:
            raise BuildError(where, f"{value!r} is negative; a resource quantity is zero or more")
        if name == "gpu" and not is_whole(value):
            raise BuildError(where, f"{value!r} is not a whole number of GPUs")
        return canonical_quantity(value)
    except QuantityError as err:
        raise BuildError(where, f"{err.reason} (a Kubernetes quantity looks like '500m', '2Gi' or 1.5)") from None


def resource_requirements(
    where: str,
    resources: Resources | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    prefix: str = "",
) -> tasks_pb2.Resources | None:
    """The ``Resources`` message for ``resources=`` or ``requests=``/``limits=`` (None when none is given).

    Errors name ``where`` and the argument, after ``prefix`` (``task 'x': limits.cpu``,
    ``node n0: with_overrides.limits.cpu``).

    Raises:
        BuildError: both forms given, a pair outside ``resources=``, or a limit below its request.
    """
    for label, value in (("resources", resources), ("requests", requests), ("limits", limits)):
        if value is not None and not isinstance(value, Resources):
            raise BuildError(f"{where}: {prefix}{label}", f"expected a Resources, got {type(value).__name__}")
    if resources is not None:
        if requests is not None or limits is not None:
            raise BuildError(f"{where}: {prefix}resources", "give resources= or requests=/limits=, not both")
        return tasks_pb2.Resources(requests=resources._entries(0), limits=resources._entries(1))
    if requests is None and limits is None:
        return None
    for label, value in (("requests", requests), ("limits", limits)):
        if value is not None and value._has_pairs():
            raise BuildError(f"{where}: {prefix}{label}", "(request, limit) pairs belong in resources=, not here")
    out = tasks_pb2.Resources(
        requests=requests._entries(0) if requests is not None else (),
        limits=limits._entries(0) if limits is not None else (),
    )
    wanted = {e.name: e.value for e in out.requests}
    for entry in out.limits:
        request = wanted.get(entry.name)
        if request is not None and compare_quantities(entry.value, request) < 0:
            field = next(f for f, n in _FIELDS if n == entry.name)
            raise BuildError(
                f"{where}: {prefix}limits.{field}", f"the limit {entry.value!r} is below the request {request!r}"
            )
        if entry.name == _NAMES.GPU and request is not None and compare_quantities(entry.value, request) != 0:
            raise BuildError(f"{where}: {prefix}limits.gpu", f"a GPU limit must equal its request ({request!r})")
    return out


@checked_arguments
def gpu_accelerator(
    device: str, *, partition_size: str | None = None, unpartitioned: bool = False
) -> tasks_pb2.GPUAccelerator:
    """A GPU accelerator (``"nvidia-tesla-a100"``), optionally a MIG partition (``"1g.5gb"``) or explicitly whole.

    Raises:
        BuildError: no device, or both ``partition_size`` and ``unpartitioned`` (one oneof).
    """
    if not device:
        raise BuildError("gpu_accelerator", "name the device, e.g. 'nvidia-tesla-a100'")
    if partition_size is not None and unpartitioned:
        raise BuildError("gpu_accelerator", "partition_size and unpartitioned are one choice; give one of them")
    out = tasks_pb2.GPUAccelerator(device=device)
    if partition_size is not None:
        out.partition_size = partition_size
    elif unpartitioned:
        out.unpartitioned = True
    return out


@checked_arguments
def shared_memory(
    size_limit: Quantity | None = None,
    *,
    mount_path: str = "/dev/shm",
    mount_name: str = "flyte-shared-memory",
) -> tasks_pb2.SharedMemory:
    """Shared memory mounted into the task's container (flytekit's defaults: ``/dev/shm``, ``flyte-shared-memory``).

    Args:
        size_limit: a memory quantity; None leaves the size to the platform (the memory allocated to the task).

    Raises:
        BuildError: a size that is not a quantity, or an empty mount path or name.
    """
    if not mount_path or not mount_name:
        raise BuildError("shared_memory", "mount_path and mount_name cannot be empty")
    out = tasks_pb2.SharedMemory(mount_path=mount_path, mount_name=mount_name)
    if size_limit is not None:
        out.size_limit = _quantity("shared_memory.size_limit", "mem", size_limit)
    return out
