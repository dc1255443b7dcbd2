from flytekit import ContainerTask, kwtypes
from flytekit.core.base_task import TaskMetadata


square = ContainerTask(
    name="square",
    image="alpine:3.20",
    command=["sh", "-c", "echo $(( {{.inputs.x}} * {{.inputs.x}} )) > /var/outputs/y"],
    inputs=kwtypes(x=int),
    outputs=kwtypes(y=int),
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    metadata_format=ContainerTask.MetadataFormat.YAML,
    metadata=TaskMetadata(retries=2),
)

ENTITIES = [square]
