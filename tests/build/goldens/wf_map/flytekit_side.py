import functools
import typing

from flytekit import map_task, task, workflow


@task(retries=1)
def square(x: int) -> int:
    return x * x


@task
def scale(x: int, factor: float, label: str) -> float:
    return x * factor


@task
def total(xs: typing.List[typing.Optional[float]]) -> float:
    return sum(x for x in xs if x is not None)


@workflow
def mapped(xs: typing.List[int]) -> float:
    sq = map_task(square)(x=xs)
    scaled = map_task(functools.partial(scale, label="s", factor=2.0), concurrency=4, min_success_ratio=0.75)(x=sq)
    return total(xs=scaled)


ENTITIES = [mapped]
