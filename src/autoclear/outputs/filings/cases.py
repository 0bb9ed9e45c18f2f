"""Group decided convictions into court cases, one exhibit row per case, per convicting court."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from autoclear.doj.columns import (
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
)
from autoclear.outputs.report.run_folder import DETERMINATION, REASON, format_court_date

DISMISS_AND_SEAL = "Dismiss and seal"
REDESIGNATE = "Redesignate as misdemeanor"
RECALL_AND_DISMISS = "Recall sentence and dismiss"
RECALL_AND_RESENTENCE = "Recall sentence and resentence as misdemeanor"
RELIEF_ORDER = (DISMISS_AND_SEAL, REDESIGNATE, RECALL_AND_DISMISS, RECALL_AND_RESENTENCE)

LEVEL_NAMES = {"F": "Felony", "M": "Misdemeanor", "I": "Infraction"}
UNKNOWN_COURT = "(court not named in DOJ data)"
NO_CASE_NUMBER = "(none in DOJ data)"
# Start of the Remedy text written when the sentence parts could not be read.
UNREADABLE_SENTENCE_REMEDY = "sentence not readable"


@dataclass(frozen=True)
class ChargeGroup:
    """Counts of one case with the same code section, level and outcome: printed as `11359 HS x2`."""

    section: str
    count: int
    level: str
    outcome: str
    """The relief requested, or for a challenged case the reason it is challenged."""

    @property
    def section_text(self) -> str:
        return self.section if self.count == 1 else f"{self.section} x{self.count}"


@dataclass
class CaseRow:
    """One court case of one person, as a line of an exhibit."""

    case_number: str
    defendant: str
    other_names: list[str]
    date_of_birth: str
    conviction_dates: list[str]
    charges: list[ChargeGroup]

    @property
    def convictions(self) -> int:
        return sum(charge.count for charge in self.charges)

    def sort_key(self) -> tuple[bool, str, str]:
        return (self.case_number == NO_CASE_NUMBER, self.case_number, self.defendant)


@dataclass
class CourtCases:
    """The cases one court is asked to grant and the cases challenged there. Hand-review convictions are only counted."""

    court: str
    slug: str
    granted: list[CaseRow] = field(default_factory=list)
    challenged: list[CaseRow] = field(default_factory=list)
    hand_review_convictions: int = 0
    unreadable_sentences: int = 0
    """Granted convictions whose sentence could not be read, so the relief assumes it is complete."""

    def relief_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for case in self.granted:
            for charge in case.charges:
                counts[charge.outcome] += charge.count
        return counts


def relief_for(determination: str, remedy: str) -> str:
    """Name the relief for a granted conviction from its determination and the Remedy column.

    A Remedy that mentions resentencing or recall means the person is still serving the
    sentence (HS 11361.8(a)-(d)); otherwise the sentence is complete (HS 11361.8(e)-(h)).
    """
    serving = bool(re.search(r"resentenc|recall|11361\.8\s*\(?[ab]\)?", remedy, re.IGNORECASE))
    if determination == ELIGIBLE_FOR_DISMISSAL:
        return RECALL_AND_DISMISS if serving else DISMISS_AND_SEAL
    return RECALL_AND_RESENTENCE if serving else REDESIGNATE


def level_name(level: str) -> str:
    text = level.strip()
    return LEVEL_NAMES.get(text.upper(), text.capitalize())


def section_name(code_section: str, offense_description: str) -> str:
    """Return the code section as printed on the exhibit, e.g. `11359 HS` or `11357(A) HS`."""
    text = code_section.strip() or offense_description.split("-", 1)[0].strip()
    if not text:
        return "(section not in DOJ data)"
    if not re.search(r"\b(HS|PC|VC|BP)\b", text, re.IGNORECASE):
        text = f"{text} HS"
    return text


def court_slug(court: str, used_slugs: set[str]) -> str:
    """Return a folder name for a court that is not in `used_slugs`, and add it there."""
    base = re.sub(r"[^a-z0-9]+", "-", court.lower()).strip("-") or "unknown-court"
    slug = base
    number = 2
    while slug in used_slugs:
        slug = f"{base}-{number}"
        number += 1
    used_slugs.add(slug)
    return slug


def group_by_court(
    convictions: pl.DataFrame, other_names: dict[str, list[str]]
) -> list[CourtCases]:
    """Group counted conviction lines into cases per convicting court, sorted by court name.

    Every court that convicted someone appears, even when all its convictions are in hand review.
    """
    courts: dict[str, CourtCases] = {}
    used_slugs: set[str] = set()
    granted: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    challenged: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for line in convictions.sort("STP_ORI_DESCR").iter_rows(named=True):
        court = line["STP_ORI_DESCR"] or UNKNOWN_COURT
        if court not in courts:
            courts[court] = CourtCases(court=court, slug=court_slug(court, used_slugs))
        determination = line[DETERMINATION]
        if determination == HAND_REVIEW:
            courts[court].hand_review_convictions += 1
            continue
        # A case without a number is identified by its cycle and court event (CNT_ORDER digits 1-6).
        case = line["Case Number"] or line["OFN"] or f"event {line['CNT_ORDER'][:6]}"
        key = (court, line["SUBJECT_ID"], case)
        if determination in (ELIGIBLE_FOR_DISMISSAL, ELIGIBLE_FOR_REDUCTION):
            granted.setdefault(key, []).append(line)
            if line["Remedy"].lower().startswith(UNREADABLE_SENTENCE_REMEDY):
                courts[court].unreadable_sentences += 1
        elif determination == NOT_ELIGIBLE:
            challenged.setdefault(key, []).append(line)
    for key, lines in granted.items():
        courts[key[0]].granted.append(_case_row(lines, other_names, challenged=False))
    for key, lines in challenged.items():
        courts[key[0]].challenged.append(_case_row(lines, other_names, challenged=True))
    for court in courts.values():
        court.granted.sort(key=CaseRow.sort_key)
        court.challenged.sort(key=CaseRow.sort_key)
    return list(courts.values())


def _case_row(
    lines: list[dict[str, str]], other_names: dict[str, list[str]], *, challenged: bool
) -> CaseRow:
    first = lines[0]
    name = first["PRI_NAME"]
    groups: Counter[tuple[str, str, str]] = Counter()
    for line in lines:
        if challenged:
            outcome = line[REASON] or "(no reason recorded)"
        else:
            outcome = relief_for(line[DETERMINATION], line["Remedy"])
        section = section_name(line["Code Section"], line["OFFENSE_DESCR"])
        level = level_name(line["Level"] or line["CONV_STAT_DESCR"] or line["OFFENSE_TOC"])
        groups[(section, level, outcome)] += 1
    charges = [
        ChargeGroup(section=section, count=count, level=level, outcome=outcome)
        for (section, level, outcome), count in sorted(
            groups.items(), key=lambda item: (_outcome_rank(item[0][2]), item[0][0], item[0][1])
        )
    ]
    dates = []
    for line in lines:
        text = format_court_date(
            line["Date of Conviction"] or line["STP_EVENT_DATE"] or line["DISP_DATE"]
        )
        if text and text not in dates:
            dates.append(text)
    case_number = first["Case Number"] or first["OFN"] or NO_CASE_NUMBER
    return CaseRow(
        case_number=case_number,
        defendant=name,
        other_names=[other for other in other_names.get(first["SUBJECT_ID"], []) if other != name],
        date_of_birth=format_court_date(first["PRI_DOB"]),
        conviction_dates=dates,
        charges=charges,
    )


def _outcome_rank(outcome: str) -> int:
    return RELIEF_ORDER.index(outcome) if outcome in RELIEF_ORDER else len(RELIEF_ORDER)
