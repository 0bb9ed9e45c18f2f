"""Typed columns for every DOJ line, and the counts and subject histories built from them.

`normalize_lines` turns the raw text columns of a delivery into the typed, trimmed columns the
rules read. Everything is a Polars expression; per-subject facts are window expressions over
`subject`, so the same code runs on one partition of subjects at a time.

Terms: a *subject* is a person (`SUBJECT_ID`); a *cycle* is one arrest and what followed it; an
*event* is one step of a cycle (arrest, court action, registration, ...), keyed by cycle and step;
a *count* is one charge of an event, keyed by subject and `CNT_ORDER`. Further lines with the same
`CNT_ORDER` are more sentence parts of that count.
"""

from __future__ import annotations

import polars as pl

from autoclear.records import codes
from autoclear.records.dates import (
    clean_text,
    date_status,
    earliest_possible_date,
    latest_possible_date,
    parse_date,
)

ROW = "_row"

# Sentence time codes: D days, M months, Y years.
SENTENCE_UNITS = {"D": "d", "M": "mo", "Y": "y"}

SEE_COMMENT = "SEE COMMENT"

# Named expressions that `_per_distinct` adds in one step.
Columns = dict[str, pl.Expr]


def _per_distinct(lines: pl.LazyFrame, keys: list[str], *stages: Columns) -> pl.LazyFrame:
    """Evaluate the `stages` once per distinct value of the `keys` fields and give every line its row.

    Each stage is a set of named expressions that may read the columns of the stages before it.
    DOJ fields repeat a few hundred or thousand distinct values over millions of lines, so the
    string and regular-expression work runs on those values only. The rows come back in line
    order, and only the key columns take part in the join, because carrying the other fields
    through it costs more than the expressions themselves.
    """
    key_columns = lines.select(keys)
    distinct = key_columns.unique()
    for stage in stages:
        distinct = distinct.with_columns(**stage)
    # Columns that only a later stage reads are not given to every line.
    outputs = [name for stage in stages for name in stage if name in _LINE_COLUMNS]
    distinct = distinct.select(*keys, *outputs)
    return key_columns.join(
        distinct, on=keys, how="left", nulls_equal=True, maintain_order="left"
    ).drop(keys)


def _date_columns(column: str, prefix: str) -> Columns:
    return {
        f"{prefix}_date": parse_date(column),
        f"{prefix}_date_status": date_status(column),
        f"{prefix}_date_earliest": earliest_possible_date(column),
        f"{prefix}_date_latest": latest_possible_date(column),
    }


# The DOJ fields normalize_lines reads.
RAW_FIELDS: tuple[str, ...] = (
    "SUBJECT_ID", "CNT_ORDER", "CYC_ORDER", "STP_ORDER", "CYC_DATE", "STP_EVENT_DATE",
    "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "DISP_DESCR", "OFFENSE_DESCR",
    "COMMENT_TEXT", "CONV_STAT_DESCR", "OFFENSE_TOC", "OFN", "FE_NUM_CRT_CASE", "PRI_DOB",
    "RACE_DESCR", "GENDER", "SENT_LENGTH", "SENT_TIME_CODE", "SENT_ORDER", "SENT_LOC_CODE",
)  # fmt: skip

# The columns of `normalize_lines`, in order.
_LINE_COLUMNS = (
    ROW, "_file", "_line", "subject", "cnt_order",
    "cycle_date", "cycle_date_status", "event_date", "event_date_status",
    "cycle_date_earliest", "cycle_date_latest", "event_date_earliest", "event_date_latest",
    "event_type", "county", "disposition", "offense_key", "level",
    "case_number", "dob", "race", "gender", "sentence_length", "sentence_unit",
    "sentence_order", "sentence_location", "comment_cannabis", "charge_from_comment", "code",
    "section", "subsection", "attempt", "event", "cycle", "count_key", "event_date_display",
    "section_display", "is_conviction", "is_prop64",
)  # fmt: skip


def _order_columns() -> list[Columns]:
    """Clean CNT_ORDER, CYC_ORDER and STP_ORDER, and find the event and cycle of each line."""
    cnt_order = pl.col("cnt_order")
    cycle_order = pl.col("cycle_order")
    event = (
        pl.when(cnt_order.str.contains(r"^\d{12}$"))
        .then(cnt_order.str.slice(0, 6))
        .otherwise(
            pl.concat_str(
                [cycle_order.fill_null("?"), pl.col("step_order").fill_null("?")], separator="/"
            )
        )
    )
    return [
        {
            "cnt_order": clean_text("CNT_ORDER"),
            "cycle_order": clean_text("CYC_ORDER"),
            "step_order": clean_text("STP_ORDER"),
        },
        {
            "event": event,
            "cycle": pl.coalesce(cnt_order.str.extract(r"^(\d{3})\d{9}$"), cycle_order),
        },
    ]


def _event_date_columns() -> list[Columns]:
    """Parse STP_EVENT_DATE into a date and a range of days, and write it as reasons show it."""
    event_date = pl.col("event_date")
    earliest = pl.col("event_date_earliest")
    text = pl.col("event_date_text")
    display = (
        pl.when(event_date.is_not_null())
        .then(event_date.dt.strftime("%m/%d/%Y"))
        .when(earliest.is_not_null() & (text.str.slice(4, 2) != "00"))
        .then(text.str.slice(4, 2) + "/" + text.str.slice(0, 4))
        .when(earliest.is_not_null())
        .then(text.str.slice(0, 4))
        .otherwise(pl.lit("on an unknown date"))
    )
    return [
        {"event_date_text": clean_text("STP_EVENT_DATE")},
        _date_columns("event_date_text", "event"),
        {"event_date_display": display},
    ]


def _charge_columns() -> list[Columns]:
    """Parse the code section of OFFENSE_DESCR, or of COMMENT_TEXT when the offense points there."""
    offense = pl.col("offense_key")
    comment = pl.col("comment_key")
    from_offense = codes.parse_offense(offense)
    from_comment = codes.parse_first_in_comment(comment)
    charge_in_comment = offense.is_null() | offense.str.starts_with(SEE_COMMENT)
    parts = ("code", "section", "subsection", "attempt")
    return [
        {"offense_key": clean_text("OFFENSE_DESCR"), "comment_key": clean_text("COMMENT_TEXT")},
        {
            "comment_cannabis": codes.cannabis_charges_in_comment(comment.fill_null("")),
            "charge_from_comment": charge_in_comment & comment.is_not_null(),
            **{
                name: pl.when(charge_in_comment)
                .then(from_comment[name])
                .otherwise(from_offense[name])
                for name in parts
            },
        },
        {
            "section_display": codes.display_section(*(pl.col(name) for name in parts)),
            "is_prop64": codes.is_prop64_section(pl.col("code"), pl.col("section")).fill_null(
                False
            ),
        },
    ]


def normalize_lines(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Add typed columns for one delivery. `raw` contains the DOJ columns and `_row`, `_file`, `_line`.

    `raw` is collected in memory on the way, so it should contain one delivery, or one partition
    of it, and at least the RAW_FIELDS. Most columns are computed once per distinct value of the
    fields they come from (see `_per_distinct`).
    """
    lines = raw.select(ROW, "_file", "_line", *RAW_FIELDS).collect().lazy()
    disposition = clean_text("DISP_DESCR")
    per_distinct: list[tuple[list[str], list[Columns]]] = [
        (["SUBJECT_ID"], [{"subject": clean_text("SUBJECT_ID")}]),
        (["CNT_ORDER", "CYC_ORDER", "STP_ORDER"], _order_columns()),
        (["CYC_DATE"], [_date_columns("CYC_DATE", "cycle")]),
        (["STP_EVENT_DATE"], _event_date_columns()),
        (["STP_TYPE_DESCR"], [{"event_type": clean_text("STP_TYPE_DESCR")}]),
        (["STP_ORI_CNTY_NAME"], [{"county": clean_text("STP_ORI_CNTY_NAME")}]),
        (
            ["DISP_DESCR"],
            [
                {
                    "disposition": disposition,
                    "is_conviction": disposition.str.starts_with("CONVICTED").fill_null(False),
                }
            ],
        ),
        (["OFFENSE_DESCR", "COMMENT_TEXT"], _charge_columns()),
        (["CONV_STAT_DESCR", "OFFENSE_TOC"], [{"level": _level()}]),
        (["PRI_DOB"], [{"dob": parse_date("PRI_DOB")}]),
        (["RACE_DESCR"], [{"race": clean_text("RACE_DESCR").fill_null("UNKNOWN")}]),
        (["GENDER"], [{"gender": _gender()}]),
        (["SENT_LENGTH"], [{"sentence_length": clean_text("SENT_LENGTH")}]),
        (["SENT_TIME_CODE"], [{"sentence_unit": clean_text("SENT_TIME_CODE").str.slice(0, 1)}]),
        (["SENT_ORDER"], [{"sentence_order": clean_text("SENT_ORDER")}]),
        (["SENT_LOC_CODE"], [{"sentence_location": clean_text("SENT_LOC_CODE")}]),
    ]
    # OFN and FE_NUM_CRT_CASE take too many distinct values for a lookup to pay, so they are
    # cleaned line by line.
    direct = lines.select(
        ROW,
        "_file",
        "_line",
        case_number=pl.coalesce(clean_text("OFN"), clean_text("FE_NUM_CRT_CASE")),
    )
    columns = pl.concat(
        [direct, *(_per_distinct(lines, keys, *stages) for keys, stages in per_distinct)],
        how="horizontal",
    )
    # The in-memory engine returns each join result as one chunk, where the streaming engine
    # splits it. The other columns are made single chunks too, because later steps run much
    # slower on columns whose chunks do not line up.
    typed = columns.collect(engine="in-memory").rechunk()
    count_key = pl.coalesce(pl.col("cnt_order"), pl.lit("row") + pl.col(ROW).cast(pl.String))
    return typed.with_columns(count_key=count_key).select(_LINE_COLUMNS).lazy()


def _level() -> pl.Expr:
    """Return F, M or I from CONV_STAT_DESCR, else from OFFENSE_TOC, else null."""
    status = clean_text("CONV_STAT_DESCR")
    from_status = (
        pl.when(status.str.starts_with("FEL"))
        .then(pl.lit("F"))
        .when(status.str.starts_with("MIS"))
        .then(pl.lit("M"))
        .when(status.str.starts_with("INF"))
        .then(pl.lit("I"))
    )
    toc = clean_text("OFFENSE_TOC")
    from_toc = pl.when(toc.is_in(["F", "M", "I"])).then(toc)
    return pl.coalesce(from_status, from_toc)


def _gender() -> pl.Expr:
    gender = pl.col("GENDER").str.strip_chars().str.to_uppercase()
    return (
        pl.when(gender.is_in(["M", "MALE"]))
        .then(pl.lit("MALE"))
        .when(gender.is_in(["F", "FEMALE"]))
        .then(pl.lit("FEMALE"))
        .when(gender.is_null() | (gender == "") | gender.is_in(["U", "UNKNOWN", "NULL", "#"]))
        .then(pl.lit("UNKNOWN"))
        .otherwise(gender)
    )


REPEAT_KEY = (
    "subject",
    "cnt_order",
    "event_date_status",
    "event_date",
    "disposition",
    "offense_key",
    "sentence_order",
    "sentence_length",
    "sentence_unit",
    "sentence_location",
)


def mark_repeats_and_parts(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Mark repeated lines and further sentence parts. `lines` is collected on the way.

    A line is *repeated* when an earlier line of the delivery has the same subject, CNT_ORDER,
    event date, disposition, offense and sentence part; it is counted once. A line is a *further
    sentence part* when an earlier, different line has the same subject and CNT_ORDER.

    Adds `repeat_of` (the row of the earlier line), `is_count_line` and `count_row`: the row of
    the first line of the line's count, null when the subject is empty, so that the lines of a
    count find its row in the count frame the way a join on subject and count key would.
    """
    typed = lines.collect()
    # Eager, so that the new columns are single chunks like the others (see normalize_lines),
    # and each window is computed once.
    first_rows = typed.select(
        first_of_key=pl.col(ROW).min().over(REPEAT_KEY),
        first_of_count=pl.col(ROW).min().over(["subject", "count_key"]),
    )
    first_of_key = pl.col("first_of_key")
    return (
        pl.concat([typed, first_rows], how="horizontal")
        .with_columns(
            repeat_of=pl.when(pl.col(ROW) != first_of_key).then(first_of_key),
            is_count_line=pl.col(ROW) == pl.col("first_of_count"),
            count_row=pl.when(pl.col("subject").is_not_null()).then(pl.col("first_of_count")),
        )
        .drop("first_of_key", "first_of_count")
        .lazy()
    )
