"""Pages of the web app: HTML error pages, labels as written, upload notices, POST origin check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autoclear.rules.prop64 import explain_rule
from autoclear.web.store import ReviewStore
from test_report_runfolder import RULES, write_synthetic_run
from test_web_support import WebApp, doj_text, make_web_app


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebApp]:
    yield from make_web_app(tmp_path / "data")


def _finished_review(web: WebApp) -> str:
    """Create a review whose output folder is the synthetic run folder of the report tests."""
    store = ReviewStore(web.data_dir)
    review = store.create()
    write_synthetic_run(store.output(review.id))
    review.county = "SAN FRANCISCO"
    review.as_of = "2020-07-01"
    review.status = "finished"
    store.save(review)
    return review.id


@pytest.mark.parametrize(
    "path", ["/nope", "/reviews/unknown-id/report.html", "/static/missing.css", "/reviews/x/y/z"]
)
def test_unknown_address_gets_html_404(web: WebApp, path: str) -> None:
    response = web.client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text
    assert "Past reviews" in response.text
    assert '"detail"' not in response.text


def test_unknown_file_of_known_review_gets_html_404(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.get(f"/reviews/{review_id}/report.html")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_wrong_method_gets_html_405(web: WebApp) -> None:
    response = web.client.put("/reviews")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "Action not allowed here" in response.text
    assert "allow" in response.headers


def test_invalid_query_value_gets_html_page(web: WebApp) -> None:
    review_id = _finished_review(web)
    response = web.client.get(f"/reviews/{review_id}/results/hand-review?page_number=two")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "invalid value for page_number" in response.text


def test_missing_page_without_token_gets_403(web: WebApp) -> None:
    anonymous = TestClient(web.client.app)
    assert anonymous.get("/nope").status_code == 403
    assert anonymous.put("/reviews").status_code == 403


def test_results_show_age_groups_as_written(web: WebApp) -> None:
    review_id = _finished_review(web)
    text = web.client.get(f"/reviews/{review_id}/results").text
    assert ">60 and over<" in text
    assert "60 And Over" not in text
    assert ">BLACK<" in text


def test_results_list_reasons_in_table(web: WebApp) -> None:
    review_id = _finished_review(web)
    text = web.client.get(f"/reviews/{review_id}/results").text
    label = explain_rule(RULES["Hand Review"])
    assert label.endswith(".")
    assert re.search(rf'<td>{re.escape(label)}</td><td class="num">4</td>', text)
    assert f"{label}:" not in text


def test_review_without_county_not_title_cased(web: WebApp) -> None:
    review_id = web.new_review()
    assert "not chosen" in web.client.get(f"/reviews/{review_id}/run").text
    assert "Not Chosen" not in web.client.get("/reviews").text
    assert "No county yet" in web.client.get("/").text


def test_post_without_origin_headers_rejected(tmp_path: Path) -> None:
    for web in make_web_app(tmp_path / "data"):
        del web.client.headers["Sec-Fetch-Site"]
        assert web.client.post("/reviews", follow_redirects=False).status_code == 403
        null_origin = web.client.post("/reviews", headers={"Origin": "null"})
        assert null_origin.status_code == 403
        assert not any((web.data_dir / "reviews").iterdir())
        same_origin = web.client.post(
            "/reviews", headers={"Origin": "http://127.0.0.1:8765"}, follow_redirects=False
        )
        assert same_origin.status_code == 303


def test_upload_errors_shown_as_errors(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.upload(
        review_id, ("empty.dat", b""), ("good.dat", doj_text().encode()), ("notes.pdf", b"%PDF")
    )
    assert response.status_code == 200
    errors = re.search(r'<div class="messages error" role="alert">(.*?)</div>', response.text, re.S)
    done = re.search(
        r'<div class="messages success" role="status">(.*?)</div>', response.text, re.S
    )
    assert errors is not None
    assert done is not None
    assert "empty.dat" in errors.group(1)
    assert "notes.pdf" in errors.group(1)
    assert "good.dat" not in errors.group(1)
    assert "good.dat: uploaded and checked." in done.group(1)


def test_upload_success_only_has_no_error_box(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.upload(review_id, ("good.dat", doj_text().encode()))
    assert 'class="messages success"' in response.text
    assert 'class="messages error"' not in response.text


def test_state_with_plain_text_messages_loads(web: WebApp) -> None:
    review_id = web.new_review()
    state = web.review_dir(review_id) / "state.json"
    state.write_text(
        state.read_text().replace(
            '"messages": []', '"messages": ["old.dat: uploaded and checked."]'
        )
    )
    text = web.client.get(f"/reviews/{review_id}/upload").text
    assert "old.dat: uploaded and checked." in text
