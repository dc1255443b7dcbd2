from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def make(n: int) -> int:
    raise NotImplementedError


def gather(xs: list[int], named: dict[str, int], scale: float, tag: str) -> float:
    raise NotImplementedError


def build() -> list[object]:
    t_make = b.task_from_function(make, **FLYTEKIT)
    t_gather = b.task_from_function(gather, **FLYTEKIT)
    with b.workflow("wf_fanout.fanout", inputs={"n": int}, **IDENTITY) as wf:
        a = t_make(n=wf.inputs.n)
        c3 = t_make(n=3)
        c = t_make(n=a)
        out = t_gather(xs=[a, c3, c, 7], named={"first": a, "fixed": 2}, scale=0.5, tag="t")
        wf.outputs(o0=out)
    return [wf.build()]
