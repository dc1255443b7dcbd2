import typing

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


class Split(typing.NamedTuple):
    train: list[int]
    test: list[int]


def split(xs: list[int], ratio: float = 0.8) -> Split:
    raise NotImplementedError


def size(xs: list[int]) -> int:
    raise NotImplementedError


class Sizes(typing.NamedTuple):
    n_train: int
    n_test: int


def build() -> list[object]:
    t_split, t_size = b.task_from_function(split, **FLYTEKIT), b.task_from_function(size, **FLYTEKIT)

    def sizes(xs: list[int]) -> Sizes:
        train, test = t_split(xs=xs)
        return Sizes(n_train=t_size(xs=train), n_test=t_size(xs=test))  # type: ignore[arg-type]

    return [b.workflow_from_function(sizes, name="wf_named_outputs.sizes", **IDENTITY)]
