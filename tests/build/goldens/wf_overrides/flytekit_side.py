import datetime

from flytekit import Resources, task, workflow
from flytekit.extras.accelerators import T4


@task(requests=Resources(cpu="1"))
def train(x: int) -> int:
    return x


@workflow
def tuned(x: int) -> int:
    a = train(x=x).with_overrides(
        name="train-big",
        timeout=datetime.timedelta(hours=1),
        retries=5,
        interruptible=True,
        requests=Resources(cpu="4", mem="16Gi"),
        limits=Resources(cpu="8", mem="32Gi"),
        container_image="ghcr.io/org/gpu:v2",
        accelerator=T4,
    )
    return train(x=a).with_overrides(cache=True, cache_version="9", cache_serialize=True)


ENTITIES = [tuned]
