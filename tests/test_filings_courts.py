"""Court filings: one folder per court, every granted case once, office details never made up."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import docx
import pypdfium2
import pytest
from pypdf import PdfReader

from autoclear.doj.columns import (
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
)
from autoclear.outputs.filings import write_filings
from autoclear.outputs.filings.cases import court_slug, relief_for
from autoclear.outputs.filings.documents import BLANK
from autoclear.outputs.report.run_folder import load_run_folder
from autoclear.rules.policy import Policy
from test_report_runfolder import SyntheticRun, write_synthetic_run

GRANTED = (ELIGIBLE_FOR_DISMISSAL, ELIGIBLE_FOR_REDUCTION)
DOCUMENTS = ("motion", "proposed_order", "exhibit_a_relief", "exhibit_b_challenged")


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticRun, Path]:
    run = write_synthetic_run(tmp_path_factory.mktemp("filings") / "run")
    out = run.path / "filings"
    write_filings(load_run_folder(run.path), run.policy, out)
    return run, out


def _slug(court: str) -> str:
    return court_slug(court, set())


def _expected_cases(run: SyntheticRun, determinations: tuple[str, ...]) -> dict[str, Counter[str]]:
    """Convictions per (case number) per court slug, from the fixture's own list."""
    expected: dict[str, Counter[str]] = {}
    for line in run.convictions:
        if line["Eligibility Determination"] in determinations:
            expected.setdefault(_slug(line["STP_ORI_DESCR"]), Counter())[line["Case Number"]] += 1
    return expected


def _docx_rows(path: Path) -> list[list[str]]:
    document = docx.Document(str(path))
    assert len(document.tables) == 1
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def _convictions_in(sections_cell: str) -> int:
    total = 0
    for line in sections_cell.splitlines():
        _section, _, multiplier = line.partition(" x")
        total += int(multiplier) if multiplier.isdigit() else 1
    return total


def test_one_folder_per_court(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    courts = {_slug(line["STP_ORI_DESCR"]) for line in run.convictions}
    assert {folder.name for folder in out.iterdir()} == courts
    for folder in out.iterdir():
        for stem in DOCUMENTS:
            assert (folder / f"{stem}.docx").is_file()
            assert (folder / f"{stem}.pdf").is_file()
        assert (folder / "cases.csv").is_file()


def test_docx_exhibit_a_lists_each_case_once(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    expected = _expected_cases(run, GRANTED)
    for slug, cases in expected.items():
        rows = _docx_rows(out / slug / "exhibit_a_relief.docx")
        assert rows[0][0] == "Case number"
        numbers = [row[0] for row in rows[1:]]
        assert Counter(numbers) == Counter(dict.fromkeys(cases, 1)), slug
        found = {row[0]: _convictions_in(row[4]) for row in rows[1:]}
        assert found == dict(cases), slug


def test_exhibits_sorted_by_case_number(filed: tuple[SyntheticRun, Path]) -> None:
    _run, out = filed
    for folder in out.iterdir():
        numbers = [row[0] for row in _docx_rows(folder / "exhibit_a_relief.docx")[1:]]
        assert numbers == sorted(numbers)


def test_exhibit_totals_match_summary(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    summary = json.loads((run.path / "summary.json").read_text(encoding="utf-8"))
    determinations = summary["scenarios"]["policy"]["determinations"]
    granted = challenged = 0
    for clerk_csv in out.glob("*/cases.csv"):
        with clerk_csv.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["exhibit"] == "A":
                    granted += int(row["convictions"])
                else:
                    challenged += int(row["convictions"])
    assert (
        granted == determinations[ELIGIBLE_FOR_DISMISSAL] + determinations[ELIGIBLE_FOR_REDUCTION]
    )
    assert challenged == determinations[NOT_ELIGIBLE]


def test_pdf_exhibit_names_every_case(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    for slug, cases in _expected_cases(run, GRANTED).items():
        text = "\n".join(
            page.extract_text() for page in PdfReader(out / slug / "exhibit_a_relief.pdf").pages
        )
        for case_number in cases:
            assert text.count(case_number) == 1, case_number


def test_challenged_cases_carry_reasons(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    for slug, cases in _expected_cases(run, (NOT_ELIGIBLE,)).items():
        rows = _docx_rows(out / slug / "exhibit_b_challenged.docx")
        assert rows[0][-1] == "Reason challenged"
        assert {row[0] for row in rows[1:]} == set(cases)
        for row in rows[1:]:
            assert row[-1] in (
                "Prior super strike conviction (PC 187)",
                "Two prior convictions of HS 11359",
            )


def test_hand_review_not_filed_but_counted(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    hand_review = [
        line for line in run.convictions if line["Eligibility Determination"] == HAND_REVIEW
    ]
    assert hand_review
    for line in hand_review:
        folder = out / _slug(line["STP_ORI_DESCR"])
        with (folder / "cases.csv").open(encoding="utf-8") as handle:
            filed_counts = sum(
                int(row["convictions"])
                for row in csv.DictReader(handle)
                if row["case_number"] == line["Case Number"]
            )
        decided = sum(
            other["Case Number"] == line["Case Number"]
            and other["Eligibility Determination"] != HAND_REVIEW
            for other in run.convictions
        )
        assert filed_counts == decided, line["Case Number"]
    noted = 0
    for note in out.glob("*/cover_note.txt"):
        for text_line in note.read_text(encoding="utf-8").splitlines():
            if text_line.startswith("Hand review: "):
                noted += int(text_line.split()[2])
    assert noted == len(hand_review)


def test_multiplier_and_other_names(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    first = next(line for line in run.convictions if line["Case Number"].endswith("F00001"))
    rows = _docx_rows(out / _slug(first["STP_ORI_DESCR"]) / "exhibit_a_relief.docx")
    row = next(row for row in rows if row[0] == first["Case Number"])
    assert row[4] == "11359 HS x2"
    assert row[1] == "ALDER,ROBIN A\nAKA: ALDER,ROBIN ALIAS"


def test_missing_office_details_stay_blank(filed: tuple[SyntheticRun, Path]) -> None:
    _run, out = filed
    folder = next(out.iterdir())
    text = "\n".join(
        paragraph.text for paragraph in docx.Document(str(folder / "motion.docx")).paragraphs
    )
    assert f"State Bar No. {BLANK}" in text
    assert f"Telephone: {BLANK}" in text
    note = (folder / "cover_note.txt").read_text(encoding="utf-8")
    assert "district attorney, deputy, bar number, address, phone, office name" in note


def test_office_details_printed_when_given(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    policy = Policy.model_validate(
        run.policy.to_dict()
        | {
            "office": {
                "district_attorney": "PAT EXAMPLE",
                "bar_number": "123456",
                "phone": "(555) 010-0000",
            }
        }
    )
    write_filings(load_run_folder(run.path), policy, tmp_path / "out")
    folder = next((tmp_path / "out").iterdir())
    for suffix in (".docx", ".pdf"):
        path = folder / f"motion{suffix}"
        if suffix == ".docx":
            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        else:
            text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        assert "PAT EXAMPLE" in text
        assert "State Bar No. 123456" in text
        assert "(555) 010-0000" in text
        # The deputy was not given: the blank stays.
        assert f"{BLANK}, Deputy District Attorney" in text


def test_long_exhibit_repeats_header(filed: tuple[SyntheticRun, Path]) -> None:
    _run, out = filed
    pdf = max(out.glob("*/exhibit_a_relief.pdf"), key=lambda path: len(PdfReader(path).pages))
    pages = PdfReader(pdf).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "Case number" in text
        assert f"Page {number} of {len(pages)}" in text
    header_row = docx.Document(str(pdf.with_suffix(".docx"))).tables[0].rows[0]._tr
    assert header_row.xpath("./w:trPr/w:tblHeader")


def test_docx_footer_has_page_fields(filed: tuple[SyntheticRun, Path]) -> None:
    _run, out = filed
    document = docx.Document(str(next(out.glob("*/motion.docx"))))
    footer_xml = document.sections[0].footer._element.xml
    assert " PAGE " in footer_xml
    assert " NUMPAGES " in footer_xml


def test_motion_pdf_page_is_not_blank(filed: tuple[SyntheticRun, Path]) -> None:
    _run, out = filed
    document = pypdfium2.PdfDocument(next(out.glob("*/motion.pdf")))
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    dark = sum(image.histogram()[:128])
    assert dark / (image.width * image.height) > 0.005


def test_order_lists_only_relief_present(filed: tuple[SyntheticRun, Path]) -> None:
    run, out = filed
    for folder in out.iterdir():
        text = "\n".join(
            p.text for p in docx.Document(str(folder / "proposed_order.docx")).paragraphs
        )
        assert "[PROPOSED] ORDER" in text
        assert "Judge of the Superior Court" in text
        with (folder / "cases.csv").open(encoding="utf-8") as handle:
            reliefs = {
                part
                for row in csv.DictReader(handle)
                if row["exhibit"] == "A"
                for part in row["relief"].split("; ")
            }
        for relief in ("Dismiss and seal", "Redesignate as misdemeanor"):
            assert (f'"{relief}"' in text) == (relief in reliefs), (folder.name, relief)


@pytest.mark.parametrize(
    ("determination", "remedy", "expected"),
    [
        (ELIGIBLE_FOR_DISMISSAL, "Dismiss and seal (HS 11361.8(e)-(f))", "Dismiss and seal"),
        (ELIGIBLE_FOR_REDUCTION, "Redesignate as misdemeanor (HS 11361.8(e)-(f))", "Redesignate as misdemeanor"),
        (ELIGIBLE_FOR_DISMISSAL, "Recall and resentence (HS 11361.8(a)-(b))", "Recall sentence and dismiss"),
        (ELIGIBLE_FOR_REDUCTION, "Recall and resentence (HS 11361.8(a)-(b))",
         "Recall sentence and resentence as misdemeanor"),
        (ELIGIBLE_FOR_DISMISSAL, "", "Dismiss and seal"),
    ],
)  # fmt: skip
def test_relief_from_determination_and_remedy(
    determination: str, remedy: str, expected: str
) -> None:
    assert relief_for(determination, remedy) == expected


def test_court_slugs_are_unique() -> None:
    used: set[str] = set()
    assert court_slug("CASC SAN FRANCISCO", used) == "casc-san-francisco"
    assert court_slug("CASC  SAN-FRANCISCO", used) == "casc-san-francisco-2"
    assert court_slug("", used) == "unknown-court"
