"""results.xlsx: sheets per determination, frozen header, filters, real dates, clean reload."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from autoclear.doj.columns import CONDENSED_RESULT_COLUMNS, DETERMINATIONS
from autoclear.outputs.report.run_folder import load_run_folder
from autoclear.outputs.workbook import write_workbook
from test_report_runfolder import SyntheticRun, write_synthetic_run


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticRun, Path]:
    run = write_synthetic_run(tmp_path_factory.mktemp("workbook") / "run")
    path = run.path / "results.xlsx"
    write_workbook(load_run_folder(run.path), run.policy, path)
    return run, path


def test_sheets_are_summary_then_determinations(workbook: tuple[SyntheticRun, Path]) -> None:
    _run, path = workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", *DETERMINATIONS]


def test_sheet_rows_match_result_lines(workbook: tuple[SyntheticRun, Path]) -> None:
    run, path = workbook
    lines = pl.read_csv(run.path / "Prop64_Results.csv", infer_schema=False)
    book = openpyxl.load_workbook(path, read_only=True)
    for determination in DETERMINATIONS:
        expected = lines.filter(pl.col("Eligibility Determination") == determination).height
        rows = list(book[determination].iter_rows(values_only=True))
        assert rows[0] == CONDENSED_RESULT_COLUMNS
        assert len(rows) - 1 == expected, determination


def test_header_frozen_and_filtered(workbook: tuple[SyntheticRun, Path]) -> None:
    _run, path = workbook
    book = openpyxl.load_workbook(path)
    for determination in DETERMINATIONS:
        sheet = book[determination]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:AV{sheet.max_row}"
        assert sheet["A1"].font.bold


def test_full_dates_are_date_cells(workbook: tuple[SyntheticRun, Path]) -> None:
    _run, path = workbook
    sheet = openpyxl.load_workbook(path)["Eligible for Dismissal"]
    header = [cell.value for cell in sheet[1]]
    dob = header.index("PRI_DOB") + 1
    value = sheet.cell(row=2, column=dob)
    assert isinstance(value.value, datetime)
    assert value.number_format == "yyyy-mm-dd"


def test_partial_dates_stay_text(workbook: tuple[SyntheticRun, Path]) -> None:
    run, path = workbook
    book = openpyxl.load_workbook(path)
    partial = [line for line in run.convictions if line["DISP_DATE"].endswith("0000")]
    assert partial
    sheet = book[partial[0]["Eligibility Determination"]]
    header = [cell.value for cell in sheet[1]]
    column = header.index("DISP_DATE") + 1
    values = [sheet.cell(row=row, column=column).value for row in range(2, sheet.max_row + 1)]
    assert partial[0]["DISP_DATE"] in values


def test_column_widths_fit_content(workbook: tuple[SyntheticRun, Path]) -> None:
    _run, path = workbook
    sheet = openpyxl.load_workbook(path)["Eligible for Dismissal"]
    header = [cell.value for cell in sheet[1]]
    reason = openpyxl.utils.get_column_letter(header.index("Eligibility Reason") + 1)
    gender = openpyxl.utils.get_column_letter(header.index("GENDER") + 1)
    assert sheet.column_dimensions[reason].width > sheet.column_dimensions[gender].width
    assert sheet.column_dimensions[reason].width <= 60


def test_summary_sheet_counts_match_summary_json(workbook: tuple[SyntheticRun, Path]) -> None:
    run, path = workbook
    sheet = openpyxl.load_workbook(path)["Summary"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    for determination in DETERMINATIONS:
        expected = sum(
            line["Eligibility Determination"] == determination for line in run.convictions
        )
        assert rows[determination][0] == expected, determination


def test_text_starting_with_equals_is_not_a_formula(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    lines = pl.read_csv(run.path / "Prop64_Results.csv", infer_schema=False)
    lines = lines.with_columns(pl.lit("=HYPERLINK(1)").alias("COMMENT_TEXT"))
    lines.write_csv(run.path / "Prop64_Results.csv")
    path = tmp_path / "results.xlsx"
    write_workbook(load_run_folder(run.path), run.policy, path)
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "<f>" not in sheet_xml
    sheet = openpyxl.load_workbook(path)["Eligible for Dismissal"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("COMMENT_TEXT") + 1).value == "=HYPERLINK(1)"


def test_empty_determination_sheet_has_header(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    lines = pl.read_csv(run.path / "Prop64_Results.csv", infer_schema=False)
    lines.filter(pl.col("Eligibility Determination") != "Hand Review").write_csv(
        run.path / "Prop64_Results.csv"
    )
    path = tmp_path / "results.xlsx"
    write_workbook(load_run_folder(run.path), run.policy, path)
    rows = list(openpyxl.load_workbook(path)["Hand Review"].iter_rows(values_only=True))
    assert rows == [CONDENSED_RESULT_COLUMNS]


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_converts_without_error(
    workbook: tuple[SyntheticRun, Path], tmp_path: Path
) -> None:
    _run, path = workbook
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results.csv").stat().st_size > 0
