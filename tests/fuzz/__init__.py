"""Fuzzing flytespec: targets (``targets.TARGETS``), seed corpus, mutators, and the in-suite fuzz tests.

The contract every target checks: for any input bytes, flytespec returns a message, diagnostics or output, or raises
a :class:`flytespec.errors.FlytespecError`; anything else (another exception, a failed round-trip invariant, a
crash, a hang) is a finding. ``make test`` runs a small budget (``test_fuzz.py``); ``make fuzz`` runs
``tools/fuzz.py`` for a set time. Every finding becomes a file under ``regressions/<target>/``, replayed by the suite.
"""
