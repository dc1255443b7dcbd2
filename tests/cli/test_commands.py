"""Every command through the real entry point: formats, stdin/stdout, exit statuses, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flytespec import io
from flytespec.admin import launch_plan_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.cli import build_parser, main
from flytespec.core import compiler_pb2, identifier_pb2, workflow_closure_pb2
from flytespec.digest import digest
from tests.cli.conftest import EXAMPLES, Run, entry_point
from tests.conftest import ROOT
from tests.error_examples import ERRORS, cli_options

CLOSURE = EXAMPLES / "etl.closure.yaml"
COMMANDS = ("validate", "convert", "compile", "graph", "diff", "digest", "schema")


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("flytespec: error: ")
    assert "Traceback" not in proc.stderr
    return lines[0]


# --------------------------------------------------------------------------------------------------------------
# entry points and help


def test_main_runs_again_in_the_same_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``main`` is a library call too (tools, the fuzz harness): every call builds its parser afresh. Found by the
    fuzzer: once a command had imported ``flytespec.cli._common``, the package attribute of that name shadowed a
    helper function of the same name, and every later ``main`` call failed with TypeError."""
    missing = str(tmp_path / "missing.yaml")
    assert main(["validate", missing]) == 2  # an input error: the error path imports the command modules
    for _ in range(2):
        assert main(["digest", str(CLOSURE)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(digest(io.load(CLOSURE)))


def test_python_dash_m_and_the_script_agree(tmp_path: Path) -> None:
    script = subprocess.run([*entry_point(), "digest", str(CLOSURE)], capture_output=True, text=True, check=True)
    module = subprocess.run(
        [sys.executable, "-m", "flytespec", "digest", str(CLOSURE)], capture_output=True, text=True, check=True
    )
    assert script.stdout == module.stdout
    assert script.stdout.startswith(digest(io.load(CLOSURE)))


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_has_an_example(command: str, flytespec: Run) -> None:
    proc = flytespec(command, "--help")
    assert proc.returncode == 0
    assert "example:" in proc.stdout
    assert f"flytespec {command}" in proc.stdout


def test_every_command_is_documented_in_the_reference() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text()
    actions = [a for a in build_parser()._actions if a.dest == "command"]
    assert sorted(actions[0].choices) == sorted(COMMANDS)  # type: ignore[arg-type]
    for command in COMMANDS:
        assert f"### {command}" in reference or f"{command} " in reference


def test_no_command_and_unknown_options_are_usage_errors(flytespec: Run) -> None:
    assert flytespec().returncode == 2
    proc = flytespec("validate", "--no-such-option", str(CLOSURE))
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


def test_version(flytespec: Run) -> None:
    proc = flytespec("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("flytespec ")


# --------------------------------------------------------------------------------------------------------------
# validate


def test_validate_clean_files_exit_0(flytespec: Run) -> None:
    clean = [p for p in sorted(EXAMPLES.iterdir()) if p.name != "broken" and (p.is_dir() or io.format_from_name(p))]
    proc = flytespec("validate", *map(str, clean))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].endswith("no problems")
    assert proc.stderr == ""  # no progress bar when piped


@pytest.mark.parametrize("path", sorted(ERRORS.glob("*.yaml")), ids=lambda p: p.stem)
def test_validate_reports_the_code_in_text_and_json(path: Path, flytespec: Run) -> None:
    document = json.loads(flytespec("validate", "--format", "json", *cli_options(path), str(path)).stdout)
    diagnostics = document["files"][0]["diagnostics"]
    assert path.stem in {d["code"] for d in diagnostics}
    text = flytespec("validate", *cli_options(path), str(path))
    assert f": {path.stem}: " in text.stdout
    # Warnings alone (StructIntegerAsFloat, UnreadableVariableName) pass; --strict would fail them.
    assert text.returncode == (0 if all(d["severity"] == "warning" for d in diagnostics) else 1)


def test_text_lines_have_file_path_code_message(flytespec: Run) -> None:
    proc = flytespec("validate", "-q", str(ERRORS / "ParameterNotBound.yaml"))
    (line,) = proc.stdout.splitlines()
    assert line.startswith(f"{ERRORS / 'ParameterNotBound.yaml'}: workflow.nodes[0].inputs: ParameterNotBound: ")


def test_strict_turns_warnings_into_errors(flytespec: Run) -> None:
    path = str(ERRORS / "StructIntegerAsFloat.yaml")
    assert flytespec("validate", path).returncode == 0
    strict = flytespec("validate", "--strict", "--format", "json", path)
    assert strict.returncode == 1
    (diagnostic,) = json.loads(strict.stdout)["files"][0]["diagnostics"]
    assert diagnostic["severity"] == "error"


def test_message_limit_sets_the_size_spec_too_large_warns_from(flytespec: Run) -> None:
    path = str(ERRORS / "SpecTooLarge.yaml")  # 1,555 bytes
    assert json.loads(flytespec("validate", "--format", "json", path).stdout)["files"][0]["diagnostics"] == []
    for limit, codes in (("1500", ["SpecTooLarge"]), ("2073", ["SpecTooLarge"]), ("2074", []), ("0", [])):
        proc = flytespec("validate", "--format", "json", "--message-limit", limit, path)
        assert proc.returncode == 0
        assert [d["code"] for d in json.loads(proc.stdout)["files"][0]["diagnostics"]] == codes, limit
    assert flytespec("validate", "--strict", "--message-limit", "1500", path).returncode == 1
    for bad in ("-1", "1k", ""):
        refused = flytespec("validate", "--message-limit", bad, path)
        assert refused.returncode == 2
        assert "usage:" in refused.stderr


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "schema"])
def test_every_reading_command_takes_the_read_limits(command: str, flytespec: Run) -> None:
    size = CLOSURE.stat().st_size
    args = {"validate": ["-q"], "convert": ["-o", "-"], "compile": ["-o", "-"], "diff": [str(CLOSURE)]}.get(command, [])
    refused = flytespec(command, str(CLOSURE), *args, "--max-size", str(size - 1))
    assert refused.returncode == 2
    text = refused.stdout if command == "validate" else _one_line_error(refused)
    assert f"{CLOSURE}: " in text
    assert text.rstrip().endswith("(--max-size BYTES raises the limit)")
    assert flytespec(command, str(CLOSURE), *args, "--max-size", str(size), "--max-depth", "100").returncode in (0, 1)


def _nested_task(levels: int) -> str:
    """A task whose ``custom`` Struct nests ``levels`` mappings deep (a message level each)."""
    task = json.loads((EXAMPLES / "gpu-train.task.json").read_text())
    value: object = 1
    for _ in range(levels):
        value = {"a": value}
    task["custom"] = value
    return json.dumps(task)


def test_max_depth_reads_deeper_text_and_is_named_where_it_can_help(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(_nested_task(150))  # over the 100 levels read by default
    refused = flytespec("validate", "--format", "json", "deep.json", "--type", "TaskTemplate")
    assert refused.returncode == 2
    assert json.loads(refused.stdout)["files"][0]["error"].endswith("(--max-depth N raises the limit)")
    read = flytespec("convert", "deep.json", "deep.yaml", "--type", "TaskTemplate", "--max-depth", "200")
    assert read.returncode == 0
    assert flytespec("validate", "deep.yaml", "--type", "TaskTemplate", "--max-depth", "200").returncode == 0
    # Without --type, detection reads within the same limit, and over it names the type and the option.
    assert flytespec("validate", "deep.yaml", "--max-depth", "200").returncode == 0
    detected = json.loads(flytespec("validate", "--format", "json", "deep.json").stdout)["files"][0]["error"]
    assert " as flytespec.core.TaskTemplate at custom" in detected
    assert detected.endswith("(--max-depth N raises the limit)")
    # Binary: protobuf's parser reads 101 levels whatever the option says, so the error does not offer it.
    assert flytespec("convert", "deep.json", "deep.pb", "--type", "TaskTemplate", "--max-depth", "200").returncode == 0
    binary = _one_line_error(flytespec("convert", "deep.pb", "-o", "-", "--type", "TaskTemplate", "--max-depth", "200"))
    assert "deep.pb: " in binary
    assert "--max-depth" not in binary


def test_read_limits_apply_to_archive_members(flytespec: Run) -> None:
    proc = flytespec("validate", "--format", "json", str(EXAMPLES / "pyflyte"), "--max-size", "64")
    assert proc.returncode == 2
    files = json.loads(proc.stdout)["files"]
    assert len(files) == 4
    assert all(f["error"].endswith("(--max-size BYTES raises the limit)") for f in files)


@pytest.mark.parametrize("option", ["--max-size", "--max-depth"])
@pytest.mark.parametrize("bad", ["0", "-1", "1k", "", "\u00b2"])  # "²" is a digit to str.isdigit
def test_read_limits_refuse_bad_values(option: str, bad: str, flytespec: Run) -> None:
    refused = flytespec("validate", option, bad, str(CLOSURE))
    assert refused.returncode == 2
    assert refused.stderr.rstrip().endswith(f"argument {option}: expected a whole number above 0, got {bad!r}")


def test_options_set_process_defaults_for_one_call_only(capsys: pytest.CaptureFixture[str]) -> None:
    from flytespec import validate as validation

    before = (io.DEFAULT_MAX_SIZE, io.DEFAULT_MAX_DEPTH, validation.MESSAGE_LIMIT)
    path = str(ERRORS / "SpecTooLarge.yaml")
    assert main(["validate", path, "--max-size", "10", "--max-depth", "5", "--message-limit", "1500"]) == 2
    assert before == (io.DEFAULT_MAX_SIZE, io.DEFAULT_MAX_DEPTH, validation.MESSAGE_LIMIT)
    capsys.readouterr()

    def codes(*options: str) -> list[str]:
        assert main(["validate", path, "--format", "json", *options]) == 0
        return [d["code"] for d in json.loads(capsys.readouterr().out)["files"][0]["diagnostics"]]

    assert codes("--message-limit", "1500") == ["SpecTooLarge"]
    assert codes() == []  # the next call starts from the defaults
    assert before == (io.DEFAULT_MAX_SIZE, io.DEFAULT_MAX_DEPTH, validation.MESSAGE_LIMIT)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_file_names_that_are_not_utf8_are_printed_escaped(fmt: str, flytespec: Run, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "specs")
    os.mkdir(folder)
    with open(os.path.join(folder, b"caf\xe9.yaml"), "wb") as handle:
        handle.write((EXAMPLES / "broken" / "etl.broken.closure.yaml").read_bytes())
    strict = {"PYTHONIOENCODING": "utf-8"}  # no surrogateescape: a name kept as surrogates cannot be written as is
    proc = flytespec("validate", "--format", fmt, "specs", env=strict)
    assert proc.returncode == 1, proc.stderr
    # The byte 0xe9, as os.fsdecode keeps it, escaped; in SARIF, a URI, percent-encoded.
    assert ("specs/caf%E9.yaml" if fmt == "sarif" else "caf\\udce9.yaml") in proc.stdout
    assert flytespec("digest", "specs", env=strict).stdout.rstrip().endswith("caf\\udce9.yaml")


def test_a_type_name_that_is_not_utf8_is_an_unknown_type(flytespec: Run) -> None:
    name = os.fsdecode(b"N\xffode")
    for args in (["schema", name], ["validate", "--type", name, str(CLOSURE)]):
        proc = flytespec(*args)
        assert proc.returncode == 2
        assert "unknown message type 'N\\udcffode'" in _one_line_error(proc)


def test_unreadable_input_is_exit_2_and_the_others_are_still_checked(flytespec: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("workflow: [\n")
    proc = flytespec("validate", "--format", "json", str(bad), str(ERRORS / "CycleDetected.yaml"))
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert document["files"][0]["error"].startswith(f"{bad}:")
    assert document["files"][1]["diagnostics"][0]["code"] == "CycleDetected"
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 0, "unreadable": 1}


@pytest.mark.parametrize("command", ["convert", "compile", "graph", "digest"])
def test_missing_path_is_a_one_line_error(command: str, flytespec: Run) -> None:
    args = {"convert": ["-o", "-"], "compile": ["-o", "-"]}.get(command, [])
    proc = flytespec(command, "no/such/file.yaml", *args)
    assert proc.returncode == 2
    assert _one_line_error(proc) == "flytespec: error: no/such/file.yaml: no such file or folder"


def test_validate_reports_a_missing_path_and_checks_the_others(flytespec: Run) -> None:
    proc = flytespec("validate", "--format", "sarif", "no/such/file.yaml", str(ERRORS / "CycleDetected.yaml"))
    assert proc.returncode == 2
    (run,) = json.loads(proc.stdout)["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["CycleDetected"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == "no/such/file.yaml: no such file or folder"


@pytest.mark.parametrize("command", ["validate", "digest", "compile"])
def test_a_folder_without_specs_is_unreadable(command: str, flytespec: Run, tmp_path: Path) -> None:
    # An empty build output must not pass as "0 specs checked".
    (tmp_path / "out" / "sub").mkdir(parents=True)
    (tmp_path / "out" / "sub" / "notes.txt").write_text("not a spec")
    extra = ["-q"] if command == "validate" else ["-o", "c.json"] if command == "compile" else []
    proc = flytespec(command, "out/", *extra)
    assert proc.returncode == 2
    if command == "validate":
        (line,) = proc.stdout.splitlines()
    else:
        line = _one_line_error(proc)
    assert "out/: no specs found (looked for .pb, " in line
    assert ".tgz" in line


def test_an_empty_folder_beside_good_files_still_fails(flytespec: Run, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    proc = flytespec("validate", "--format", "json", str(CLOSURE), "out")
    assert proc.returncode == 2
    document = json.loads(proc.stdout)
    assert [f["file"] for f in document["files"]] == [str(CLOSURE), "out"]
    assert document["files"][1]["error"].startswith("out: no specs found")


@pytest.mark.parametrize("command", ["validate", "convert", "compile", "graph", "diff", "digest"])
def test_an_unknown_type_is_a_usage_error_before_reading(command: str, flytespec: Run) -> None:
    # The input does not exist: were it read first, that would be the error.
    args = {"convert": ["in.yaml", "out.json"], "compile": ["in.yaml", "-o", "c.json"], "diff": ["in.yaml", "b.yaml"]}
    proc = flytespec(command, "--type", "Bogus", *args.get(command, ["in.yaml"]))
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = _one_line_error(proc)
    assert line.startswith("flytespec: error: --type: unknown message type 'Bogus': ")
    assert "'WorkflowClosure'" in line  # how to spell one
    assert "in.yaml" not in line


@pytest.mark.parametrize("command", ["validate", "compile", "graph", "diff"])
def test_a_well_known_type_is_refused_where_a_spec_is_needed(command: str, flytespec: Run) -> None:
    args = {"compile": ["-o", "-"], "diff": [str(CLOSURE)]}.get(command, [])
    proc = flytespec(command, "--type", "google.protobuf.Struct", str(CLOSURE), *args)
    assert proc.returncode == 2
    assert _one_line_error(proc) == (
        f"flytespec: error: --type: {command} works on flytespec messages (WorkflowClosure, TaskSpec, ...), "
        "not google.protobuf.Struct"
    )


def test_sarif(flytespec: Run) -> None:
    proc = flytespec("validate", "--format", "sarif", str(ERRORS / "CycleDetected.yaml"), str(CLOSURE))
    assert proc.returncode == 1
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    (result,) = run["results"]
    assert result["ruleId"] == "CycleDetected"
    assert rules[result["ruleIndex"]] == "CycleDetected"
    assert result["level"] == "error"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == str(ERRORS / "CycleDetected.yaml")
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "workflow.nodes[0]"


def test_validate_reads_stdin(flytespec: Run) -> None:
    proc = flytespec("validate", "-", stdin=(ERRORS / "CycleDetected.yaml").read_text())
    assert proc.returncode == 1
    assert proc.stdout.startswith("<stdin>: workflow.nodes[0]: CycleDetected: ")


def test_validate_colours_only_when_asked_or_on_a_terminal(flytespec: Run) -> None:
    path = str(ERRORS / "CycleDetected.yaml")
    assert "\033[" not in flytespec("validate", path).stdout
    assert "\033[31mCycleDetected\033[0m" in flytespec("validate", "--color", "always", path).stdout


def test_output_is_deterministic_across_hash_seeds(flytespec: Run) -> None:
    paths = [str(p) for p in sorted(ERRORS.glob("*.yaml"))]
    outputs = {
        flytespec("validate", "--format", "json", *paths, env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "77")
    }
    assert len(outputs) == 1


# --------------------------------------------------------------------------------------------------------------
# convert


@pytest.mark.parametrize("target", ["out.pb", "out.json", "out.yaml"])
def test_convert_by_extension_round_trips(target: str, flytespec: Run, tmp_path: Path) -> None:
    assert flytespec("convert", str(CLOSURE), target).returncode == 0
    assert io.load(tmp_path / target) == io.load(CLOSURE)
    assert io.format_from_name(target) == io.detect_format((tmp_path / target).read_bytes())


def test_convert_stdin_to_stdout(flytespec: Run) -> None:
    proc = flytespec("convert", "-", "-o", "-", "--to", "json", stdin=CLOSURE.read_text())
    assert proc.returncode == 0
    assert io.from_json(proc.stdout, "WorkflowClosure") == io.load(CLOSURE)
    assert json.loads(proc.stdout)["workflow"]["id"]["name"] == "etl.pipeline.etl"


def test_convert_proto_names(flytespec: Run) -> None:
    proc = flytespec("convert", str(CLOSURE), "-o", "-", "--proto-names")
    assert "upstream_node_ids" in proc.stdout
    assert "upstreamNodeIds" not in proc.stdout


def test_convert_needs_the_type_when_it_cannot_be_told(flytespec: Run, tmp_path: Path) -> None:
    node = ROOT / "docs" / "examples" / "node.yaml"
    refused = flytespec("convert", str(node), "-o", "-")
    assert refused.returncode == 2
    assert "--type" in _one_line_error(refused)
    assert flytespec("convert", str(node), "-o", "-", "--type", "Node").returncode == 0


def test_convert_refuses_unknown_fields_in_text_unless_dropped(flytespec: Run, tmp_path: Path) -> None:
    message = io.load(CLOSURE)
    newer = io.to_binary(message) + b"\xf8\x3f\x01"  # field 1023, varint: written by a newer Flyte
    (tmp_path / "newer.pb").write_bytes(newer)
    refused = flytespec("convert", "newer.pb", "out.json", "--type", "WorkflowClosure")
    assert refused.returncode == 2
    line = _one_line_error(refused)
    assert line.startswith("flytespec: error: newer.pb: ")  # the file
    assert "--drop-unknown-fields" in line  # the option that writes it anyway (not the Python keyword)
    assert not (tmp_path / "out.json").exists()
    dropped = flytespec("convert", "newer.pb", "out.json", "--type", "WorkflowClosure", "--drop-unknown-fields")
    assert dropped.returncode == 0
    assert dropped.stderr.startswith("flytespec: warning: newer.pb: ")
    assert flytespec("convert", "newer.pb", "same.pb", "--type", "WorkflowClosure").returncode == 0
    assert (tmp_path / "same.pb").read_bytes() == newer  # binary keeps them


@pytest.mark.parametrize("fmt", ["json", "yaml", "go-json"])
def test_compile_refuses_unknown_fields_in_text_unless_dropped(fmt: str, flytespec: Run, tmp_path: Path) -> None:
    closure = io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure)
    closure.tasks[0].metadata.MergeFromString(b"\xf8\x3f\x01")  # field 1023 of TaskMetadata: from a newer Flyte
    (tmp_path / "newer.pb").write_bytes(io.to_binary(closure))
    args = ("compile", "newer.pb", "--type", "WorkflowClosure", "-o", "out.txt", "--format", fmt)
    line = _one_line_error(flytespec(*args))
    assert line.startswith("flytespec: error: newer.pb: ")
    assert "tasks[0].template.metadata" in line  # where, in the compiled closure
    assert "--drop-unknown-fields" in line
    assert not (tmp_path / "out.txt").exists()
    dropped = flytespec(*args, "--drop-unknown-fields")
    assert dropped.returncode == 0
    assert dropped.stderr.startswith("flytespec: warning: newer.pb: ")
    kept = flytespec("compile", "newer.pb", "--type", "WorkflowClosure", "-o", "out.pb")
    assert kept.returncode == 0
    out = io.load(tmp_path / "out.pb", compiler_pb2.CompiledWorkflowClosure)
    assert out.tasks[0].template.metadata.SerializeToString().endswith(b"\xf8\x3f\x01")  # binary keeps them


def test_values_with_no_json_form_are_refused_naming_the_file(flytespec: Run, tmp_path: Path) -> None:
    closure = io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure)
    closure.tasks[0].custom["x"] = float("nan")
    (tmp_path / "nan.pb").write_bytes(io.to_binary(closure))
    for args in (["convert", "nan.pb", "-o", "-", "--to", "json"], ["compile", "nan.pb", "-o", "-"]):
        line = _one_line_error(flytespec(*args, "--type", "WorkflowClosure"))
        assert line.startswith("flytespec: error: nan.pb: cannot write ")
        assert 'custom["x"]' in line


def test_convert_output_errors(flytespec: Run, tmp_path: Path) -> None:
    assert flytespec("convert", str(CLOSURE)).returncode == 2
    assert flytespec("convert", str(CLOSURE), "out.txt").returncode == 2
    assert "out.txt" in _one_line_error(flytespec("convert", str(CLOSURE), "out.txt"))


@pytest.mark.parametrize(
    "command",
    [
        ["convert", str(CLOSURE), "-o"],
        ["convert", str(CLOSURE)],
        ["compile", str(CLOSURE), "-o"],
        ["graph", str(CLOSURE), "-o"],
        ["schema", "WorkflowClosure", "-o"],
    ],
    ids=["convert -o", "convert OUT", "compile", "graph", "schema"],
)
def test_a_write_error_names_the_output_not_a_temporary_file(
    command: list[str], flytespec: Run, tmp_path: Path
) -> None:
    missing = flytespec(*command, "missing/dir/x.json")
    assert missing.returncode == 2
    line = _one_line_error(missing)
    assert line == "flytespec: error: missing/dir/x.json: cannot write: the folder missing/dir does not exist"
    (tmp_path / "file").write_text("")
    under_a_file = flytespec(*command, "file/x.json")
    assert under_a_file.returncode == 2
    assert _one_line_error(under_a_file) == "flytespec: error: file/x.json: cannot write: file is not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no temporary file left behind


# --------------------------------------------------------------------------------------------------------------
# compile


def test_compile_a_closure(flytespec: Run, tmp_path: Path) -> None:
    assert flytespec("compile", str(CLOSURE), "-o", "c.pb").returncode == 0
    compiled = io.load(tmp_path / "c.pb", compiler_pb2.CompiledWorkflowClosure)
    assert compiled.primary.template.nodes[0].id == "start-node"


def test_compile_go_json_is_compilers_output(flytespec: Run) -> None:
    from flytespec.compiler import compile, to_go_json

    proc = flytespec("compile", str(CLOSURE), "-o", "-", "--format", "go-json")
    assert proc.stdout == to_go_json(compile(io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure))) + "\n"


def test_compile_a_folder_of_pyflyte_files(flytespec: Run, tmp_path: Path) -> None:
    from flytespec.compiler import compile

    assert flytespec("compile", str(EXAMPLES / "pyflyte"), "-o", "c.json").returncode == 0
    assert io.load(tmp_path / "c.json", "CompiledWorkflowClosure") == compile(
        io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure)
    )


def test_compile_refuses_a_broken_workflow_with_its_diagnostics(flytespec: Run, tmp_path: Path) -> None:
    proc = flytespec("compile", str(ERRORS / "CycleDetected.yaml"), "-o", "c.pb")
    assert proc.returncode == 1
    assert ": workflow.nodes[0]: CycleDetected: " in proc.stdout
    assert not (tmp_path / "c.pb").exists()


def test_compile_errors_name_the_input_and_the_option(flytespec: Run) -> None:
    task_file = str(EXAMPLES / "gpu-train.task.json")
    no_workflow = flytespec("compile", task_file, "-o", "c.pb")
    assert no_workflow.returncode == 2
    assert _one_line_error(no_workflow).startswith(f"flytespec: error: {task_file}: ")
    unknown = flytespec("compile", str(CLOSURE), "-o", "c.txt")
    assert unknown.returncode == 2
    assert _one_line_error(unknown).endswith("or --format")
    assert flytespec("compile", str(CLOSURE), "-o", "c.txt", "--format", "json").returncode == 0


def test_compile_needs_a_workflow_choice_when_there_are_several(flytespec: Run) -> None:
    proc = flytespec("compile", str(CLOSURE), str(ERRORS / "CycleDetected.yaml"), "-o", "-")
    assert proc.returncode == 2
    assert "--workflow" in _one_line_error(proc)
    chosen = flytespec(
        "compile", str(CLOSURE), str(ERRORS / "CycleDetected.yaml"), "-o", "-", "--workflow", "etl.pipeline.etl"
    )
    assert chosen.returncode == 0


def test_workflows_of_one_name_in_several_files_are_refused_not_picked_by_order(flytespec: Run) -> None:
    v2 = ROOT / "docs" / "examples" / "etl-v2.closure.yaml"  # another etl.pipeline.etl
    for extra in ([], ["--workflow", "etl.pipeline.etl"]):
        line = _one_line_error(flytespec("compile", str(CLOSURE), str(v2), "-o", "-", *extra))
        assert f"etl.pipeline.etl in {CLOSURE}" in line  # each with its file
        assert f"etl.pipeline.etl in {v2}" in line
        assert "--workflow" not in line  # which cannot tell them apart
    assert flytespec("compile", str(CLOSURE), str(CLOSURE), "-o", "c.pb").returncode == 0  # the same spec twice


def test_graph_checks_the_workflow_asked_for(flytespec: Run) -> None:
    assert flytespec("graph", str(CLOSURE), "--workflow", "etl.pipeline.etl").returncode == 0
    refused = flytespec("graph", str(CLOSURE), "--workflow", "nope")
    assert refused.returncode == 2
    assert "(workflows: etl.pipeline.etl)" in _one_line_error(refused)


@pytest.mark.parametrize(
    "args",
    [["validate", "-", "-"], ["digest", "-", "-"], ["diff", "-", "-"], ["compile", "-", "-", "-o", "-"]],
)
def test_stdin_is_given_once(args: list[str], flytespec: Run) -> None:
    proc = flytespec(*args, stdin=CLOSURE.read_text())
    assert proc.returncode == 2
    assert _one_line_error(proc).startswith("flytespec: error: - (stdin) is given more than once")


def test_convert_from_reads_archive_members_and_keeps_the_limits(flytespec: Run) -> None:
    member = f"{ROOT / 'docs' / 'examples' / 'etl-package.tgz'}!002_etl.pipeline.etl_2.pb"
    proc = flytespec("convert", "--from", "binary", member, "-o", "-")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["template"]["id"]["name"] == "etl.pipeline.etl"
    refused = flytespec("convert", "--from", "yaml", str(CLOSURE), "-o", "-", "--max-size", "10")
    assert _one_line_error(refused).endswith("(--max-size BYTES raises the limit)")
    piped = flytespec("convert", "--from", "yaml", "-", "-o", "-", stdin=CLOSURE.read_text())
    assert json.loads(piped.stdout)["workflow"]["id"]["name"] == "etl.pipeline.etl"


def _parent_of_the_daily_launch_plan() -> admin_workflow_pb2.WorkflowSpec:
    """A workflow running the pyflyte example's launch plan (which has no closure) with a wrong binding."""
    launch_plan = io.load(EXAMPLES / "pyflyte" / "003_etl.pipeline.daily_3.pb", launch_plan_pb2.LaunchPlan)
    parent = admin_workflow_pb2.WorkflowSpec()
    template = parent.template
    template.id.CopyFrom(launch_plan.id)
    template.id.resource_type = identifier_pb2.WORKFLOW
    template.id.name = "parent"
    template.metadata.SetInParent()
    template.interface.SetInParent()
    node = template.nodes.add(id="n0")
    node.workflow_node.launchplan_ref.CopyFrom(launch_plan.id)
    node.inputs.add(var="date").binding.scalar.primitive.integer = 5  # 'date' is a STRING
    return parent


def test_compile_checks_launch_plans_against_the_workflows_in_the_group(flytespec: Run, tmp_path: Path) -> None:
    for member in (EXAMPLES / "pyflyte").iterdir():
        shutil.copy(member, tmp_path / member.name)
    io.dump(_parent_of_the_daily_launch_plan(), tmp_path / "004_parent_2.pb")
    proc = flytespec("compile", str(tmp_path), "--workflow", "parent", "-o", "c.pb")
    assert proc.returncode == 1
    assert ": template.nodes[0].inputs[0].binding.scalar: MismatchingTypes: " in proc.stdout
    assert not (tmp_path / "c.pb").exists()


# --------------------------------------------------------------------------------------------------------------
# graph, diff, digest, schema


@pytest.mark.parametrize(("fmt", "start"), [("mermaid", "%% workflow"), ("dot", "digraph")])
def test_graph(fmt: str, start: str, flytespec: Run) -> None:
    proc = flytespec("graph", str(CLOSURE), "--format", fmt)
    assert proc.returncode == 0
    assert proc.stdout.startswith(start)
    assert "task etl.pipeline.extract" in proc.stdout
    assert "gate: sleep 30s" in proc.stdout


def test_graph_of_a_task_is_refused(flytespec: Run) -> None:
    task = EXAMPLES / "gpu-train.task.json"
    proc = flytespec("graph", str(task))
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert line.startswith(f"flytespec: error: {task}: a flytespec.core.TaskTemplate ")  # the file and what it holds
    assert "WorkflowClosure" in line  # what to give instead


def test_diff_statuses(flytespec: Run, tmp_path: Path) -> None:
    shutil.copy(CLOSURE, tmp_path / "a.yaml")
    message = io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure)
    message.workflow.nodes[0].metadata.retries.retries = 9
    io.dump(message, tmp_path / "b.pb")
    assert flytespec("diff", "a.yaml", "a.yaml").returncode == 0
    changed = flytespec("diff", "a.yaml", "b.pb", "--format", "json")
    assert changed.returncode == 1
    (change,) = json.loads(changed.stdout)["changes"]
    assert change == {"kind": "changed", "path": 'workflow.nodes[id="n0"].metadata.retries.retries', "old": 3, "new": 9}
    other_type = flytespec("diff", "a.yaml", str(EXAMPLES / "etl.launchplan.yaml"))
    assert other_type.returncode == 2
    line = _one_line_error(other_type)
    assert "flytespec.core.WorkflowClosure (a.yaml)" in line  # both types, each with its file
    assert f"flytespec.admin.LaunchPlan ({EXAMPLES / 'etl.launchplan.yaml'})" in line


def test_digest_is_format_independent(flytespec: Run, tmp_path: Path) -> None:
    io.dump(io.load(CLOSURE), tmp_path / "c.pb")
    io.dump(io.load(CLOSURE), tmp_path / "c.json")
    lines = flytespec("digest", str(CLOSURE), "c.pb", "c.json").stdout.splitlines()
    assert len({line.split()[0] for line in lines}) == 1
    assert lines[0].split()[0] == digest(io.load(CLOSURE))


@pytest.mark.parametrize("given", [None, {}, b"bytes"])
def test_digest_of_what_is_not_a_message_is_a_type_error(given: object) -> None:
    with pytest.raises(TypeError, match=f"got {type(given).__name__}$"):
        digest(given)  # type: ignore[arg-type]


def test_schema_command(flytespec: Run, tmp_path: Path) -> None:
    proc = flytespec("schema", "admin.LaunchPlan", "-o", "lp.schema.json")
    assert proc.returncode == 0
    schema = json.loads((tmp_path / "lp.schema.json").read_text())
    assert schema["$ref"] == "#/$defs/flytespec.admin.LaunchPlan"
    unknown = flytespec("schema", "NoSuchMessage")
    assert unknown.returncode == 2
    _one_line_error(unknown)


def test_debug_shows_the_traceback(flytespec: Run) -> None:
    plain = flytespec("schema", "NoSuchMessage")
    assert "Traceback" not in plain.stderr
    debug = flytespec("schema", "NoSuchMessage", "--debug")
    assert "Traceback" in debug.stderr
    assert "UnknownMessageTypeError" in debug.stderr


def _with_stdout_closed(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``flytespec ARGS`` as ``flytespec ARGS >&-`` does: file descriptor 1 closed."""
    return subprocess.run(
        [*entry_point(), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def test_closed_stdout_is_a_usage_error_for_what_writes_to_it(tmp_path: Path) -> None:
    report = _with_stdout_closed("validate", str(CLOSURE), cwd=tmp_path)
    assert report.returncode == 2
    assert report.stderr.decode().startswith("flytespec: error: standard output is closed")
    assert _with_stdout_closed("convert", str(CLOSURE), "-o", "-", "--to", "json", cwd=tmp_path).returncode == 2
    # A command that writes to a file needs no stdout.
    assert _with_stdout_closed("convert", str(CLOSURE), "-o", "wf.json", cwd=tmp_path).returncode == 0
    assert io.load(tmp_path / "wf.json") == io.load(CLOSURE)


def test_stdin_is_read_no_further_than_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdin was read whole before its size was checked: an endless pipe never ended, a big one filled memory."""
    import io as stdio

    from flytespec.cli import main

    class Endless(stdio.RawIOBase):
        given = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            Endless.given += len(buffer)
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

    monkeypatch.setattr("sys.stdin", stdio.TextIOWrapper(stdio.BufferedReader(Endless(), buffer_size=64)))
    assert main(["digest", "-", "--max-size", "1000"]) == 2
    assert Endless.given < 2_000


def test_main_returns_the_exit_status_of_a_usage_error() -> None:
    """main() raised argparse's SystemExit, where the docs say it returns the status."""
    from flytespec.cli import main

    assert main(["convert"]) == 2
    assert main(["--help"]) == 0
