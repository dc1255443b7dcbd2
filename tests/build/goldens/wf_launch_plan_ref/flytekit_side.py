import typing

from flytekit import reference_launch_plan, task, workflow


@reference_launch_plan(project="shared", domain="production", name="etl.daily", version="2024-01")
def daily(day: str, limit: int) -> typing.NamedTuple("out", rows=int): ...


@task
def report(rows: int) -> str:
    return str(rows)


@workflow
def caller(day: str) -> str:
    r = daily(day=day, limit=10)
    return report(rows=r)


ENTITIES = [caller]
