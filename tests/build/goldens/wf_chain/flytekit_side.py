from flytekit import Resources, task, workflow


@task(retries=2, requests=Resources(cpu="1", mem="1Gi"))
def inc(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def chain(x: int) -> int:
    a = inc(x=x)
    b = double(x=a)
    c = inc(x=b)
    return double(x=c)


ENTITIES = [chain]
