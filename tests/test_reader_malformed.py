"""Malformed lines inside a valid DOJ file: problem rows, MalformedLinesError, skip_bad_lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoclear.doj.reader import MalformedLinesFound, read_delivery
from autoclear.errors import MalformedLinesError
from doj_lines import make_line, write_doj_file


def drop_last_field(line: str) -> str:
    return line.rsplit(",", 1)[0]


def unbalanced_name(subject_id: str) -> str:
    """A line whose PRI_NAME opens a double quote that is never closed."""
    return make_line(SUBJECT_ID=subject_id, PRI_NAME="DOE JOHN").replace("DOE JOHN", '"DOE,JOHN')


def mixed_file(tmp_path: Path) -> Path:
    lines = [
        make_line(SUBJECT_ID="100"),  # line 2 (after the header)
        "",  # line 3
        drop_last_field(drop_last_field(make_line(SUBJECT_ID=" 200 "))),  # line 4: 93 fields
        make_line(SUBJECT_ID="300"),  # line 5
        "",  # line 6
        unbalanced_name("400"),  # line 7
        make_line(SUBJECT_ID="500") + ",EXTRA",  # line 8: 96 fields
        make_line(SUBJECT_ID="600"),  # line 9
    ]
    return write_doj_file(tmp_path / "mixed.dat", lines, header=True)


def test_problem_rows_have_file_line_subject(tmp_path: Path) -> None:
    result = read_delivery([mixed_file(tmp_path)], skip_bad_lines=True)

    assert result.problems.rows() == [
        ("mixed.dat", 4, "200", "has 93 fields, expected 95"),
        ("mixed.dat", 7, "400", "unbalanced double quote"),
        ("mixed.dat", 8, "500", "has 96 fields, expected 95"),
    ]


def test_skip_bad_lines_keeps_good_lines(tmp_path: Path) -> None:
    result = read_delivery([mixed_file(tmp_path)], skip_bad_lines=True)

    assert result.lines["SUBJECT_ID"].to_list() == ["100", "300", "600"]
    assert result.lines["_line"].to_list() == [2, 5, 9]
    assert result.lines["END_OF_REC"].to_list() == ["#", "#", "#"]


def test_bad_line_subjects_are_trimmed(tmp_path: Path) -> None:
    result = read_delivery([mixed_file(tmp_path)], skip_bad_lines=True)
    assert result.bad_line_subjects == ["200", "400", "500"]


def test_malformed_lines_raise_by_default(tmp_path: Path) -> None:
    with pytest.raises(MalformedLinesError) as caught:
        read_delivery([mixed_file(tmp_path)])
    error = caught.value
    message = str(error)

    assert error.exit_code == 3
    assert message.startswith("3 malformed lines in the input: ")
    assert "mixed.dat line 4 (has 93 fields, expected 95)" in message
    assert "mixed.dat line 7 (unbalanced double quote)" in message
    assert "--skip-bad-lines" in message


def test_error_carries_problems_frame(tmp_path: Path) -> None:
    with pytest.raises(MalformedLinesFound) as caught:
        read_delivery([mixed_file(tmp_path)])
    error = caught.value

    assert error.problems.columns == ["file", "line", "subject_id", "problem"]
    assert error.problems["line"].to_list() == [4, 7, 8]
    assert error.bad_line_subjects == ["200", "400", "500"]


def test_message_lists_first_five_locations(tmp_path: Path) -> None:
    lines = [make_line()] + [drop_last_field(make_line())] * 8 + [make_line()] * 20
    path = write_doj_file(tmp_path / "many_bad.dat", [*[make_line()] * 10, *lines])

    with pytest.raises(MalformedLinesError) as caught:
        read_delivery([path])
    message = str(caught.value)

    assert message.startswith("8 malformed lines in the input: ")
    assert "many_bad.dat line 12 (has 94 fields, expected 95)" in message
    assert "many_bad.dat line 16 " in message
    assert "many_bad.dat line 17 " not in message
    assert "and 3 more" in message


def test_message_has_no_line_contents(tmp_path: Path) -> None:
    bad = drop_last_field(make_line(PRI_NAME="SECRETNAME,ZED", PRI_DOB="19611231"))
    path = write_doj_file(tmp_path / "private.dat", [make_line()] * 3 + [bad])

    with pytest.raises(MalformedLinesError) as caught:
        read_delivery([path])
    assert "SECRETNAME" not in str(caught.value)
    assert "19611231" not in str(caught.value)


def test_quote_in_middle_of_field(tmp_path: Path) -> None:
    stray = make_line(SUBJECT_ID="700", COMMENT_TEXT="KNIFE").replace("KNIFE", 'A 3"X" KNIFE')
    path = write_doj_file(tmp_path / "stray_quote.dat", [make_line()] * 3 + [stray])
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [
        ("stray_quote.dat", 4, "700", "double quote in the middle of a field")
    ]
    assert result.lines.height == 3


def test_quoted_field_followed_by_text(tmp_path: Path) -> None:
    line = make_line(SUBJECT_ID="701", PRI_NAME="X").replace(",X,", ',"DOE,JOHN" Q,')
    path = write_doj_file(tmp_path / "text_after_quote.dat", [make_line()] * 3 + [line])
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems["problem"].to_list() == ["double quote in the middle of a field"]


def test_trailing_comma_file_with_value_in_96th_field(tmp_path: Path) -> None:
    lines = [make_line() + ","] * 3 + [make_line(SUBJECT_ID="800") + ",X", make_line() + ","]
    path = write_doj_file(tmp_path / "value_after_end.dat", lines)
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [
        ("value_after_end.dat", 4, "800", "has a value in a 96th field after END_OF_REC")
    ]
    assert result.lines["_line"].to_list() == [1, 2, 3, 5]


def test_trailing_comma_file_with_95_field_line(tmp_path: Path) -> None:
    lines = [make_line() + ","] * 3 + [make_line(SUBJECT_ID="801")]
    path = write_doj_file(tmp_path / "missing_trailing_comma.dat", lines)
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [
        ("missing_trailing_comma.dat", 4, "801", "has 95 fields, expected 96")
    ]


def test_crlf_and_bom_line_numbers(tmp_path: Path) -> None:
    lines = ["", make_line(), "", drop_last_field(make_line(SUBJECT_ID="900")), make_line()]
    path = write_doj_file(tmp_path / "crlf_bad.dat", lines, header=True, crlf=True, bom=True)
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [("crlf_bad.dat", 5, "900", "has 94 fields, expected 95")]
    assert result.lines["_line"].to_list() == [3, 6]


def test_latin1_file_with_bad_line(tmp_path: Path) -> None:
    lines = [make_line(PRI_NAME="MUÑOZ,ANA"), make_line(), drop_last_field(make_line())]
    path = write_doj_file(tmp_path / "latin1_bad.dat", lines, encoding="latin-1")
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [
        ("latin1_bad.dat", 1, None, "file is not UTF-8; read as Latin-1"),
        ("latin1_bad.dat", 3, "1000001", "has 94 fields, expected 95"),
    ]
    assert result.lines["PRI_NAME"].to_list() == ["MUÑOZ,ANA", "DOE,JOHN Q"]


def test_subject_id_missing_from_short_line(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "short_line.dat", [make_line()] * 3 + ["JUNK"])
    result = read_delivery([path], skip_bad_lines=True)

    assert result.problems.rows() == [("short_line.dat", 4, None, "has 1 fields, expected 95")]
    assert result.bad_line_subjects == []


def test_quoted_subject_id_is_found(tmp_path: Path) -> None:
    bad = drop_last_field(make_line(SUBJECT_ID="X")).replace(",X,", ',"  123 ",', 1)
    path = write_doj_file(tmp_path / "quoted_subject.dat", [make_line()] * 3 + [bad])
    result = read_delivery([path], skip_bad_lines=True)

    assert result.bad_line_subjects == ["123"]


def test_bad_line_subjects_are_unique(tmp_path: Path) -> None:
    bad = drop_last_field(make_line(SUBJECT_ID="55"))
    path = write_doj_file(tmp_path / "same_subject.dat", [make_line()] * 3 + [bad, bad])
    assert read_delivery([path], skip_bad_lines=True).bad_line_subjects == ["55"]


def test_only_bad_lines_after_good_start(tmp_path: Path) -> None:
    lines = [make_line()] * 6 + [drop_last_field(make_line())] * 4
    path = write_doj_file(tmp_path / "bad_tail.dat", lines)
    result = read_delivery([path], skip_bad_lines=True)

    assert result.lines.height == 6
    assert result.problems.height == 4
