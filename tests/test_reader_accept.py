"""Accepted variants of DOJ research files: encodings, line ends, header, trailing comma."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.doj.reader import NOT_UTF8, read_delivery
from doj_lines import make_fields, make_line, write_doj_file

FIXTURES = Path(__file__).parent / "fixtures" / "reader"

EXPECTED_COLUMNS = [*DOJ_COLUMNS, "_file", "_file_index", "_line"]


def row_values(frame: pl.DataFrame, index: int) -> list[str | None]:
    return [frame[name][index] for name in DOJ_COLUMNS]


def expected_values(**fields: str) -> list[str | None]:
    """The parsed row for make_line(**fields): empty fields come back as null."""
    return [value or None for value in make_fields(**fields)]


def test_plain_file_columns_and_types(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "plain.dat", [make_line(), make_line(SUBJECT_ID="1000002")])
    result = read_delivery([path])

    assert result.lines.columns == EXPECTED_COLUMNS
    assert all(result.lines.schema[name] == pl.String for name in DOJ_COLUMNS)
    assert result.lines.schema["_file"] == pl.String
    assert result.lines.schema["_file_index"] == pl.UInt32
    assert result.lines.schema["_line"] == pl.Int64
    assert result.lines.height == 2
    assert row_values(result.lines, 0) == expected_values()
    assert result.lines["SUBJECT_ID"].to_list() == ["1000001", "1000002"]
    assert result.lines["_line"].to_list() == [1, 2]
    assert result.problems.height == 0
    assert result.bad_line_subjects == []


def test_plain_file_input_description(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "plain.dat", [make_line(), "", make_line()])
    (described,) = read_delivery([path]).inputs

    assert described.path == path
    assert described.name == "plain.dat"
    assert described.size == path.stat().st_size
    assert described.lines == 3
    assert described.encoding == "utf-8"
    assert described.has_header is False
    assert described.field_count == 95
    assert len(described.sha256) == 64
    assert (
        described.sha256
        != read_delivery([write_doj_file(tmp_path / "other.dat", [make_line(SUBJECT_ID="9")])])
        .inputs[0]
        .sha256
    )


def test_header_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "header.dat", [make_line(), make_line()], header=True)
    result = read_delivery([path])

    assert result.inputs[0].has_header is True
    assert result.inputs[0].lines == 3
    assert result.lines["_line"].to_list() == [2, 3]
    assert "RECORD_ID" not in result.lines["RECORD_ID"].to_list()


def test_bom_is_removed_from_first_field(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "bom.dat", [make_line(RECORD_ID="7")], bom=True)
    result = read_delivery([path])

    assert result.inputs[0].encoding == "utf-8-sig"
    assert result.lines["RECORD_ID"].to_list() == ["7"]


def test_bom_before_header_is_detected(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "bom_header.dat", [make_line()], header=True, bom=True)
    result = read_delivery([path])

    assert result.inputs[0].has_header is True
    assert result.lines.height == 1
    assert result.lines["_line"].to_list() == [2]


def test_crlf_line_ends_are_removed(tmp_path: Path) -> None:
    path = write_doj_file(
        tmp_path / "crlf.dat", [make_line(), "", make_line(END_OF_REC="#")], crlf=True
    )
    result = read_delivery([path])

    assert result.lines["END_OF_REC"].to_list() == ["#", "#"]
    assert result.lines["_line"].to_list() == [1, 3]
    assert row_values(result.lines, 0) == expected_values()


def test_latin1_file_is_transcoded(tmp_path: Path) -> None:
    path = write_doj_file(
        tmp_path / "latin1.dat",
        [make_line(), make_line(PRI_NAME="MUÑOZ,JOSÉ"), make_line()],
        encoding="latin-1",
    )
    result = read_delivery([path])

    assert result.inputs[0].encoding == "latin-1"
    assert result.lines["PRI_NAME"].to_list() == ["DOE,JOHN Q", "MUÑOZ,JOSÉ", "DOE,JOHN Q"]
    assert result.problems.rows() == [("latin1.dat", 2, None, NOT_UTF8)]
    assert result.bad_line_subjects == []


def test_latin1_after_first_block_is_found(tmp_path: Path) -> None:
    # Enough UTF-8 lines to fill the first block the layout check reads, then one Latin-1 byte.
    lines = [make_line()] * 3000 + [make_line(PRI_NAME="PEÑA,ANA")]
    path = write_doj_file(tmp_path / "late_latin1.dat", lines, encoding="latin-1")
    assert path.stat().st_size > 1 << 20
    result = read_delivery([path])

    assert result.inputs[0].encoding == "latin-1"
    assert result.lines.height == 3001
    assert result.lines["PRI_NAME"][-1] == "PEÑA,ANA"
    assert result.problems.rows() == [("late_latin1.dat", 3001, None, NOT_UTF8)]


def test_utf8_accents_stay_utf8(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "utf8.dat", [make_line(PRI_NAME="MUÑOZ,JOSÉ")])
    result = read_delivery([path])

    assert result.inputs[0].encoding == "utf-8"
    assert result.lines["PRI_NAME"].to_list() == ["MUÑOZ,JOSÉ"]
    assert result.problems.height == 0


def test_trailing_comma_field_is_dropped(tmp_path: Path) -> None:
    lines = [make_line() + ",", make_line(SUBJECT_ID="1000002") + ","]
    path = write_doj_file(tmp_path / "trailing_comma.dat", lines, header=True)
    result = read_delivery([path])

    assert result.inputs[0].field_count == 96
    assert result.lines.columns == EXPECTED_COLUMNS
    assert result.lines["END_OF_REC"].to_list() == ["#", "#"]
    assert row_values(result.lines, 1) == expected_values(SUBJECT_ID="1000002")
    assert result.problems.height == 0


def test_padding_is_kept(tmp_path: Path) -> None:
    padded = make_line(SUBJECT_ID="  1000001  ", OFN="F1234567   ", PRI_NAME=" DOE,JOHN Q ")
    path = write_doj_file(tmp_path / "padded.dat", [padded])
    lines = read_delivery([path]).lines

    assert lines["SUBJECT_ID"].to_list() == ["  1000001  "]
    assert lines["OFN"].to_list() == ["F1234567   "]
    assert lines["PRI_NAME"].to_list() == [" DOE,JOHN Q "]


def test_whitespace_only_field_is_kept(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "blanks.dat", [make_line(COMMENT_TEXT="     ")])
    assert read_delivery([path]).lines["COMMENT_TEXT"].to_list() == ["     "]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DOE,JOHN Q", "DOE,JOHN Q"),
        ('SMITH,"BIG AL" B', 'SMITH,"BIG AL" B'),
        ("LEE,,", "LEE,,"),
    ],
)
def test_quoted_name_with_commas(tmp_path: Path, name: str, expected: str) -> None:
    path = write_doj_file(tmp_path / "quoted.dat", [make_line(PRI_NAME=name)])
    result = read_delivery([path])

    assert result.problems.height == 0
    assert result.lines["PRI_NAME"].to_list() == [expected]
    assert result.lines["GENDER"].to_list() == ["MALE"]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    lines = ["", make_line(SUBJECT_ID="1"), "", "   ", make_line(SUBJECT_ID="2"), "", ""]
    path = write_doj_file(tmp_path / "blank_lines.dat", lines)
    result = read_delivery([path])

    assert result.lines["SUBJECT_ID"].to_list() == ["1", "2"]
    assert result.lines["_line"].to_list() == [2, 5]
    assert result.inputs[0].lines == 7
    assert result.problems.height == 0


def test_header_after_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank_then_header.dat"
    write_doj_file(path, ["", ",".join(DOJ_COLUMNS), make_line()])
    result = read_delivery([path])

    assert result.inputs[0].has_header is True
    assert result.lines["_line"].to_list() == [3]


def test_repeated_header_is_skipped_with_note(tmp_path: Path) -> None:
    header = ",".join(DOJ_COLUMNS)
    path = write_doj_file(
        tmp_path / "two_headers.dat", [make_line(), header, make_line()], header=True
    )
    result = read_delivery([path])

    assert result.lines["_line"].to_list() == [2, 4]
    assert result.problems.rows() == [("two_headers.dat", 3, None, "repeated header line, skipped")]
    assert result.bad_line_subjects == []


def test_file_without_final_line_end(tmp_path: Path) -> None:
    path = tmp_path / "no_final_newline.dat"
    path.write_text(make_line(SUBJECT_ID="1") + "\n" + make_line(SUBJECT_ID="2"))
    result = read_delivery([path])

    assert result.lines["SUBJECT_ID"].to_list() == ["1", "2"]
    assert result.inputs[0].lines == 2


def test_empty_fields_are_null(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "empty_fields.dat", [make_line(OFN="", COMMENT_TEXT="")])
    lines = read_delivery([path]).lines

    assert lines["OFN"].to_list() == [None]
    assert lines["COMMENT_TEXT"].to_list() == [None]


@pytest.mark.parametrize(
    ("fixture", "encoding", "has_header", "field_count", "line_numbers"),
    [
        ("crlf_bom_header.dat", "utf-8-sig", True, 95, [2, 3]),
        ("latin1_accented_name.dat", "latin-1", False, 95, [1, 2]),
        ("trailing_comma_96_fields.dat", "utf-8", False, 96, [1, 3]),
    ],
)
def test_fixture_files(
    fixture: str, encoding: str, has_header: bool, field_count: int, line_numbers: list[int]
) -> None:
    result = read_delivery([FIXTURES / fixture])
    described = result.inputs[0]

    assert described.encoding == encoding
    assert described.has_header is has_header
    assert described.field_count == field_count
    assert result.lines["_line"].to_list() == line_numbers
    assert result.lines["END_OF_REC"].to_list() == ["#", "#"]
    assert result.lines["PRI_NAME"][0] is not None and "," in result.lines["PRI_NAME"][0]


def test_control_characters_in_field_are_kept(tmp_path: Path) -> None:
    # The first read splits lines on byte 0x1F; a line that contains it is read with another.
    comment = "A\x1fB\x1eC"
    path = write_doj_file(tmp_path / "control_chars.dat", [make_line(COMMENT_TEXT=comment)] * 2)
    result = read_delivery([path])

    assert result.lines["COMMENT_TEXT"].to_list() == [comment, comment]
    assert result.problems.height == 0
