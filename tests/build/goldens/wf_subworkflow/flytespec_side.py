from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def add(a: int, b: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_add = b.task_from_function(add, **FLYTEKIT)
    with b.workflow("wf_subworkflow.inner", inputs={"a": int, "b": int}, interruptible=True, **IDENTITY) as inner:
        inner.outputs(o0=t_add(a=t_add(a=inner.inputs.a, b=inner.inputs.b), b=1))
    sub = inner.build()
    with b.workflow("wf_subworkflow.outer", inputs={"x": int}, **IDENTITY) as wf:
        first = sub(a=wf.inputs.x, b=2)
        wf.outputs(o0=sub(a=first, b=first))
    return [wf.build()]
