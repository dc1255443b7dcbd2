import typing

from flytekit import LaunchPlan, map_task, task, workflow


@task
def work(x: int, y: str) -> str:
    return y * x


@workflow
def one(x: int, y: str) -> str:
    return work(x=x, y=y)


one_lp = LaunchPlan.get_or_create(one, name="wf_map_launch_plan.one_lp")


@workflow
def many(xs: typing.List[int], ys: typing.List[str]) -> typing.List[str]:
    return map_task(one_lp, concurrency=2)(x=xs, y=ys)


ENTITIES = [many]
