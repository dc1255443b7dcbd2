from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def report(rows: int) -> str:
    raise NotImplementedError


def build() -> list[object]:
    daily = b.launch_plan_ref(
        "etl.daily",
        project="shared",
        domain="production",
        version="2024-01",
        inputs={"day": str, "limit": int},
        outputs={"rows": int},
    )
    t_report = b.task_from_function(report, **FLYTEKIT)
    with b.workflow("wf_launch_plan_ref.caller", inputs={"day": str}, **IDENTITY) as wf:
        r = daily(day=wf.inputs.day, limit=10)
        wf.outputs(o0=t_report(rows=r))
    return [wf.build()]
