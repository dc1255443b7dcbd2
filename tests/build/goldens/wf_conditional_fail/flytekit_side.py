from flytekit import conditional, task, workflow


@task
def check(x: int) -> bool:
    return x > 0


@task
def go(x: int) -> int:
    return x


@workflow
def guarded(x: int, force: bool) -> int:
    ok = check(x=x)
    return (
        conditional("guard")
        .if_(ok.is_true())
        .then(go(x=x))
        .elif_(force.is_true())
        .then(go(x=0))
        .else_()
        .fail("the input is not positive and force is off")
    )


ENTITIES = [guarded]
