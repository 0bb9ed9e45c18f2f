"""How code-section strings from OFFENSE_DESCR and COMMENT_TEXT are classified.

Each row is run through the real Polars expressions of `autoclear.records.codes` on a one-column
frame, after the same trimming and upper-casing the pipeline applies.
"""

from __future__ import annotations

import polars as pl
import pytest

from autoclear.records import codes
from autoclear.records.dates import clean_text

# (offense text, code, section, subsection, attempt, is Prop 64)
OFFENSE_CASES: list[tuple[str, str | None, str | None, str, bool, bool]] = [
    ("11357(A) HS", "HS", "11357", "A", False, True),
    ("11357A HS", "HS", "11357", "A", False, True),
    ("11357B2 HS", "HS", "11357", "B2", False, True),
    ("11357 HS", "HS", "11357", "", False, True),
    ("11358(C)HS", "HS", "11358", "C", False, True),
    ("11359HS", "HS", "11359", "", False, True),
    ("  11359 HS-POSS  ", "HS", "11359", "", False, True),
    ("11359 HS/POSS FOR SALE", "HS", "11359", "", False, True),
    ("11359 H&S", "HS", "11359", "", False, True),
    ("11359 HSC-POSS FOR SALE", "HS", "11359", "", False, True),
    ("11360(a) hs-sell", "HS", "11360", "A", False, True),
    ("11360(A)(3)(C) HS", "HS", "11360", "A3C", False, True),
    ("11360A3D HS-IMPORT", "HS", "11360", "A3D", False, True),
    ("664/11359 HS", "HS", "11359", "", True, True),
    ("664 PC/11359 HS", "HS", "11359", "", True, True),
    ("664-11360 HS", "HS", "11360", "", True, True),
    ("11357.5 HS", "HS", "11357.5", "", False, False),
    ("11359.1 HS", "HS", "11359.1", "", False, False),
    ("113590 HS", "HS", "113590", "", False, False),
    ("11358 PC", "PC", "11358", "", False, False),
    ("11364 HS-PARAPHERNALIA", "HS", "11364", "", False, False),
    ("187(A) PC", "PC", "187", "A", False, False),
    ("664/187(A) PC", "PC", "187", "A", True, False),
    ("653F(C) PC", "PC", "653", "FC", False, False),
    ("266H(B) PC", "PC", "266", "HB", False, False),
    ("288A PC", "PC", "288", "A", False, False),
    ("4060 BP", "BP", "4060", "", False, False),
    ("4060 B&P", "BP", "4060", "", False, False),
    ("40508(A) VC", "VC", "40508", "A", False, False),
    ("11359", None, "11359", "", False, False),
    ("SEE COMMENT FOR CHARGE", None, None, "", False, False),
    ("", None, None, "", False, False),
    ("#", None, None, "", False, False),
]


def classify(texts: list[str], parse: str = "offense") -> pl.DataFrame:
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    cleaned = clean_text("text")
    parts = (
        codes.parse_offense(cleaned)
        if parse == "offense"
        else codes.parse_first_in_comment(cleaned)
    )
    return frame.select(
        **parts,
        is_prop64=codes.is_prop64_section(parts["code"], parts["section"]).fill_null(False),
    )


@pytest.mark.parametrize(
    ("text", "code", "section", "subsection", "attempt", "is_prop64"),
    OFFENSE_CASES,
    ids=[repr(case[0]) for case in OFFENSE_CASES],
)
def test_offense_section_classification(
    text: str,
    code: str | None,
    section: str | None,
    subsection: str,
    attempt: bool,
    is_prop64: bool,
) -> None:
    row = classify([text]).row(0, named=True)

    assert row["code"] == code
    assert row["section"] == section
    assert row["subsection"] == subsection
    assert row["attempt"] is attempt
    assert row["is_prop64"] is is_prop64


def test_whole_column_classified_in_one_pass() -> None:
    texts = [case[0] for case in OFFENSE_CASES]

    result = classify(texts)

    assert result.get_column("is_prop64").to_list() == [case[5] for case in OFFENSE_CASES]


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("11360(A)(3)(C) HS", "11360(A)(3)(C) HS"),
        ("11357B2 HS", "11357(B)(2) HS"),
        ("664/11359 HS", "664/11359 HS"),
        ("664 PC/11360(A) HS", "664/11360(A) HS"),
        ("11359 H&S-POSS", "11359 HS"),
        ("11359", "11359"),
    ],
)
def test_display_section(text: str, display: str) -> None:
    frame = pl.DataFrame({"text": [text]})
    parts = codes.parse_offense(clean_text("text"))

    shown = frame.select(codes.display_section(**parts)).item()

    assert shown == display


# (comment text, cannabis charges the comment names)
COMMENT_CASES: list[tuple[str, list[str]]] = [
    ("CHARGE AMENDED TO 11360(A) HS", ["11360(A) HS"]),
    ("PLEA TO 664/11359 HS AND 11358 HS", ["664/11359 HS", "11358 HS"]),
    ("11360(A)(3)(C) HS, 11357 HS", ["11360(A)(3)(C) HS", "11357 HS"]),
    ("SEE 11359 H&S", ["11359 HS"]),
    ("ORIG CHG 11359HS", ["11359 HS"]),
    ("AMENDED TO 11360(A) HSC", ["11360(A) HS"]),
    ("11359 HS AND 11359 HS", ["11359 HS"]),
    ("CASE 11359 REF", []),
    ("11357.5 HS SYNTHETIC", []),
    ("459 PC BURGLARY", []),
    ("", []),
]


@pytest.mark.parametrize(
    ("text", "charges"), COMMENT_CASES, ids=[repr(c[0]) for c in COMMENT_CASES]
)
def test_cannabis_charges_in_comment(text: str, charges: list[str]) -> None:
    frame = pl.DataFrame({"text": [text]})

    found = frame.select(codes.cannabis_charges_in_comment(clean_text("text").fill_null(""))).item()

    assert found.to_list() == charges


@pytest.mark.parametrize(
    ("text", "code", "section", "subsection"),
    [
        ("11360(A) HS-SELL MARIJUANA", "HS", "11360", "A"),
        ("AMENDED: 11359HS POSS FOR SALE", "HS", "11359", ""),
        ("459 PC BURGLARY", "PC", "459", ""),
        ("DOCKET 12345 ONLY", None, None, ""),
    ],
)
def test_first_section_in_comment(
    text: str, code: str | None, section: str | None, subsection: str
) -> None:
    row = classify([text], parse="comment").row(0, named=True)

    assert row["code"] == code
    assert row["section"] == section
    assert row["subsection"] == subsection
