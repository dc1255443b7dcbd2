import typing

from flytekit import map_task, task, workflow


@task
def check(x: int) -> bool:
    return x > 0


@workflow
def checks(xs: typing.List[int]) -> typing.List[bool]:
    return map_task(check, min_successes=2)(x=xs)


ENTITIES = [checks]
