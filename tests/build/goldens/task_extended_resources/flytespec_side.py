from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def partitioned(x: int) -> int:
    raise NotImplementedError


def whole(x: int) -> int:
    raise NotImplementedError


def unpartitioned(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    return [
        b.task_from_function(
            partitioned,
            gpu_accelerator=b.gpu_accelerator("nvidia-tesla-a100", partition_size="1g.5gb"),
            shared_memory=b.shared_memory(),
            **FLYTEKIT,
        ),
        b.task_from_function(
            whole,
            gpu_accelerator=b.gpu_accelerator("nvidia-tesla-t4"),
            shared_memory=b.shared_memory("2Gi"),
            **FLYTEKIT,
        ),
        b.task_from_function(
            unpartitioned, gpu_accelerator=b.gpu_accelerator("nvidia-tesla-a100", unpartitioned=True), **FLYTEKIT
        ),
    ]
