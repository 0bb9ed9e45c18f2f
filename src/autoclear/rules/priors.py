"""Prior convictions that keep a cannabis felony a felony (HS 11358(d), 11359(c), 11360(a)(3)).

A *prior* is a conviction dated before the cannabis conviction and not from the same court event
(same cycle and step). Convictions from the same event are never priors, even when their dates
differ or are missing.

Dates may be partial (`19870500`): each date is read as the range of days it can stand for,
from `event_date_earliest` to `event_date_latest`. A conviction is a prior only when its latest
possible day is before the cannabis conviction's earliest possible day. When the ranges overlap,
or the other conviction has no date at all, it is a *possible* prior, which sends a felony to hand
review instead of deciding it either way.

Every function here uses group-by, sort and window expressions over the subject, so it runs on
one partition of subjects at a time and costs the same per line for a subject with many lines.
"""

from __future__ import annotations

import polars as pl

from autoclear.records.history import ROW

EARLIEST = "event_date_earliest"
LATEST = "event_date_latest"


def _first_two_events(dated: pl.LazyFrame, by: str, prefix: str) -> pl.LazyFrame:
    """Per subject, the line with the smallest `by`, and the smallest from any other event."""
    # Ties on the date are broken by section and event, not by line number, so that the prior a
    # reason names does not depend on the order of the input lines.
    order = [pl.col(by), pl.col("section_display"), pl.col("event"), pl.col(ROW)]
    first = dated.group_by("subject").agg(
        pl.col(by).sort_by(order).first().alias(f"{prefix}_first_date"),
        pl.col("event").sort_by(order).first().alias(f"{prefix}_first_event"),
        pl.col("section_display").sort_by(order).first().alias(f"{prefix}_first_section"),
        pl.col("event_date_display").sort_by(order).first().alias(f"{prefix}_first_shown"),
    )
    second = (
        dated.join(first.select("subject", f"{prefix}_first_event"), on="subject")
        .filter(pl.col("event") != pl.col(f"{prefix}_first_event"))
        .group_by("subject")
        .agg(
            pl.col(by).sort_by(order).first().alias(f"{prefix}_second_date"),
            pl.col("section_display").sort_by(order).first().alias(f"{prefix}_second_section"),
            pl.col("event_date_display").sort_by(order).first().alias(f"{prefix}_second_shown"),
        )
    )
    return first.join(second, on="subject", how="left")


def earliest_priors(counts: pl.LazyFrame, flag: str) -> pl.LazyFrame:
    """Per subject, the candidates for a prior among the lines flagged `flag`.

    `definite_*` columns come from the line whose latest possible date is smallest, and
    `possible_*` columns from the line whose earliest possible date is smallest. `*_second_*`
    columns give the same from any other event. `undated_events` lists the events of flagged
    lines with no date at all.
    """
    flagged = counts.filter(pl.col(flag)).select(
        "subject", "event", EARLIEST, LATEST, "section_display", "event_date_display", ROW
    )
    dated = flagged.filter(pl.col(EARLIEST).is_not_null())
    undated = (
        flagged.filter(pl.col(EARLIEST).is_null())
        .group_by("subject")
        .agg(undated_events=pl.col("event").unique())
    )
    return (
        _first_two_events(dated, LATEST, "definite")
        .join(
            _first_two_events(dated, EARLIEST, "possible"), on="subject", how="full", coalesce=True
        )
        .join(undated, on="subject", how="full", coalesce=True)
    )


def attach_prior(convictions: pl.LazyFrame, priors: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Return `<name>_section`, `<name>_date` and `<name>_possible` for each cannabis conviction.

    `<name>_section` is the code section of the earliest prior, or null when there is none.
    `<name>_date` is its date as written (MM/DD/YYYY, or MM/YYYY and YYYY for partial dates).
    `<name>_possible` is true when there is no prior but a flagged line of another event may be one.
    The rows are in the order of `convictions`, which needs `subject`, `event` and the date
    range. `priors` is what `earliest_priors` returns, one row per subject.
    """
    joined = convictions.select("subject", "event", EARLIEST, LATEST).join(
        priors, on="subject", how="left", maintain_order="left"
    )
    earliest = pl.col(EARLIEST)
    latest = pl.col(LATEST)
    first_is_prior = (pl.col("definite_first_event") != pl.col("event")) & (
        pl.col("definite_first_date") < earliest
    )
    second_is_prior = pl.col("definite_second_date") < earliest
    definite = (first_is_prior | second_is_prior).fill_null(False)
    may_be_prior = (
        (pl.col("possible_first_event") != pl.col("event"))
        & (pl.col("possible_first_date") < latest)
    ).fill_null(False) | (pl.col("possible_second_date") < latest).fill_null(False)
    undated_elsewhere = (
        pl.col("undated_events").list.len().fill_null(0)
        - pl.col("undated_events").list.contains(pl.col("event")).fill_null(False).cast(pl.UInt32)
    ) > 0
    return joined.select(
        pl.when(first_is_prior)
        .then(pl.col("definite_first_section"))
        .when(second_is_prior)
        .then(pl.col("definite_second_section"))
        .alias(f"{name}_section"),
        pl.when(first_is_prior)
        .then(pl.col("definite_first_shown"))
        .when(second_is_prior)
        .then(pl.col("definite_second_shown"))
        .alias(f"{name}_date"),
        (~definite & (may_be_prior | undated_elsewhere)).alias(f"{name}_possible"),
    )


def _running_items(stacked: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Count, for each query row, the items with the same `keys` and an earlier date.

    The rows are sorted by `keys` and date, queries first on equal dates, so the items since the
    first row of the query's run of equal keys are the ones strictly before it. Runs are found by
    comparing each row with the previous one, which is much faster than a window over string keys.
    """
    is_item = pl.col("is_item")
    run_starts = (pl.int_range(pl.len()) == 0) | pl.any_horizontal(
        [pl.col(key).ne_missing(pl.col(key).shift()) for key in keys]
    )
    running = is_item.cum_sum()
    before_run = pl.when(run_starts).then(running - is_item).forward_fill()
    return (
        stacked.sort([*keys, "sort_date", "is_item"])
        .with_columns(earlier=running - before_run)
        .filter(is_item == 0)
        .select(ROW, "earlier")
    )


def _count_earlier(
    items: pl.LazyFrame, queries: pl.LazyFrame, group: list[str], item_date: str, query_date: str
) -> pl.LazyFrame:
    """Count, for each query row, the items of its group and of another event with an earlier date.

    Returns the query's `_row` and `earlier`: the items of its group with an earlier date, less
    those of its own event.
    """
    stacked = pl.concat(
        [
            items.select(
                ROW, *group, "event", sort_date=pl.col(item_date), is_item=pl.lit(1, dtype=pl.Int64)
            ),
            queries.select(
                ROW,
                *group,
                "event",
                sort_date=pl.col(query_date),
                is_item=pl.lit(0, dtype=pl.Int64),
            ),
        ]
    ).filter(pl.col("sort_date").is_not_null())
    in_group = _running_items(stacked, group)
    in_event = _running_items(stacked, [*group, "event"])
    return in_group.join(in_event, on=ROW, suffix="_in_event").select(
        ROW, earlier=pl.col("earlier") - pl.col("earlier_in_event")
    )


def same_section_prior_counts(counts: pl.LazyFrame, in_scope: pl.LazyFrame) -> pl.LazyFrame:
    """Per in-scope conviction, prior convictions of the same HS section anywhere in the state.

    Returns `_row` of each in-scope conviction, `same_section_priors` (certainly earlier, from
    other events) and `same_section_possible` (priors that may be earlier, undated ones included).
    """
    group = ["subject", "section"]
    items = counts.filter(pl.col("is_conviction") & pl.col("is_prop64")).select(
        ROW, *group, "event", EARLIEST, LATEST
    )
    queries = in_scope.select(ROW, *group, "event", EARLIEST, LATEST)
    definite = _count_earlier(items, queries, group, LATEST, EARLIEST).rename(
        {"earlier": "same_section_priors"}
    )
    possible = _count_earlier(items, queries, group, EARLIEST, LATEST).rename(
        {"earlier": "dated_possible"}
    )
    undated = (
        items.filter(pl.col(EARLIEST).is_null())
        .group_by(group)
        .agg(undated_events=pl.col("event").unique())
    )
    undated_elsewhere = queries.join(undated, on=group, how="left").select(
        ROW,
        undated_other=(
            pl.col("undated_events").list.len().fill_null(0)
            - pl.col("undated_events")
            .list.contains(pl.col("event"))
            .fill_null(False)
            .cast(pl.UInt32)
        ).cast(pl.Int64),
    )
    return (
        undated_elsewhere.join(definite, on=ROW, how="left")
        .join(possible, on=ROW, how="left")
        .select(
            ROW,
            same_section_priors=pl.col("same_section_priors").fill_null(0),
            same_section_possible=pl.col("dated_possible").fill_null(0) + pl.col("undated_other"),
        )
    )
