"""Shared test configuration: hypothesis profiles and the location of Flyte's conformance corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# `HYPOTHESIS_PROFILE=thorough make test` for a longer run.
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def corpus_dir() -> Path | None:
    """Flyte's compiler test corpus (../shared/conformance/flytepropeller-compiler), or None when absent."""
    configured = os.environ.get("FLYTESPEC_CONFORMANCE_DIR")
    path = Path(configured) if configured else ROOT.parent / "shared" / "conformance" / "flytepropeller-compiler"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if path is None:
        pytest.skip(
            "Flyte's conformance corpus is absent: it is read from ../shared/conformance/flytepropeller-compiler "
            "(or $FLYTESPEC_CONFORMANCE_DIR) and is not part of this repository"
        )
    return path
