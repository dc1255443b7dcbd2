from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def inc(x: int) -> int:
    raise NotImplementedError


def double(x: int) -> int:
    raise NotImplementedError


def build() -> list[object]:
    t_inc = b.task_from_function(inc, retries=2, requests=b.Resources(cpu="1", mem="1Gi"), **FLYTEKIT)
    t_double = b.task_from_function(double, **FLYTEKIT)

    def chain(x: int) -> int:
        return t_double(x=t_inc(x=t_double(x=t_inc(x=x))))  # type: ignore[return-value]

    return [b.workflow_from_function(chain, name="wf_chain.chain", **IDENTITY)]
