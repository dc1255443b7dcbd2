"""Writing files atomically, with errors that name the file asked for."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from flytespec.errors import EncodeError

__all__ = ["write_atomic"]


def write_atomic(path: Path, payload: bytes, message_type: str | None = None) -> None:
    """Write ``payload`` to ``path`` through a temporary file beside it, renamed over it once written, so a failure
    never leaves a half-written file. A new file gets the usual permissions (0o666 less the umask), an existing one
    keeps its own. A symbolic link is followed (the file it names is replaced, the link kept); a pipe or a device
    (``/dev/stdout``) is written in place, as it cannot be replaced.

    Raises:
        EncodeError: the file cannot be written; it names ``path`` (never the temporary file) and says why.
    """
    tmp: str | None = None
    try:
        try:
            kind: int | None = os.stat(path).st_mode  # follows links
        except FileNotFoundError:
            kind = None
        if kind is not None and not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
            with open(path, "wb") as handle:
                handle.write(payload)
            return
        target = path.resolve() if path.is_symlink() else path
        mode = kind & 0o777 if kind is not None else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise EncodeError(_why_not_written(path, err), message_type=message_type, target=str(path)) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _why_not_written(path: Path, err: OSError) -> str:
    folder = path.parent
    if path.is_dir():
        return "it is a folder; give a file name"
    if not folder.is_dir():
        if folder.exists():
            return f"{folder.as_posix()} is not a folder"
        return f"the folder {folder.as_posix()} does not exist"
    return err.strerror or str(err)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
