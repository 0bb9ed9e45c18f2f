"""quality.csv: every problem found in the input, by file and line, without names or identifiers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from autoclear.records.history import ROW

QUALITY_COLUMNS = ("file", "line", "subject_id", "problem")


def data_problems(lines: pl.DataFrame, counts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Problems found while reading the lines' meaning: repeats, unreadable dates and charges.

    Returns the quality columns after the row index of each line, sorted by row, so that the
    problems of several partitions can be merged in input order.
    """
    located = lines.select(ROW, file="_file", line="_line", subject_id="subject")
    origin = lines.select(pl.col(ROW).alias("repeat_of"), origin_file="_file", origin_line="_line")
    repeated = (
        lines.filter(pl.col("repeat_of").is_not_null())
        .select(ROW, "repeat_of")
        .join(origin, on="repeat_of", how="left")
        .select(
            ROW,
            problem=pl.format(
                "repeated line: same as {} line {}; counted once",
                pl.col("origin_file"),
                pl.col("origin_line"),
            ),
        )
    )
    first_lines = lines.filter(pl.col("is_count_line") & pl.col("repeat_of").is_null())
    unreadable_charge = first_lines.filter(
        pl.col("is_conviction") & pl.col("section").is_null()
    ).select(ROW, problem=pl.lit("conviction with no readable code section"))
    in_scope_rows = counts.filter(pl.col("in_scope")).select(
        "subject", "count_key", "sentence_unreadable"
    )
    scoped = first_lines.join(in_scope_rows, on=["subject", "count_key"])
    dates = scoped.filter(
        (pl.col("event_date_status") != "full") | (pl.col("cycle_date_status") != "full")
    ).select(
        ROW,
        problem=pl.format(
            "cannabis conviction with {} conviction date and {} offense date",
            pl.col("event_date_status"),
            pl.col("cycle_date_status"),
        ),
    )
    sentences = scoped.filter(pl.col("sentence_unreadable").fill_null(False)).select(
        ROW, problem=pl.lit("cannabis conviction with a sentence part that is not readable")
    )
    after_as_of = scoped.filter(pl.col("event_date_earliest") > as_of).select(
        ROW,
        problem=pl.lit(
            f"cannabis conviction dated after the as-of date {as_of.isoformat()}; "
            "check the --as-of date"
        ),
    )
    problems = pl.concat([repeated, unreadable_charge, dates, sentences, after_as_of])
    return (
        problems.join(located, on=ROW, how="left", maintain_order="left")
        # Stable, so that two problems of one line keep their order in every run.
        .sort(ROW, maintain_order=True)
        .select(
            ROW,
            pl.col("file").cast(pl.String),
            pl.col("line").cast(pl.Int64),
            pl.col("subject_id").cast(pl.String),
            pl.col("problem").cast(pl.String),
        )
    )


def write_quality(reader_problems: pl.DataFrame, data: pl.DataFrame | None, path: Path) -> int:
    """Write quality.csv and return the number of problems."""
    frames = [
        reader_problems.select(QUALITY_COLUMNS).cast(
            {"file": pl.String, "line": pl.Int64, "subject_id": pl.String, "problem": pl.String}
        )
    ]
    if data is not None:
        frames.append(data.select(QUALITY_COLUMNS))
    table = pl.concat(frames)
    table.write_csv(path)
    return table.height
