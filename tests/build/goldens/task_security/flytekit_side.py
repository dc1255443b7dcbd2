from flytekit import Secret, task


@task(
    secret_requests=[
        Secret(group="db", key="password"),
        Secret(group="api", key="token", mount_requirement=Secret.MountType.ENV_VAR),
        Secret(group="tls", key="cert", mount_requirement=Secret.MountType.FILE),
    ],
    environment={"LOG_LEVEL": "DEBUG", "REGION": "eu-west-1"},
)
def fetch(url: str) -> str:
    return url


ENTITIES = [fetch]
