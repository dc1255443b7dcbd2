"""Example workflows made with flytespec's builders (``make demo`` builds, writes and validates them).

- ``ml.training``: prepare shards in parallel (an array node), train on a GPU, evaluate, then a branch: deploy after
  a person approves, or report why not; a failure node cleans up.
- ``etl.nightly``: extract, a transform subworkflow, and a load.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from flytespec import build as b

IMAGE = "ghcr.io/acme/pipelines:2024.11"
PROJECT, DOMAIN, VERSION = "acme", "development", "2024.11"
Parquet = Annotated[b.File, "parquet"]  # a file type with a format, as a type hint


def _python_task(name: str, **settings: Any) -> b.Task:
    """A task run by flytekit's entry point from the image (module and function from its name)."""
    module, _, function = name.rpartition(".")
    return b.task(name, image=IMAGE, args=b.pyflyte_execute_args(module, function), **settings)


def ml_training() -> b.Workflow:
    list_shards = _python_task("ml.data.list_shards", inputs={"dataset": str}, outputs={"o0": list[str]})
    prepare = _python_task(
        "ml.data.prepare",
        inputs={"shard": str, "seed": int},
        outputs={"o0": Parquet},
        requests=b.Resources(cpu=1, mem="2Gi"),
        retries=2,
        cache=b.Cache(version="3"),
    )
    train = _python_task(
        "ml.model.train",
        inputs={"shards": list[Parquet], "epochs": b.Input(int, default=20), "rate": float},
        outputs={"model": b.File, "loss": float},
        requests=b.Resources(cpu=4, mem="16Gi", gpu=1),
        limits=b.Resources(cpu=8, mem="32Gi", gpu=1),
        gpu_accelerator=b.gpu_accelerator("nvidia-tesla-a100"),
        timeout=datetime.timedelta(hours=6),
        secrets=[b.secret("wandb-api-key", group="ml", mount="env")],
    )
    evaluate = _python_task("ml.model.evaluate", inputs={"model": b.File}, outputs={"o0": float})
    deploy = _python_task("ml.serving.deploy", inputs={"model": b.File, "accuracy": float}, outputs={"o0": str})
    report = _python_task("ml.serving.report", inputs={"accuracy": float, "why": str}, outputs={"o0": str})
    cleanup = _python_task("ml.data.cleanup", inputs={"dataset": str})

    with b.workflow(
        "ml.training",
        inputs={"dataset": str, "rate": b.Input(float, default=0.001)},
        failure_policy="fail_after_executable_nodes_complete",
        project=PROJECT,
        domain=DOMAIN,
        version=VERSION,
    ) as wf:
        shards = list_shards(dataset=wf.inputs.dataset)
        prepared = b.map_task(prepare, bound_inputs=["seed"], concurrency=16)(shard=shards, seed=7)
        trained = train(shards=prepared, rate=wf.inputs.rate)
        accuracy = evaluate(model=trained.model)
        approved = b.approve(trained.model, "approve-model", timeout=datetime.timedelta(days=1))
        result = (
            b.conditional("ship-it")
            .if_(accuracy >= 0.9)
            .then(deploy(model=approved, accuracy=accuracy))
            .else_()
            .then(report(accuracy=accuracy, why="below the 0.9 bar"))
        )
        wf.outputs(result=result, loss=trained.loss)
        wf.on_failure(cleanup)
    return wf.build()


def etl_nightly() -> b.Workflow:
    extract = _python_task("etl.extract", inputs={"day": datetime.datetime}, outputs={"o0": b.Directory.of("csv")})
    clean = _python_task("etl.clean", inputs={"raw": b.Directory.of("csv")}, outputs={"o0": b.StructuredDataset})
    dedupe = _python_task("etl.dedupe", inputs={"table": b.StructuredDataset}, outputs={"o0": b.StructuredDataset})
    load = _python_task(
        "etl.load", inputs={"table": b.StructuredDataset, "mode": b.Input(str, default="append")}, outputs={"o0": int}
    )
    with b.workflow(
        "etl.transform", inputs={"raw": b.Directory.of("csv")}, project=PROJECT, domain=DOMAIN, version=VERSION
    ) as sub:
        sub.outputs(table=dedupe(table=clean(raw=sub.inputs.raw)))
    transform = sub.build()
    with b.workflow(
        "etl.nightly", inputs={"day": datetime.datetime}, project=PROJECT, domain=DOMAIN, version=VERSION
    ) as wf:
        raw = extract(day=wf.inputs.day)
        table = transform(raw=raw)
        wf.outputs(rows=load(table=table))
    return wf.build()


WORKFLOWS = {"ml.training": ml_training, "etl.nightly": etl_nightly}
