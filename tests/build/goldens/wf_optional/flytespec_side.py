import typing

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def pick(a: int | None, b: typing.Union[int, str], c: list[int] | None = None) -> int:  # noqa: UP007
    raise NotImplementedError


def build() -> list[object]:
    t_pick = b.task_from_function(pick, **FLYTEKIT)
    with b.workflow("wf_optional.optional", inputs={"x": b.Input(int | None, default=None)}, **IDENTITY) as wf:
        first = t_pick(a=wf.inputs.x, b="text")
        second = t_pick(a=None, b=3, c=[1, 2])
        wf.outputs(o0=t_pick(a=first, b=second))
    return [wf.build()]
