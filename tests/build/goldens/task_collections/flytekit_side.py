import enum
import typing

from flytekit import task


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@task
def collections(
    xs: typing.List[int],
    m: typing.Dict[str, float],
    nested: typing.List[typing.Dict[str, str]],
    maybe: typing.Optional[int],
    either: typing.Union[int, str],
    color: Color,
    anything: dict,
) -> typing.List[typing.Optional[str]]:
    return []


ENTITIES = [collections]
