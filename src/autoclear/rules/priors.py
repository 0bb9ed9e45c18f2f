"""Prior convictions that keep a cannabis felony a felony (HS 11358(d), 11359(c), 11360(a)(3)).

A *prior* is a conviction dated before the cannabis conviction and not from the same court event
(same cycle and step). Convictions from the same event are never priors, even when their dates
differ or are missing. A prior with a missing or partial date is never treated as a prior, but it
is reported as a *possible* prior so that a person reviews the case.

Each function returns one row per subject or per count, built with group-by and window
expressions only, so that it runs on one partition of subjects at a time.
"""

from __future__ import annotations

import polars as pl

from autoclear.records.history import ROW

COUNT_KEY = ["subject", "count_key"]


def earliest_priors(counts: pl.LazyFrame, flag: str) -> pl.LazyFrame:
    """Per subject, the earliest dated line flagged `flag`, and the earliest from another event.

    Columns: subject, first_date, first_event, first_section, second_date, second_section,
    undated_events (list of events whose flagged lines have no full date).
    """
    flagged = counts.filter(pl.col(flag)).select(
        "subject", "event", "event_date", "section_display", ROW
    )
    dated = flagged.filter(pl.col("event_date").is_not_null())
    by_date = [pl.col("event_date"), pl.col(ROW)]
    first = dated.group_by("subject").agg(
        first_date=pl.col("event_date").sort_by(by_date).first(),
        first_event=pl.col("event").sort_by(by_date).first(),
        first_section=pl.col("section_display").sort_by(by_date).first(),
    )
    second = (
        dated.join(first.select("subject", "first_event"), on="subject")
        .filter(pl.col("event") != pl.col("first_event"))
        .group_by("subject")
        .agg(
            second_date=pl.col("event_date").sort_by(by_date).first(),
            second_section=pl.col("section_display").sort_by(by_date).first(),
        )
    )
    undated = (
        flagged.filter(pl.col("event_date").is_null())
        .group_by("subject")
        .agg(undated_events=pl.col("event").unique())
    )
    return (
        first.join(second, on="subject", how="full", coalesce=True)
        .join(undated, on="subject", how="full", coalesce=True)
    )


def attach_prior(convictions: pl.LazyFrame, priors: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Add `<name>_section`, `<name>_date` and `<name>_possible` to each cannabis conviction.

    `<name>_section` is the code section of the earliest prior (null when there is none) and
    `<name>_possible` is true when a flagged line of another event has no full date.
    """
    joined = convictions.join(priors, on="subject", how="left")
    date = pl.col("event_date")
    first_is_prior = (pl.col("first_event") != pl.col("event")) & (pl.col("first_date") < date)
    second_is_prior = pl.col("second_date") < date
    undated_elsewhere = (
        pl.col("undated_events").list.len().fill_null(0)
        - pl.col("undated_events").list.contains(pl.col("event")).fill_null(False).cast(pl.UInt32)
    ) > 0
    return joined.with_columns(
        pl.when(first_is_prior)
        .then(pl.col("first_section"))
        .when(second_is_prior)
        .then(pl.col("second_section"))
        .alias(f"{name}_section"),
        pl.when(first_is_prior)
        .then(pl.col("first_date"))
        .when(second_is_prior)
        .then(pl.col("second_date"))
        .alias(f"{name}_date"),
        undated_elsewhere.alias(f"{name}_possible"),
    ).drop(
        "first_date", "first_event", "first_section", "second_date", "second_section",
        "undated_events",
    )  # fmt: skip


def same_section_prior_counts(counts: pl.LazyFrame) -> pl.LazyFrame:
    """Per cannabis conviction, how many prior convictions of the same HS section the subject has.

    Returns subject, count_key, same_section_priors (dated priors from other events) and
    same_section_undated (convictions of that section from other events with no full date).
    Convictions anywhere in the state count, under any sub-section or as attempts.
    """
    cannabis = counts.filter(pl.col("is_conviction") & pl.col("is_prop64")).select(
        "subject", "count_key", "section", "event", "event_date"
    )
    dated = cannabis.filter(pl.col("event_date").is_not_null())
    earlier_in_section = pl.col("event_date").rank("min").over(["subject", "section"]) - 1
    earlier_in_event = pl.col("event_date").rank("min").over(["subject", "section", "event"]) - 1
    ranked = dated.select(
        "subject",
        "count_key",
        same_section_priors=(earlier_in_section - earlier_in_event).cast(pl.Int64),
    )
    undated_events = (
        cannabis.filter(pl.col("event_date").is_null())
        .group_by("subject", "section")
        .agg(undated_section_events=pl.col("event").unique())
    )
    with_undated = (
        cannabis.join(undated_events, on=["subject", "section"], how="left")
        .with_columns(
            same_section_undated=(
                pl.col("undated_section_events").list.len().fill_null(0)
                - pl.col("undated_section_events")
                .list.contains(pl.col("event"))
                .fill_null(False)
                .cast(pl.UInt32)
            ).cast(pl.Int64)
        )
        .select("subject", "count_key", "same_section_undated")
    )
    return with_undated.join(ranked, on=COUNT_KEY, how="left").with_columns(
        pl.col("same_section_priors").fill_null(0)
    )
