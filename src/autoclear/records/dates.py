"""DOJ dates as Polars expressions: full, partial and missing dates, and calendar years between dates.

DOJ dates are `YYYYMMDD` strings. A partial date has `00` for an unknown month or day
(`19870000`, `19870500`). `parse_date` turns partial, missing and invalid dates into null, so
that ages and years since a conviction need a full date. `earliest_possible_date` and
`latest_possible_date` give the range of days a partial date can stand for, which the rules use
for the Prop 64 date and for priors. `date_status` distinguishes the cases for flags.

Ages and "years since" are whole calendar years: a person is N on their Nth birthday. A person
born on 29 February has their birthday on 1 March in common years, because dates are compared
as (month, day) pairs.
"""

from __future__ import annotations

from datetime import date

import polars as pl

FULL = "full"
PARTIAL = "partial"
MISSING = "missing"
INVALID = "invalid"

PLACEHOLDERS = ("", "X", "#", "NULL", "N/A", "NA", "00000000")


def clean_text(column: str | pl.Expr) -> pl.Expr:
    """Trim and upper-case a field, turning placeholders such as `x`, `#` and `NULL` into null."""
    expr = pl.col(column) if isinstance(column, str) else column
    cleaned = expr.str.strip_chars().str.to_uppercase()
    return pl.when(cleaned.is_in(PLACEHOLDERS)).then(None).otherwise(cleaned)


def _to_date(text: pl.Expr) -> pl.Expr:
    # Polars accepts one-digit months and days for %m and %d, so a truncated field such as
    # `2016119` would read as 9 Nov 2016: only exactly eight digits are a date.
    eight_digits = text.str.contains(r"^\d{8}$")
    return pl.when(eight_digits).then(text.str.to_date("%Y%m%d", strict=False))


def parse_date(column: str) -> pl.Expr:
    """Parse a YYYYMMDD field to a Date; partial, missing and invalid dates become null."""
    return _to_date(clean_text(column))


def date_status(column: str) -> pl.Expr:
    """Classify a YYYYMMDD field as full, partial, missing or invalid."""
    text = clean_text(column)
    full = _to_date(text)
    looks_partial = text.str.contains(r"^\d{4}(00\d{2}|(0[1-9]|1[0-2])00)$")
    return (
        pl.when(text.is_null())
        .then(pl.lit(MISSING))
        .when(full.is_not_null())
        .then(pl.lit(FULL))
        .when(looks_partial)
        .then(pl.lit(PARTIAL))
        .otherwise(pl.lit(INVALID))
    )


def full_years_between(start: pl.Expr, end: pl.Expr | date) -> pl.Expr:
    """Whole calendar years from `start` to `end`; null when either date is null."""
    end_expr = pl.lit(end, dtype=pl.Date) if isinstance(end, date) else end
    year_difference = end_expr.dt.year().cast(pl.Int32) - start.dt.year().cast(pl.Int32)
    start_month_day = start.dt.month().cast(pl.Int32) * 100 + start.dt.day().cast(pl.Int32)
    end_month_day = end_expr.dt.month().cast(pl.Int32) * 100 + end_expr.dt.day().cast(pl.Int32)
    before_anniversary = (end_month_day < start_month_day).cast(pl.Int32)
    return year_difference - before_anniversary


def full_years_between_dates(start: date, end: date) -> int:
    """Whole calendar years from `start` to `end`, with the same 29 February rule as the expression."""
    before_anniversary = (end.month, end.day) < (start.month, start.day)
    return end.year - start.year - int(before_anniversary)


def us_date(expr: pl.Expr) -> pl.Expr:
    """Format a Date as MM/DD/YYYY, the form the older tool wrote and counties compare against."""
    return expr.dt.strftime("%m/%d/%Y")


def earliest_possible_date(column: str) -> pl.Expr:
    """Return the first day a full or partial date can stand for: `19870500` gives 1987-05-01."""
    text = clean_text(column)
    full = _to_date(text)
    year_month = text.str.extract(r"^(\d{6})00$").str.to_date("%Y%m", strict=False)
    year = text.str.extract(r"^(\d{4})00\d{2}$").str.to_date("%Y", strict=False)
    return pl.coalesce(full, year_month, year)


def latest_possible_date(column: str) -> pl.Expr:
    """Return the last day a full or partial date can stand for: `19870500` gives 1987-05-31."""
    text = clean_text(column)
    full = _to_date(text)
    year_month = text.str.extract(r"^(\d{6})00$").str.to_date("%Y%m", strict=False).dt.month_end()
    year = (
        text.str.extract(r"^(\d{4})00\d{2}$")
        .str.to_date("%Y", strict=False)
        .dt.offset_by("1y")
        .dt.offset_by("-1d")
    )
    return pl.coalesce(full, year_month, year)
