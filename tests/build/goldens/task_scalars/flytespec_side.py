import datetime

from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def scalars(a: int, b: float, c: str, d: bool, e: datetime.datetime, f: datetime.timedelta) -> str:
    """Every simple type in, one string out."""
    raise NotImplementedError


def build() -> list[object]:
    return [b.task_from_function(scalars, **FLYTEKIT)]
