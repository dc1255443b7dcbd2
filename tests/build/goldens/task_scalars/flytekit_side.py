import datetime

from flytekit import task


@task
def scalars(a: int, b: float, c: str, d: bool, e: datetime.datetime, f: datetime.timedelta) -> str:
    """Every simple type in, one string out."""
    return f"{a}{b}{c}{d}{e}{f}"


ENTITIES = [scalars]
