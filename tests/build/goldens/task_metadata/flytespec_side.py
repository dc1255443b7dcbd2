import datetime

from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def train(data: str, seed: int) -> str:
    raise NotImplementedError


def quick(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    return [
        b.task_from_function(
            train,
            retries=3,
            timeout=datetime.timedelta(minutes=10),
            cache=b.Cache(version="1.2", serialize=True, ignored_inputs=["seed"]),
            interruptible=True,
            deprecated="use train_v2",
            generates_deck=True,
            pod_template_name="gpu-pool",
            **FLYTEKIT,
        ),
        b.task_from_function(quick, cache=b.Cache(version="7"), interruptible=False, timeout=30, **FLYTEKIT),
    ]
