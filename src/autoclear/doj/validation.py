"""Checks of DOJ research file lines: field counts, quoting, header lines and the file layout.

The checks are Polars expressions over one String column `line` that holds each physical line
unparsed (null for an empty line), so they run on millions of lines without a Python loop.
Quoting follows RFC 4180 as Polars reads it: a field is either unquoted and free of double
quotes, or enclosed in double quotes from comma to comma with inner quotes doubled.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from autoclear.doj.columns import FIELD_COUNT

# Field count of the variant with a trailing comma on every line (an empty 96th field).
TRAILING_COMMA_FIELD_COUNT = FIELD_COUNT + 1

# Number of data lines at the start of a file that decide its layout.
LAYOUT_SAMPLE_LINES = 10

_QUOTED_FIELD = r'"(?:[^"]|"")*"'
_FIELD = rf'(?:{_QUOTED_FIELD}|[^",]*)'
_WELL_QUOTED_LINE = rf"^{_FIELD}(?:,{_FIELD})*$"
_HEADER_LINE = r'^[ \t]*"?RECORD_ID"?[ \t]*(?:,|$)'
_EMPTY_LAST_FIELD = r',[ \t]*(?:""[ \t]*)?$'
# The third field, quoted or not; for a line with broken quoting this is a best guess.
_THIRD_FIELD = r'^(?:"[^"]*"|[^",]*),(?:"[^"]*"|[^",]*),[ \t]*"?([^",]*)'

UNBALANCED_QUOTE = "unbalanced double quote"
QUOTE_INSIDE_FIELD = "double quote in the middle of a field"
VALUE_AFTER_END_OF_REC = "has a value in a 96th field after END_OF_REC"
REPEATED_HEADER = "repeated header line, skipped"


def with_line_shape(raw: pl.DataFrame) -> pl.DataFrame:
    """Add the shape of each raw `line`: blank, header-like, quoting, field count, last field.

    Added columns: `blank` (empty or only spaces and tabs), `header_like` (first field is
    RECORD_ID), `odd_quotes`, `well_quoted`, `fields` (number of fields, counting commas outside
    quoted fields) and `last_field_empty`.
    """
    line = pl.col("line")
    quote_count = line.str.count_matches('"', literal=True).fill_null(0)
    unquoted = line.str.replace_all(_QUOTED_FIELD, "")
    return raw.with_columns(
        blank=(line.str.strip_chars(" \t") == "").fill_null(True),
        header_like=line.str.contains(_HEADER_LINE).fill_null(False),
        odd_quotes=(quote_count % 2) == 1,
        well_quoted=pl.when(quote_count == 0)
        .then(True)
        .otherwise(line.str.contains(_WELL_QUOTED_LINE))
        .fill_null(True),
        fields=(unquoted.str.count_matches(",", literal=True) + 1).fill_null(0).cast(pl.Int32),
        last_field_empty=line.str.contains(_EMPTY_LAST_FIELD).fill_null(False),
    )


def fits_layout(field_count: int) -> pl.Expr:
    """Return whether a shaped line has `field_count` fields and sound quoting."""
    fits = pl.col("well_quoted") & ~pl.col("odd_quotes") & (pl.col("fields") == field_count)
    if field_count == TRAILING_COMMA_FIELD_COUNT:
        fits = fits & pl.col("last_field_empty")
    return fits


def line_problem(field_count: int) -> pl.Expr:
    """Describe what is wrong with a shaped line in plain words, or null when it is sound.

    `field_count` is the layout of the file, 95 or 96. Blank lines are never a problem.
    """
    fields = pl.col("fields")
    expected_count = pl.format("has {} fields, expected {}", fields, pl.lit(field_count))
    problem = (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("odd_quotes"))
        .then(pl.lit(UNBALANCED_QUOTE))
        .when(~pl.col("well_quoted"))
        .then(pl.lit(QUOTE_INSIDE_FIELD))
        .when(fields != field_count)
        .then(expected_count)
    )
    if field_count == TRAILING_COMMA_FIELD_COUNT:
        problem = problem.when(~pl.col("last_field_empty")).then(pl.lit(VALUE_AFTER_END_OF_REC))
    return problem.otherwise(pl.lit(None, dtype=pl.String))


def subject_id_of(line: pl.Expr) -> pl.Expr:
    """Return the trimmed third field (SUBJECT_ID) of raw lines, or null when it is empty."""
    subject_id = line.str.extract(_THIRD_FIELD, 1).str.strip_chars()
    return pl.when(subject_id == "").then(None).otherwise(subject_id)


@dataclass(frozen=True)
class Layout:
    """How a file is laid out, as its first lines show."""

    has_header: bool
    field_count: int  # 95, or 96 when every line ends with a trailing comma


class LayoutError(ValueError):
    """The first lines of a file do not look like a DOJ research file; the message says why."""


def detect_layout(shaped: pl.DataFrame, whole_file: bool) -> Layout:
    """Decide header and field count from the first lines of a file (a frame from with_line_shape).

    Raises LayoutError when the file has no data lines or when most of its first
    LAYOUT_SAMPLE_LINES data lines have neither 95 fields nor 95 and a trailing comma.
    `whole_file` tells whether `shaped` holds the whole file or only its start.
    """
    non_blank = shaped.filter(~pl.col("blank"))
    if non_blank.height == 0:
        if whole_file:
            raise LayoutError("is empty: it contains only blank lines")
        raise LayoutError("has no line end in its first block: it is not a DOJ research file")

    has_header = bool(non_blank["header_like"][0])
    data = non_blank.slice(1) if has_header else non_blank
    if data.height == 0:
        if whole_file:
            raise LayoutError("contains only a header line and no data lines")
        raise LayoutError("has no complete data line in its first block")

    sample = data.head(LAYOUT_SAMPLE_LINES)
    plain = sample.select(fits_layout(FIELD_COUNT).sum()).item()
    trailing = sample.select(fits_layout(TRAILING_COMMA_FIELD_COUNT).sum()).item()
    field_count = TRAILING_COMMA_FIELD_COUNT if trailing > plain else FIELD_COUNT
    if 2 * max(plain, trailing) > sample.height:
        return Layout(has_header=has_header, field_count=field_count)

    raise LayoutError(_describe_wrong_layout(sample))


def _describe_wrong_layout(sample: pl.DataFrame) -> str:
    broken = sample["odd_quotes"] | ~sample["well_quoted"]
    broken_count = int(broken.sum())
    if 2 * broken_count > sample.height:
        return (
            f"has broken double quotes on {_first_lines(broken_count, sample.height)}, so its "
            "fields cannot be told apart: check that this is a comma-separated DOJ research file"
        )

    counts = sample.filter(~broken)["fields"]
    most_common = int(counts.mode().sort()[0])
    where = _first_lines(int((counts == most_common).sum()), sample.height)
    if most_common == FIELD_COUNT - 1:
        return (
            f"has {most_common} fields on {where}, one fewer than the {FIELD_COUNT} of a DOJ "
            "research file: the last column, END_OF_REC, is missing. The extract is incomplete; "
            "ask DOJ for a complete one"
        )
    return (
        f"has {most_common} fields on {where}, but a DOJ research file has {FIELD_COUNT} "
        f"(or {TRAILING_COMMA_FIELD_COUNT} with a trailing comma): check that this is a DOJ "
        "research file and that it is comma-separated"
    )


def _first_lines(count: int, sample_size: int) -> str:
    if sample_size == 1:
        return "its first data line"
    if count == sample_size:
        return f"its first {sample_size} data lines"
    return f"{count} of its first {sample_size} data lines"
