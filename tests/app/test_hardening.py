"""The app never shows a traceback or a server path, and listens only on this machine.

- A bug inside a page or the sidebar shows a message with a reference (in the chosen
  language); the traceback goes to the server log under that reference.
- The server's settings (``.streamlit/config.toml``): loopback only, no error details for
  users, an upload limit that matches the library's file limits.
- The app started as ``./scripts/app`` starts it listens on 127.0.0.1 and on no other address.
"""

from __future__ import annotations

import io
import logging
import math
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import abs_tool.io.tape
from abs_tool import sample_pool
from abs_tool.io import dealfile
from abs_tool.io.tape import tape_bytes
from ui import labels

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
SECRET = "/srv/abs/secret_folder/module.py"

Start = Callable[..., AppTest]


def _internal_error_text(lang: int) -> str:
    return labels.LABELS["app.internal_error"][lang].split("{reference}")[0]


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError(f"unexpected state in {SECRET}")


def _shown_text(at: AppTest) -> str:
    elements = [*at.error, *at.sidebar.error, *at.markdown, *at.caption, *at.warning]
    return "\n".join(str(e.value) for e in elements)


@pytest.mark.parametrize(("lang", "index"), [("en", 0), ("zh", 1)])
def test_a_bug_in_the_sidebar_shows_a_reference_not_a_traceback(
        app: Start, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        lang: str, index: int) -> None:
    at = app(lang=lang)
    monkeypatch.setattr(dealfile, "deal_from_json", _boom)
    with caplog.at_level(logging.ERROR, logger="ui.state"):
        at.file_uploader(key="deal_upload").set_value(
            ("deal.json", b"{}", "application/json")).run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any(_internal_error_text(index) in e for e in errors), errors
    assert SECRET not in _shown_text(at)
    # The page below still runs, and the server log holds the traceback under the reference.
    assert at.dataframe
    reference = errors[-1].split("(")[1].split(")")[0].split()[-1]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert SECRET in str(logged[0].exc_info[1])


def test_a_bug_in_a_page_shows_a_reference_not_a_traceback(
        app: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app()
    monkeypatch.setattr(abs_tool.io.tape, "inspect_tape", _boom)
    at.radio(key="pool_source").set_value("upload").run()
    data = tape_bytes(sample_pool("consumer", n_loans=5), "csv")
    at.file_uploader(key="tape_upload").set_value(("tape.csv", data, "text/csv")).run()
    assert not at.exception
    assert any(_internal_error_text(0) in e.value for e in at.error)
    assert SECRET not in _shown_text(at)


def test_a_damaged_workbook_is_a_message_on_the_pool_page(app: Start) -> None:
    """Regression: a bad deflate stream in the sheet escaped as zlib.error on the Pool page."""
    data = bytearray(tape_bytes(sample_pool("consumer", n_loans=5), "xlsx"))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # The first byte after the local header: a deflate block of the reserved type 3.
    header = info.header_offset
    start = (header + 30 + int.from_bytes(data[header + 26:header + 28], "little")
             + int.from_bytes(data[header + 28:header + 30], "little"))
    data[start] = 0b111
    at = app()
    at.radio(key="pool_source").set_value("upload").run()
    at.file_uploader(key="tape_upload").set_value(
        ("tape.xlsx", bytes(data), "application/vnd.ms-excel")).run()
    assert not at.exception
    assert _internal_error_text(0) not in _shown_text(at)
    reasons = [r for d in at.dataframe if "reason" in d.value.columns for r in d.value["reason"]]
    assert any(r.startswith("damaged workbook, sheet 'loans'") for r in reasons), reasons


@pytest.mark.parametrize(("content", "expected"), [
    (b"[" * 100_000 + b"]" * 100_000, "JSON values"),
    (b'{"version": 1, "name": ' + b"[" * 40 + b"]" * 40 + b"}", "nested more than 32"),
    (b'{"version": ' + b"9" * 5000 + b"}", "version: a number of 5,000 digits is out of range"),
    (b'{"version": 1, "name": NaN}', "name: NaN is not valid JSON"),
], ids=["100000-deep", "40-deep", "5000-digits", "nan"])
def test_a_malformed_deal_file_is_a_message_in_the_sidebar(
        app: Start, content: bytes, expected: str) -> None:
    """Regression: the sidebar caught only DealFileError; these escaped as RecursionError and
    ValueError with a full traceback."""
    at = app()
    at.file_uploader(key="deal_upload").set_value(("bad.json", content, "application/json")).run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any(expected in e for e in errors), errors


def test_server_settings_keep_details_from_users_and_listen_on_loopback() -> None:
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["client"]["showErrorDetails"] == "none"
    # The tables' own CSV export writes uploaded text as it is (no formula neutralising).
    assert CONFIG["client"]["disableDataExport"] is True


def test_upload_limit_matches_the_library_file_limits() -> None:
    largest = max(abs_tool.io.tape.DEFAULT_MAX_BYTES, dealfile.MAX_DEAL_FILE_BYTES)
    assert CONFIG["server"]["maxUploadSize"] == math.ceil(largest / 2**20)


def _listening_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses with a socket listening on ``port`` (Linux /proc/net)."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net")
def test_the_app_as_scripts_app_starts_it_listens_on_loopback_only(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    # What ./scripts/app runs, less the warm-up: no address on the command line, so the
    # setting comes from .streamlit/config.toml.
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
         "true", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as reply:
                    if reply.read() == b"ok":
                        break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the app did not answer within 60 s"
                time.sleep(0.2)
        # 0100007F is 127.0.0.1 as /proc/net/tcp writes it (little-endian hex).
        assert _listening_addresses(port) == {"0100007F"}
    finally:
        server.terminate()
        server.wait(10)
        log.close()
