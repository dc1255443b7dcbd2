from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def fetch(url: str) -> str:
    raise NotImplementedError


def build() -> list[object]:
    secrets = [
        b.secret("password", group="db"),
        b.secret("token", group="api", mount="env"),
        b.secret("cert", group="tls", mount="file"),
    ]
    env = {"LOG_LEVEL": "DEBUG", "REGION": "eu-west-1"}
    return [b.task_from_function(fetch, secrets=secrets, env=env, **FLYTEKIT)]
