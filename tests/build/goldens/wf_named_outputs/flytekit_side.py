import typing

from flytekit import task, workflow


class Split(typing.NamedTuple):
    train: typing.List[int]
    test: typing.List[int]


@task
def split(xs: typing.List[int], ratio: float = 0.8) -> Split:
    return Split(train=xs, test=xs)


@task
def size(xs: typing.List[int]) -> int:
    return len(xs)


class Sizes(typing.NamedTuple):
    n_train: int
    n_test: int


@workflow
def sizes(xs: typing.List[int]) -> Sizes:
    train, test = split(xs=xs)
    return Sizes(n_train=size(xs=train), n_test=size(xs=test))


ENTITIES = [sizes]
