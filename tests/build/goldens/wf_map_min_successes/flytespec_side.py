from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY

DIFFERENCES = ["map_min_successes"]


def check(x: int) -> bool:
    raise NotImplementedError


def build() -> list[object]:
    t_check = b.task_from_function(check, **FLYTEKIT)
    with b.workflow("wf_map_min_successes.checks", inputs={"xs": list[int]}, **IDENTITY) as wf:
        wf.outputs(o0=b.map_task(t_check, min_successes=2)(x=wf.inputs.xs))
    return [wf.build()]
