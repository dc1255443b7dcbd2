from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def work(x: int, y: str) -> str:
    raise NotImplementedError


def build() -> list[object]:
    t_work = b.task_from_function(work, **FLYTEKIT)

    def one(x: int, y: str) -> str:
        return t_work(x=x, y=y)  # type: ignore[return-value]

    wf_one = b.workflow_from_function(one, name="wf_map_launch_plan.one", **IDENTITY)
    one_lp = wf_one.launch_plan_ref("wf_map_launch_plan.one_lp")
    with b.workflow("wf_map_launch_plan.many", inputs={"xs": list[int], "ys": list[str]}, **IDENTITY) as wf:
        wf.outputs(o0=b.map_task(one_lp, concurrency=2)(x=wf.inputs.xs, y=wf.inputs.ys))
    # Flyte's compiler (1.16) checks an array node against its sub-node's interface as it is, so a launch plan mapped
    # with is_original_sub_node_interface does not compile on open-source Flyte; the validator says so
    # (tests/build/test_workflows.py), and this case skips it to compare the messages.
    return [wf.build(validate=False), wf_one, wf_one.launch_plan("wf_map_launch_plan.one_lp")]
