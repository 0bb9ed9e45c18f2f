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


def _parse_once(lines: pl.LazyFrame, key: str, parsed: dict[str, pl.Expr]) -> pl.LazyFrame:
    """Evaluate costly text expressions once per distinct value of `key` and join them back.

    Offense and comment texts repeat across many lines, so this runs the regular expressions on
    thousands of values instead of millions of lines.
    """
    lookup = lines.select(pl.col(key).unique()).with_columns(**parsed)
    return lines.join(lookup, on=key, how="left", nulls_equal=True, maintain_order="left")


def normalize_lines(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Add typed columns for one delivery. `raw` holds the DOJ columns and `_row`, `_file`, `_line`."""
    typed = raw.select(
        ROW,
        "_file",
        "_line",
        subject=clean_text("SUBJECT_ID"),
        cnt_order=clean_text("CNT_ORDER"),
        cycle_order=clean_text("CYC_ORDER"),
        step_order=clean_text("STP_ORDER"),
        cycle_date=parse_date("CYC_DATE"),
        cycle_date_status=date_status("CYC_DATE"),
        event_date=parse_date("STP_EVENT_DATE"),
        event_date_status=date_status("STP_EVENT_DATE"),
        event_date_text=clean_text("STP_EVENT_DATE"),
        cycle_date_earliest=earliest_possible_date("CYC_DATE"),
        cycle_date_latest=latest_possible_date("CYC_DATE"),
        event_date_earliest=earliest_possible_date("STP_EVENT_DATE"),
        event_date_latest=latest_possible_date("STP_EVENT_DATE"),
        event_type=clean_text("STP_TYPE_DESCR"),
        court=pl.col("STP_ORI_DESCR").str.strip_chars(),
        county=clean_text("STP_ORI_CNTY_NAME"),
        disposition=clean_text("DISP_DESCR"),
        offense_key=clean_text("OFFENSE_DESCR"),
        comment_key=clean_text("COMMENT_TEXT"),
        level=_level(),
        case_number=pl.coalesce(clean_text("OFN"), clean_text("FE_NUM_CRT_CASE")),
        dob=parse_date("PRI_DOB"),
        race=clean_text("RACE_DESCR").fill_null("UNKNOWN"),
        gender=_gender(),
        sentence_length=clean_text("SENT_LENGTH"),
        sentence_unit=clean_text("SENT_TIME_CODE").str.slice(0, 1),
        sentence_order=clean_text("SENT_ORDER"),
        sentence_location=clean_text("SENT_LOC_CODE"),
    )

    offense = pl.col("offense_key")
    comment = pl.col("comment_key")
    from_offense = codes.parse_offense(offense)
    from_comment = codes.parse_first_in_comment(comment)
    typed = _parse_once(
        typed,
        "offense_key",
        {f"offense_{name}": expr for name, expr in from_offense.items()},
    )
    typed = _parse_once(
        typed,
        "comment_key",
        {
            **{f"comment_{name}": expr for name, expr in from_comment.items()},
            "comment_cannabis": codes.cannabis_charges_in_comment(comment.fill_null("")),
        },
    )
    charge_in_comment = offense.is_null() | offense.str.starts_with(SEE_COMMENT)
    typed = typed.with_columns(
        charge_from_comment=charge_in_comment & comment.is_not_null(),
        **{
            name: pl.when(charge_in_comment)
            .then(pl.col(f"comment_{name}"))
            .otherwise(pl.col(f"offense_{name}"))
            for name in ("code", "section", "subsection", "attempt")
        },
    ).drop(
        [f"{source}_{name}" for source in ("offense", "comment")
         for name in ("code", "section", "subsection", "attempt")]
    )  # fmt: skip

    event_key = (
        pl.when(pl.col("cnt_order").str.contains(r"^\d{12}$"))
        .then(pl.col("cnt_order").str.slice(0, 6))
        .otherwise(
            pl.concat_str(
                [pl.col("cycle_order").fill_null("?"), pl.col("step_order").fill_null("?")],
                separator="/",
            )
        )
    )
    event_date_text = pl.col("event_date_text")
    event_date_display = (
        pl.when(pl.col("event_date").is_not_null())
        .then(pl.col("event_date").dt.strftime("%m/%d/%Y"))
        .when(
            pl.col("event_date_earliest").is_not_null() & (event_date_text.str.slice(4, 2) != "00")
        )
        .then(event_date_text.str.slice(4, 2) + "/" + event_date_text.str.slice(0, 4))
        .when(pl.col("event_date_earliest").is_not_null())
        .then(event_date_text.str.slice(0, 4))
        .otherwise(pl.lit("on an unknown date"))
    )
    count_key = pl.coalesce(pl.col("cnt_order"), pl.lit("row") + pl.col(ROW).cast(pl.String))
    return typed.with_columns(
        event=event_key,
        cycle=pl.coalesce(
            pl.col("cnt_order").str.extract(r"^(\d{3})\d{9}$"), pl.col("cycle_order")
        ),
        count_key=count_key,
        event_date_display=event_date_display,
        section_display=codes.display_section(
            pl.col("code"), pl.col("section"), pl.col("subsection"), pl.col("attempt")
        ),
        is_conviction=pl.col("disposition").str.starts_with("CONVICTED").fill_null(False),
        is_prop64=codes.is_prop64_section(pl.col("code"), pl.col("section")).fill_null(False),
    )


def _level() -> pl.Expr:
    """F, M or I from CONV_STAT_DESCR, falling back on OFFENSE_TOC; null when neither says."""
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
    """Mark repeated lines and further sentence parts.

    A line is *repeated* when an earlier line of the delivery has the same subject, CNT_ORDER,
    event date, disposition, offense and sentence part; it is counted once. A line is a *further
    sentence part* when an earlier, different line has the same subject and CNT_ORDER.
    """
    first_of_key = pl.col(ROW).min().over(REPEAT_KEY)
    first_of_count = pl.col(ROW).min().over(["subject", "count_key"])
    return lines.with_columns(
        repeat_of=pl.when(pl.col(ROW) != first_of_key).then(first_of_key),
    ).with_columns(
        is_count_line=pl.col(ROW) == first_of_count,
    )
