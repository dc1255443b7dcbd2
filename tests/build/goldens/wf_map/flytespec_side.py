from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def square(x: int) -> int:
    raise NotImplementedError


def scale(x: int, factor: float, label: str) -> float:
    raise NotImplementedError


def total(xs: list[float | None]) -> float:
    raise NotImplementedError


def build() -> list[object]:
    t_square = b.task_from_function(square, retries=1, **FLYTEKIT)
    t_scale, t_total = b.task_from_function(scale, **FLYTEKIT), b.task_from_function(total, **FLYTEKIT)
    with b.workflow("wf_map.mapped", inputs={"xs": list[int]}, **IDENTITY) as wf:
        sq = b.map_task(t_square)(x=wf.inputs.xs)
        mapped_scale = b.map_task(t_scale, bound_inputs=["label", "factor"], concurrency=4, min_success_ratio=0.75)
        scaled = mapped_scale(x=sq, factor=2.0, label="s")
        wf.outputs(o0=t_total(xs=scaled))
    return [wf.build()]
