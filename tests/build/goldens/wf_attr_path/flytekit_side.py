import typing
from dataclasses import dataclass

from flytekit import task, workflow


@dataclass
class Stats:
    count: int
    names: typing.List[str]
    by_name: typing.Dict[str, float]


@task
def stats(n: int) -> Stats:
    return Stats(count=n, names=[], by_name={})


@task
def use(count: int, first: str, score: float) -> str:
    return first


@workflow
def paths(n: int) -> str:
    s = stats(n=n)
    return use(count=s.count, first=s.names[0], score=s.by_name["a"])


ENTITIES = [paths]
