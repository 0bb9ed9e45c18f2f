"""Write results.xlsx: a Summary sheet, then one sheet of condensed result lines per determination.

The workbook holds names and dates of birth, so it is for the office, not for publication,
and its counts are not suppressed. openpyxl's write-only mode keeps memory flat on large runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from autoclear.doj.columns import CONDENSED_RESULT_COLUMNS, DETERMINATIONS
from autoclear.outputs.report.run_folder import (
    DETERMINATION,
    RunFolder,
    counted_lines,
    parse_doj_date,
)
from autoclear.rules.policy import Policy

DATE_COLUMNS = frozenset(
    {
        "PRI_DOB",
        "CYC_DATE",
        "STP_EVENT_DATE",
        "DISP_DATE",
        "Date of Conviction",
        "Sentence End Date",
    }
)
NUMBER_PREFIXES = ("# of ", "Years Since ")
NUMBER_COLUMNS = frozenset({"Source Line"})
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH = 8
MAX_WIDTH = 60
# Rows between two progress callbacks while a sheet is written.
PROGRESS_EVERY = 5000

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
TITLE_FONT = Font(bold=True, size=14)


def write_workbook(
    run: RunFolder,
    policy: Policy,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the workbook to `path`; `progress` is called with the number of rows written so far."""
    workbook = Workbook(write_only=True)
    _write_summary(workbook.create_sheet("Summary"), run, policy)
    written = 0
    for determination in DETERMINATIONS:
        lines = run.lines.filter(pl.col(DETERMINATION) == determination).select(
            list(CONDENSED_RESULT_COLUMNS)
        )
        sheet = workbook.create_sheet(determination)
        for count in _write_lines(sheet, lines):
            written += count
            if progress is not None:
                progress(written)
    workbook.save(path)


def _write_summary(sheet: WriteOnlyWorksheet, run: RunFolder, policy: Policy) -> None:
    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 16

    def text(value: str, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=_clean_text(value))
        if font is not None:
            cell.font = font
        return cell

    sheet.append([text("Proposition 64 results", TITLE_FONT)])
    sheet.append([text("County"), text(run.county)])
    sheet.append([text("As-of date"), _date_cell(sheet, run.as_of)])
    sheet.append(
        [text("Confidential: this workbook holds names and dates of birth. Do not publish it.")]
    )
    sheet.append([])
    sheet.append([text("Policy", HEADER_FONT)])
    for line in policy.describe():
        sheet.append([text(line)])
    sheet.append([])
    sheet.append(
        [
            text("Determination", HEADER_FONT),
            text("Convictions", HEADER_FONT),
            text("Lines on its sheet", HEADER_FONT),
        ]
    )
    figures = run.summary.get("scenarios", {}).get("policy", {})
    counted = counted_lines(run.lines)
    for determination in DETERMINATIONS:
        convictions = figures.get("determinations", {}).get(determination)
        if not isinstance(convictions, int):
            convictions = counted.filter(pl.col(DETERMINATION) == determination).height
        lines = run.lines.filter(pl.col(DETERMINATION) == determination).height
        sheet.append([text(determination), convictions, lines])
    sheet.append([])
    sheet.append(
        [
            text(
                "A sheet can have more lines than convictions: lines flagged 'additional sentence "
                "part' or 'repeated line' (Flags column) belong to a conviction listed above them."
            )
        ]
    )
    sheet.append([])
    sheet.append([text("People", HEADER_FONT), text("Count", HEADER_FONT)])
    people = figures.get("people", {})
    for key, label in (
        ("with_cannabis_conviction", "People with a cannabis conviction in the county"),
        ("with_relief", "People who get relief"),
        ("no_longer_felony", "People who will no longer have a felony"),
        ("no_conviction", "People who will have no conviction at all"),
        ("no_conviction_last_7_years", "People who will have no conviction in the last 7 years"),
    ):
        value = people.get(key)
        sheet.append([text(label), value if isinstance(value, int) else None])


def _write_lines(sheet: WriteOnlyWorksheet, lines: pl.DataFrame) -> Iterable[int]:
    """Append a header and every line, yielding the rows written since the last yield."""
    columns = lines.columns
    for index, width in enumerate(_column_widths(lines), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{lines.height + 1}"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=False)
        header.append(cell)
    sheet.append(header)
    converters = [_converter(name) for name in columns]
    pending = 0
    for row in lines.iter_rows():
        sheet.append(
            [convert(sheet, value or "") for convert, value in zip(converters, row, strict=True)]
        )
        pending += 1
        if pending == PROGRESS_EVERY:
            yield pending
            pending = 0
    yield pending


Converter = Callable[[WriteOnlyWorksheet, str], Any]


def _converter(column: str) -> Converter:
    if column in DATE_COLUMNS:
        return _date_cell
    if column in NUMBER_COLUMNS or column.startswith(NUMBER_PREFIXES):
        return _number_cell
    return _text_cell


def _date_cell(sheet: WriteOnlyWorksheet, value: str) -> Any:
    """Return a real date cell for a full date; a partial date such as 19870000 stays text."""
    parsed = parse_doj_date(value)
    if parsed is None:
        return _text_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=parsed)
    cell.number_format = DATE_FORMAT
    return cell


def _number_cell(sheet: WriteOnlyWorksheet, value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return _text_cell(sheet, value)


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> Any:
    if not value:
        return None
    cleaned = _clean_text(value)
    if cleaned.startswith("="):
        # openpyxl stores text that starts with "=" as a formula; force a plain string.
        cell = WriteOnlyCell(sheet, value=cleaned)
        cell.data_type = "s"
        return cell
    return cleaned


def _clean_text(value: str) -> str:
    """Remove control characters that Excel rejects in cell text."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _column_widths(lines: pl.DataFrame) -> list[float]:
    """Fit each column to its longest value or header, within MIN_WIDTH and MAX_WIDTH characters."""
    if lines.height:
        longest = lines.select(pl.all().str.len_chars().max()).row(0)
    else:
        longest = tuple(0 for _ in lines.columns)
    widths = []
    for name, length in zip(lines.columns, longest, strict=True):
        size = max(len(name), length or 0)
        if name in DATE_COLUMNS:
            size = max(size, len("2020-07-01"))
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, size + 2))))
    return widths
