from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def score(x: int) -> float:
    raise NotImplementedError


def high(s: float) -> str:
    raise NotImplementedError


def low(s: float, why: str) -> str:
    raise NotImplementedError


def build() -> list[object]:
    t_score, t_high, t_low = (b.task_from_function(f, **FLYTEKIT) for f in (score, high, low))
    with b.workflow("wf_conditional.branch", inputs={"x": int}, **IDENTITY) as wf:
        x = wf.inputs.x
        s = t_score(x=x)
        result = (
            b.conditional("grade")
            .if_(s > 10.0)
            .then(t_high(s=s))
            .elif_((s <= 2.5) & (s >= -1.0))
            .then(t_low(s=s, why="small"))
            .elif_((x == 0) | (x != 7))
            .then(t_low(s=s, why="odd"))
            .else_()
            .then(t_high(s=s))
        )
        wf.outputs(o0=result)
    return [wf.build()]
