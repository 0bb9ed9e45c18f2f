"""API tests of the local web app: token, pages, uploads, policy form and deletion."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autoclear.rules.policy import load_policy
from autoclear.web.app import WebSettings, create_app
from autoclear.web.security import cookie_name
from test_web_support import TOKEN, WebApp, doj_line, doj_text, make_web_app


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebApp]:
    yield from make_web_app(tmp_path / "data")


def test_requests_without_token_get_403(tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path, token=TOKEN))
    client = TestClient(app)
    for path in ("/", "/reviews", "/static/style.css", "/static/app.js", "/reviews/x/county"):
        response = client.get(path)
        assert response.status_code == 403, path
    assert client.get("/?token=wrong-token").status_code == 403
    assert client.post("/reviews").status_code == 403
    assert not (tmp_path / "reviews").exists() or not any((tmp_path / "reviews").iterdir())


def test_token_becomes_strict_cookie(tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path, token=TOKEN))
    client = TestClient(app)
    response = client.get(f"/reviews?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/reviews"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(cookie_name(TOKEN) + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert client.get("/reviews").status_code == 200


def test_security_headers_on_every_response(web: WebApp) -> None:
    anonymous = TestClient(web.client.app)
    for response in (web.client.get("/"), web.client.get("/static/style.css"), anonymous.get("/")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_external_assets(web: WebApp) -> None:
    review_id = web.new_review()
    for path in (
        "/",
        "/reviews",
        f"/reviews/{review_id}/county",
        f"/reviews/{review_id}/upload",
        f"/reviews/{review_id}/policy",
        f"/reviews/{review_id}/run",
    ):
        response = web.client.get(path)
        assert response.status_code == 200, path
        assert "http://" not in response.text, path
        assert "https://" not in response.text, path
        assert "<script>" not in response.text, path


def test_post_from_other_origin_rejected(web: WebApp) -> None:
    response = web.client.post("/reviews", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    response = web.client.post("/reviews", headers={"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
    response = web.client.post("/reviews", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert not any((web.data_dir / "reviews").iterdir())
    response = web.client.post(
        "/reviews",
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_start_page_states_data_folder(web: WebApp) -> None:
    text = web.client.get("/").text
    assert str(web.data_dir) in text
    assert "Privacy" in text
    assert "Delete" in text


def test_county_page_lists_58_counties(web: WebApp) -> None:
    review_id = web.new_review()
    text = web.client.get(f"/reviews/{review_id}/county").text
    assert text.count("<option value=") == 58
    assert '<label for="county">' in text
    assert '<label for="as_of">' in text


def test_county_rejects_unknown_name(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(
        f"/reviews/{review_id}/county", data={"county": "Gotham", "as_of": "2020-07-01"}
    )
    assert response.url.path == f"/reviews/{review_id}/county"
    assert 'value="Gotham"' in response.text
    assert "Gotham is not a California county" in response.text
    assert 'id="county-error"' in response.text
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert state["county"] is None
    again = web.client.get(f"/reviews/{review_id}/county")
    assert "Gotham" not in again.text


def test_county_rejects_bad_date(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(
        f"/reviews/{review_id}/county", data={"county": "Marin", "as_of": "07/01/2020"}
    )
    assert 'id="as_of-error"' in response.text
    assert "year-month-day" in response.text


def test_county_saved_in_any_case(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(
        f"/reviews/{review_id}/county",
        data={"county": "  san   francisco ", "as_of": "2020-07-01"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/reviews/{review_id}/upload"
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert state["county"] == "SAN FRANCISCO"
    assert state["as_of"] == "2020-07-01"


def uploaded_names(web: WebApp, review_id: str) -> list[str]:
    return sorted(p.name for p in (web.review_dir(review_id) / "uploads").iterdir())


def test_upload_good_file_is_checked(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.upload(review_id, ("county_a.dat", doj_text(subjects=3).encode()))
    assert response.status_code == 200
    assert "county_a.dat: uploaded and checked." in response.text
    assert uploaded_names(web, review_id) == ["county_a.dat"]
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    checked = state["files"][0]
    assert checked["lines"] == 6
    assert checked["subjects"] == 3
    assert checked["warnings"] == []


def test_upload_several_files_at_once(web: WebApp) -> None:
    review_id = web.new_review()
    web.upload(
        review_id,
        ("a.dat", doj_text(subjects=1).encode()),
        ("b.txt", doj_text(subjects=2).encode()),
    )
    assert uploaded_names(web, review_id) == ["a.dat", "b.txt"]


def test_upload_same_name_replaces(web: WebApp) -> None:
    review_id = web.new_review()
    web.upload(review_id, ("a.dat", doj_text(subjects=1).encode()))
    response = web.upload(review_id, ("a.dat", doj_text(subjects=4).encode()))
    assert "replaced the earlier upload" in response.text
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert len(state["files"]) == 1
    assert state["files"][0]["subjects"] == 4


def test_upload_empty_file_rejected(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.upload(review_id, ("empty.dat", b""))
    assert "empty.dat is empty" in response.text
    assert uploaded_names(web, review_id) == []


def test_upload_wrong_type_rejected(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.upload(review_id, ("report.pdf", b"%PDF-1.7 something"))
    assert "report.pdf: wrong file type" in response.text
    response = web.upload(review_id, ("disguised.dat", b"%PDF-1.7 something"))
    assert "disguised.dat is a PDF document" in response.text
    response = web.upload(review_id, ("sheet.csv", b"PK\x03\x04rest of a zip"))
    assert "ZIP archive or an Excel/Word file" in response.text
    assert uploaded_names(web, review_id) == []


@pytest.mark.parametrize("name", ["../x.dat", "C:\\x.dat", "sub/x.dat", "c:x.dat", "..\\..\\x.dat"])
def test_upload_path_like_name_rejected(web: WebApp, name: str) -> None:
    review_id = web.new_review()
    response = web.upload(review_id, (name, doj_text().encode()))
    assert "looks like a folder path" in response.text
    assert uploaded_names(web, review_id) == []
    assert not (web.data_dir / "x.dat").exists()
    assert not (web.review_dir(review_id) / "x.dat").exists()


def test_upload_wrong_field_count_rejected(web: WebApp) -> None:
    review_id = web.new_review()
    short_line = ",".join(doj_line().split(",")[:-1])
    response = web.upload(review_id, ("short.dat", (short_line + "\n").encode()))
    assert "short.dat has 94 fields" in response.text
    assert "END_OF_REC" in response.text
    assert uploaded_names(web, review_id) == []


def test_upload_without_file_explained(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(
        f"/reviews/{review_id}/upload",
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert "No file was picked" in response.text


def test_upload_over_limit_rejected(tmp_path: Path) -> None:
    for web_app in make_web_app(tmp_path / "data", max_upload_bytes=2000):
        review_id = web_app.new_review()
        big = doj_text(subjects=10).encode()
        small = doj_line().encode() + b"\n"
        assert len(big) > 2000 >= len(small)
        response = web_app.upload(review_id, ("big.dat", big), ("small.dat", small))
        assert "big.dat is larger than the upload limit of 2 KB" in response.text
        assert "small.dat: uploaded and checked." in response.text
        assert uploaded_names(web_app, review_id) == ["small.dat"]


def test_remove_uploaded_file(web: WebApp) -> None:
    review_id = web.new_review()
    web.upload(review_id, ("a.dat", doj_text().encode()))
    response = web.client.post(f"/reviews/{review_id}/files/remove", data={"name": "a.dat"})
    assert "a.dat: removed." in response.text
    assert uploaded_names(web, review_id) == []


def policy_form_data(**changes: str) -> dict[str, str]:
    data = {
        "section_11357": "dismiss",
        "section_11358": "dismiss",
        "section_11359": "reduce",
        "section_11360": "reduce",
        "challenge_disqualified": "on",
        "under_21_at_conviction": "on",
        "min_age": "50",
        "min_years_since_conviction": "10",
        "min_years_crime_free": "0",
        "min_cell_size": "11",
        "office_name": "Office of the District Attorney",
        "district_attorney": "Dana Example",
        "deputy": "",
        "bar_number": "123456",
        "address": "1 Example Street",
        "phone": "(555) 010-0000",
        "then": "continue",
    }
    data.update(changes)
    return data


def test_policy_saved(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(
        f"/reviews/{review_id}/policy", data=policy_form_data(), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/reviews/{review_id}/run"
    policy = json.loads((web.review_dir(review_id) / "state.json").read_text())["policy"]
    assert policy["sections"] == {
        "11357": "dismiss",
        "11358": "dismiss",
        "11359": "reduce",
        "11360": "reduce",
    }
    assert policy["additional_relief"]["min_age"] == 50
    assert policy["additional_relief"]["under_21_at_conviction"] is True
    assert policy["additional_relief"]["deceased"] is False
    assert policy["office"]["bar_number"] == "123456"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_age", "30", "Must be 0 (off) or between 40 and 65."),
        ("min_age", "abc", "Enter a whole number: 0 (off) or 40 to 65."),
        ("min_years_since_conviction", "16", "Must be 0 (off) or between 1 and 15."),
        ("min_years_crime_free", "-1", "Must be 0 (off) or between 1 and 15."),
        ("bar_number", "12AB", "Use digits only, at most 20."),
        ("phone", "call me", "Use digits, spaces"),
        ("min_cell_size", "0", "Enter a whole number from 1 to 1000."),
        ("section_11358", "erase", "Choose dismiss or reduce."),
    ],
)
def test_policy_error_beside_field(web: WebApp, field: str, value: str, message: str) -> None:
    review_id = web.new_review()
    before = (web.review_dir(review_id) / "state.json").read_text()
    before_policy = json.loads(before)["policy"]
    response = web.client.post(
        f"/reviews/{review_id}/policy", data=policy_form_data(**{field: value})
    )
    assert response.url.path == f"/reviews/{review_id}/policy"
    assert f'<p class="error" id="{field}-error">' in response.text
    error_paragraph = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error_paragraph
    after = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert after["policy"] == before_policy
    assert after["pending"] == {}


def upload_policy(web: WebApp, review_id: str, name: str, content: bytes):
    return web.client.post(
        f"/reviews/{review_id}/policy/load",
        files={"policy_file": (name, content, "application/octet-stream")},
    )


def test_policy_load_toml(web: WebApp) -> None:
    review_id = web.new_review()
    text = b'[sections]\n"11360" = "reduce"\n[additional_relief]\nmin_age = 57\n'
    response = upload_policy(web, review_id, "ours.toml", text)
    assert response.status_code == 200
    assert "Policy file loaded" in response.text
    policy = json.loads((web.review_dir(review_id) / "state.json").read_text())["policy"]
    assert policy["sections"]["11360"] == "reduce"
    assert policy["additional_relief"]["min_age"] == 57


def test_policy_load_legacy_json(web: WebApp) -> None:
    review_id = web.new_review()
    legacy = {
        "baselineEligibility": {"dismiss": ["11357", "11358"], "reduce": ["11359", "11360"]},
        "additionalRelief": {"subjectUnder21AtConviction": True, "subjectAgeThreshold": 57},
    }
    response = upload_policy(web, review_id, "options.json", json.dumps(legacy).encode())
    assert response.status_code == 200
    policy = json.loads((web.review_dir(review_id) / "state.json").read_text())["policy"]
    assert policy["sections"]["11359"] == "reduce"
    assert policy["additional_relief"]["under_21_at_conviction"] is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.toml", b"[sections\n", "bad.toml: invalid TOML"),
        ("bad.toml", b'[sections]\n"11357" = "erase"\n', "invalid value 'erase'"),
        ("bad.json", b"{not json", "bad.json: invalid JSON at line 1"),
        ("policy.txt", b"x", "wrong file type"),
    ],
)
def test_policy_load_malformed(web: WebApp, name: str, content: bytes, message: str) -> None:
    review_id = web.new_review()
    before = json.loads((web.review_dir(review_id) / "state.json").read_text())
    response = upload_policy(web, review_id, name, content)
    assert response.url.path == f"/reviews/{review_id}/policy"
    assert message in html.unescape(response.text)
    assert 'id="policy_file-error"' in response.text
    after = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert after["policy"] == before["policy"]


def test_policy_download_round_trip(web: WebApp, tmp_path: Path) -> None:
    review_id = web.new_review()
    web.client.post(f"/reviews/{review_id}/policy", data=policy_form_data())
    response = web.client.get(f"/reviews/{review_id}/policy.toml")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    saved = tmp_path / "saved.toml"
    saved.write_bytes(response.content)
    policy = load_policy(saved)
    assert policy.sections.treatment("11359") == "reduce"
    assert policy.additional_relief.min_years_since_conviction == 10


def test_run_page_lists_missing_steps(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(f"/reviews/{review_id}/run")
    assert response.url.path == f"/reviews/{review_id}/run"
    assert "Choose the county and the as-of date." in response.text
    assert "Upload at least one DOJ file." in response.text
    state = json.loads((web.review_dir(review_id) / "state.json").read_text())
    assert state["status"] == "draft"


def test_delete_removes_uploads(web: WebApp) -> None:
    review_id = web.new_review()
    web.upload(review_id, ("a.dat", doj_text().encode()))
    assert web.review_dir(review_id).exists()
    confirm = web.client.get(f"/reviews/{review_id}/delete")
    assert "cannot be undone" in confirm.text
    response = web.client.post(f"/reviews/{review_id}/delete", follow_redirects=False)
    assert response.status_code == 303
    assert not web.review_dir(review_id).exists()
    assert web.client.get(f"/reviews/{review_id}/county").status_code == 404


def test_past_reviews_list_policy(web: WebApp) -> None:
    review_id = web.new_review()
    web.client.post(f"/reviews/{review_id}/county", data={"county": "Yolo", "as_of": "2020-07-01"})
    text = web.client.get("/reviews").text
    assert "Yolo" in text
    assert "2020-07-01" in text
    assert "Felony convictions under HS 11357, 11358, 11359, 11360 are dismissed." in text


def test_unknown_review_is_404(web: WebApp) -> None:
    assert web.client.get("/reviews/nope/county").status_code == 404
    assert web.client.get("/reviews/..%2F..%2Fetc/county").status_code == 404


def test_log_has_no_record_contents(tmp_path: Path) -> None:
    from autoclear.web.server import configure_logging

    data_dir = tmp_path / "data"
    log_path = configure_logging(data_dir)
    for web_app in make_web_app(data_dir):
        review_id = web_app.new_review()
        web_app.upload(review_id, ("a.dat", doj_text().encode()))
        web_app.client.get(f"/reviews/{review_id}/upload")
    log = log_path.read_text()
    assert "request GET /reviews/{review_id}/upload status=200" in log
    assert "upload accepted=1 rejected=0" in log
    assert "SAMPLEPERSON" not in log
    assert "19700101" not in log
    assert "S0001" not in log


def test_interrupted_run_marked_failed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for web_app in make_web_app(data_dir):
        review_id = web_app.new_review()
    state_path = data_dir / "reviews" / review_id / "state.json"
    state = json.loads(state_path.read_text())
    state["status"] = "running"
    state_path.write_text(json.dumps(state))
    partial_output = data_dir / "reviews" / review_id / "output"
    partial_output.mkdir()
    (partial_output / "All_Results.csv").write_text("half")
    for web_app in make_web_app(data_dir):
        page = web_app.client.get(f"/reviews/{review_id}/run").text
        assert "The app stopped while this review was running" in page
    assert json.loads(state_path.read_text())["status"] == "failed"
    assert not partial_output.exists()
