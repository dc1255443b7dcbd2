import typing

from flytekit import task, workflow


@task
def pick(a: typing.Optional[int], b: typing.Union[int, str], c: typing.Optional[typing.List[int]] = None) -> int:
    return 0


@workflow
def optional(x: typing.Optional[int] = None) -> int:
    first = pick(a=x, b="text")
    second = pick(a=None, b=3, c=[1, 2])
    return pick(a=first, b=second)


ENTITIES = [optional]
