from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def square(x: int) -> int:
    raise NotImplementedError


def neg(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_square, t_neg = b.task_from_function(square, **FLYTEKIT), b.task_from_function(neg, **FLYTEKIT)
    with b.workflow("wf_nested_conditional.nested", inputs={"x": int, "y": int}, **IDENTITY) as wf:
        x, y = wf.inputs.x, wf.inputs.y
        result = (
            b.conditional("outer")
            .if_(x > 0)
            .then(b.conditional("inner").if_(y > 0).then(t_square(x=y)).else_().then(t_neg(x=y)))
            .else_()
            .then(t_square(x=x))
        )
        wf.outputs(o0=result)
    return [wf.build()]
