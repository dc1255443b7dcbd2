from flytekit import Resources, task


@task(
    requests=Resources(cpu="500m", mem="2Gi", gpu="1", ephemeral_storage="10Gi"),
    limits=Resources(cpu="1", mem="4Gi", gpu="1", ephemeral_storage="20Gi"),
)
def train(epochs: int) -> float:
    return 0.0


@task(resources=Resources(cpu=("1", "2"), mem="1Gi"))
def paired(x: int) -> int:
    return x


ENTITIES = [train, paired]
