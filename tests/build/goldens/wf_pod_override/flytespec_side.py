from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def step(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_step = b.task_from_function(step, **FLYTEKIT)
    template = b.PodTemplate(
        labels={"lane": "fast"},
        pod_spec={"containers": [{"name": "primary"}], "nodeSelector": {"pool": "fast"}},
    )
    with b.workflow("wf_pod_override.override_pod", inputs={"x": int}, **IDENTITY) as wf:
        wf.outputs(o0=t_step(x=wf.inputs.x).with_overrides(pod_template=template))
    return [wf.build()]
