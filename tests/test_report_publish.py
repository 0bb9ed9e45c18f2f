"""The summary and equity report: figures, suppression, self-contained HTML, legible PDF."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from autoclear.outputs.report import write_report
from autoclear.outputs.report.run_folder import load_run_folder
from autoclear.outputs.report.suppression import HIDDEN_PERCENT, Suppression
from autoclear.rules.prop64 import explain_rule
from test_report_runfolder import SyntheticRun, write_synthetic_run


class CellCollector(HTMLParser):
    """Collect the text of every <td> by its class, and every external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.references: list[str] = []
        self._class: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.references.append(f"{tag} {name}={values[name]}")
        if tag == "link":
            self.references.append("link")
        if tag == "td":
            self._class = values.get("class") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._class is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._class is not None:
            self.cells.append((self._class, "".join(self._text).strip()))
            self._class = None


def _publish(run: SyntheticRun, suppress: bool) -> tuple[str, Path]:
    folder = load_run_folder(run.path)
    html_path = run.path / "report.html"
    pdf_path = run.path / "report.pdf"
    suppression = Suppression(min_cell_size=run.policy.report.min_cell_size, enabled=suppress)
    write_report(folder, run.policy, suppression, html_path, pdf_path)
    return html_path.read_text(encoding="utf-8"), pdf_path


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticRun, str, Path]:
    run = write_synthetic_run(tmp_path_factory.mktemp("report") / "run")
    html, pdf = _publish(run, suppress=True)
    return run, html, pdf


def test_html_counts_below_minimum_are_hidden(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, html, _pdf = published
    parser = CellCollector()
    parser.feed(html)
    counts = [text for kind, text in parser.cells if kind == "count"]
    assert "<11" in counts
    for text in counts:
        if text == "<11":
            continue
        value = int(text.replace(",", ""))
        assert value == 0 or value >= 11, text


def test_html_hides_percentages_of_hidden_counts(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, html, _pdf = published
    parser = CellCollector()
    parser.feed(html)
    cells = parser.cells
    for index, (kind, text) in enumerate(cells):
        if (
            kind == "count"
            and text == "<11"
            and index + 1 < len(cells)
            and cells[index + 1][0] == "percent"
        ):
            assert cells[index + 1][1] == HIDDEN_PERCENT


def test_html_small_race_groups_are_suppressed(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, html, _pdf = published
    row = re.search(r"<tr><td class=\"text\">ASIAN</td>(.*?)</tr>", html)
    assert row is not None
    assert "&lt;11" in row.group(1)
    assert not re.search(r">\s*[1-9]\s*<", row.group(1))


def test_html_is_self_contained(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, html, _pdf = published
    parser = CellCollector()
    parser.feed(html)
    assert parser.references == []
    assert html.count("<svg") == 3
    assert "<script" not in html


def test_html_states_policy_and_inputs(published: tuple[SyntheticRun, str, Path]) -> None:
    run, html, _pdf = published
    for sentence in run.policy.describe():
        assert sentence.replace("'", "&#39;") in html
    assert "synthetic.dat" in html
    assert re.search(r"[0-9a-f]{64}", html)
    assert "Counts from 1 to 10 are shown as &lt;11" in html
    assert "INTERNAL USE ONLY" not in html


def test_html_explains_hand_review_reasons(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, html, _pdf = published
    assert "Convictions sent to hand review, by reason" in html
    # Rows are rules in plain words, not each conviction's own reason.
    assert explain_rule("convicted_after_prop64_for_earlier_offense") in html
    assert "Lines rejected as malformed" in html
    assert "wrong field count" in html


def test_pdf_text_shows_markers_not_small_counts(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, _html, pdf = published
    lines = [line.strip() for line in _pdf_text(pdf).splitlines()]
    assert "<11" in lines
    # The fixture has 4 hand-review convictions; the impact table must print the marker instead.
    label = lines.index("Convictions sent to hand review")
    assert lines[label + 1] == "<11"
    # ASIAN has 3 people: each of its four counts is hidden, and so is each percentage.
    group = lines.index("ASIAN")
    assert lines[group + 1 : group + 9] == ["<11", HIDDEN_PERCENT] * 4


def test_pdf_pages_are_numbered(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, _html, pdf = published
    pages = PdfReader(pdf).pages
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0].extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1].extract_text()


def test_pdf_chart_page_is_not_blank(published: tuple[SyntheticRun, str, Path]) -> None:
    _run, _html, pdf = published
    document = pypdfium2.PdfDocument(pdf)
    try:
        ink = []
        for page in document:
            image = page.render(scale=1).to_pil().convert("L")
            dark = image.histogram()[:128]
            ink.append(sum(dark) / (image.width * image.height))
    finally:
        document.close()
    assert min(ink) > 0.001
    # Bar charts fill far more of a page than text does.
    assert max(ink) > 0.02


def test_no_suppress_shows_small_counts(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    html, pdf = _publish(run, suppress=False)
    assert "INTERNAL USE ONLY" in html
    assert "&lt;11" not in html
    row = re.search(r"<tr><td class=\"text\">ASIAN</td>(.*?)</tr>", html)
    assert row is not None
    assert '<td class="count">3</td>' in row.group(1)
    text = _pdf_text(pdf)
    assert "INTERNAL USE ONLY" in text
    assert "<11" not in text


def test_minimum_cell_size_follows_policy(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    folder = load_run_folder(run.path)
    suppression = Suppression(min_cell_size=30, enabled=True)
    write_report(folder, run.policy, suppression, tmp_path / "r.html", tmp_path / "r.pdf")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "&lt;30" in html
    assert "&lt;11" not in html


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0"), (1, "<11"), (10, "<11"), (11, "11"), (12345, "12,345")]
)
def test_suppression_boundaries(count: int, expected: str) -> None:
    assert Suppression(11, True).count(count) == expected


def test_percentage_hidden_when_total_small() -> None:
    suppression = Suppression(11, True)
    assert suppression.percent(0, 5) == HIDDEN_PERCENT
    assert suppression.percent(11, 22) == "50.0%"
    assert suppression.percent(11, 0) == HIDDEN_PERCENT
    assert Suppression(11, False).percent(3, 6) == "50.0%"
