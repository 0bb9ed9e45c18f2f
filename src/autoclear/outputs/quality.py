"""quality.csv: every problem found in the input, by file and line, without names or identifiers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from autoclear.records.history import ROW

QUALITY_COLUMNS = ("file", "line", "subject_id", "problem")


def data_problems(lines: pl.DataFrame, counts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Problems found while reading the lines' meaning: repeats, unreadable dates and charges.

    `counts` is what `evaluate_counts` returned for `lines`: one row per counted line. Returns the
    quality columns after the row index of each line, sorted by row, so that the problems of
    several partitions can be merged in input order.
    """
    location = (ROW, pl.col("_file").alias("file"), pl.col("_line").alias("line"), "subject")
    repeats = lines.filter(pl.col("repeat_of").is_not_null()).select(*location, "repeat_of")
    origin = lines.filter(pl.col(ROW).is_in(repeats.get_column("repeat_of").implode())).select(
        pl.col(ROW).alias("repeat_of"), origin_file="_file", origin_line="_line"
    )
    repeated = repeats.join(origin, on="repeat_of", how="left").select(
        ROW,
        "file",
        "line",
        "subject",
        problem=pl.format(
            "repeated line: same as {} line {}; counted once",
            pl.col("origin_file"),
            pl.col("origin_line"),
        ),
    )
    unreadable_charge = counts.filter(pl.col("is_conviction") & pl.col("section").is_null()).select(
        *location, problem=pl.lit("conviction with no readable code section")
    )
    # NOTE: in-scope counts without a subject are left out, as they get no decision either.
    scoped = counts.filter(pl.col("in_scope") & pl.col("subject").is_not_null())
    dates = scoped.filter(
        (pl.col("event_date_status") != "full") | (pl.col("cycle_date_status") != "full")
    ).select(
        *location,
        problem=pl.format(
            "cannabis conviction with {} conviction date and {} offense date",
            pl.col("event_date_status"),
            pl.col("cycle_date_status"),
        ),
    )
    sentences = scoped.filter(pl.col("sentence_unreadable").fill_null(False)).select(
        *location, problem=pl.lit("cannabis conviction with a sentence part that is not readable")
    )
    after_as_of = scoped.filter(pl.col("event_date_earliest") > as_of).select(
        *location,
        problem=pl.lit(
            f"cannabis conviction dated after the as-of date {as_of.isoformat()}; "
            "check the --as-of date"
        ),
    )
    problems = pl.concat([repeated, unreadable_charge, dates, sentences, after_as_of])
    return (
        # Stable, so that two problems of one line keep their order in every run.
        problems.sort(ROW, maintain_order=True).select(
            ROW,
            pl.col("file").cast(pl.String),
            pl.col("line").cast(pl.Int64),
            pl.col("subject").cast(pl.String).alias("subject_id"),
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
