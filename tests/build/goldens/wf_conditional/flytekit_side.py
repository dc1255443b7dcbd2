from flytekit import conditional, task, workflow


@task
def score(x: int) -> float:
    return x / 2


@task
def high(s: float) -> str:
    return "high"


@task
def low(s: float, why: str) -> str:
    return why


@workflow
def branch(x: int) -> str:
    s = score(x=x)
    return (
        conditional("grade")
        .if_(s > 10.0)
        .then(high(s=s))
        .elif_((s <= 2.5) & (s >= -1.0))
        .then(low(s=s, why="small"))
        .elif_((x == 0) | (x != 7))
        .then(low(s=s, why="odd"))
        .else_()
        .then(high(s=s))
    )


ENTITIES = [branch]
