"""Runs through the web app on the bundled sample: start, repeat, busy, cancel, results, downloads."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from test_web_support import WebApp, make_web_app, sample_paths


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebApp]:
    yield from make_web_app(tmp_path / "data")


def wait_for_status(web: WebApp, review_id: str, wanted: set[str], seconds: float = 300) -> str:
    """Poll progress.json until the review's status is one of `wanted`; bounded in time."""
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = web.client.get(f"/reviews/{review_id}/progress.json").json()["status"]
        if status in wanted:
            return status
        time.sleep(0.2)
    raise AssertionError(f"review {review_id} still {status!r} after {seconds} s")


def run_error(web: WebApp, review_id: str) -> str | None:
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    error: str | None = state["error"]
    return error


@pytest.fixture
def held_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Wrap the real run_job so the run pauses at its first progress call until released."""
    import autoclear.pipeline as pipeline

    reached = threading.Event()
    release = threading.Event()
    real_run_job = pipeline.run_job

    def paused_run_job(request: Any, progress: Callable[..., None], cancel: threading.Event) -> Any:
        def progress_then_pause(stage: str, done: int, total: int | None) -> None:
            progress(stage, done, total)
            if not reached.is_set():
                reached.set()
                release.wait(timeout=60)

        return real_run_job(request, progress=progress_then_pause, cancel=cancel)

    monkeypatch.setattr(pipeline, "run_job", paused_run_job)
    yield reached, release
    release.set()


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebApp, str]]:
    paths = sample_paths()
    for web_app in make_web_app(tmp_path_factory.mktemp("web-run") / "data"):
        review_id = web_app.ready_review(paths)
        response = web_app.client.post(f"/reviews/{review_id}/run", follow_redirects=False)
        assert response.status_code == 303
        status = wait_for_status(web_app, review_id, {"finished", "failed", "cancelled"})
        assert status == "finished", run_error(web_app, review_id)
        yield web_app, review_id


def test_run_writes_output_folder(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    out_dir = web_app.review_dir(review_id) / "output"
    for name in ("All_Results.csv", "Prop64_Results.csv", "summary.json", "report.html"):
        assert (out_dir / name).is_file(), name
    state = json.loads((web_app.review_dir(review_id) / "state.json").read_text())
    assert state["status"] == "finished"
    assert state["error"] is None


def test_repeated_run_submit_starts_nothing(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    before = json.loads((web_app.review_dir(review_id) / "state.json").read_text())
    response = web_app.client.post(f"/reviews/{review_id}/run", follow_redirects=False)
    assert response.status_code == 303
    after = json.loads((web_app.review_dir(review_id) / "state.json").read_text())
    assert after["started"] == before["started"]
    assert after["status"] == "finished"


def test_finished_review_is_locked(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    response = web_app.client.post(
        f"/reviews/{review_id}/county", data={"county": "Yolo", "as_of": "2020-07-01"}
    )
    assert response.status_code == 409
    assert "can no longer be changed" in response.text


def test_results_page_shows_figures(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    summary = json.loads((web_app.review_dir(review_id) / "output" / "summary.json").read_text())
    response = web_app.client.get(f"/reviews/{review_id}/results")
    assert response.status_code == 200
    total = summary["scenarios"]["policy"]["convictions"]["total"]
    assert f"{total:,}</span> cannabis convictions" in response.text
    assert "Who gets relief" in response.text
    assert "Download all files (zip)" in response.text


def test_every_output_file_downloads(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    out_dir = web_app.review_dir(review_id) / "output"
    page = web_app.client.get(f"/reviews/{review_id}/results").text
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert files
    for name in files:
        assert f'href="/reviews/{review_id}/files/{name}"' in page, name
        response = web_app.client.get(f"/reviews/{review_id}/files/{name}")
        assert response.status_code == 200, name
        assert response.content == (out_dir / name).read_bytes(), name


def test_report_served_without_script(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    response = web_app.client.get(f"/reviews/{review_id}/files/report.html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_download_outside_run_folder_refused(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    for path in ("../state.json", "..%2Fstate.json", "%2E%2E/%2E%2E/reviews"):
        response = web_app.client.get(f"/reviews/{review_id}/files/{path}")
        assert response.status_code == 404, path


def test_zip_holds_every_output_file(finished_run: tuple[WebApp, str]) -> None:
    web_app, review_id = finished_run
    out_dir = web_app.review_dir(review_id) / "output"
    response = web_app.client.get(f"/reviews/{review_id}/download.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    expected = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert sorted(archive.namelist()) == expected
    assert archive.read("summary.json") == (out_dir / "summary.json").read_bytes()


@pytest.mark.parametrize(
    ("table", "determination"),
    [
        ("hand-review", "Hand Review"),
        ("not-eligible", "Not eligible"),
    ],
)
def test_review_table_matches_csv(
    finished_run: tuple[WebApp, str], table: str, determination: str
) -> None:
    import polars as pl

    web_app, review_id = finished_run
    results = pl.read_csv(
        web_app.review_dir(review_id) / "output" / "Prop64_Results.csv", infer_schema=False
    )
    flags = results["Flags"].fill_null("")
    counted = results.filter(
        (pl.col("Eligibility Determination") == determination)
        & ~flags.str.contains("additional sentence part", literal=True)
        & ~flags.str.contains("repeated line", literal=True)
    )
    response = web_app.client.get(f"/reviews/{review_id}/results/{table}")
    assert response.status_code == 200
    assert f"{counted.height:,} convictions" in response.text
    if counted.height:
        reason = counted["Eligibility Reason"][0]
        narrowed = web_app.client.get(
            f"/reviews/{review_id}/results/{table}", params={"q": reason[:12]}
        )
        expected = counted.filter(
            pl.col("Eligibility Reason")
            .str.to_lowercase()
            .str.contains(reason[:12].lower(), literal=True)
        ).height
        assert f"{expected:,} convictions whose reason contains" in narrowed.text
    nothing = web_app.client.get(
        f"/reviews/{review_id}/results/{table}", params={"q": "no reason reads like this"}
    )
    assert "0 convictions" in nothing.text


def test_delete_finished_review_removes_outputs(finished_run: tuple[WebApp, str]) -> None:
    web_app, _ = finished_run
    review_id = web_app.ready_review(sample_paths())
    web_app.client.post(f"/reviews/{review_id}/run")
    assert wait_for_status(web_app, review_id, {"finished", "failed", "cancelled"}) == "finished"
    folder = web_app.review_dir(review_id)
    assert (folder / "output").is_dir()
    assert any((folder / "uploads").iterdir())
    response = web_app.client.post(f"/reviews/{review_id}/delete", follow_redirects=False)
    assert response.status_code == 303
    assert not folder.exists()


def test_cancel_leaves_no_output(
    web: WebApp, held_run: tuple[threading.Event, threading.Event]
) -> None:
    reached, release = held_run
    review_id = web.ready_review(sample_paths())
    web.client.post(f"/reviews/{review_id}/run")
    assert reached.wait(timeout=120)
    page = web.client.get(f"/reviews/{review_id}/run").text
    assert "Cancel the run" in page
    response = web.client.post(f"/reviews/{review_id}/cancel", follow_redirects=False)
    assert response.status_code == 303
    assert web.client.get(f"/reviews/{review_id}/progress.json").json()["cancelling"] is True
    release.set()
    assert wait_for_status(web, review_id, {"finished", "failed", "cancelled"}) == "cancelled"
    assert not (web.review_dir(review_id) / "output").exists()
    page = web.client.get(f"/reviews/{review_id}/run").text
    assert "The last run was cancelled" in page


def test_second_run_gets_busy_message(
    web: WebApp, held_run: tuple[threading.Event, threading.Event]
) -> None:
    reached, release = held_run
    first = web.ready_review(sample_paths())
    second = web.ready_review(sample_paths())
    web.client.post(f"/reviews/{first}/run")
    assert reached.wait(timeout=120)
    response = web.client.post(f"/reviews/{second}/run")
    assert response.url.path == f"/reviews/{second}/run"
    assert "Another review is running" in response.text
    assert f'href="/reviews/{first}/run"' in response.text
    assert json.loads((web.review_dir(second) / "state.json").read_text())["status"] == "draft"
    again = web.client.post(f"/reviews/{first}/run", follow_redirects=False)
    assert again.status_code == 303
    web.client.post(f"/reviews/{first}/cancel")
    release.set()
    assert wait_for_status(web, first, {"finished", "failed", "cancelled"}) == "cancelled"
