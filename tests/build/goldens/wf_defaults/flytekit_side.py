import datetime
import typing

from flytekit import LaunchPlan, task, workflow


@task
def greet(name: str, times: int, when: datetime.datetime, pause: datetime.timedelta, ratio: float) -> str:
    return name * times


@workflow
def defaults(
    name: str,
    times: int = 3,
    when: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    pause: datetime.timedelta = datetime.timedelta(seconds=90),
    ratio: float = 0.25,
    maybe: typing.Optional[str] = None,
) -> str:
    return greet(name=name, times=times, when=when, pause=pause, ratio=ratio)


fixed = LaunchPlan.get_or_create(
    defaults, name="defaults_fixed", fixed_inputs={"times": 5}, default_inputs={"name": "x"}
)
ENTITIES = [defaults, LaunchPlan.get_or_create(defaults), fixed]
