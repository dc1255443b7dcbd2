import enum
import typing

from flytespec import build as b
from tests.build.goldens import FLYTEKIT


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


def collections(
    xs: list[int],
    m: dict[str, float],
    nested: list[dict[str, str]],
    maybe: int | None,
    either: typing.Union[int, str],  # noqa: UP007
    color: Color,
    anything: dict,  # type: ignore[type-arg]
) -> list[str | None]:
    raise NotImplementedError


def build() -> list[object]:
    return [b.task_from_function(collections, **FLYTEKIT)]
