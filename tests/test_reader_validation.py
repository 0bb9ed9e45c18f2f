"""Line shape checks: field counts and quoting as Polars would parse them."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoclear.doj.validation import (
    QUOTE_INSIDE_FIELD,
    UNBALANCED_QUOTE,
    fits_layout,
    fits_layout_pattern,
    has_odd_quotes,
    line_problem,
    subject_id_of,
    with_line_shape,
)


def shape_of(line: str | None) -> dict[str, object]:
    return with_line_shape(pl.DataFrame({"line": [line]}, schema={"line": pl.String})).row(
        0, named=True
    )


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("a,b,c", 3),
        ('a,"b,c",d', 3),
        ('"a","b","c"', 3),
        ('"",""', 2),
        ('"a"",b",c', 2),
        ('"""x""",y', 2),
        (",,", 3),
        ("a", 1),
        ('"a,b"', 1),
    ],
)
def test_well_quoted_field_count(line: str, fields: int) -> None:
    shape = shape_of(line)

    assert shape["fields"] == fields
    assert shape["well_quoted"] is True


@pytest.mark.parametrize(
    "line",
    [
        'a,b"c,d"e,f',
        'a,"b"x,c',
        'a,x"b",c',
        'a,"b" "c",d',
        'a,b""c',
        ' "a",b',
    ],
)
def test_quote_inside_field(line: str) -> None:
    frame = pl.DataFrame({"line": [line]})

    assert shape_of(line)["well_quoted"] is False
    assert frame.select(has_odd_quotes(pl.col("line"))).item() is False


@pytest.mark.parametrize("line", ['a,"b,c', 'a,3" KNIFE,c', '"a""'])
def test_odd_quotes(line: str) -> None:
    frame = pl.DataFrame({"line": [line]})

    assert shape_of(line)["well_quoted"] is False
    assert frame.select(has_odd_quotes(pl.col("line"))).item() is True


@pytest.mark.parametrize(
    ("line", "blank"), [(None, True), ("", True), ("  \t", True), (" x", False)]
)
def test_blank_lines(line: str | None, blank: bool) -> None:
    assert shape_of(line)["blank"] is blank


@pytest.mark.parametrize(
    ("line", "header_like"),
    [
        ("RECORD_ID,SUBJECT_STATUS", True),
        ('"RECORD_ID","SUBJECT_STATUS"', True),
        ("RECORD_ID", True),
        ("RECORD_IDX,SUBJECT_STATUS", False),
        ("1,RECORD_ID", False),
    ],
)
def test_header_like(line: str, header_like: bool) -> None:
    assert shape_of(line)["header_like"] is header_like


@pytest.mark.parametrize(
    ("line", "field_count", "problem"),
    [
        ("a,b", 95, "has 2 fields, expected 95"),
        ('a,"b', 95, UNBALANCED_QUOTE),
        ('a,b"c"', 95, QUOTE_INSIDE_FIELD),
        (",".join(["x"] * 95), 95, "does not fit the 95-field layout"),
        (",".join(["x"] * 96), 96, "has a value in a 96th field after END_OF_REC"),
        (",".join(["x"] * 95), 96, "has 95 fields, expected 96"),
    ],
)
def test_line_problem(line: str, field_count: int, problem: str | None) -> None:
    shaped = with_line_shape(pl.DataFrame({"line": [line]}))
    assert shaped.select(line_problem(field_count)).item() == problem


@pytest.mark.parametrize(
    ("line", "subject_id"),
    [
        ("1,A, 123 ,x", "123"),
        ('1,A,"  77",x', "77"),
        ('"1,1",A,88,x', "88"),
        # A stray double quote before the second field breaks the quoting of the rest.
        ('1,"A,10000013,x,"DOE, J",y', "10000013"),
        ('1,A",55,x', "55"),
        ("1,A,,x", None),
        ('"1,1",A,,x', None),
        ("1,A", None),
        ("JUNK", None),
    ],
)
def test_subject_id_of(line: str, subject_id: str | None) -> None:
    frame = pl.DataFrame({"line": [line]})
    assert frame.select(subject_id_of(pl.col("line"))).item() == subject_id


# Sound plain or quoted fields, made of the characters that matter to quoting.
PLAIN_FIELD = st.text(alphabet="a ", max_size=3)
QUOTED_FIELD = st.text(alphabet='a ,"', max_size=4).map(
    lambda text: '"' + text.replace('"', '""') + '"'
)
SOUND_FIELD = st.one_of(PLAIN_FIELD, PLAIN_FIELD, QUOTED_FIELD)


@given(
    fields=st.lists(SOUND_FIELD, min_size=94, max_size=96),
    damage=st.sampled_from(["", '"', ",", " ", '""']),
    position=st.floats(min_value=0, max_value=1),
    field_count=st.sampled_from([95, 96]),
)
def test_one_pass_check_agrees_with_shape(
    fields: list[str], damage: str, position: float, field_count: int
) -> None:
    line = ",".join(fields)
    cut = int(position * len(line))
    line = line[:cut] + damage + line[cut:]
    frame = pl.DataFrame({"line": [line]})

    by_shape = with_line_shape(frame).select(fits_layout(field_count)).item()
    by_pattern = frame.select(fits_layout_pattern(field_count)).item()
    assert by_pattern == by_shape
