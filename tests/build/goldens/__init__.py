"""Golden cases of the builders: each folder holds flytekit code, the same specs made with flytespec's builders,
and what flytekit serializes (``expected.json``, written by tools/flytekit_goldens.py)."""

from __future__ import annotations

from typing import Any

from flytespec import build as b

# What the flytekit side is serialized with (tools/flytekit_goldens.py): the builders are given the same.
PROJECT, DOMAIN, VERSION, IMAGE = "proj", "development", "v1", "ghcr.io/org/app:v1"
FLYTEKIT: dict[str, Any] = {
    "image": IMAGE,
    "project": PROJECT,
    "domain": DOMAIN,
    "version": VERSION,
    "runtime": b.runtime("1.16.31"),
}
IDENTITY: dict[str, Any] = {"project": PROJECT, "domain": DOMAIN, "version": VERSION}
