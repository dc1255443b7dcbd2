import datetime

from flytekit import Cache, task


@task(
    retries=3,
    timeout=datetime.timedelta(minutes=10),
    cache=Cache(version="1.2", serialize=True, ignored_inputs=("seed",)),
    interruptible=True,
    deprecated="use train_v2",
    enable_deck=True,
    pod_template_name="gpu-pool",
)
def train(data: str, seed: int) -> str:
    return data


@task(cache=True, cache_version="7", interruptible=False, retries=0, timeout=30)
def quick(x: int) -> int:
    return x


ENTITIES = [train, quick]
