"""The text of the court filings as a small document model, rendered to DOCX and to PDF.

Office details come from the policy only. A missing detail prints as a visible blank
line (BLANK) for the office to fill in by hand; nothing is made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from autoclear.outputs.filings.cases import (
    DISMISS_AND_SEAL,
    RECALL_AND_DISMISS,
    RECALL_AND_RESENTENCE,
    REDESIGNATE,
    CaseRow,
    CourtCases,
)
from autoclear.rules.policy import OfficeDetails, Policy

BLANK = "________________"

ParagraphStyleName = Literal["body", "numbered", "title", "center", "left", "small"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: ParagraphStyleName = "body"
    bold: bool = False


@dataclass(frozen=True)
class CaseTable:
    """A table that repeats its header row on every page; widths are in inches."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float]


@dataclass
class Document:
    title: str
    """Short title printed in the footer beside "Page x of y"."""
    landscape: bool = False
    blocks: list[Paragraph | CaseTable] = field(default_factory=list)

    def add(self, text: str, style: ParagraphStyleName = "body", *, bold: bool = False) -> None:
        self.blocks.append(Paragraph(text, style, bold))


@dataclass(frozen=True)
class FilingContext:
    county: str
    as_of: str
    policy: Policy
    court: CourtCases

    @property
    def office(self) -> OfficeDetails:
        return self.policy.office


def _or_blank(value: str) -> str:
    return value.strip() or BLANK


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _convictions(cases: list[CaseRow]) -> int:
    return sum(case.convictions for case in cases)


def _heading(document: Document, context: FilingContext) -> None:
    """Add the attorney block, the court's name and the caption shared by the motion and the order."""
    office = context.office
    document.add(_or_blank(office.district_attorney), "left")
    document.add("District Attorney", "left")
    document.add(_or_blank(office.office_name), "left")
    for line in office.address.splitlines() or [""]:
        document.add(_or_blank(line), "left")
    document.add(f"Telephone: {_or_blank(office.phone)}", "left")
    document.add(f"{_or_blank(office.deputy)}, Deputy District Attorney", "left")
    document.add(f"State Bar No. {_or_blank(office.bar_number)}", "left")
    document.add("Attorneys for the People of the State of California", "left")
    document.add("SUPERIOR COURT OF THE STATE OF CALIFORNIA", "title", bold=True)
    document.add(f"COUNTY OF {context.county.upper()}", "center", bold=True)
    document.add(f"Court: {context.court.court}", "center")
    document.add("THE PEOPLE OF THE STATE OF CALIFORNIA,", "left", bold=True)
    document.add(
        "In re the cannabis convictions listed in Exhibit A, identified by the Department of "
        "Justice under Health and Safety Code section 11361.9.",
        "left",
    )


def _signature(document: Document, context: FilingContext) -> None:
    office = context.office
    document.add(f"Dated: {BLANK}", "left")
    document.add("Respectfully submitted,", "left")
    document.add(_or_blank(office.district_attorney), "left")
    document.add("District Attorney", "left")
    document.add(f"By: {BLANK}", "left")
    document.add(_or_blank(office.deputy), "left")
    document.add(f"Deputy District Attorney, State Bar No. {_or_blank(office.bar_number)}", "left")


def _relief_sentence(court: CourtCases) -> str:
    counts = court.relief_counts()
    parts = [
        f"{label.lower()} ({_plural(counts[label], 'conviction')})"
        for label in (DISMISS_AND_SEAL, REDESIGNATE, RECALL_AND_DISMISS, RECALL_AND_RESENTENCE)
        if counts[label]
    ]
    return "; ".join(parts)


def motion(context: FilingContext) -> Document:
    """Build the People's bulk motion for one court."""
    court = context.court
    document = Document(title=f"Bulk motion under HS 11361.9 – {court.court}")
    _heading(document, context)
    document.add(
        "PEOPLE'S BULK MOTION TO DISMISS AND SEAL, OR REDESIGNATE, CANNABIS CONVICTIONS "
        "(Health and Safety Code sections 11361.8 and 11361.9)",
        "title",
        bold=True,
    )
    granted_cases = len(court.granted)
    document.add(
        "Under Health and Safety Code section 11361.9, the Department of Justice identified past "
        "cannabis convictions that may be eligible for relief under section 11361.8. The People "
        f"have reviewed every such conviction entered by this court in {context.county.title()} "
        f"County, applying the law as of {context.as_of}.",
        "numbered",
    )
    if granted_cases:
        document.add(
            f"The People do not challenge the {_plural(granted_cases, 'case')} "
            f"({_plural(_convictions(court.granted), 'conviction')}) listed in Exhibit A. Each is "
            "presumed eligible under section 11361.8, and the People ask the Court to grant the "
            f"relief stated for each conviction: {_relief_sentence(court)}.",
            "numbered",
        )
    else:
        document.add(
            "The People ask for no relief in this court: Exhibit A lists no case.", "numbered"
        )
    if court.challenged:
        document.add(
            f"The People challenge the {_plural(len(court.challenged), 'case')} "
            f"({_plural(_convictions(court.challenged), 'conviction')}) listed in Exhibit B, for "
            "the reason stated beside each, and will inform the public defender's office of each "
            "challenge as section 11361.9 requires.",
            "numbered",
        )
    else:
        document.add("The People challenge no conviction entered by this court.", "numbered")
    document.add(
        "The People ask the Court to sign the proposed order filed with this motion and to have "
        "its records updated and the Department of Justice notified of the relief granted.",
        "numbered",
    )
    document.add("The People's review applied this policy:", "body")
    for sentence in context.policy.describe():
        document.add(sentence, "small")
    _signature(document, context)
    return document


def proposed_order(context: FilingContext) -> Document:
    """Build the proposed order granting the relief in Exhibit A, for the judge to sign."""
    court = context.court
    document = Document(title=f"Proposed order under HS 11361.9 – {court.court}")
    _heading(document, context)
    document.add(
        "[PROPOSED] ORDER GRANTING RELIEF UNDER HEALTH AND SAFETY CODE SECTION 11361.9",
        "title",
        bold=True,
    )
    document.add(
        "The Court has considered the People's bulk motion. Good cause appearing, IT IS ORDERED:",
        "body",
    )
    counts = court.relief_counts()
    orders = {
        DISMISS_AND_SEAL: "is dismissed and sealed under Health and Safety Code section 11361.8.",
        REDESIGNATE: "is redesignated as a misdemeanor under Health and Safety Code section 11361.8.",
        RECALL_AND_DISMISS: "has its sentence recalled and is dismissed under Health and Safety Code "
        "section 11361.8.",
        RECALL_AND_RESENTENCE: "has its sentence recalled and is resentenced as a misdemeanor under "
        "Health and Safety Code section 11361.8.",
    }
    for label, order in orders.items():
        if counts[label]:
            document.add(f'Each conviction marked "{label}" in Exhibit A {order}', "numbered")
    document.add(
        "The clerk shall update the Court's records and notify the Department of Justice of the "
        "relief granted.",
        "numbered",
    )
    document.add(
        f"Exhibit A, listing {_plural(len(court.granted), 'case')} "
        f"({_plural(_convictions(court.granted), 'conviction')}), is part of this order.",
        "numbered",
    )
    document.add(f"Dated: {BLANK}", "left")
    document.add(BLANK, "left")
    document.add("Judge of the Superior Court", "left")
    return document


EXHIBIT_HEADER = [
    "Case number", "Defendant (other names)", "Date of birth", "Conviction date",
    "Code sections", "Level",
]  # fmt: skip
EXHIBIT_WIDTHS = [1.15, 2.25, 0.85, 0.95, 1.55, 1.0, 2.25]


def _defendant(case: CaseRow) -> str:
    if not case.other_names:
        return case.defendant
    return f"{case.defendant}\nAKA: " + "; ".join(case.other_names)


def exhibit_rows(cases: list[CaseRow]) -> list[list[str]]:
    """Return one table row per case; charge columns hold one line per group of counts."""
    return [
        [
            case.case_number,
            _defendant(case),
            case.date_of_birth or BLANK,
            "\n".join(case.conviction_dates) or BLANK,
            "\n".join(charge.section_text for charge in case.charges),
            "\n".join(charge.level for charge in case.charges),
            "\n".join(charge.outcome for charge in case.charges),
        ]
        for case in cases
    ]


def exhibit(context: FilingContext, *, challenged: bool) -> Document:
    """Build Exhibit A (relief requested) or Exhibit B (cases challenged) for one court."""
    court = context.court
    cases = court.challenged if challenged else court.granted
    letter = "B" if challenged else "A"
    heading = (
        "Convictions the People challenge, with the reason for each"
        if challenged
        else "Convictions the People do not challenge, with the relief requested"
    )
    document = Document(title=f"Exhibit {letter} – {court.court}", landscape=True)
    document.add(f"EXHIBIT {letter}", "title", bold=True)
    document.add(heading, "center", bold=True)
    document.add(
        f"{court.court}, County of {context.county.title()}. {_plural(len(cases), 'case')}, "
        f"{_plural(_convictions(cases), 'conviction')}, sorted by case number. A line such as "
        '"11359 HS x2" stands for two counts of that section.',
        "center",
    )
    if cases:
        last = "Reason challenged" if challenged else "Relief requested"
        document.blocks.append(
            CaseTable(
                header=[*EXHIBIT_HEADER, last], rows=exhibit_rows(cases), widths=EXHIBIT_WIDTHS
            )
        )
    else:
        document.add("No case.", "center")
    return document


def cover_note(context: FilingContext, files: list[str]) -> str:
    """Return a plain-text note to the office (not for filing): what was written and what is missing."""
    court = context.court
    office = context.office
    missing = [
        label
        for label, value in (
            ("district attorney", office.district_attorney),
            ("deputy", office.deputy),
            ("bar number", office.bar_number),
            ("address", office.address),
            ("phone", office.phone),
            ("office name", office.office_name),
        )
        if not value.strip()
    ]
    lines = [
        f"Court filings for {court.court} ({context.county}), as of {context.as_of}.",
        "This note is for the office and is not part of the filing.",
        "",
        f"Exhibit A (relief requested): {_plural(len(court.granted), 'case')}, "
        f"{_plural(_convictions(court.granted), 'conviction')}.",
        f"Exhibit B (challenged): {_plural(len(court.challenged), 'case')}, "
        f"{_plural(_convictions(court.challenged), 'conviction')}.",
        f"Hand review: {_plural(court.hand_review_convictions, 'conviction')} from this court, "
        "left out of both exhibits. Decide them by reading the record, then file them separately.",
        "",
    ]
    if court.unreadable_sentences:
        lines.append(
            f"Check before filing: {_plural(court.unreadable_sentences, 'conviction')} in Exhibit A "
            "have a sentence that could not be read. Exhibit A asks for the relief for a completed "
            "sentence; change it to recall and resentencing where the person is still serving it."
        )
        lines.append("")
    if missing:
        lines.append(
            "Office details missing from the policy, left as blank lines to fill in: "
            + ", ".join(missing)
            + ". Add them under [office] in the policy file and run `autoclear report RUN_DIR "
            "--policy FILE` to rebuild."
        )
        lines.append("")
    lines.append("Files:")
    lines.extend(f"  {name}" for name in files)
    return "\n".join(lines) + "\n"
