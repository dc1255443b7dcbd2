import typing

from flytekit import task
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset
from typing_extensions import Annotated


@task
def files(
    f: FlyteFile,
    csv: FlyteFile[typing.TypeVar("csv")],
    d: FlyteDirectory,
    sd: StructuredDataset,
    cols: Annotated[StructuredDataset, {"a": int, "b": str}],
) -> FlyteFile[typing.TypeVar("parquet")]:
    return f


ENTITIES = [files]
