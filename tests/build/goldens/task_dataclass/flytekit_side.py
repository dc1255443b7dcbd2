import typing
from dataclasses import dataclass, field

from flytekit import task


@dataclass
class Inner:
    x: float
    tags: typing.List[str] = field(default_factory=list)


@dataclass
class Params:
    a: int
    inner: Inner
    name: str = "x"
    ratio: typing.Optional[float] = None


@task
def fit(p: Params, extra: typing.Dict[str, int]) -> Params:
    return p


ENTITIES = [fit]
