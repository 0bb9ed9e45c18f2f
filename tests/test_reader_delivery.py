"""Deliveries of several files: order, source columns, progress, and line-number invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoclear.doj.reader import read_delivery
from autoclear.doj.validation import LAYOUT_SAMPLE_LINES
from autoclear.errors import MalformedLinesError
from doj_lines import make_line, write_doj_file


def drop_last_field(line: str) -> str:
    return line.rsplit(",", 1)[0]


def test_files_keep_given_order(tmp_path: Path) -> None:
    first = write_doj_file(tmp_path / "b_first.dat", [make_line(SUBJECT_ID="1")] * 2)
    second = write_doj_file(
        tmp_path / "a_second.dat", ["", make_line(SUBJECT_ID="2")], header=True, crlf=True
    )
    result = read_delivery([first, second])

    assert result.lines["SUBJECT_ID"].to_list() == ["1", "1", "2"]
    assert result.lines["_file"].to_list() == ["b_first.dat", "b_first.dat", "a_second.dat"]
    assert result.lines["_file_index"].to_list() == [0, 0, 1]
    assert result.lines["_line"].to_list() == [1, 2, 3]
    assert [described.name for described in result.inputs] == ["b_first.dat", "a_second.dat"]
    assert [described.has_header for described in result.inputs] == [False, True]


def test_files_with_different_layouts(tmp_path: Path) -> None:
    plain = write_doj_file(tmp_path / "plain.dat", [make_line(SUBJECT_ID="1")])
    trailing = write_doj_file(tmp_path / "trailing.dat", [make_line(SUBJECT_ID="2") + ","])
    latin1 = write_doj_file(
        tmp_path / "latin1.dat",
        [make_line(SUBJECT_ID="3", PRI_NAME="PEÑA,ANA")],
        encoding="latin-1",
    )
    result = read_delivery([plain, trailing, latin1])

    assert result.lines["SUBJECT_ID"].to_list() == ["1", "2", "3"]
    assert [described.field_count for described in result.inputs] == [95, 96, 95]
    assert [described.encoding for described in result.inputs] == ["utf-8", "utf-8", "latin-1"]
    assert result.lines["END_OF_REC"].to_list() == ["#", "#", "#"]


def test_same_file_twice(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "twice.dat", [make_line()])
    result = read_delivery([path, path])

    assert result.lines["_file_index"].to_list() == [0, 1]
    assert result.inputs[0].sha256 == result.inputs[1].sha256


def test_problems_of_several_files_in_order(tmp_path: Path) -> None:
    first = write_doj_file(
        tmp_path / "one.dat", [make_line()] * 3 + [drop_last_field(make_line(SUBJECT_ID="11"))]
    )
    second = write_doj_file(
        tmp_path / "two.dat", [drop_last_field(make_line(SUBJECT_ID="22"))] + [make_line()] * 3
    )
    result = read_delivery([first, second], skip_bad_lines=True)

    assert result.problems.select("file", "line").rows() == [("one.dat", 4), ("two.dat", 1)]
    assert result.bad_line_subjects == ["11", "22"]
    assert result.lines["_file"].to_list() == ["one.dat"] * 3 + ["two.dat"] * 3


def test_error_counts_bad_lines_of_all_files(tmp_path: Path) -> None:
    first = write_doj_file(tmp_path / "one.dat", [make_line()] * 3 + [drop_last_field(make_line())])
    second = write_doj_file(
        tmp_path / "two.dat", [make_line()] * 3 + [drop_last_field(make_line())] * 2
    )
    with pytest.raises(MalformedLinesError) as caught:
        read_delivery([first, second])

    assert str(caught.value).startswith("3 malformed lines in the input: one.dat line 4 ")
    assert "two.dat line 5 " in str(caught.value)


def test_progress_reaches_total(tmp_path: Path) -> None:
    first = write_doj_file(tmp_path / "one.dat", [make_line()] * 5)
    second = write_doj_file(tmp_path / "two.dat", [make_line()] * 3)
    total = first.stat().st_size + second.stat().st_size
    calls: list[tuple[int, int | None]] = []

    read_delivery([first, second], progress=lambda done, size: calls.append((done, size)))

    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    assert len(calls) >= 4
    done_values = [done for done, _ in calls]
    assert done_values == sorted(done_values)
    assert all(size == total for _, size in calls)


# Kinds of line for the property test: what the line is, and whether it is kept.
LINE_KINDS = {
    "good": True,
    "blank": False,
    "short": False,
    "unbalanced": False,
}


def line_of_kind(kind: str, number: int) -> str:
    subject = str(number)
    if kind == "good":
        return make_line(SUBJECT_ID=subject, PRI_NAME=f"DOE,J{number}")
    if kind == "blank":
        return ""
    if kind == "short":
        return drop_last_field(make_line(SUBJECT_ID=subject))
    return make_line(SUBJECT_ID=subject, PRI_NAME="X").replace(",X,", ',"DOE,', 1)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(sorted(LINE_KINDS)), min_size=1, max_size=40),
    header=st.booleans(),
    crlf=st.booleans(),
)
def test_line_numbers_match_physical_lines(
    tmp_path: Path, kinds: list[str], header: bool, crlf: bool
) -> None:
    # A sound start, so that the layout check accepts the file whatever follows.
    kinds = ["good"] * LAYOUT_SAMPLE_LINES + kinds
    lines = [line_of_kind(kind, number) for number, kind in enumerate(kinds)]
    path = write_doj_file(tmp_path / "property.dat", lines, header=header, crlf=crlf)
    offset = 2 if header else 1

    result = read_delivery([path], skip_bad_lines=True)

    kept_numbers = [number for number, kind in enumerate(kinds) if LINE_KINDS[kind]]
    bad = [number for number, kind in enumerate(kinds) if kind in ("short", "unbalanced")]
    assert result.lines["_line"].to_list() == [number + offset for number in kept_numbers]
    assert result.lines["SUBJECT_ID"].to_list() == [str(number) for number in kept_numbers]
    assert result.lines["PRI_NAME"].to_list() == [f"DOE,J{number}" for number in kept_numbers]
    assert result.problems["line"].to_list() == [number + offset for number in bad]
    assert result.problems["subject_id"].to_list() == [str(number) for number in bad]
    assert result.inputs[0].lines == len(lines) + (1 if header else 0)
