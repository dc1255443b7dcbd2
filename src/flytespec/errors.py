"""The exceptions flytespec raises.

Every error a user can cause is a :class:`FlytespecError`. Errors about input carry where the problem is: the
source (a file name, or ``<bytes>``/``<string>``), the format, the expected message type and, when known, the field
path from the root of the message (``workflow.nodes[3].metadata.timeout``).
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "DecodeError",
    "EncodeError",
    "FlytespecError",
    "FlytespecWarning",
    "FormatDetectionError",
    "LimitExceededError",
    "TypeDetectionError",
    "UnknownFieldsError",
    "UnknownMessageTypeError",
    "ViewConversionError",
]


class FlytespecError(Exception):
    """Base class of every error flytespec raises on purpose."""


class FlytespecWarning(UserWarning):
    """Something was accepted but deserves attention (for example input fields ignored on request)."""


class DecodeError(FlytespecError, ValueError):
    """Input could not be read as the expected message.

    Attributes:
        source: where the input came from: a path, or ``<bytes>`` / ``<string>``.
        format: ``"binary"``, ``"json"`` or ``"yaml"``, when known.
        message_type: full name of the expected message (``flytespec.core.WorkflowClosure``), when known.
        path: field path of the problem from the root message, ``""`` for the root, ``None`` when unknown.
        reason: what is wrong and what was expected.
        line, column: 1-based position in text input, when known.
        offset: 0-based byte offset of the problem in the input, when known.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str = "<input>",
        format: str | None = None,
        message_type: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.reason = reason
        self.offset = offset
        self.source = source
        self.format = format
        self.message_type = message_type
        self.path = path
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        what = "cannot read"
        if self.format:
            what += f" {_FORMAT_NAMES.get(self.format, self.format)}"
        if self.message_type:
            what += f" as {self.message_type}"
        at = f" at {self.path}" if self.path else (" at the root" if self.path == "" else "")
        return f"{where}: {what}{at}: {self.reason}"


class FormatDetectionError(DecodeError):
    """The format of the input could not be told from its name or content."""


class LimitExceededError(DecodeError):
    """The input is larger, or nested deeper, than the limit flytespec reads (see ``docs/limits.md``).

    Raised before the work the limit guards: an input over ``max_size`` is refused before it is parsed (a file before
    it is read), nesting over ``max_depth`` before the messages below it are built.

    Attributes:
        limit: the name of the limit: ``"max_size"`` or ``"max_depth"`` (the keyword arguments that set them), or one
            of YAML's fixed guards, ``"yaml_nesting"`` (levels of mappings and lists) and ``"yaml_aliases"`` (how many
            times aliases may multiply a document).
        value: the limit's value in force.
    """

    def __init__(
        self,
        reason: str,
        *,
        limit: str,
        value: int,
        source: str = "<input>",
        format: str | None = None,
        message_type: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.limit = limit
        self.value = value
        super().__init__(
            reason,
            source=source,
            format=format,
            message_type=message_type,
            path=path,
            line=line,
            column=column,
            offset=offset,
        )


class TypeDetectionError(DecodeError):
    """The message type of the input was not given and could not be told from its name or content."""


class UnknownMessageTypeError(FlytespecError, LookupError):
    """A message type name does not name a flytespec (or well-known) message."""


class EncodeError(FlytespecError, ValueError):
    """A message could not be written in the requested format.

    Attributes:
        message_type: full name of the message being written.
        path: field path of the problem from the root message (``""`` for the root), when known.
        reason: what is wrong.
        target: the file being written, when the file itself could not be written.
    """

    def __init__(
        self, reason: str, *, message_type: str | None = None, path: str | None = None, target: str | None = None
    ) -> None:
        self.reason = reason
        self.message_type = message_type
        self.path = path
        self.target = target
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.target is not None:
            return f"{self.target}: cannot write: {self.reason}"
        what = f"cannot write {self.message_type}" if self.message_type else "cannot write message"
        at = f" at {self.path}" if self.path else ""
        return f"{what}{at}: {self.reason}"


class UnknownFieldsError(EncodeError):
    """The message holds fields this version of flytespec does not know, and the target format cannot carry them.

    Binary output keeps unknown fields; JSON and YAML cannot represent them, so writing them there would lose data.
    ``paths`` lists the messages that hold them.
    """

    def __init__(self, paths: list[str], *, message_type: str | None = None) -> None:
        self.paths = paths
        super().__init__(
            f"fields unknown to this version of flytespec at {self.where(paths)} cannot be written as JSON or YAML "
            "(binary output keeps them); pass drop_unknown_fields=True to write without them",
            message_type=message_type,
        )

    @staticmethod
    def where(paths: list[str]) -> str:
        """The first five of ``paths`` (``<root>`` for the root), and how many more: ``nodes[0], <root> and 7 more``."""
        shown = ", ".join(p or "<root>" for p in paths[:5])
        return shown + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


class BuildError(FlytespecError, ValueError):
    """A builder was given an argument it cannot use (a bad quantity, an unknown input, two members of one oneof).

    Attributes:
        where: what was being built and the argument, as a path (``task 'etl.load': requests.cpu``).
        reason: what is wrong and what was expected.
    """

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}" if where else reason)


class ViewConversionError(FlytespecError, ValueError):
    """A conversion to or from the betterproto2 view would not be exact, so it was refused.

    Attributes:
        message_type: full name of the message.
        path: field path of the first value the view (or, converting back, the message) cannot hold exactly.
    """

    def __init__(self, reason: str, *, message_type: str, path: str, back: bool = False) -> None:
        self.reason = reason
        self.message_type = message_type
        self.path = path
        where = path or "<root>"
        if back:
            text = f"cannot convert the betterproto2 view back to {message_type} exactly at {where}: {reason}"
        else:
            text = f"cannot convert {message_type} to the betterproto2 view exactly at {where}: {reason}"
        super().__init__(text)


_FORMAT_NAMES = {"binary": "binary protobuf", "json": "JSON", "yaml": "YAML"}
