"""Checks of DOJ research file lines: field counts, quoting, header lines and the file layout.

The checks are Polars expressions over one String column `line` that contains each physical line
unparsed (null for an empty line), so they run on millions of lines without a Python loop.
fits_layout_pattern checks every line in one regex pass. with_line_shape measures the few
lines that fail, and the first lines of a file, to describe what is wrong. Quoting follows RFC 4180
as Polars reads it: a field is either unquoted and free of double quotes, or enclosed in double
quotes from comma to comma with inner quotes doubled.
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
_MARKER = "\x01"
_FIELD = rf'(?:{_QUOTED_FIELD}|[^",]*)'
_EMPTY_FIELD = r'(?:[ \t]*|"")'
_HEADER_LINE = r'^[ \t]*"?RECORD_ID"?[ \t]*(?:,|$)'
_EMPTY_LAST_FIELD = rf",{_EMPTY_FIELD}$"
# The empty 96th field of a line that ends with a comma, for removing it from the line text.
TRAILING_EMPTY_FIELD = _EMPTY_LAST_FIELD
# The third field, quoted or not. For a line with broken quoting this is a best guess.
_THIRD_FIELD = r'^(?:"[^"]*"|[^",]*),(?:"[^"]*"|[^",]*),[ \t]*"?([^",]*)'

UNBALANCED_QUOTE = "unbalanced double quote"
QUOTE_INSIDE_FIELD = "double quote in the middle of a field"
VALUE_AFTER_END_OF_REC = "has a value in a 96th field after END_OF_REC"
REPEATED_HEADER = "repeated header line, skipped"


def is_blank(line: pl.Expr) -> pl.Expr:
    """Return whether raw lines are empty or hold only spaces and tabs."""
    return (line.str.strip_chars(" \t") == "").fill_null(True)


def is_header_like(line: pl.Expr) -> pl.Expr:
    """Return whether the first field of raw lines is RECORD_ID, the first column name."""
    return line.str.contains(_HEADER_LINE).fill_null(False)


def fits_layout_pattern(field_count: int) -> pl.Expr:
    """Return whether raw lines fit the layout: `field_count` fields and sound quoting.

    One regex pass, faster than with_line_shape, for checking every line of a file; it agrees
    with fits_layout on shaped lines.
    """
    trailing_field = f",{_EMPTY_FIELD}" if field_count == TRAILING_COMMA_FIELD_COUNT else ""
    pattern = rf"^{_FIELD}(?:,{_FIELD}){{{FIELD_COUNT - 1}}}{trailing_field}$"
    return pl.col("line").str.contains(pattern).fill_null(False)


def with_line_shape(raw: pl.DataFrame) -> pl.DataFrame:
    """Add the shape of each raw `line`: blank, header-like, quoting, field count, last field.

    Added columns: `blank` (empty or only spaces and tabs), `header_like` (first field is
    RECORD_ID), `well_quoted` (every double quote belongs to a quoted field that runs from
    separator to separator), `fields` (number of fields) and `last_field_empty`.
    """
    line = pl.col("line")
    # Each quoted field becomes one marker byte, so the commas left are the field separators.
    # Scanning from the line start, the first double quote of a sound line opens a quoted
    # field, so the replacement follows the fields. A double quote left over, or a marker not
    # bounded by separators, is a misplaced or unbalanced quote.
    # NOTE: a line that contains the marker byte itself and a double quote can be reported as
    # having a misplaced double quote.
    marked = pl.col("_marked")
    markers = marked.str.count_matches(_MARKER, literal=True)
    markers_after_separator = marked.str.count_matches("," + _MARKER, literal=True) + (
        marked.str.starts_with(_MARKER).cast(pl.UInt32)
    )
    markers_before_separator = marked.str.count_matches(_MARKER + ",", literal=True) + (
        marked.str.ends_with(_MARKER).cast(pl.UInt32)
    )
    well_quoted = (
        ~marked.str.contains('"', literal=True)
        & (markers_after_separator == markers)
        & (markers_before_separator == markers)
    )
    # Two steps, because an eager with_columns computes a shared expression once per use.
    return (
        raw.with_columns(_marked=line.str.replace_all(_QUOTED_FIELD, _MARKER))
        .with_columns(
            blank=is_blank(line),
            header_like=is_header_like(line),
            well_quoted=well_quoted.fill_null(True),
            fields=(marked.str.count_matches(",", literal=True) + 1).fill_null(0).cast(pl.Int32),
            last_field_empty=line.str.contains(_EMPTY_LAST_FIELD).fill_null(False),
        )
        .drop("_marked")
    )


def fits_layout(field_count: int) -> pl.Expr:
    """Return whether a shaped line has `field_count` fields and sound quoting."""
    fits = pl.col("well_quoted") & (pl.col("fields") == field_count)
    if field_count == TRAILING_COMMA_FIELD_COUNT:
        fits = fits & pl.col("last_field_empty")
    return fits


def has_odd_quotes(line: pl.Expr) -> pl.Expr:
    return (line.str.count_matches('"', literal=True).fill_null(0) % 2) == 1


def line_problem(field_count: int) -> pl.Expr:
    """Describe what is wrong with a shaped line that does not fit the layout, in plain words.

    `field_count` is the layout of the file, 95 or 96. Only lines that fail
    fits_layout_pattern are described, so the last branch is a guard that is not expected to
    be reached.
    """
    fields = pl.col("fields")
    expected_count = pl.format("has {} fields, expected {}", fields, pl.lit(field_count))
    problem = (
        pl.when(has_odd_quotes(pl.col("line")))
        .then(pl.lit(UNBALANCED_QUOTE))
        .when(~pl.col("well_quoted"))
        .then(pl.lit(QUOTE_INSIDE_FIELD))
        .when(fields != field_count)
        .then(expected_count)
    )
    if field_count == TRAILING_COMMA_FIELD_COUNT:
        problem = problem.when(~pl.col("last_field_empty")).then(pl.lit(VALUE_AFTER_END_OF_REC))
    return problem.otherwise(pl.lit(f"does not fit the {field_count}-field layout"))


def subject_id_of(line: pl.Expr) -> pl.Expr:
    """Return the trimmed third field (SUBJECT_ID) of raw lines, or null when it is empty.

    The quoting before that field can be broken, such as by a stray double quote in the second
    field. Then the text between the second and third comma is taken instead, so that the
    subject's other convictions still go to hand review. Either is a best guess on a malformed
    line.
    """
    quoted = line.str.extract(_THIRD_FIELD, 1).str.strip_chars()
    between_commas = line.str.split(",").list.get(2, null_on_oob=True).str.strip_chars(' \t"')
    subject_id = pl.coalesce(quoted, between_commas)
    return pl.when(subject_id == "").then(None).otherwise(subject_id)


@dataclass(frozen=True)
class Layout:
    """Header and field count of a file, as its first lines show them."""

    has_header: bool
    field_count: int  # 95, or 96 when every line ends with a trailing comma


class LayoutError(ValueError):
    """First lines of a file that do not look like a DOJ research file. The message gives the reason."""


def detect_layout(shaped: pl.DataFrame, whole_file: bool) -> Layout:
    """Decide header and field count from the first lines of a file (a frame from with_line_shape).

    Raises LayoutError when the file has no data lines or when more than half of its first
    LAYOUT_SAMPLE_LINES data lines have neither 95 fields nor 95 and a trailing comma. Lines
    that fail the check without failing the layout are reported later as malformed lines.
    `whole_file` is true when `shaped` contains the whole file rather than only its start.
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
    if 2 * max(plain, trailing) >= sample.height:
        return Layout(has_header=has_header, field_count=field_count)

    wrong = sample.filter(~fits_layout(field_count))
    raise LayoutError(_describe_wrong_layout(wrong, sample.height))


def _describe_wrong_layout(wrong: pl.DataFrame, sample_size: int) -> str:
    """Describe what most of the `wrong` lines, out of the first `sample_size`, have in common."""
    broken = ~wrong["well_quoted"]
    broken_count = int(broken.sum())
    if 2 * broken_count > wrong.height:
        return (
            f"has broken double quotes on {_first_lines(broken_count, sample_size)}, so its "
            "fields cannot be told apart: check that this is a comma-separated DOJ research file"
        )

    counts = wrong.filter(~broken)["fields"]
    most_common = int(counts.mode().sort()[0])
    where = _first_lines(int((counts == most_common).sum()), sample_size)
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
