from flytekit import task
from flytekit.extras.accelerators import A100, T4


@task(accelerator=A100.partition_1g_5gb, shared_memory=True)
def partitioned(x: int) -> int:
    return x


@task(accelerator=T4, shared_memory="2Gi")
def whole(x: int) -> int:
    return x


@task(accelerator=A100.unpartitioned)
def unpartitioned(x: int) -> int:
    return x


ENTITIES = [partitioned, whole, unpartitioned]
