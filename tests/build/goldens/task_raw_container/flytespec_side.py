from flytespec import build as b
from tests.build.goldens import FLYTEKIT, IDENTITY


def build() -> list[object]:
    return [
        b.task(
            "square",
            task_type="raw-container",
            inputs={"x": int},
            outputs={"y": int},
            image="alpine:3.20",
            command=["sh", "-c", "echo $(( {{.inputs.x}} * {{.inputs.x}} )) > /var/outputs/y"],
            data_loading=b.data_loading_config(input_path="/var/inputs", output_path="/var/outputs", format="yaml"),
            retries=2,
            runtime=FLYTEKIT["runtime"],
            **IDENTITY,
        )
    ]
