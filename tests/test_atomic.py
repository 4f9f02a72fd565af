"""Output files: checked before any work, written whole or not at all, no temporary left.

- A missing folder, a folder that takes no file, a folder or a device as the target, or a
  NUL character in the path is reported at once, naming the target.
- A failed write names the target, never its temporary file, and is an ``OSError`` too.
- A temporary file left by a killed writer is removed by the next write to the same target;
  one a running writer holds is not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from abs_tool import InputError, OutputError
from abs_tool.io.atomic import check_writable, checked_path, write_atomic

ROOT = Path(__file__).resolve().parents[1]


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(("target", "message"), [
    ("missing/out.csv", r"out.csv: the folder .*missing does not exist"),
    ("file.txt/out.csv", r"out.csv: the folder .*file.txt is not a folder"),
    ("folder", r"folder: is a folder; give the path of a file to write"),
])
def test_unwritable_targets_are_named_before_any_work(tmp_path, target, message):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "folder").mkdir()
    for check in (check_writable, lambda p: write_atomic(p, b"data")):
        with pytest.raises(OutputError, match=message):
            check(tmp_path / target)
    assert _temporaries(tmp_path) == []


def test_a_device_is_no_target():
    with pytest.raises(OutputError, match=r"/dev/null: is not a regular file"):
        check_writable("/dev/null")


@pytest.mark.parametrize("use", [check_writable, checked_path])
def test_a_nul_character_in_a_path_is_named(tmp_path, use):
    with pytest.raises(InputError, match=r"'.*out\\x00.csv': a path may not contain a NUL "
                                         r"character"):
        use(str(tmp_path / "out\0.csv"), *(["output file"] if use is checked_path else []))


def test_a_folder_that_takes_no_file_is_named(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=r"out.csv: cannot write in the folder .*: Permission "
                                          r"denied"):
        check_writable(tmp_path / "out.csv")
    with pytest.raises(OutputError, match=r"out.csv: cannot write: Permission denied"):
        write_atomic(tmp_path / "out.csv", b"data")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="the superuser writes into read-only folders")
def test_a_read_only_folder_is_named(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match=r"out.csv: cannot write in the folder"):
            check_writable(folder / "out.csv")
    finally:
        folder.chmod(0o755)


def test_a_failed_write_names_the_target_not_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"out.csv: cannot write: No space left on device") as err:
        write_atomic(target, b"new")
    assert isinstance(err.value, OutputError)
    assert ".tmp" not in str(err.value)
    assert target.read_bytes() == b"old"
    assert _temporaries(tmp_path) == []


# A writer that stops inside write_atomic, holding its temporary file, until it is killed.
_STUCK_WRITER = textwrap.dedent("""
    import os, sys, time
    from abs_tool.io import atomic

    def stuck(fd):
        print("writing", flush=True)
        time.sleep(600)

    os.fsync = stuck
    atomic.write_atomic(sys.argv[1], b"x" * 1000)
""")


def _stuck_writer(target: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen([sys.executable, "-c", _STUCK_WRITER, str(target)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert writer.stdout is not None
    assert writer.stdout.readline() == "writing\n"
    return writer


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "out.csv"
    writer = _stuck_writer(target)
    writer.kill()
    writer.wait()
    left = _temporaries(tmp_path)
    assert len(left) == 1
    assert left[0].startswith(".out.csv.")
    (tmp_path / ".other.csv.abcdefgh.tmp").write_bytes(b"another target's")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _temporaries(tmp_path) == [".other.csv.abcdefgh.tmp"]


def test_a_running_writers_temporary_is_left_alone(tmp_path):
    target = tmp_path / "out.csv"
    writer = _stuck_writer(target)
    try:
        held = _temporaries(tmp_path)
        write_atomic(target, b"mine")
        assert target.read_bytes() == b"mine"
        assert _temporaries(tmp_path) == held
    finally:
        writer.kill()
        writer.wait()


def test_a_temporary_removed_before_its_lock_is_replaced(tmp_path, monkeypatch):
    real = tempfile.mkstemp
    made = []

    def cleaned_at_once(*args, **kwargs):
        handle, name = real(*args, **kwargs)
        made.append(name)
        if len(made) == 1:  # a cleaner takes the first one between creation and lock
            os.unlink(name)
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", cleaned_at_once)
    write_atomic(tmp_path / "out.csv", b"data")
    assert len(made) == 2
    assert (tmp_path / "out.csv").read_bytes() == b"data"
    assert _temporaries(tmp_path) == []


def test_an_old_temporary_is_stale_without_locks(tmp_path, monkeypatch):
    from abs_tool.io import atomic

    monkeypatch.setattr(atomic, "fcntl", None)
    old, new = tmp_path / ".out.csv.aaaaaaaa.tmp", tmp_path / ".out.csv.bbbbbbbb.tmp"
    for path in (old, new):
        path.write_bytes(b"partial")
    an_hour_ago = time.time() - atomic.STALE_SECONDS - 1
    os.utime(old, (an_hour_ago, an_hour_ago))
    write_atomic(tmp_path / "out.csv", b"data")
    assert _temporaries(tmp_path) == [new.name]
