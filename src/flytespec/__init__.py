"""flytespec: protobuf-first models, builders, validators and I/O for Flyte task and workflow specs.

The messages are generated from flytespec's own IDL, wire-compatible with Flyte's ``flyteidl.core`` (v1.16.8) and
the registration messages of ``flyteidl.admin``:

- ``flytespec.core``: ``workflow_pb2``, ``tasks_pb2``, ``literals_pb2``... (``from flytespec.core import tasks_pb2``);
- ``flytespec.admin``: ``task_pb2``, ``workflow_pb2``, ``launch_plan_pb2``... (what ``pyflyte package`` writes);
- :mod:`flytespec.io`: binary, JSON and YAML, loss-free;
- :mod:`flytespec.registry`: message types by name;
- :mod:`flytespec.view`: the optional betterproto2 dataclass view (``pip install flytespec[betterproto]``);
- :mod:`flytespec.interop`: conversion to and from ``flyteidl`` messages;
- :mod:`flytespec.testing`: hypothesis strategies (``pip install flytespec[testing]``).

Importing ``flytespec`` itself loads nothing else, so it stays cheap.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
