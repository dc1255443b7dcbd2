"""Write the flytekit side of the builder's golden cases: what flytekit 1.16 serializes for each case.

Each case is a folder of ``tests/build/goldens/`` holding ``flytekit_side.py`` (``@task``/``@workflow`` code that
names what to serialize in ``ENTITIES``) and ``flytespec_side.py`` (the same specs made with flytespec's builders).
This script imports each ``flytekit_side.py`` under the case's folder name (so task names and ``task-module``
arguments are ``<case>.<function>`` on both sides), serializes ``ENTITIES`` with flytekit's own translator
(``get_serializable``, the code behind ``pyflyte package``) and writes every task, workflow and launch plan it
produces to ``expected.json`` as proto3 JSON. tests/build/test_goldens.py compares flytespec's side with it.

It runs in the flytekit environment (``make goldens`` creates it: flytekit is a development-only dependency);
the committed ``expected.json`` files are what the tests read. Output is deterministic: entities are sorted by
kind and name, JSON keys are sorted.

Usage: python tools/flytekit_goldens.py [CASE...]
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "build" / "goldens"
PROJECT, DOMAIN, VERSION, IMAGE = "proj", "development", "v1", "ghcr.io/org/app:v1"


def serialize(case: Path) -> dict[str, dict[str, Any]]:
    # Module names as imported (the case's name), not derived from the file's path.
    os.environ["FLYTE_PYTHON_PACKAGE_ROOT"] = "."
    from flytekit.configuration import FastSerializationSettings, Image, ImageConfig, SerializationSettings
    from flytekit.models.admin.workflow import WorkflowSpec
    from flytekit.models.launch_plan import LaunchPlan
    from flytekit.models.task import TaskSpec
    from flytekit.tools.translator import get_serializable
    from google.protobuf import json_format

    spec = importlib.util.spec_from_file_location(case.name, case / "flytekit_side.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[case.name] = module
    spec.loader.exec_module(module)
    fast = getattr(module, "FAST", None)
    settings = SerializationSettings(
        project=PROJECT,
        domain=DOMAIN,
        version=VERSION,
        image_config=ImageConfig(default_image=Image(name="default", fqn=IMAGE.split(":")[0], tag=VERSION)),
        fast_serialization_settings=FastSerializationSettings(enabled=True, **fast) if fast is not None else None,
    )
    entities: OrderedDict[Any, Any] = OrderedDict()
    for entity in module.ENTITIES:
        get_serializable(entities, settings, entity)
    out: dict[str, dict[str, Any]] = {"tasks": {}, "workflows": {}, "launch_plans": {}}

    def put(kind: str, name: str, message: Any) -> None:
        idl = message.to_flyte_idl() if hasattr(message, "to_flyte_idl") else message
        out[kind][name] = json_format.MessageToDict(idl)

    for value in entities.values():
        if isinstance(value, TaskSpec):
            put("tasks", value.template.id.name, value.template)
        elif isinstance(value, WorkflowSpec):
            put("workflows", value.template.id.name, value.template)
            for sub in value.sub_workflows:
                put("workflows", sub.id.name, sub)
        elif isinstance(value, LaunchPlan):
            put("launch_plans", value.id.name, value)
    return out


def main(argv: list[str]) -> int:
    cases = [CASES / name for name in argv] if argv else sorted(p.parent for p in CASES.glob("*/flytekit_side.py"))
    for case in cases:
        expected = serialize(case)
        (case / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
        counts = ", ".join(f"{len(v)} {k}" for k, v in expected.items() if v)
        print(f"{case.name}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
