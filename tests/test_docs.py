"""Every example in the README and docs/ runs, and the error-code page covers every code.

Pages are the README and ``docs/**/*.md`` (globbed). In each page:

- ``python`` blocks are executed, in order, in one namespace per page;
- in ``console`` blocks, each ``$ flytespec ...`` line runs through the real entry point (the ``flytespec`` script
  installed beside this Python, as a subprocess), and the lines under it must be its output (stdout, then stderr).
  A line ``...`` matches any number of lines. ``$ echo $?`` shows the exit status of the command before it; a
  command not followed by one must exit with 0;
- ``text`` blocks are illustrations, not run; blocks in any other language are refused, so that nothing that looks
  runnable goes untested.

Commands and Python blocks run in a temporary folder holding copies of ``examples/`` and ``docs/examples/``, so
examples may write files.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flytespec import io
from flytespec import validate as validation
from flytespec.validate import Code, validate
from tests.conftest import ROOT
from tests.error_examples import ERRORS, MESSAGE_LIMITS

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
LANGUAGES = {"python", "console", "text"}
_BLOCK = re.compile(r"^```([A-Za-z0-9_-]*)\n(.*?)^```$", re.S | re.M)


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("flytespec")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flytespec"]


def blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(page.read_text())]


@dataclass
class Command:
    argv: list[str]
    expected: list[str]
    status: int


def commands(block: str) -> list[Command]:
    """The commands of a console block, with their shown output and exit status."""
    found: list[Command] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            text = line[2:].strip()
            if text == "echo $?":
                assert found, "`echo $?` must follow a command"
                found[-1].status = -1  # the next output line is the status
                continue
            argv = shlex.split(text)
            assert argv[0] == "flytespec", f"console examples run flytespec only, not {argv[0]!r}"
            found.append(Command(argv[1:], [], 0))
        else:
            assert found, f"output before any command: {line!r}"
            if found[-1].status == -1:
                found[-1].status = int(line)
            else:
                found[-1].expected.append(line)
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` lines fit ``expected``, where a ``...`` line stands for any number of lines."""
    # Classic wildcard matching, iterative: positions in both lists, and where to resume after the last `...`.
    e = a = 0
    star_e, star_a = -1, 0
    while a < len(actual):
        if e < len(expected) and expected[e] == "...":
            star_e, star_a = e, a
            e += 1
        elif e < len(expected) and expected[e] == actual[a]:
            e += 1
            a += 1
        elif star_e >= 0:
            star_a += 1
            e, a = star_e + 1, star_a
        else:
            return False
    while e < len(expected) and expected[e] == "...":
        e += 1
    return e == len(expected)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(DOCS / "examples", tmp_path / "docs" / "examples")
    return tmp_path


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONHASHSEED": "0"}
    return subprocess.run([*_entry_point(), *argv], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def _console_cases() -> list[Any]:
    cases: list[Any] = []
    for page in PAGES:
        for i, (language, body) in enumerate(blocks(page)):
            if language == "console":
                cases.append(pytest.param(page, body, id=f"{page.relative_to(ROOT).as_posix()}#{i}"))
    return cases


@pytest.mark.parametrize(("page", "body"), _console_cases())
def test_console_example(page: Path, body: str, workdir: Path) -> None:
    for command in commands(body):
        proc = _run(command.argv, workdir)
        actual = (proc.stdout + proc.stderr).splitlines()
        shown = " ".join(command.argv)
        assert proc.returncode == command.status, f"flytespec {shown}: exit {proc.returncode}\n{proc.stderr}"
        assert matches(command.expected, actual), (
            f"flytespec {shown}: output differs from {page.name}\n--- shown\n"
            + "\n".join(command.expected)
            + "\n--- actual\n"
            + "\n".join(actual)
        )


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if any(lang == "python" for lang, _ in blocks(p))],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_python_examples(page: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for language, body in blocks(page):
        if language == "python":
            exec(compile(body, str(page), "exec", dont_inherit=True), namespace)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_code_blocks_are_of_known_languages(page: Path) -> None:
    unknown = sorted({language for language, _ in blocks(page)} - LANGUAGES)
    assert unknown == [], f"{page.name}: blocks in {unknown} would not be run; use python, console or text"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
        assert (page.parent / target).exists(), f"{page.name} links {target}, which does not exist"


def test_the_index_links_every_page() -> None:
    index = (DOCS / "README.md").read_text()
    for page in PAGES:
        if page.parent == DOCS and page.name != "README.md":
            assert f"]({page.name})" in index, f"docs/README.md does not link {page.name}"
    for name in ("validate.md", "compile.md", "convert.md", "cli.md", "compatibility.md", "error-codes.md"):
        assert (DOCS / name).exists(), name


def test_every_code_has_an_entry_with_meaning_example_and_fix() -> None:
    page = (DOCS / "error-codes.md").read_text()
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", page, re.S | re.M))
    missing = [code.value for code in Code if code.value not in sections]
    assert missing == [], f"docs/error-codes.md has no entry for {missing}"
    assert sorted(sections) == sorted(code.value for code in Code), "entries for codes that do not exist"
    for code, text in sections.items():
        assert "**Meaning.**" in text, code
        assert "**Fix.**" in text, code
        assert f"$ flytespec validate docs/examples/errors/{code}.yaml" in text, code


@pytest.mark.parametrize("path", sorted(ERRORS.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_error_example_triggers_its_code(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = Code(path.stem)  # every example is named after a code
    if code in MESSAGE_LIMITS:
        monkeypatch.setattr(validation, "MESSAGE_LIMIT", MESSAGE_LIMITS[code])
    assert code in {d.code for d in validate(io.load(path))}


def test_every_code_has_an_example_file() -> None:
    assert sorted(p.stem for p in ERRORS.glob("*.yaml")) == sorted(code.value for code in Code)


def test_the_wildcard_matcher() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["...", "b", "..."], ["a", "b", "c"])
    assert matches(["..."], [])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a"], ["a", "b"])
