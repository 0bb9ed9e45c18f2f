"""A real uvicorn server on 127.0.0.1 and headless Debian Chromium, for the browser tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from autoclear.web.app import WebSettings, create_app
from autoclear.web.server import HOST, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
E2E_TOKEN = "e2e-token-abcdefghijklmnop"


@dataclass
class LiveServer:
    """A running app: its base address, the address with the token, and its data folder."""

    base_url: str
    start_url: str
    data_dir: Path


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    data_dir = tmp_path / "data"
    app = create_app(WebSettings(data_dir=data_dir, token=E2E_TOKEN))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start within 20 s")
        time.sleep(0.05)
    base = f"http://{HOST}:{port}"
    yield LiveServer(base, f"{base}/?token={E2E_TOKEN}", data_dir)
    server.should_exit = True
    thread.join(timeout=40)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed; install Debian's chromium package to run browser tests"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright for Python is not installed"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        accept_downloads=True, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Return a function that saves a full-page screenshot under test-artifacts/screenshots/."""

    def save(page: object, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return save
