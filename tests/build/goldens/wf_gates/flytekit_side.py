import datetime

from flytekit import approve, sleep, task, wait_for_input, workflow


@task
def propose(x: int) -> int:
    return x


@task
def apply(x: int, note: str) -> int:
    return x


@workflow
def gated(x: int) -> int:
    p = propose(x=x)
    ok = approve(p, "approve-proposal", timeout=datetime.timedelta(hours=2))
    note = wait_for_input("release-note", timeout=datetime.timedelta(minutes=30), expected_type=str)
    pause = sleep(datetime.timedelta(seconds=45))
    done = apply(x=ok, note=note)
    pause >> done
    return done


ENTITIES = [gated]
