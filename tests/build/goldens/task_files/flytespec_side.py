from flytespec import build as b
from tests.build.goldens import FLYTEKIT


def build() -> list[object]:
    return [
        b.task(
            "task_files.files",
            inputs={
                "f": b.File,
                "csv": b.File.of("csv"),
                "d": b.Directory,
                "sd": b.StructuredDataset,
                "cols": b.StructuredDataset.of("", a=int, b=str),
            },
            outputs=b.File.of("parquet"),
            args=b.pyflyte_execute_args("task_files", "files"),
            **FLYTEKIT,
        )
    ]
