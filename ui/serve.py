"""Start the app with its opening page already computed: ``python -m ui.serve [options]``.

``streamlit run`` imports nothing of the app until the first browser session runs the
script, which then pays for importing pandas, scipy, numba and the library, loading the
compiled engine from numba's cache and running the sample deal's Monte Carlo, break-even
rates and charts (two to three seconds here). This runs the app once in-process first, as a
browser session would: its results land in the caches every session shares, so the first
visitor's page only draws. Options go to ``streamlit run`` (e.g. ``--server.port 8600``).
"""

from __future__ import annotations

import gc
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
# A fresh install compiles the engine on its first run: a minute on a busy two-core machine.
WARM_UP_TIMEOUT_S = 300


def warm_up() -> None:
    """Run the app's opening page once. A failure is reported and the server starts anyway:
    the first session then shows the error where it happens."""
    from streamlit.testing.v1 import AppTest

    # Outside a server every cached call warns that there is no script context.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        app = AppTest.from_file(str(APP), default_timeout=WARM_UP_TIMEOUT_S).run()
        problems = [str(exception.value) for exception in app.exception]
    except Exception as exc:  # noqa: BLE001  (a timeout, or an error outside the page)
        problems = [f"{type(exc).__name__}: {exc}"]
    finally:
        quiet.setLevel(level)
    for problem in problems:
        print(f"ui.serve: the opening page failed while warming up: {problem}",
              file=sys.stderr)


def main() -> int:
    warm_up()
    # Each session's run would otherwise pay for garbage collections that walk everything
    # the warm-up imported and built: those objects live as long as the server anyway.
    gc.collect()
    gc.freeze()
    from streamlit.web import cli

    # The pages use no "magic" (bare expressions drawn); without it a page's code is
    # compiled as it is, not rewritten first, for each session.
    sys.argv = ["streamlit", "run", str(APP), "--runner.magicEnabled", "false", *sys.argv[1:]]
    return int(cli.main() or 0)


@contextmanager
def serving(log: Path) -> Iterator[str]:
    """The app as ``./scripts/app`` starts it, in a child process on a free loopback port,
    headless, its output written to ``log``; yields its address once it answers (for the
    browser test and the render benchmark). Stopped on leaving."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + WARM_UP_TIMEOUT_S + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                        if reply.read() == b"ok":
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the app did not start; see {log}") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
