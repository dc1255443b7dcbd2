import datetime

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def train(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_train = b.task_from_function(train, requests=b.Resources(cpu="1"), **FLYTEKIT)
    with b.workflow("wf_overrides.tuned", inputs={"x": int}, **IDENTITY) as wf:
        a = t_train(x=wf.inputs.x).with_overrides(
            name="train-big",
            timeout=datetime.timedelta(hours=1),
            retries=5,
            interruptible=True,
            requests=b.Resources(cpu="4", mem="16Gi"),
            limits=b.Resources(cpu="8", mem="32Gi"),
            image="ghcr.io/org/gpu:v2",
            gpu_accelerator=b.gpu_accelerator("nvidia-tesla-t4"),
        )
        wf.outputs(o0=t_train(x=a).with_overrides(cache=b.Cache(version="9", serialize=True)))
    return [wf.build()]
