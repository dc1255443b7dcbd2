from flytekit import conditional, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def neg(x: int) -> int:
    return -x


@workflow
def nested(x: int, y: int) -> int:
    return (
        conditional("outer")
        .if_(x > 0)
        .then(conditional("inner").if_(y > 0).then(square(x=y)).else_().then(neg(x=y)))
        .else_()
        .then(square(x=x))
    )


ENTITIES = [nested]
