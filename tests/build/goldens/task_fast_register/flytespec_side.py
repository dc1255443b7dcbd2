import typing

from flytespec import build as b
from tests.build.goldens import FLYTEKIT


class Out(typing.NamedTuple):
    total: int
    label: str


def summarize(xs: list[int], prefix: str = "sum") -> Out:
    """Add the numbers up.

    The label is the prefix and the total.
    """
    raise NotImplementedError


def build() -> list[object]:
    args = b.pyflyte_fast_execute_args(
        "task_fast_register", "summarize", distribution="s3://bucket/fast/abc.tar.gz", dest_dir="/root"
    )
    return [
        b.task_from_function(
            summarize, args=args, labels={"team": "data"}, annotations={"cost-center": "42"}, **FLYTEKIT
        )
    ]
