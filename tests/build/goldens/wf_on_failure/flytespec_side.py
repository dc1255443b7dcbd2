from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def work(x: int, name: str) -> int:
    raise NotImplementedError


def cleanup(x: int, name: str) -> None:
    raise NotImplementedError


def build() -> list[object]:
    t_work, t_cleanup = b.task_from_function(work, **FLYTEKIT), b.task_from_function(cleanup, **FLYTEKIT)
    with b.workflow(
        "wf_on_failure.guarded",
        inputs={"x": int, "name": str},
        failure_policy="fail_after_executable_nodes_complete",
        interruptible=True,
        **IDENTITY,
    ) as wf:
        a = t_work(x=wf.inputs.x, name=wf.inputs.name)
        wf.outputs(o0=t_work(x=a, name="again"))
        wf.on_failure(t_cleanup)
    return [wf.build()]
