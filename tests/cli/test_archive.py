"""pyflyte archives: read in memory, references resolved within one archive, unsafe archives refused."""

from __future__ import annotations

import gzip
import io as stdlib_io
import json
import tarfile
from pathlib import Path

import pytest

from flytespec import archive, io
from flytespec.admin import launch_plan_pb2, task_pb2
from flytespec.core import compiler_pb2, types_pb2
from flytespec.errors import DecodeError
from tests.cli.conftest import EXAMPLES, Run

MEMBERS = sorted((EXAMPLES / "pyflyte").glob("*.pb"))


def _tgz(entries: list[tuple[str, bytes | None, bytes]]) -> bytes:
    """(name, payload or None, kind: b"file" | b"symlink" | b"dir" | b"fifo") entries as a .tgz."""
    raw = stdlib_io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, payload, kind in entries:
            info = tarfile.TarInfo(name)
            if kind == b"symlink":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            elif kind == b"hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, MEMBERS[0].name
            elif kind == b"dir":
                info.type = tarfile.DIRTYPE
            elif kind == b"fifo":
                info.type = tarfile.FIFOTYPE
            info.size = len(payload or b"")
            tar.addfile(info, stdlib_io.BytesIO(payload or b""))
    return raw.getvalue()


def _package(extra: tuple[tuple[str, bytes | None, bytes], ...] | list[tuple[str, bytes | None, bytes]] = ()) -> bytes:
    entries: list[tuple[str, bytes | None, bytes]] = [(p.name, p.read_bytes(), b"file") for p in MEMBERS]
    return _tgz(entries + list(extra))


def test_members_read_and_typed_by_name() -> None:
    pkg = archive.read_archive(_package([("fast123.tar.gz", b"source", b"file"), ("sub", None, b"dir")]), name="p.tgz")
    assert [m.name for m in pkg.members] == [p.name for p in MEMBERS]
    assert [m.message for m in pkg.members] == [io.load(p) for p in MEMBERS]
    assert [name for name, _ in pkg.skipped] == ["fast123.tar.gz"]
    assert archive.member_label(pkg, pkg.members[0]) == f"p.tgz!/{MEMBERS[0].name}"


def test_the_group_resolves_references() -> None:
    pkg = archive.read_archive(_package())
    results = archive.validate_group([m.message for m in pkg.members])
    assert results == [[], [], [], []]
    # Alone, the workflow cannot find its tasks.
    alone = archive.validate_group([pkg.members[2].message])
    assert {d.code.value for d in alone[0]} == {"TaskReferenceNotFound"}


def test_a_problem_inside_one_member_is_reported_with_that_member_only() -> None:
    from flytespec import build as b

    add = b.task("r.add", inputs={"x": int}, outputs={"o0": int}, image="img", args=["run"])
    with b.workflow("r.inner", inputs={"a": int}) as inner:
        inner.outputs(o=add(x=inner.inputs.a).o0)
    sub = inner.build()
    with b.workflow("r.main", inputs={"a": int}) as main:
        main.outputs(o=sub(a=main.inputs.a))
    built = main.build()
    broken = type(built.subworkflows[0])()
    broken.CopyFrom(built.subworkflows[0])
    broken.nodes[0].inputs[0].binding.promise.var = "nope"
    results = archive.validate_group([built.template, broken, built.tasks[0]])
    assert [[(d.code.value, d.path) for d in found] for found in results] == [
        [],
        [("VariableNameNotFound", "nodes[0].inputs[0].binding.promise.var")],
        [],
    ]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (("link.pb", None, b"symlink"), "is a link"),
        (("hard.pb", None, b"hardlink"), "is a link"),
        (("pipe.pb", None, b"fifo"), "not a regular file"),
        (("/abs/000_x_1.pb", b"", b"file"), "absolute path"),
        (("../000_x_1.pb", b"", b"file"), "outside the archive"),
        (("a/../../000_x_1.pb", b"", b"file"), "outside the archive"),
    ],
)
def test_unsafe_members_refuse_the_archive(entry: tuple[str, bytes | None, bytes], reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as refused:
        archive.read_archive(_package([entry]), name="p.tgz")
    assert "corrupt" not in str(refused.value)  # a refusal of ours, said once, not re-wrapped as a corrupt archive
    assert str(refused.value).count("p.tgz") == 1


def test_many_members_of_one_name_are_refused_in_linear_time() -> None:
    # Found by fuzzing: the duplicate check counted each name in the whole list (40,000 members took 25 s).
    entries: list[tuple[str, bytes | None, bytes]] = [(f"a{i % 2}.pb", b"", b"file") for i in range(20_000)]
    with pytest.raises(DecodeError, match=r"'a0\.pb' appears more than once"):
        archive.read_archive(_package(entries), name="p.tgz")


def test_limits() -> None:
    data = _package()
    with pytest.raises(DecodeError, match="over 10"):
        archive.read_archive(data, limits=archive.Limits(max_member_bytes=10))
    with pytest.raises(DecodeError, match="more than 100 bytes"):
        archive.read_archive(data, limits=archive.Limits(max_total_bytes=100))
    with pytest.raises(DecodeError, match="more than 2 members"):
        archive.read_archive(data, limits=archive.Limits(max_members=2))


def test_not_an_archive_and_corrupt_archives() -> None:
    with pytest.raises(DecodeError, match="not a gzip, bzip2, xz or tar archive"):
        archive.read_archive(b"plain text", name="x.tgz")
    with pytest.raises(DecodeError):
        archive.read_archive(_package()[:200], name="x.tgz")
    with pytest.raises(DecodeError, match=r"^no/such.tgz: cannot read: No such file or directory$"):
        archive.read_archive("no/such.tgz")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not an archive" * 40, "not a gzip, bzip2, xz or tar archive"),
        (b"", "an empty file, not a gzip, bzip2, xz or tar archive"),
        (gzip.compress(b"plain text" * 40), "a gzip file, but not a tar archive inside ("),
        (_package()[:60], "a truncated archive ("),
    ],
    ids=["text", "empty", "gzip of text", "truncated"],
)
def test_not_an_archive_is_one_line_naming_the_file(data: bytes, reason: str, flytespec: Run, tmp_path: Path) -> None:
    # tarfile explains over several lines (one per compression tried): the report keeps to one.
    (tmp_path / "pkg.tgz").write_bytes(data)
    proc = flytespec("validate", "-q", "pkg.tgz")
    assert proc.returncode == 2
    (line,) = proc.stdout.splitlines()
    assert line.startswith(f"pkg.tgz: cannot read: {reason}")


def test_an_archive_without_specs_is_unreadable(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "pkg.tgz").write_bytes(_tgz([("src/app.py", b"print()", b"file")]))
    proc = flytespec("validate", "--format", "json", "pkg.tgz")
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    (report,) = document["files"]
    assert report["file"] == "pkg.tgz"
    assert report["error"].startswith("pkg.tgz: no specs found (looked for .pb, ")
    assert document["skipped"][0]["file"] == "pkg.tgz!/src/app.py"  # what it holds instead is still listed
    digest = flytespec("digest", "pkg.tgz")
    assert digest.returncode == 2
    assert digest.stderr.startswith("flytespec: error: pkg.tgz: no specs found")
    # In a folder, an archive holding no specs is only skipped over; the folder then has none.
    (tmp_path / "out").mkdir()
    (tmp_path / "pkg.tgz").rename(tmp_path / "out" / "src.tgz")
    folder = flytespec("validate", "-q", "out")
    assert folder.returncode == 2
    assert folder.stdout.splitlines()[0].startswith("out: no specs found")


def test_a_bad_member_does_not_hide_the_others() -> None:
    pkg = archive.read_archive(_package([("004_broken_1.pb", b"\xff\xff\xff", b"file")]))
    broken = [m for m in pkg.members if m.error is not None]
    assert [m.name for m in broken] == ["004_broken_1.pb"]
    assert broken[0].message is None


def test_validate_an_archive_through_the_cli(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "pkg.tgz").write_bytes(_package([("fast1.tar.gz", b"x", b"file")]))
    proc = flytespec("validate", "--format", "json", "pkg.tgz")
    assert proc.returncode == 0, proc.stdout
    document = json.loads(proc.stdout)
    assert [f["file"] for f in document["files"]] == [f"pkg.tgz!/{p.name}" for p in MEMBERS]
    assert document["skipped"][0]["file"] == "pkg.tgz!/fast1.tar.gz"
    refused = tmp_path / "evil.tgz"
    refused.write_bytes(_package([("link.pb", None, b"symlink")]))
    proc = flytespec("validate", "evil.tgz")
    assert proc.returncode == 2
    assert "is a link" in proc.stdout


def _package_with_a_mistyped_launch_plan() -> bytes:
    """The example package, its launch plan declaring its input ``date`` an integer (the workflow says STRING)."""
    lp = io.load(MEMBERS[3], launch_plan_pb2.LaunchPlan)
    lp.spec.default_inputs.parameters["date"].var.type.simple = types_pb2.INTEGER
    lp.spec.default_inputs.parameters["date"].default.scalar.primitive.integer = 3
    entries: list[tuple[str, bytes | None, bytes]] = [(p.name, p.read_bytes(), b"file") for p in MEMBERS[:3]]
    return _tgz([*entries, (MEMBERS[3].name, io.to_binary(lp), b"file")])


def test_launch_plan_inputs_are_checked_against_the_workflow_in_the_archive(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "pkg.tgz").write_bytes(_package_with_a_mistyped_launch_plan())
    proc = flytespec("validate", "-q", "pkg.tgz")
    assert proc.returncode == 1
    assert (
        f'pkg.tgz!/{MEMBERS[3].name}: spec.default_inputs.parameters["date"].var.type: MismatchingTypes: '
        in proc.stdout
    )


def test_one_member_by_name(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "pkg.tgz").write_bytes(_package())
    proc = flytespec("digest", f"pkg.tgz!/{MEMBERS[2].name}")
    assert proc.stdout.split() == [proc.stdout.split()[0], f"pkg.tgz!/{MEMBERS[2].name}"]
    missing = flytespec("digest", "pkg.tgz!/nope.pb")
    assert missing.returncode == 2
    assert MEMBERS[0].name in missing.stderr  # says what the archive holds


def test_one_member_is_checked_with_the_rest_of_its_archive(flytespec: Run, tmp_path: Path) -> None:
    workflow, launch_plan = MEMBERS[2].name, MEMBERS[3].name
    (tmp_path / "pkg.tgz").write_bytes(_package())
    checked = json.loads(flytespec("validate", "--format", "json", f"pkg.tgz!{workflow}").stdout)
    assert [(f["file"], f["diagnostics"]) for f in checked["files"]] == [(f"pkg.tgz!/{workflow}", [])]
    assert flytespec("compile", f"pkg.tgz!{workflow}", "-o", "closure.json").returncode == 0
    assert io.load(tmp_path / "closure.json", compiler_pb2.CompiledWorkflowClosure).tasks  # from the other members
    # The launch plan is checked against the workflow of the archive, as when the whole archive is given.
    (tmp_path / "bad.tgz").write_bytes(_package_with_a_mistyped_launch_plan())
    proc = json.loads(flytespec("validate", "--format", "json", f"bad.tgz!{launch_plan}").stdout)
    assert [d["code"] for f in proc["files"] for d in f["diagnostics"]] == ["MismatchingTypes"]


def test_context_specs_resolve_references_and_are_not_validated() -> None:
    pkg = archive.read_archive(_package())
    messages = [m.message for m in pkg.members if m.message is not None]
    assert archive.validate_group([messages[2]], context=[*messages[:2], messages[3]]) == [[]]
    # A context spec's own problems (an empty TaskSpec has no template) are not reported.
    assert archive.validate_group([messages[2]], context=[task_pb2.TaskSpec(), *messages]) == [[]]


def test_a_member_of_an_archive_whose_path_holds_exclamation_marks(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "we!rd").mkdir()
    (tmp_path / "we!rd" / "p!kg.tgz").write_bytes(_package())
    proc = flytespec("digest", f"we!rd/p!kg.tgz!{MEMBERS[2].name}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[1] == f"we!rd/p!kg.tgz!/{MEMBERS[2].name}"


def test_sarif_locates_a_member_of_an_archive_whose_path_holds_exclamation_marks() -> None:
    from flytespec.cli._validate import FileReport, to_sarif
    from flytespec.validate import Code, Diagnostic, Severity

    found = Diagnostic(Code.CycleDetected, Severity.ERROR, "workflow.nodes[0]", "n0", "a cycle", "wf")
    report = FileReport("a!/p!kg.tgz!/wf_2.pb", "flytespec.admin.WorkflowSpec", [found], None)
    (location,) = json.loads(to_sarif([report], []))["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "a%21/p%21kg.tgz"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "wf_2.pb:workflow.nodes[0]"
