import typing

from flytekit import task


class Out(typing.NamedTuple):
    total: int
    label: str


@task(labels={"team": "data"}, annotations={"cost-center": "42"})
def summarize(xs: typing.List[int], prefix: str = "sum") -> Out:
    """Add the numbers up.

    The label is the prefix and the total.
    """
    return Out(total=sum(xs), label=f"{prefix}{sum(xs)}")


FAST = {"destination_dir": "/root", "distribution_location": "s3://bucket/fast/abc.tar.gz"}
ENTITIES = [summarize]
