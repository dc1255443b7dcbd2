from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def train(epochs: int) -> float:
    raise NotImplementedError


def paired(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    return [
        b.task_from_function(
            train,
            requests=b.Resources(cpu=0.5, mem="2Gi", gpu=1, ephemeral_storage="10Gi"),
            limits=b.Resources(cpu=1, mem="4Gi", gpu="1", ephemeral_storage="20Gi"),
            **FLYTEKIT,
        ),
        b.task_from_function(paired, resources=b.Resources(cpu=("1", "2"), mem="1Gi"), **FLYTEKIT),
    ]
