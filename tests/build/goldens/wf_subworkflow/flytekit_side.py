from flytekit import task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow(interruptible=True)
def inner(a: int, b: int) -> int:
    return add(a=add(a=a, b=b), b=1)


@workflow
def outer(x: int) -> int:
    first = inner(a=x, b=2)
    return inner(a=first, b=first)


ENTITIES = [outer]
