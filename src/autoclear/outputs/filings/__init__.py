"""Court filings, one folder per convicting court: motion, proposed order, exhibits, clerk CSV.

Files in `filings/<court slug>/`:
  motion.docx / motion.pdf                   bulk motion under HS 11361.9
  proposed_order.docx / proposed_order.pdf   order for the judge to sign
  exhibit_a_relief.docx / .pdf               every case the People do not challenge
  exhibit_b_challenged.docx / .pdf           every case the People challenge, with reasons
  cases.csv                                  the rows of both exhibits, for the clerk
  cover_note.txt                             note to the office; not filed

Hand-review convictions are not filed; cover_note.txt gives their count per court.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from autoclear.outputs.filings.cases import CaseRow, CourtCases, group_by_court
from autoclear.outputs.filings.documents import (
    Document,
    FilingContext,
    cover_note,
    exhibit,
    motion,
    proposed_order,
)
from autoclear.outputs.filings.docx_writer import write_docx
from autoclear.outputs.filings.pdf_writer import write_pdf
from autoclear.outputs.report.run_folder import RunFolder, read_other_names
from autoclear.rules.policy import Policy

__all__ = ["CLERK_CSV_COLUMNS", "court_cases", "write_filings"]

CLERK_CSV_COLUMNS = (
    "exhibit", "case_number", "defendant", "other_names", "date_of_birth", "conviction_date",
    "code_sections", "level", "relief", "reason", "convictions",
)  # fmt: skip


def court_cases(run: RunFolder) -> list[CourtCases]:
    """Group the run's counted convictions into cases per convicting court."""
    return group_by_court(run.convictions(), read_other_names(run.path, run.lines))


def write_filings(
    run: RunFolder,
    policy: Policy,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    courts: list[CourtCases] | None = None,
) -> list[Path]:
    """Write one folder of filings per court under `out_dir` and return the files written.

    `courts` may hold the result of `court_cases(run)` when the caller already computed it.
    """
    if courts is None:
        courts = court_cases(run)
    written: list[Path] = []
    for done, court in enumerate(courts, start=1):
        folder = out_dir / court.slug
        folder.mkdir(parents=True, exist_ok=True)
        context = FilingContext(county=run.county, as_of=run.as_of, policy=policy, court=court)
        documents: list[tuple[str, Document]] = [
            ("motion", motion(context)),
            ("proposed_order", proposed_order(context)),
            ("exhibit_a_relief", exhibit(context, challenged=False)),
            ("exhibit_b_challenged", exhibit(context, challenged=True)),
        ]
        for stem, document in documents:
            for suffix, writer in ((".docx", write_docx), (".pdf", write_pdf)):
                path = folder / f"{stem}{suffix}"
                writer(document, path)
                written.append(path)
        clerk_csv = folder / "cases.csv"
        _write_clerk_csv(court, clerk_csv)
        written.append(clerk_csv)
        note = folder / "cover_note.txt"
        names = [path.name for path in written if path.parent == folder]
        note.write_text(cover_note(context, names), encoding="utf-8")
        written.append(note)
        if progress is not None:
            progress(done, len(courts))
    return written


def _write_clerk_csv(court: CourtCases, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CLERK_CSV_COLUMNS)
        for letter, cases in (("A", court.granted), ("B", court.challenged)):
            for case in cases:
                writer.writerow(_clerk_row(letter, case))


def _clerk_row(letter: str, case: CaseRow) -> list[str]:
    outcomes = "; ".join(charge.outcome for charge in case.charges)
    return [
        letter,
        case.case_number,
        case.defendant,
        "; ".join(case.other_names),
        case.date_of_birth,
        "; ".join(case.conviction_dates),
        "; ".join(charge.section_text for charge in case.charges),
        "; ".join(charge.level for charge in case.charges),
        outcomes if letter == "A" else "",
        outcomes if letter == "B" else "",
        str(case.convictions),
    ]
