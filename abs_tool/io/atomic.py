"""Files at the edge: paths checked before any work, inputs read within limits, and writes
that never leave a partial file.

:func:`read_input` reads a file a user named (a tape, a deal file, a rating table) only if it
is a regular file within a size limit: a folder, a named pipe or a device is refused by name,
without blocking (the path is checked before it is opened, opened non-blocking, and the open
file checked again), and a file over the limit is refused from its size before it is read.

:func:`check_writable` tells at once whether an output target can be written (its folder
exists and takes a file, the target is no folder or device), naming the target, so that a
run does not fail on its last step. :func:`write_atomic` writes through a temporary file
``.NAME.xxxxxxxx.tmp`` beside the target and renames it over the target.

A process killed while writing leaves its temporary file behind; the next write to the same
target removes it. A writer holds an exclusive lock (``fcntl.flock``) on its temporary file
until the rename, and the cleaner removes only the temporary files it can lock at once, so a
concurrent writer's file is never taken from it. Where ``fcntl`` is missing (Windows) a
temporary file is taken for stale when it is older than :data:`STALE_SECONDS`.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path
from types import ModuleType

from abs_tool.errors import InputError, OutputError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["STALE_SECONDS", "check_writable", "checked_path", "read_input", "too_large",
           "write_atomic"]

STALE_SECONDS = 3600.0
"""Without ``fcntl``: a temporary file this old (seconds since its last change) is stale."""

_LOCK_TRIES = 5


def checked_path(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, refused when it holds a NUL character (no file
    system takes one, and Python raises a bare ``ValueError`` for it).

    Parameters
    ----------
    path
        The path given.
    what
        What the path is for, for the message (``"deal file"``, ``"output file"``).

    Raises
    ------
    InputError
        ``path`` contains a NUL character.
    """
    text = os.fspath(path)
    if "\0" in text:
        raise InputError(f"{what} {text!r}: a path may not contain a NUL character")
    return Path(text)


# Opening a FIFO for reading blocks until a writer appears; with O_NONBLOCK it returns at once,
# and the descriptor's type is then checked before anything is read.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))
_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def too_large(size: int | None, max_bytes: int) -> str:
    """The reason a file of ``size`` bytes (None: more than ``max_bytes``) is refused."""
    has = f"more than {max_bytes:,}" if size is None else f"{size:,}"
    return (f"the file has {has} bytes, over the limit of {max_bytes:,} bytes "
            f"({max_bytes / 2**20:,.0f} MiB)")


def _refuse_non_file(info: os.stat_result, expected: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((k for test, k in _FILE_KINDS if test(info.st_mode)), "not a regular file")
        raise InputError(f"the path is {kind}, not a file; give the path of {expected}")


def read_input(path: str | os.PathLike[str], *, max_bytes: int, expected: str) -> bytes:
    """The content of the input file ``path`` (see the module docstring).

    Parameters
    ----------
    path
        The file a user named.
    max_bytes
        Largest size read.
    expected
        What the path should name, for the message (``"a .json deal file"``).

    Raises
    ------
    InputError
        A NUL character in the path, a path that is not a regular file, a file over
        ``max_bytes`` (also one that grows past it while read), or one that cannot be read;
        the message does not name the file: the caller puts it in front.
    """
    text = os.fspath(checked_path(path, "file"))
    try:
        _refuse_non_file(os.stat(text), expected)
        with os.fdopen(os.open(text, _OPEN_FLAGS), "rb") as stream:
            info = os.fstat(stream.fileno())
            _refuse_non_file(info, expected)
            if info.st_size > max_bytes:
                raise InputError(too_large(info.st_size, max_bytes))
            # A file may grow after fstat (or report size 0, as /proc files do).
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(too_large(None, max_bytes))
    return data


def _target(path: str | os.PathLike[str]) -> Path:
    """The output target, refused when it cannot be a file in an existing folder."""
    target = checked_path(path, "output file")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the path of a file to write")
    if target.exists() and not target.is_file():
        raise OutputError(f"{target}: is not a regular file (a device or a pipe); give the "
                          "path of a file to write")
    folder = target.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"{target}: the folder {folder} {problem}")
    return target


def _temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, open and (with ``fcntl``) locked."""
    for _ in range(_LOCK_TRIES):
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        if fcntl is None:
            return handle, name
        fcntl.flock(handle, fcntl.LOCK_EX)
        # A cleaner may have locked and removed the file between its creation and this lock.
        if os.fstat(handle).st_nlink > 0:
            return handle, name
        os.close(handle)
    raise OutputError(f"{target}: its temporary files were removed {_LOCK_TRIES} times while "
                      "being created; another process is cleaning the folder")


def _remove_stale(target: Path) -> None:
    """Remove the temporary files of ``target`` that no writer holds (see module docstring)."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]+\.tmp")
    with os.scandir(target.parent) as entries:
        stale = [Path(e.path) for e in entries if pattern.fullmatch(e.name)]
    for temp in stale:
        try:
            handle = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue  # gone already, or a link or something else that is not ours
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                continue
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a writer holds it
            elif time.time() - info.st_mtime < STALE_SECONDS:
                continue
            temp.unlink(missing_ok=True)
        finally:
            os.close(handle)


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Refuse an output target that cannot be written, before any work is done.

    A temporary file is created beside the target and removed again: the only test that
    every file system, permission scheme and read-only mount answers truly.

    Parameters
    ----------
    path
        The output file to be written later (by :func:`write_atomic`).

    Returns
    -------
    Path
        The target.

    Raises
    ------
    InputError
        ``path`` contains a NUL character.
    OutputError
        The target is a folder or not a regular file, its folder is missing, or no file can
        be created there (permissions, a read-only file system); the message names the
        target.
    """
    target = _target(path)
    try:
        handle, probe = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in the folder {target.parent}: "
                          f"{exc.strerror or exc}") from None
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    return target


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A reader sees the old file or the whole new one, never a part; on failure the temporary
    file is removed and the old file (if any) is untouched. An existing file keeps its
    permissions. Temporary files of the same target left by a killed writer are removed
    first (module docstring).

    Raises
    ------
    InputError
        ``path`` contains a NUL character.
    OutputError
        As :func:`check_writable`, or the write itself fails (a full disk); an
        :class:`OSError` too, whose message names the target, never the temporary file.
    """
    target = _target(path)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    try:
        _remove_stale(target)
        handle, temp_name = _temporary(target)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        # The lock is the open file's: it is held until the rename is done.
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
            os.chmod(temp_name, mode)
            os.replace(temp_name, target)
    except BaseException as exc:
        Path(temp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
