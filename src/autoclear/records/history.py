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


def _parse_once(
    lines: pl.LazyFrame, key: str | list[str], parsed: dict[str, pl.Expr]
) -> pl.LazyFrame:
    """Evaluate costly text expressions once per distinct value of `key` and join them back.

    Offense, comment and date texts repeat across many lines, so this runs the regular
    expressions on thousands of values instead of millions of lines.
    """
    keys = [key] if isinstance(key, str) else key
    # `lines` is a collected frame (see normalize_lines), so the lookup is computed once
    # instead of once per branch of the plan.
    lookup = lines.select(keys).unique().with_columns(**parsed).collect()
    return lines.join(lookup.lazy(), on=keys, how="left", nulls_equal=True, maintain_order="left")


def _date_columns(column: str, prefix: str) -> dict[str, pl.Expr]:
    return {
        f"{prefix}_date": parse_date(column),
        f"{prefix}_date_status": date_status(column),
        f"{prefix}_date_earliest": earliest_possible_date(column),
        f"{prefix}_date_latest": latest_possible_date(column),
    }


# The DOJ fields normalize_lines reads.
RAW_FIELDS: tuple[str, ...] = (
    "SUBJECT_ID", "CNT_ORDER", "CYC_ORDER", "STP_ORDER", "CYC_DATE", "STP_EVENT_DATE",
    "STP_TYPE_DESCR", "STP_ORI_DESCR", "STP_ORI_CNTY_NAME", "DISP_DESCR", "OFFENSE_DESCR",
    "COMMENT_TEXT", "CONV_STAT_DESCR", "OFFENSE_TOC", "OFN", "FE_NUM_CRT_CASE", "PRI_DOB",
    "RACE_DESCR", "GENDER", "SENT_LENGTH", "SENT_TIME_CODE", "SENT_ORDER", "SENT_LOC_CODE",
)  # fmt: skip

# Columns of `normalize_lines` computed from one or two raw fields, once per distinct value.
_LOOKUP_FIELDS: dict[str, list[str]] = {
    "cycle": ["CYC_DATE"],
    "event": ["STP_EVENT_DATE"],
    "level": ["CONV_STAT_DESCR", "OFFENSE_TOC"],
    "dob": ["PRI_DOB"],
    "gender": ["GENDER"],
}


def _typed_columns(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Trim and type the DOJ fields the rules read; see `normalize_lines` for the column order."""
    fields = sorted({name for names in _LOOKUP_FIELDS.values() for name in names})
    typed = raw.select(
        ROW,
        "_file",
        "_line",
        *fields,
        subject=clean_text("SUBJECT_ID"),
        cnt_order=clean_text("CNT_ORDER"),
        cycle_order=clean_text("CYC_ORDER"),
        step_order=clean_text("STP_ORDER"),
        event_date_text=clean_text("STP_EVENT_DATE"),
        event_type=clean_text("STP_TYPE_DESCR"),
        court=pl.col("STP_ORI_DESCR").str.strip_chars(),
        county=clean_text("STP_ORI_CNTY_NAME"),
        disposition=clean_text("DISP_DESCR"),
        offense_key=clean_text("OFFENSE_DESCR"),
        comment_key=clean_text("COMMENT_TEXT"),
        case_number=pl.coalesce(clean_text("OFN"), clean_text("FE_NUM_CRT_CASE")),
        race=clean_text("RACE_DESCR").fill_null("UNKNOWN"),
        sentence_length=clean_text("SENT_LENGTH"),
        sentence_unit=clean_text("SENT_TIME_CODE").str.slice(0, 1),
        sentence_order=clean_text("SENT_ORDER"),
        sentence_location=clean_text("SENT_LOC_CODE"),
    )
    # Collected once here, because every lookup below reads it.
    typed = typed.collect().lazy()
    typed = _parse_once(typed, _LOOKUP_FIELDS["cycle"], _date_columns("CYC_DATE", "cycle"))
    typed = _parse_once(typed, _LOOKUP_FIELDS["event"], _date_columns("STP_EVENT_DATE", "event"))
    typed = _parse_once(typed, _LOOKUP_FIELDS["level"], {"level": _level()})
    typed = _parse_once(typed, _LOOKUP_FIELDS["dob"], {"dob": parse_date("PRI_DOB")})
    typed = _parse_once(typed, _LOOKUP_FIELDS["gender"], {"gender": _gender()})
    return typed.select(
        ROW, "_file", "_line", "subject", "cnt_order", "cycle_order", "step_order",
        "cycle_date", "cycle_date_status", "event_date", "event_date_status", "event_date_text",
        "cycle_date_earliest", "cycle_date_latest", "event_date_earliest", "event_date_latest",
        "event_type", "court", "county", "disposition", "offense_key", "comment_key", "level",
        "case_number", "dob", "race", "gender", "sentence_length", "sentence_unit",
        "sentence_order", "sentence_location",
    )  # fmt: skip


def normalize_lines(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Add typed columns for one delivery. `raw` contains the DOJ columns and `_row`, `_file`, `_line`.

    The typed lines are collected in memory on the way, so `raw` should contain one delivery,
    or one partition of it, and at least the RAW_FIELDS.
    """
    typed = _typed_columns(raw)

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
