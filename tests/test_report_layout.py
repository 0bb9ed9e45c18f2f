"""The report's input figures, its table of data problems, and PDF tables that wrap only at spaces."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from autoclear.outputs.report import write_report
from autoclear.outputs.report.content import build_report
from autoclear.outputs.report.fonts import SANS, SANS_BOLD, register_fonts
from autoclear.outputs.report.pdf import CELL_FONT_SIZE, CELL_PADDING, _column_widths
from autoclear.outputs.report.run_folder import load_run_folder
from autoclear.outputs.report.suppression import Suppression
from test_report_runfolder import SyntheticRun, write_synthetic_run

PARTIAL_DATE = "cannabis conviction with partial conviction date and full offense date"
QUALITY_CSV = (
    "file,line,subject_id,problem\n"
    'a.dat,3,,"has 94 fields, expected 95"\n'
    'b.dat,8,,"has 97 fields, expected 95"\n'
    "a.dat,20,100001,repeated line: same as a.dat line 2; counted once\n"
    "b.dat,31,100002,repeated line: same as a.dat line 9; counted once\n"
    "b.dat,32,100003,repeated line: same as b.dat line 4; counted once\n"
    f"a.dat,40,100004,{PARTIAL_DATE}\n"
    f"a.dat,41,100005,{PARTIAL_DATE}\n"
)


def _run_with_problems(path: Path, subjects: int = 80) -> SyntheticRun:
    """Write the synthetic run with realistic quality.csv messages and the given count of people."""
    run = write_synthetic_run(path)
    (path / "quality.csv").write_text(QUALITY_CSV, encoding="utf-8")
    summary_path = path / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["input"]["subjects"] = subjects
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    return run


def _publish(run: SyntheticRun) -> tuple[str, list[str]]:
    """Write the report with suppression on; return the HTML and the PDF's stripped text lines."""
    html_path = run.path / "report.html"
    pdf_path = run.path / "report.pdf"
    write_report(load_run_folder(run.path), run.policy, Suppression(11, True), html_path, pdf_path)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    return html_path.read_text(encoding="utf-8"), [line.strip() for line in text.splitlines()]


def _html_row(html: str, label: str) -> str:
    match = re.search(rf'<tr><td class="text">{re.escape(label)}</td>(.*?)</tr>', html)
    assert match is not None, label
    return match.group(1)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    run = _run_with_problems(tmp_path_factory.mktemp("layout") / "run", subjects=7)
    return _publish(run)


def test_line_counts_are_not_suppressed_in_html(published: tuple[str, list[str]]) -> None:
    html, _lines = published
    rejected = _html_row(html, "Lines rejected as malformed (not evaluated)")
    repeated = _html_row(html, "Lines repeating an earlier line (counted once)")
    assert rejected == '<td class="number">1</td>'
    assert repeated == '<td class="number">4</td>'


def test_people_count_stays_suppressed(published: tuple[str, list[str]]) -> None:
    html, lines = published
    assert _html_row(html, "People (DOJ subjects) in the files") == '<td class="count">&lt;11</td>'
    label = lines.index("People (DOJ subjects) in the files")
    assert lines[label + 1] == "<11"


def test_line_counts_are_not_suppressed_in_pdf(published: tuple[str, list[str]]) -> None:
    _html, lines = published
    rejected = lines.index("Lines rejected as malformed (not evaluated)")
    repeated = lines.index("Lines repeating an earlier line (counted once)")
    assert lines[rejected + 1] == "1"
    assert lines[repeated + 1] == "4"


def test_quality_problems_grouped_by_kind(tmp_path: Path) -> None:
    run = _run_with_problems(tmp_path / "run")
    folder = load_run_folder(run.path)
    assert folder.quality_problems == {
        "repeated line": 3,
        PARTIAL_DATE: 2,
        "wrong number of fields (expected 95)": 2,
    }


def test_problem_table_suppresses_only_convictions(published: tuple[str, list[str]]) -> None:
    html, _lines = published
    assert _html_row(html, "repeated line") == '<td class="number">3</td>'
    assert _html_row(html, "wrong number of fields (expected 95)") == '<td class="number">2</td>'
    assert _html_row(html, PARTIAL_DATE) == '<td class="count">&lt;11</td>'
    assert "same as a.dat line" not in html


def test_pdf_keeps_words_and_percentages_whole(published: tuple[str, list[str]]) -> None:
    _html, lines = published
    assert "100.0%" in lines
    assert "100.0" not in lines
    # A header either fits on one line or wraps at a space, never inside a word.
    words = {word for line in lines for word in line.split()}
    assert "Convictions" in words
    assert "(RACE_DESCR)" in words
    assert "s" not in lines
    assert not any(line.startswith("ESCR") for line in lines)


def test_pdf_columns_fit_header_words(tmp_path: Path) -> None:
    register_fonts()
    run = _run_with_problems(tmp_path / "run")
    report = build_report(load_run_folder(run.path), run.policy, Suppression(11, True))
    tables = [table for section in report.sections for table in section.tables]
    assert len(tables) >= 8
    for table in tables:
        widths = _column_widths(table)
        assert sum(widths) == pytest.approx(sum(_column_widths(tables[0])))
        for column, name in enumerate(table.header):
            room = widths[column] - 2 * CELL_PADDING
            for word in name.split():
                assert stringWidth(word, SANS_BOLD, CELL_FONT_SIZE) <= room, (table.title, word)
            for row in table.rows:
                cell = row[column]
                if cell.kind in ("count", "number", "percent"):
                    width = stringWidth(cell.text, SANS, CELL_FONT_SIZE)
                    assert width <= room, (table.title, cell.text)
