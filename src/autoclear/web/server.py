"""`autoclear serve`: start the local web app on 127.0.0.1 and open it in the browser."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from autoclear.web import DEFAULT_MAX_UPLOAD_BYTES
from autoclear.web.security import TOKEN_PARAMETER, new_token

HOST = "127.0.0.1"
LOG_FILE = "autoclear-web.log"

logger = logging.getLogger("autoclear.web")


def default_data_dir() -> Path:
    """Return the platform's per-user data folder for autoclear."""
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / "autoclear"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "autoclear"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "autoclear"


def configure_logging(data_dir: Path) -> Path:
    """Send the app's log (requests and runs, no record contents) to the data folder."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    logger = logging.getLogger("autoclear.web")
    if not any(
        isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path
        for h in logger.handlers
    ):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=5 * 1024 * 1024, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def serve(
    port: int | None,
    data_dir: Path | None,
    open_browser: bool = True,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> None:
    """Run the web app on 127.0.0.1 until Ctrl+C; a new access token is made at each launch."""
    # Imported here so that the other commands do not load the web framework.
    import uvicorn

    from autoclear.web.app import WebSettings, create_app

    folder = (data_dir or default_data_dir()).expanduser().resolve()
    configure_logging(folder)
    token = new_token()
    app = create_app(WebSettings(data_dir=folder, token=token, max_upload_bytes=max_upload_bytes))
    chosen_port = port or free_port()
    url = f"http://{HOST}:{chosen_port}/?{TOKEN_PARAMETER}={token}"
    config = uvicorn.Config(
        app,
        host=HOST,
        port=chosen_port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=35,
    )
    server = uvicorn.Server(config)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully, then raises the signal again; with this handler a
        # SIGTERM ends in SystemExit, so the stop message below is still printed.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        typer.echo(f"autoclear is running at {url}")
        typer.echo(f"Data folder: {folder}")
        typer.echo("Keep this window open while you work; press Ctrl+C to stop.")
        logger.info("server starting on %s port %d", HOST, chosen_port)
        if open_browser:
            threading.Timer(1.0, webbrowser.open, args=(url,)).start()
        server.run()
    except KeyboardInterrupt:
        pass  # Ctrl+C is the way to stop the app; uvicorn has already shut down.
    finally:
        logger.info("server stopped")
        typer.echo(f"autoclear stopped. Reviews and results stay in {folder}.")


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def serve_command(
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1024, max=65535, help="TCP port on 127.0.0.1; default: a free port."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            file_okay=False,
            help="Folder for uploads, runs and the log; default: the user data folder "
            "(~/.local/share/autoclear on Linux).",
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address but do not open a browser.")
    ] = False,
    max_upload_gb: Annotated[
        float,
        typer.Option(
            "--max-upload-gb", min=0.001, help="Largest DOJ file accepted, in GB (1024^3 bytes)."
        ),
    ] = DEFAULT_MAX_UPLOAD_BYTES / 1024**3,
) -> None:
    """Start the local web app in your browser; your data stays on this computer."""
    serve(
        port, data_dir, open_browser=not no_browser, max_upload_bytes=int(max_upload_gb * 1024**3)
    )
