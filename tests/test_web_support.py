"""Builders and fixtures shared by the web app tests (this module contains no tests)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.web.app import WebSettings, create_app

TOKEN = "test-token-0123456789"


def doj_line(subject: str = "S0001", count: int = 1, **fields: str) -> str:
    """Build one synthetic DOJ line with 95 fields; keyword arguments set columns by name."""
    values = {column: "" for column in DOJ_COLUMNS}
    values.update(
        RECORD_ID=str(count),
        SUBJECT_ID=subject,
        PRI_NAME="SAMPLEPERSON,PAT",
        PRI_DOB="19700101",
        GENDER="FEMALE",
        RACE_DESCR="WHITE",
        CYC_ORDER="001",
        CYC_DATE="20100101",
        STP_EVENT_DATE="20100301",
        STP_TYPE_DESCR="COURT ACTION",
        STP_ORI_CNTY_NAME="SAN FRANCISCO",
        CNT_ORDER=f"001001{count:03d}000",
        OFFENSE_DESCR="11357(A) HS-POSSESS CONCENTRATED CANNABIS",
        OFFENSE_TOC="M",
        DISP_DESCR="CONVICTED",
        CONV_STAT_DESCR="MISDEMEANOR",
        END_OF_REC="#",
    )
    values.update(fields)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([values[column] for column in DOJ_COLUMNS])
    return buffer.getvalue()


def doj_text(subjects: int = 3, lines_per_subject: int = 2) -> str:
    lines = [
        doj_line(subject=f"S{s:04d}", count=n + 1)
        for s in range(subjects)
        for n in range(lines_per_subject)
    ]
    return "\n".join(lines) + "\n"


@dataclass
class WebApp:
    """A test client logged in with the token, and the data folder behind it."""

    client: TestClient
    data_dir: Path

    def new_review(self) -> str:
        response = self.client.post("/reviews", follow_redirects=False)
        assert response.status_code == 303
        match = re.match(r"^/reviews/([\w-]+)/county$", response.headers["location"])
        assert match, response.headers["location"]
        return match.group(1)

    def review_dir(self, review_id: str) -> Path:
        return self.data_dir / "reviews" / review_id

    def upload(self, review_id: str, *files: tuple[str, bytes]):
        return self.client.post(
            f"/reviews/{review_id}/upload",
            files=[
                ("files", (name, content, "application/octet-stream")) for name, content in files
            ],
        )

    def ready_review(self, paths: list[Path], county: str = "SAN FRANCISCO") -> str:
        """Create a review with county, date and the given files, ready to run."""
        review_id = self.new_review()
        response = self.client.post(
            f"/reviews/{review_id}/county", data={"county": county, "as_of": "2020-07-01"}
        )
        assert response.status_code == 200
        response = self.upload(review_id, *[(p.name, p.read_bytes()) for p in paths])
        assert response.status_code == 200
        return review_id


def make_web_app(data_dir: Path, max_upload_bytes: int = 4 * 1024**3) -> Iterator[WebApp]:
    app = create_app(WebSettings(data_dir=data_dir, token=TOKEN, max_upload_bytes=max_upload_bytes))
    # Browsers send Sec-Fetch-Site on every form post; the app rejects POSTs without it or Origin.
    with TestClient(
        app, base_url="http://127.0.0.1:8765", headers={"Sec-Fetch-Site": "same-origin"}
    ) as client:
        response = client.get(f"/?token={TOKEN}")
        assert response.status_code == 200
        yield WebApp(client, data_dir)
        app.state.jobs.wait(timeout=60)


def sample_paths() -> list[Path]:
    """Return the bundled sample's DOJ files, skipping the test while the sample is not there."""
    sample = pytest.importorskip("autoclear.sample", reason="the bundled sample is not built yet")
    if not hasattr(sample, "sample_files"):
        pytest.skip("autoclear.sample.sample_files() is not there yet")
    pytest.importorskip(
        "autoclear.pipeline", reason="autoclear.pipeline (run_job) is not there yet"
    )
    return [Path(p) for p in sample.sample_files()]
