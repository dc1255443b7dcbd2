from flytekit import WorkflowFailurePolicy, task, workflow


@task
def work(x: int, name: str) -> int:
    return x


@task
def cleanup(x: int, name: str) -> None:
    return None


@workflow(
    on_failure=cleanup,
    failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE,
    interruptible=True,
)
def guarded(x: int, name: str) -> int:
    a = work(x=x, name=name)
    return work(x=a, name="again")


ENTITIES = [guarded]
