from dataclasses import dataclass

from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


@dataclass
class Stats:
    count: int
    names: list[str]
    by_name: dict[str, float]


def stats(n: int) -> Stats:
    raise NotImplementedError


def use(count: int, first: str, score: float) -> str:
    raise NotImplementedError


def build() -> list[object]:
    t_stats, t_use = b.task_from_function(stats, **FLYTEKIT), b.task_from_function(use, **FLYTEKIT)
    with b.workflow("wf_attr_path.paths", inputs={"n": int}, **IDENTITY) as wf:
        s = t_stats(n=wf.inputs.n).o0
        wf.outputs(o0=t_use(count=s["count"], first=s["names"][0], score=s["by_name"]["a"]))
    return [wf.build()]
