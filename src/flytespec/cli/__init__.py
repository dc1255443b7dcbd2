"""The ``flytespec`` command line (also ``python -m flytespec``): validate, convert, compile, graph, diff and digest
spec files, and write JSON Schemas, with no Flyte cluster.

Exit codes: 0 success (``validate``: no errors; ``diff``: no differences), 1 problems found (``validate``:
diagnostics; ``compile``: the workflow does not compile; ``diff``: differences), 2 usage errors and unreadable input,
3 an internal error (a bug: please report it with the ``--debug`` traceback).

Every error is one line on stderr, ``flytespec: error: ...``; ``--debug`` shows the traceback instead. This module
imports only :mod:`argparse`; each command imports what it needs when it runs, so ``flytespec --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence

__all__ = ["EXIT_DIFFERENT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_DIFFERENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

_FORMATS = ("binary", "json", "yaml")

_DESCRIPTION = """\
Validate, convert, compile, graph, diff and digest Flyte spec files (binary protobuf, JSON or YAML, and
`pyflyte package` archives), offline.

Run `flytespec COMMAND --help` for the options and an example of each command.
"""

_EPILOG = """\
exit codes: 0 ok, 1 problems found (diagnostics, a refused compile, differences), 2 usage error or unreadable
input, 3 internal error.

examples:
  flytespec validate build/flyte-package.tgz
  flytespec convert wf.pb wf.yaml
  flytespec graph wf.yaml --format mermaid
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=min(100, max(60, _columns())))


def _columns() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback when something fails"
    )


def _type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        metavar="MESSAGE",
        help="the message type of the input when it cannot be detected (WorkflowClosure, admin.TaskSpec, ...)",
    )


def _byte_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a number of bytes (0 or more), got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return int(text)


def _read_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--max-size`` and ``--max-depth``: the limits of the readers (docs/limits.md), for this command."""
    parser.add_argument(
        "--max-size",
        type=_positive,
        metavar="BYTES",
        help="the largest spec file read, in bytes (default 268435456, 256 MiB)",
    )
    parser.add_argument(
        "--max-depth",
        type=_positive,
        metavar="N",
        help="the deepest nesting of messages read from JSON and YAML (default 100; protobuf reads binary to "
        "101 levels at most)",
    )


def _color_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output: auto (on a terminal, unless NO_COLOR is set), always or never",
    )


def _command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: str,
    summary: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog="example:\n" + examples,
        formatter_class=_Formatter,
    )
    parser.set_defaults(handler=handler)
    _add_common_options(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``flytespec`` command."""
    parser = argparse.ArgumentParser(
        prog="flytespec", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_Formatter
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", default=False, help="show a traceback when something fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(
        sub,
        "validate",
        "flytespec.cli._validate:run",
        "check spec files, folders and pyflyte archives",
        "Check spec files as Flyte's compiler and admin service would: field constraints, references, types,\n"
        "bindings, the graph. Folders are searched recursively. Files given together, and the members of one\n"
        "`pyflyte package` archive, are checked together: workflows against their tasks, launch plans against\n"
        "their workflows. Format and message type are detected per file.\n\n"
        "Exit status: 0 when there are no errors (warnings allowed unless --strict), 1 when there are, 2 when\n"
        "an input cannot be read.",
        "  flytespec validate build/flyte-package.tgz specs/ --format sarif > flytespec.sarif",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="spec files, folders, .tgz archives, or - for stdin")
    p.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text (one line per diagnostic, default), json, or sarif (for code-scanning UIs)",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument(
        "--message-limit",
        type=_byte_count,
        metavar="BYTES",
        help="the largest gRPC message your Flyte admin takes (its server.grpc.maxMessageSizeBytes; 4194304 when "
        "unset): specs over three quarters of it get a SpecTooLarge warning; 0 turns the check off",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="text: print the diagnostics only, no summary")
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="a progress bar on stderr: auto (when many files are checked on a terminal), always or never",
    )
    _type_option(p)
    _read_limit_options(p)
    _color_option(p)

    p = _command(
        sub,
        "convert",
        "flytespec.cli._commands:convert",
        "convert a spec between binary protobuf, JSON and YAML",
        "Read a spec in any format and write it in another: the format comes from the file extensions\n"
        "(.pb, .json, .yaml) or the options. Nothing is lost: JSON and YAML cannot hold fields unknown to\n"
        "flytespec, so such input is refused unless --drop-unknown-fields.",
        "  flytespec convert 002_wf_2.pb wf.yaml\n  flytespec convert wf.yaml -o - --to json",
    )
    p.add_argument("input", metavar="IN", help="the spec file (ARCHIVE!MEMBER for an archive member), or - for stdin")
    p.add_argument("output", metavar="OUT", nargs="?", help="the file to write")
    p.add_argument("-o", "--output", dest="output_option", metavar="OUT", help="the file to write, - for stdout")
    p.add_argument("--to", choices=_FORMATS, help="the output format (default: from OUT's extension; stdout: json)")
    p.add_argument("--from", dest="from_format", choices=_FORMATS, help="the input format when not detected")
    p.add_argument("--proto-names", action="store_true", help="JSON/YAML: .proto field names instead of camelCase")
    p.add_argument(
        "--drop-unknown-fields",
        action="store_true",
        help="JSON/YAML: leave out fields unknown to flytespec (with a warning) instead of failing",
    )
    _type_option(p)
    _read_limit_options(p)

    p = _command(
        sub,
        "compile",
        "flytespec.cli._commands:compile",
        "compile a workflow into a CompiledWorkflowClosure",
        "Compile a workflow as Flyte's compiler does, from a WorkflowClosure, a `pyflyte package` archive, or\n"
        "a workflow file with its task files. What the inputs hold together is used: the workflow's tasks,\n"
        "subworkflows and launch plans. A workflow that does not compile is refused with every diagnostic\n"
        "(exit status 1).",
        "  flytespec compile build/flyte-package.tgz --workflow etl.pipeline.etl -o etl.compiled.pb",
    )
    p.add_argument("inputs", nargs="+", metavar="IN", help="spec files, folders or archives (- for stdin)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write, - for stdout")
    p.add_argument(
        "--format",
        choices=(*_FORMATS, "go-json"),
        help="the output format (default: from OUT's extension; stdout: json); go-json writes what Flyte's Go "
        "code writes, byte for byte",
    )
    p.add_argument("--workflow", metavar="NAME", help="the workflow to compile when the inputs hold several")
    p.add_argument(
        "--drop-unknown-fields",
        action="store_true",
        help="JSON/YAML: leave out fields unknown to flytespec (with a warning) instead of failing",
    )
    _type_option(p)
    _read_limit_options(p)

    p = _command(
        sub,
        "graph",
        "flytespec.cli._commands:graph",
        "draw a workflow as a Mermaid or Graphviz graph",
        "Draw the workflow a spec holds: nodes labelled with what they run, branches as diamonds with their\n"
        "conditions, gates as hexagons, array nodes marked.",
        "  flytespec graph etl.closure.yaml --format dot -o etl.dot",
    )
    p.add_argument("input", metavar="IN", help="a workflow spec, an archive, ARCHIVE!MEMBER, or - for stdin")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="mermaid (default) or dot")
    p.add_argument("-o", "--output", metavar="OUT", default="-", help="the file to write (default: stdout)")
    p.add_argument("--workflow", metavar="NAME", help="the workflow to draw when the input holds several")
    _type_option(p)
    _read_limit_options(p)

    p = _command(
        sub,
        "diff",
        "flytespec.cli._commands:diff",
        "show what changed between two specs",
        "Compare two specs of the same type: nodes added, removed and rewired, fields and bindings changed,\n"
        "by path. Lists without meaningful order (nodes, bindings) are matched by key.\n\n"
        "Exit status: 0 when the specs are the same, 1 when they differ, 2 when one cannot be read.",
        "  flytespec diff registered/002_wf_2.pb build/flyte-package.tgz!002_wf_2.pb",
    )
    p.add_argument("first", metavar="A", help="the first spec (ARCHIVE!MEMBER for an archive member)")
    p.add_argument("second", metavar="B", help="the second spec")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    _type_option(p)
    _read_limit_options(p)
    _color_option(p)

    p = _command(
        sub,
        "digest",
        "flytespec.cli._commands:digest",
        "print the content digest of specs",
        "Print the SHA-256 of each spec's deterministic binary encoding, the same whatever format the spec\n"
        "is written in: equal digests mean equal specs.",
        "  flytespec digest wf.yaml wf.pb",
    )
    p.add_argument("inputs", nargs="+", metavar="IN", help="spec files, folders, archives, or - for stdin")
    _type_option(p)
    _read_limit_options(p)

    p = _command(
        sub,
        "schema",
        "flytespec.cli._commands:schema",
        "write the JSON Schema of a message's JSON/YAML form",
        "Write a JSON Schema (draft 2020-12) for the JSON and YAML form of a message, with the field\n"
        "constraints flytespec validates, for editors and linters.",
        "  flytespec schema WorkflowClosure -o workflow-closure.schema.json",
    )
    p.add_argument("message", metavar="MESSAGE", help="a message name: WorkflowClosure, admin.TaskSpec, ...")
    p.add_argument("-o", "--output", metavar="OUT", default="-", help="the file to write (default: stdout)")
    p.add_argument(
        "--no-constraints", action="store_true", help="the shape only, without the validator's field constraints"
    )
    return parser


def _handler(spec: str) -> Callable[[argparse.Namespace], int]:
    module, _, name = spec.partition(":")
    function: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
    return function


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``flytespec`` command with ``argv`` (``sys.argv[1:]`` when None); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits on --help (0) and on a usage error (2): returned, as documented
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if args.version:
        from flytespec import __version__

        print(f"flytespec {__version__}")
        return EXIT_OK
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    debug = bool(args.debug)
    with _for_this_run(args):
        try:
            from flytespec.cli._common import check_stdin_once, check_type_option

            check_type_option(getattr(args, "type", None), args.command)
            check_stdin_once(_inputs(args))
            return _handler(args.handler)(args)
        except KeyboardInterrupt:
            if debug:
                raise
            print("flytespec: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader went away (`flytespec ... | head`): stop quietly, and keep Python from complaining at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_OK
        except Exception as err:
            if debug:
                raise
            from flytespec.cli._common import describe_error

            code, text = describe_error(err)
            print(f"flytespec: {text}", file=sys.stderr)
            return code


def _inputs(args: argparse.Namespace) -> list[str]:
    """Every input the command was given (``validate``'s paths, ``diff``'s A and B...)."""
    singles = [getattr(args, name, None) for name in ("input", "first", "second")]
    return [*getattr(args, "paths", ()), *getattr(args, "inputs", ()), *(s for s in singles if s is not None)]


@contextlib.contextmanager
def _for_this_run(args: argparse.Namespace) -> Iterator[None]:
    """What one command changes in the process, undone after it (``main`` is a library call too): the defaults its
    options set, and output that escapes file names that are not UTF-8 (``os.fsdecode`` keeps their bytes as
    surrogates) instead of failing on them."""
    undo: list[Callable[[], object]] = []
    if sys.stdout is None:  # closed by the caller (`>&-`): Python leaves None, which writes would crash on
        sys.stdout = _ClosedOutput()
        undo.append(functools.partial(setattr, sys, "stdout", None))
    for module, name, value in _settings(args):
        undo.append(functools.partial(setattr, module, name, getattr(module, name)))
        setattr(module, name, value)
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
            undo.append(functools.partial(stream.reconfigure, errors="strict"))
    try:
        yield
    finally:
        for step in reversed(undo):
            step()


class _ClosedOutput:
    """Standard output that the caller closed: writing to it is an error that says so (exit status 2)."""

    @property
    def buffer(self) -> _ClosedOutput:
        return self

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, "standard output is closed: nothing can be written to it")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _settings(args: argparse.Namespace) -> list[tuple[object, str, int]]:
    """The process-wide defaults the options set for one command: (module, attribute, value)."""
    settings: list[tuple[object, str, int]] = []
    if getattr(args, "max_size", None) is not None or getattr(args, "max_depth", None) is not None:
        from flytespec import io

        if args.max_size is not None:
            settings.append((io, "DEFAULT_MAX_SIZE", args.max_size))
        if args.max_depth is not None:
            settings.append((io, "DEFAULT_MAX_DEPTH", args.max_depth))
    if getattr(args, "message_limit", None) is not None:
        from flytespec import validate

        settings.append((validate, "MESSAGE_LIMIT", args.message_limit))
    return settings
