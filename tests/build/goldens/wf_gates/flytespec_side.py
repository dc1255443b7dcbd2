import datetime

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def propose(x: int) -> int:
    raise NotImplementedError


def apply(x: int, note: str) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_propose, t_apply = b.task_from_function(propose, **FLYTEKIT), b.task_from_function(apply, **FLYTEKIT)
    with b.workflow("wf_gates.gated", inputs={"x": int}, **IDENTITY) as wf:
        p = t_propose(x=wf.inputs.x)
        ok = b.approve(p, "approve-proposal", timeout=datetime.timedelta(hours=2))
        note = b.wait_for_input("release-note", timeout=datetime.timedelta(minutes=30), expected_type=str)
        pause = b.sleep(datetime.timedelta(seconds=45))
        done = t_apply(x=ok, note=note)
        pause >> done
        wf.outputs(o0=done)
    return [wf.build()]
