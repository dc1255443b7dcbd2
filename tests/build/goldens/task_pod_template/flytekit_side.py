from flytekit import PodTemplate, Resources, task
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec, V1Toleration


@task(
    pod_template=PodTemplate(
        primary_container_name="main",
        labels={"team": "ml"},
        annotations={"owner": "alice"},
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="main", env=[V1EnvVar(name="EXTRA", value="1")]),
                V1Container(name="sidecar", image="busybox:1.36"),
            ],
            tolerations=[V1Toleration(key="gpu", operator="Exists", effect="NoSchedule")],
        ),
    ),
    requests=Resources(cpu="1", mem="1Gi"),
    environment={"A": "b"},
)
def in_pod(x: int) -> int:
    return x


ENTITIES = [in_pod]
