from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def in_pod(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    template = b.PodTemplate(
        primary_container_name="main",
        labels={"team": "ml"},
        annotations={"owner": "alice"},
        pod_spec={
            "containers": [
                {"name": "main", "env": [{"name": "EXTRA", "value": "1"}]},
                {"name": "sidecar", "image": "busybox:1.36"},
            ],
            "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        },
    )
    return [
        b.task_from_function(
            in_pod, pod_template=template, requests=b.Resources(cpu="1", mem="1Gi"), env={"A": "b"}, **FLYTEKIT
        )
    ]
