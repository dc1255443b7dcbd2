from dataclasses import dataclass, field

from flytespec import build as b
from tests.build.goldens import FLYTEKIT


@dataclass
class Inner:
    x: float
    tags: list[str] = field(default_factory=list)


@dataclass
class Params:
    a: int
    inner: Inner
    name: str = "x"
    ratio: float | None = None


def fit(p: Params, extra: dict[str, int]) -> Params:
    raise NotImplementedError


def build() -> list[object]:
    return [b.task_from_function(fit, **FLYTEKIT)]
