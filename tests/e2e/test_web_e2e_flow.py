"""The whole review in headless Chromium on the bundled sample, with downloads checked."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => el.type !== 'hidden')
  .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
  .map((el) => el.name || el.id)"""


def sample_paths() -> list[Path]:
    sample = pytest.importorskip("autoclear.sample", reason="the bundled sample is not built yet")
    pytest.importorskip(
        "autoclear.pipeline", reason="autoclear.pipeline (run_job) is not there yet"
    )
    return [Path(p) for p in sample.sample_files()]


def assert_labelled(page: Any) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == [], page.url


def test_whole_review_in_browser(
    live_server: Any, page: Any, screenshot: Any, tmp_path: Path
) -> None:
    paths = sample_paths()
    page.goto(live_server.start_url)
    assert page.url == live_server.base_url + "/"
    assert str(live_server.data_dir) in page.content()
    screenshot(page, "1-start")

    page.get_by_role("button", name="Start a new review").click()
    page.wait_for_url(re.compile(r"/reviews/[\w-]+/county$"))
    review_id = page.url.rsplit("/", 2)[-2]
    assert_labelled(page)
    page.get_by_label("County").fill("San Francisco")
    page.get_by_label("As-of date").fill("2020-07-01")
    screenshot(page, "2-county")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/upload$"))

    assert_labelled(page)
    page.set_input_files("#files", [str(p) for p in paths])
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_selector("text=doj_part2.dat: uploaded and checked.")
    for path in paths:
        assert page.get_by_role("cell", name=path.name, exact=True).is_visible()
    screenshot(page, "3-upload")
    uploads = live_server.data_dir / "reviews" / review_id / "uploads"
    for path in paths:
        assert (uploads / path.name).read_bytes() == path.read_bytes()

    page.get_by_role("link", name="Continue to policy").click()
    page.wait_for_url(re.compile(r"/policy$"))
    assert_labelled(page)
    page.locator('input[name="section_11359"][value="reduce"]').check()
    page.get_by_label("Person is now at least this old (years)").fill("30")
    page.get_by_role("button", name="Save and continue").click()
    assert "Must be 0 (off) or between 40 and 65." in page.locator("#min_age-error").inner_text()
    assert (
        page.get_by_label("Person is now at least this old (years)").get_attribute("aria-invalid")
        == "true"
    )
    screenshot(page, "4-policy-error")
    page.get_by_label("Person is now at least this old (years)").fill("57")
    page.get_by_label("Office name").fill("Office of the District Attorney (fictional)")
    screenshot(page, "4-policy")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/run$"))
    assert "Felony convictions under HS 11359 are reduced to misdemeanors." in page.content()
    screenshot(page, "5-run")

    # Back returns to the policy page with the saved choices.
    page.go_back()
    page.wait_for_url(re.compile(r"/policy$"))
    assert page.get_by_label("Person is now at least this old (years)").input_value() == "57"
    page.go_forward()
    page.wait_for_url(re.compile(r"/run$"))

    page.get_by_role("button", name="Run the review").click()
    page.wait_for_url(re.compile(r"/results$"), timeout=300_000)
    assert page.get_by_role("heading", name="Results for San Francisco").is_visible()
    screenshot(page, "6-results")

    out_dir = live_server.data_dir / "reviews" / review_id / "output"
    summary = json.loads((out_dir / "summary.json").read_text())
    total = summary["scenarios"]["policy"]["convictions"]["total"]
    assert f"{total:,}" in page.locator(".cards").inner_text()

    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download all files (zip)").click()
    zip_path = tmp_path / "run.zip"
    zip_download.value.save_as(zip_path)
    expected = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == expected
        assert archive.read("Prop64_Results.csv") == (out_dir / "Prop64_Results.csv").read_bytes()

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download Prop64_Results.csv").click()
    csv_path = tmp_path / "Prop64_Results.csv"
    csv_download.value.save_as(csv_path)
    assert csv_path.read_bytes() == (out_dir / "Prop64_Results.csv").read_bytes()

    page.get_by_role("link", name="Open the hand-review table").click()
    page.wait_for_url(re.compile(r"/results/hand-review$"))
    assert_labelled(page)
    screenshot(page, "6-hand-review")
    page.get_by_role("link", name="Back to results").click()
    page.get_by_role("link", name="Open the not-eligible table").click()
    page.wait_for_url(re.compile(r"/results/not-eligible$"))
    first_reason = page.locator("table.data tbody tr td.reason").first.inner_text()
    page.get_by_label("Reason contains").fill(first_reason[:15])
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q="))
    assert "whose reason contains" in page.get_by_role("status").inner_text()
    screenshot(page, "6-not-eligible")

    report = page.context.new_page()
    report.goto(f"{live_server.base_url}/reviews/{review_id}/files/report.html")
    screenshot(report, "6-report")
    report.close()

    page.get_by_role("link", name="Past reviews").click()
    page.wait_for_url(re.compile(r"/reviews$"))
    assert "San Francisco" in page.locator("table").inner_text()
    screenshot(page, "7-past-reviews")
    page.get_by_role("link", name=re.compile("^Delete review")).click()
    screenshot(page, "7-delete")
    page.get_by_role("button", name="Delete the review and its files").click()
    page.wait_for_url(re.compile(r"/reviews$"))
    assert "No reviews yet." in page.content()
    assert not (live_server.data_dir / "reviews" / review_id).exists()

    assert page.console_errors == []


def test_page_without_token_is_forbidden(live_server: Any, page: Any) -> None:
    response = page.goto(live_server.base_url + "/")
    assert response.status == 403
    assert "Forbidden" in page.content()


def test_upload_problems_shown(
    live_server: Any, page: Any, tmp_path: Path, screenshot: Any
) -> None:
    sample = pytest.importorskip("autoclear.sample")
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    wrong = tmp_path / "notes.pdf"
    wrong.write_bytes(b"%PDF-1.4\n")
    bad_lines = Path(sample.__file__).with_name("bad_lines.dat")
    page.goto(live_server.start_url)
    page.get_by_role("button", name="Start a new review").click()
    page.wait_for_url(re.compile(r"/county$"))
    page.get_by_role("link", name="2. Files").click()
    page.set_input_files("#files", [str(empty), str(wrong), str(bad_lines)])
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_selector("text=empty.dat is empty")
    errors = page.locator(".messages.error").inner_text()
    done = page.locator(".messages.success").inner_text()
    assert "empty.dat is empty" in errors
    assert "notes.pdf: wrong file type" in errors
    assert "bad_lines.dat" not in errors
    assert "bad_lines.dat: uploaded and checked." in done
    warnings = page.locator(".warnings").inner_text()
    assert "malformed" in warnings
    assert "Skip malformed lines" in warnings
    screenshot(page, "3-upload-problems")
    assert page.console_errors == []
