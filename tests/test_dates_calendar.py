"""DOJ dates: full, partial, missing and invalid values, and whole calendar years between dates."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from autoclear.records import dates

# (field text, status, parsed date)
DATE_CASES: list[tuple[str, str, date | None]] = [
    ("19950410", dates.FULL, date(1995, 4, 10)),
    (" 19950410 ", dates.FULL, date(1995, 4, 10)),
    ("20000229", dates.FULL, date(2000, 2, 29)),
    ("19870000", dates.PARTIAL, None),
    ("19870500", dates.PARTIAL, None),
    ("19870012", dates.PARTIAL, None),
    ("", dates.MISSING, None),
    ("   ", dates.MISSING, None),
    ("X", dates.MISSING, None),
    ("#", dates.MISSING, None),
    ("null", dates.MISSING, None),
    ("00000000", dates.MISSING, None),
    ("19990229", dates.INVALID, None),
    ("19951332", dates.INVALID, None),
    ("1995041", dates.INVALID, None),
    ("2016119", dates.INVALID, None),
    ("04/10/1995", dates.INVALID, None),
]


@pytest.mark.parametrize(
    ("text", "status", "parsed"), DATE_CASES, ids=[repr(c[0]) for c in DATE_CASES]
)
def test_date_status_and_parse(text: str, status: str, parsed: date | None) -> None:
    frame = pl.DataFrame({"field": [text]})

    result = frame.select(status=dates.date_status("field"), parsed=dates.parse_date("field")).row(
        0, named=True
    )

    assert result["status"] == status
    assert result["parsed"] == parsed


def test_null_field_is_missing() -> None:
    frame = pl.DataFrame({"field": [None]}, schema={"field": pl.String})

    assert frame.select(dates.date_status("field")).item() == dates.MISSING


# (start, end, whole years)
YEAR_CASES: list[tuple[date, date, int]] = [
    (date(1963, 7, 1), date(2020, 6, 30), 56),
    (date(1963, 7, 1), date(2020, 7, 1), 57),
    (date(1963, 7, 1), date(2020, 7, 2), 57),
    (date(1974, 4, 11), date(1995, 4, 10), 20),
    (date(1974, 4, 10), date(1995, 4, 10), 21),
    # Born 29 February: the birthday is 1 March in common years and 29 February in leap years.
    (date(1960, 2, 29), date(2021, 2, 28), 60),
    (date(1960, 2, 29), date(2021, 3, 1), 61),
    (date(1960, 2, 29), date(2020, 2, 28), 59),
    (date(1960, 2, 29), date(2020, 2, 29), 60),
    (date(2000, 1, 1), date(2000, 1, 1), 0),
    (date(2000, 12, 31), date(2001, 1, 1), 0),
    # An end before the start counts down.
    (date(2020, 7, 1), date(2019, 7, 1), -1),
]


@pytest.mark.parametrize(
    ("start", "end", "years"), YEAR_CASES, ids=[f"{c[0]}->{c[1]}" for c in YEAR_CASES]
)
def test_full_years_between_dates(start: date, end: date, years: int) -> None:
    assert dates.full_years_between_dates(start, end) == years


@pytest.mark.parametrize(
    ("start", "end", "years"), YEAR_CASES, ids=[f"{c[0]}->{c[1]}" for c in YEAR_CASES]
)
def test_full_years_expression_matches_python(start: date, end: date, years: int) -> None:
    frame = pl.DataFrame({"start": [start], "end": [end]})

    from_columns = frame.select(dates.full_years_between(pl.col("start"), pl.col("end"))).item()
    from_literal = frame.select(dates.full_years_between(pl.col("start"), end)).item()

    assert from_columns == years
    assert from_literal == years


def test_full_years_with_null_date_is_null() -> None:
    frame = pl.DataFrame({"start": [None, date(1990, 1, 1)], "end": [date(2020, 1, 1), None]})

    result = frame.select(dates.full_years_between(pl.col("start"), pl.col("end"))).to_series()

    assert result.to_list() == [None, None]


def test_us_date_format() -> None:
    frame = pl.DataFrame({"day": [date(2016, 11, 9)]})

    assert frame.select(dates.us_date(pl.col("day"))).item() == "11/09/2016"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [("  abc ", "ABC"), ("x", None), ("N/A", None), ("NULL", None), ("11359 hs", "11359 HS")],
)
def test_clean_text(text: str, cleaned: str | None) -> None:
    frame = pl.DataFrame({"field": [text]})

    assert frame.select(dates.clean_text("field")).item() == cleaned


# (field text, first day, last day it can stand for)
RANGE_CASES: list[tuple[str, date | None, date | None]] = [
    ("19950410", date(1995, 4, 10), date(1995, 4, 10)),
    ("19870500", date(1987, 5, 1), date(1987, 5, 31)),
    ("19880200", date(1988, 2, 1), date(1988, 2, 29)),
    ("19870000", date(1987, 1, 1), date(1987, 12, 31)),
    ("19870012", date(1987, 1, 1), date(1987, 12, 31)),
    ("20161100", date(2016, 11, 1), date(2016, 11, 30)),
    ("19001300", None, None),
    ("2016119", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(
    ("text", "first", "last"), RANGE_CASES, ids=[repr(c[0]) for c in RANGE_CASES]
)
def test_possible_date_range(text: str, first: date | None, last: date | None) -> None:
    frame = pl.DataFrame({"field": [text]})

    result = frame.select(
        first=dates.earliest_possible_date("field"), last=dates.latest_possible_date("field")
    ).row(0, named=True)

    assert result["first"] == first
    assert result["last"] == last
