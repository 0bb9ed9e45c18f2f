"""`autoclear serve` as a user runs it: the start lines, then a stop line on Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autoclear.web.server import HOST, free_port

START_WAIT_SECONDS = 30
STOP_WAIT_SECONDS = 60


def _wait_until_listening(port: int) -> None:
    """Wait until the server responds on 127.0.0.1, where every page returns 403 without the token."""
    deadline = time.monotonic() + START_WAIT_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2)
            pytest.fail("autoclear serve accepted a request without the token")
        except urllib.error.HTTPError as error:
            assert error.code == 403
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"autoclear serve did not respond within {START_WAIT_SECONDS} s")
            time.sleep(0.1)


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `autoclear serve`, wait until it responds, and return it and its first output lines."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from autoclear.cli import app; app()",
            "serve",
            "--no-browser",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []

    def read_start_lines() -> None:
        assert process.stdout is not None
        for _ in range(3):
            lines.append(process.stdout.readline().strip())

    reader = threading.Thread(target=read_start_lines, daemon=True)
    reader.start()
    reader.join(timeout=START_WAIT_SECONDS)
    if reader.is_alive():
        process.kill()
        pytest.fail(f"autoclear serve printed {lines!r} within {START_WAIT_SECONDS} s")
    _wait_until_listening(port)
    return process, lines


def _stop(process: subprocess.Popen[str], signal_number: int) -> tuple[str, str]:
    process.send_signal(signal_number)
    try:
        rest, errors = process.communicate(timeout=STOP_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return rest, errors


@pytest.mark.parametrize(
    "signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"]
)
def test_serve_prints_start_and_stop(tmp_path: Path, signal_number: int) -> None:
    data_dir = tmp_path / "data"
    process, lines = _start(data_dir)
    rest, errors = _stop(process, signal_number)
    assert lines[0].startswith(f"autoclear is running at http://{HOST}:")
    assert "/?token=" in lines[0]
    assert lines[1] == f"Data folder: {data_dir.resolve()}"
    assert "Ctrl+C" in lines[2]
    assert f"autoclear stopped. Reviews and results stay in {data_dir.resolve()}." in rest
    assert "Traceback" not in errors
    log = (data_dir / "logs" / "autoclear-web.log").read_text(encoding="utf-8")
    assert "server starting" in log
    assert "server stopped" in log
    assert "token" not in log
