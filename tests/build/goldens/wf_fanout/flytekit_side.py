import typing

from flytekit import task, workflow


@task
def make(n: int) -> int:
    return n


@task
def gather(xs: typing.List[int], named: typing.Dict[str, int], scale: float, tag: str) -> float:
    return sum(xs) * scale


@workflow
def fanout(n: int) -> float:
    a = make(n=n)
    b = make(n=3)
    c = make(n=a)
    return gather(xs=[a, b, c, 7], named={"first": a, "fixed": 2}, scale=0.5, tag="t")


ENTITIES = [fanout]
