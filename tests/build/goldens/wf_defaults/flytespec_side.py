import datetime

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def greet(name: str, times: int, when: datetime.datetime, pause: datetime.timedelta, ratio: float) -> str:
    raise NotImplementedError


def build() -> list[object]:
    t_greet = b.task_from_function(greet, **FLYTEKIT)

    def defaults(
        name: str,
        times: int = 3,
        when: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        pause: datetime.timedelta = datetime.timedelta(seconds=90),
        ratio: float = 0.25,
        maybe: str | None = None,
    ) -> str:
        return t_greet(name=name, times=times, when=when, pause=pause, ratio=ratio)  # type: ignore[return-value]

    wf = b.workflow_from_function(defaults, name="wf_defaults.defaults", **IDENTITY)
    return [wf, wf.launch_plan(), wf.launch_plan("defaults_fixed", fixed_inputs={"times": 5}, defaults={"name": "x"})]
