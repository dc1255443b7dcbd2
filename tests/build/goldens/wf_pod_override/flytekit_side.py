from flytekit import PodTemplate, task, workflow
from kubernetes.client import V1Container, V1PodSpec


@task
def step(x: int) -> int:
    return x


@workflow
def override_pod(x: int) -> int:
    return step(x=x).with_overrides(
        pod_template=PodTemplate(
            primary_container_name="primary",
            labels={"lane": "fast"},
            pod_spec=V1PodSpec(containers=[V1Container(name="primary")], node_selector={"pool": "fast"}),
        )
    )


ENTITIES = [override_pod]
