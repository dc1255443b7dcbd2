from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def check(x: int) -> bool:
    raise NotImplementedError


def go(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_check, t_go = b.task_from_function(check, **FLYTEKIT), b.task_from_function(go, **FLYTEKIT)
    with b.workflow("wf_conditional_fail.guarded", inputs={"x": int, "force": bool}, **IDENTITY) as wf:
        ok = t_check(x=wf.inputs.x)
        result = (
            b.conditional("guard")
            .if_(ok.is_true())
            .then(t_go(x=wf.inputs.x))
            .elif_(wf.inputs.force.is_true())
            .then(t_go(x=0))
            .else_()
            .fail("the input is not positive and force is off")
        )
        wf.outputs(o0=result)
    return [wf.build()]
