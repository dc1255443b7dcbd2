"""Long-mode fuzzing of flytespec (``make fuzz``): runs for a set time, then prints executions and findings.

    python tools/fuzz.py [--seconds 600] [--engines mutation,hypothesis,atheris] [--targets load,convert,...]

Every target of ``tests/fuzz/targets.py`` (load, binary, json, yaml, convert, validate, compile, cli) gets inputs
from up to three engines, sharing the time:

- ``mutation``: the seed corpus (real specs, crafted edge cases) mutated byte by byte, as text, and as messages
  (fields set to extremes, references rewired); inputs a target accepts join its pool, so mutations compound;
- ``hypothesis``: structure-aware inputs from flytespec's descriptor-driven strategies (``messages()``,
  ``workflow_closures()``), written in every format, sometimes mutated;
- ``atheris``: coverage-guided (libFuzzer) over the same targets, when atheris is installed (``pip install
  flytespec[fuzz]``); otherwise reported as skipped.

Inputs run in a worker process with a memory limit (``--memory-mb``, RLIMIT_AS) and a time limit per input
(``--timeout``): a Python exception other than a FlytespecError, a failed invariant, a crash of the process (a
signal), a hang and memory exhaustion are all findings. Each distinct finding (by target, kind and place) is saved
under ``--findings`` (default build/fuzz/findings) as the input and its traceback; turn it into a regression test by
copying the input to ``tests/fuzz/regressions/<target>/``. The exit status is 1 when anything was found.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENGINES = ("mutation", "hypothesis", "atheris")


# --------------------------------------------------------------------------------------------------------------
# The worker: runs inputs, reports findings; the parent restarts it when it dies or hangs.


def _worker(connection: multiprocessing.connection.Connection, memory_mb: int, timeout: int, dump: str) -> None:
    import faulthandler
    import resource

    from tests.fuzz.targets import check

    faulthandler.enable(open(dump, "w"))  # noqa: SIM115 - open for the life of the process: where a crash is told

    limit = memory_mb << 20
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no result within {timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    while True:
        try:
            name, data = connection.recv()
        except EOFError:
            return
        signal.alarm(timeout)
        try:
            err = check(name, data)
        except BaseException as outer:  # KeyboardInterrupt aside, nothing should get here; report it anyway
            err = outer if isinstance(outer, Exception) else None
        finally:
            signal.alarm(0)
        if err is None:
            connection.send(None)
        else:
            connection.send((type(err).__name__, _place(err), "".join(traceback.format_exception(err))[-6000:]))


def _place(err: BaseException) -> str:
    """Where an exception was raised: the innermost frame in flytespec, else the innermost frame."""
    frames = list(traceback.extract_tb(err.__traceback__))
    ours = [f for f in frames if "/flytespec/" in f.filename and "/tests/" not in f.filename]
    chosen = ours or frames
    if not chosen:
        return "?"
    return f"{Path(chosen[-1].filename).name}:{chosen[-1].lineno}"


class Runner:
    """The parent's side: sends inputs to the worker, restarting it after a crash or a hang."""

    def __init__(self, memory_mb: int, timeout: int) -> None:
        self.memory_mb = memory_mb
        self.timeout = timeout
        self.context = multiprocessing.get_context("spawn")
        self.process: Any = None
        self.connection: Any = None
        self.dump = Path(tempfile.mkdtemp(prefix="flytespec-fuzz-")) / "crash.txt"

    def _start(self) -> None:
        parent, child = self.context.Pipe()
        self.dump.write_text("")
        self.process = self.context.Process(
            target=_worker, args=(child, self.memory_mb, self.timeout, str(self.dump)), daemon=True
        )
        self.process.start()
        child.close()
        self.connection = parent

    def run(self, name: str, data: bytes) -> tuple[str, str, str] | None:
        """None when the contract held; else (kind, place, details)."""
        if self.process is None or not self.process.is_alive():
            self._start()
        assert self.connection is not None
        self.connection.send((name, data))
        if not self.connection.poll(self.timeout * 3):
            self.stop()
            return ("Hang", f"{name}: no answer in {self.timeout * 3} s", "the worker was killed")
        try:
            answer: tuple[str, str, str] | None = self.connection.recv()
        except (EOFError, ConnectionResetError):
            self.process.join(5)
            code = self.process.exitcode
            self.process = None
            what = f"signal {-code} ({signal.Signals(-code).name})" if code and code < 0 else f"exit code {code}"
            dump = self.dump.read_text(errors="replace")
            frames = re.findall(r'File "([^"]*)", line (\d+)', dump)
            ours = [(f, n) for f, n in frames if "/flytespec/" in f and "/tests/" not in f] or frames
            place = f"{Path(ours[0][0]).name}:{ours[0][1]}" if ours else "?"  # faulthandler lists innermost first
            return ("Crash", f"{name}: {place}", f"the worker process died: {what}\n{dump}")
        return answer

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
            self.process = None


# --------------------------------------------------------------------------------------------------------------
# Findings and counts


@dataclass
class Report:
    findings_dir: Path
    executions: Counter[str] = field(default_factory=Counter)
    by_engine: Counter[str] = field(default_factory=Counter)
    findings: dict[str, tuple[str, str, str, Path]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def record(self, engine: str, name: str, data: bytes, outcome: tuple[str, str, str] | None) -> None:
        self.executions[name] += 1
        self.by_engine[engine] += 1
        if outcome is None:
            return
        kind, place, details = outcome
        signature = f"{name}|{kind}|{place}"
        if signature in self.findings:
            return
        digest = hashlib.sha256(signature.encode()).hexdigest()[:12]
        self.findings_dir.mkdir(parents=True, exist_ok=True)
        path = self.findings_dir / f"{name}-{kind}-{digest}.bin"
        path.write_bytes(data)
        path.with_suffix(".txt").write_text(f"target: {name}\nengine: {engine}\n{kind} at {place}\n\n{details}\n")
        self.findings[signature] = (name, kind, place, path)
        print(f"  finding: {name}: {kind} at {place} -> {path}", flush=True)

    def print(self, seconds: float) -> None:
        total = sum(self.executions.values())
        print(f"\n# fuzzing: {total:,} executions in {seconds:.0f} s ({total / max(seconds, 1e-9):,.0f}/s)")
        for engine, count in sorted(self.by_engine.items()):
            print(f"  engine {engine}: {count:,}")
        for name, count in sorted(self.executions.items()):
            print(f"  target {name}: {count:,}")
        for note in self.notes:
            print(f"  note: {note}")
        print(f"findings: {len(self.findings)}")
        for name, kind, place, path in self.findings.values():
            print(f"  {name}: {kind} at {place} ({path})")


# --------------------------------------------------------------------------------------------------------------
# Engines


def run_mutation(runner: Runner, report: Report, targets: list[str], deadline: float, seed: int) -> None:
    from flytespec import io
    from tests.fuzz.corpus import inputs, seeds
    from tests.fuzz.mutate import mutate, mutate_message
    from tests.fuzz.targets import FORMATS, encode

    rng = random.Random(seed)
    pools = {name: list(inputs(name)) for name in targets}
    messages = list(seeds())
    i = 0
    while time.time() < deadline:
        name = targets[i % len(targets)]
        i += 1
        pool = pools[name]
        if name != "load" and rng.random() < 0.4:
            # Message-level: a valid message with hostile content, in some format.
            mutant = mutate_message(rng.choice(messages), rng)
            fmt, to = rng.choice(FORMATS), rng.choice(FORMATS)
            try:
                data = encode(mutant, fmt, to)
            except Exception:
                continue
            if rng.random() < 0.3:
                data = mutate(data, rng, pool, selectors=2)
        elif name == "load" and rng.random() < 0.3:
            mutant = mutate_message(rng.choice(messages), rng)
            try:
                written = io.dumps(mutant, rng.choice(FORMATS))
            except Exception:
                continue
            data = written if isinstance(written, bytes) else written.encode()
        else:
            data = mutate(rng.choice(pool), rng, pool, selectors=0 if name == "load" else 2)
        outcome = runner.run(name, data)
        report.record("mutation", name, data, outcome)
        if outcome is None and len(data) < 1 << 16 and rng.random() < 0.05:
            if len(pool) > 500:
                pool[rng.randrange(len(pool))] = data
            else:
                pool.append(data)


def run_hypothesis(runner: Runner, report: Report, targets: list[str], deadline: float, seed: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from flytespec import io
    from flytespec.testing import messages, workflow_closures
    from tests.fuzz.mutate import mutate
    from tests.fuzz.targets import FORMATS, TYPES, encode

    structures = st.one_of(
        *(messages(cls, max_depth=6, max_size=3, allow_nan=True, unknown_enum_values=True) for cls in TYPES),
        workflow_closures(1, 30),
    )

    @settings(
        # Per round; rounds run until the deadline. Small, so that a round ends soon after it: the deadline is not
        # checked inside a round (an example that returned early would draw less than hypothesis saw it draw, and
        # hypothesis refuses such inconsistent data generation).
        max_examples=50,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        message=structures,
        fmt=st.sampled_from(FORMATS),
        to=st.sampled_from(FORMATS),
        name=st.sampled_from(targets),
        noise=st.randoms(use_true_random=False),
        mutated=st.booleans(),
    )
    def fuzz(message: Any, fmt: Any, to: Any, name: str, noise: random.Random, mutated: bool) -> None:
        try:
            if name == "load":
                written = io.dumps(message, fmt)
                data = written if isinstance(written, bytes) else written.encode()
            else:
                data = encode(message, fmt, to)
        except Exception:
            return
        if mutated:
            data = mutate(data, noise, None, selectors=0 if name == "load" else 2)
        report.record("hypothesis", name, data, runner.run(name, data))

    random.seed(seed)
    while time.time() < deadline:
        fuzz()


def run_atheris(report: Report, targets: list[str], seconds: float, findings: Path, memory_mb: int) -> None:
    """libFuzzer through atheris, in child processes (restarted after each crash until the time is up)."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        report.notes.append("atheris is not installed (pip install 'flytespec[fuzz]'): coverage-guided engine skipped")
        return
    from tests.fuzz.corpus import inputs

    with tempfile.TemporaryDirectory(prefix="flytespec-atheris-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for index, name in enumerate(targets):
            for data in inputs(name):
                entry = bytes([index]) + data
                (corpus / hashlib.sha1(entry).hexdigest()).write_bytes(entry)
        deadline = time.time() + seconds
        while (remaining := int(deadline - time.time())) > 2:
            artifacts = Path(tmp) / "artifacts"
            artifacts.mkdir(exist_ok=True)
            command = [
                sys.executable,
                __file__,
                "--atheris-child",
                "--targets",
                ",".join(targets),
                "--",
                f"-max_total_time={remaining}",
                f"-rss_limit_mb={memory_mb}",
                "-timeout=60",
                "-print_final_stats=1",
                f"-artifact_prefix={artifacts}/",
                str(corpus),
            ]
            result = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
            runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", result.stderr)
            executed = int(runs[-1]) if runs else 0
            report.by_engine["atheris"] += executed
            report.executions["(atheris, all targets)"] += executed
            for artifact in sorted(artifacts.iterdir()):
                data = artifact.read_bytes()
                name = targets[data[0] % len(targets)] if data else targets[0]
                kind = artifact.name.split("-", 1)[0]  # crash, timeout, oom, leak
                tail = result.stderr[-4000:]
                place = _atheris_place(result.stderr) or kind
                report.record("atheris", name, data[1:], (kind.capitalize(), place, tail))
                report.executions[name] -= 1  # counted in the atheris total already
                report.by_engine["atheris"] -= 1
                artifact.unlink()
            if result.returncode == 0:
                break


def _atheris_place(stderr: str) -> str | None:
    frames = re.findall(r'File "([^"]*flytespec[^"]*)", line (\d+)', stderr)
    ours = [f for f in frames if "/tests/" not in f[0]]
    if not ours:
        return None
    path, line = ours[-1]
    return f"{Path(path).name}:{line}"


def atheris_child(targets: list[str], argv: list[str]) -> None:
    import atheris

    from tests.fuzz.targets import run

    atheris.instrument_all()  # coverage of every loaded Python function (flytespec's, the targets', PyYAML's...)

    def one_input(data: bytes) -> None:
        if data:
            run(targets[data[0] % len(targets)], data[1:])

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


# --------------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", "600")))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--targets", default="")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "0")) or None)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--timeout", type=int, default=20, help="seconds one input may take")
    parser.add_argument("--findings", type=Path, default=ROOT / "build" / "fuzz" / "findings")
    parser.add_argument("--atheris-child", action="store_true", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    from tests.fuzz.targets import TARGETS

    targets = [t for t in args.targets.split(",") if t] or list(TARGETS)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    if args.atheris_child:
        atheris_child(targets, [a for a in rest if a != "--"])
        return 0
    engines = [e for e in args.engines.split(",") if e]
    notes = []
    if "atheris" in engines and importlib.util.find_spec("atheris") is None:
        engines.remove("atheris")  # its share of the time goes to the others
        notes.append("atheris is not installed (pip install 'flytespec[fuzz]'): coverage-guided engine skipped")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"# flytespec fuzz: {args.seconds:.0f} s, engines {', '.join(engines)}, seed {seed}", flush=True)
    print(f"# targets: {', '.join(targets)}", flush=True)
    report = Report(args.findings, notes=notes)
    start = time.time()
    share = args.seconds / max(len(engines), 1)
    runner = Runner(args.memory_mb, args.timeout)
    try:
        for i, engine in enumerate(engines):
            deadline = start + share * (i + 1)
            if engine == "mutation":
                run_mutation(runner, report, targets, deadline, seed)
            elif engine == "hypothesis":
                run_hypothesis(runner, report, targets, deadline, seed)
            elif engine == "atheris":
                run_atheris(report, targets, deadline - time.time(), args.findings, args.memory_mb)
            else:
                parser.error(f"unknown engine {engine!r}: use {', '.join(ENGINES)}")
    except KeyboardInterrupt:
        report.notes.append("interrupted")
    finally:
        runner.stop()
    report.print(time.time() - start)
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
