"""Result files: every input line with its eligibility columns, in input order.

`All_Results.csv` keeps the 95 DOJ columns unchanged and adds the eligibility columns the older
public tool wrote (same names, same determination words), then autoclear's own columns.
`All_Results_Condensed.csv` has the condensed column set and `Prop64_Results.csv` only the
in-scope cannabis conviction lines.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from autoclear.doj.columns import (
    CONDENSED_RESULT_COLUMNS,
    RESULT_COLUMNS,
)
from autoclear.records.dates import us_date
from autoclear.records.history import ROW
from autoclear.rules import evaluate
from autoclear.rules.prop64 import PROP64_EFFECTIVE_DATE

LINE_KEY = ["subject", "count_key"]


def _yes_no(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))


def line_columns(lines: pl.LazyFrame, counts: pl.LazyFrame, county: str) -> pl.LazyFrame:
    """Per input line (`_row`), the eligibility and autoclear columns of the result files."""
    count_columns = counts.select(
        *LINE_KEY,
        "in_scope", "determination", "reason", "rule", "statute", "remedy", "sentence_end",
        "case_number", "convictions_on_record", "prop64_convictions", "hs_11357_convictions",
        "hs_11358_convictions", "hs_11359_convictions", "hs_11360_convictions", "deceased",
        "super_strike_section", "sex_offense_section", "registration_section",
        "years_since_conviction", "years_since_any_conviction", "plea_bargain",
        "sentence_unreadable", "subject_dob",
    )  # fmt: skip
    joined = lines.select(
        ROW, "_file", "_line", *LINE_KEY, "repeat_of", "is_count_line", "comment_cannabis",
        "section_display", "level", "cycle_date", "cycle_date_status", "event_date",
        "event_date_status", "charge_from_comment", "is_conviction", "is_prop64", "county",
    ).join(count_columns, on=LINE_KEY, how="left")  # fmt: skip

    in_scope = pl.col("in_scope").fill_null(False)

    def scoped(expr: pl.Expr) -> pl.Expr:
        return pl.when(in_scope).then(expr).otherwise(None)

    level_words = pl.col("level").replace_strict(
        {"F": "Felony", "M": "Misdemeanor", "I": "Infraction"}, default=None
    )
    flags = pl.concat_str(
        [
            pl.when(pl.col("repeat_of").is_not_null()).then(pl.lit(evaluate.FLAG_REPEATED)),
            pl.when(~pl.col("is_count_line") & pl.col("repeat_of").is_null()).then(
                pl.lit(evaluate.FLAG_SENTENCE_PART)
            ),
            pl.when(pl.col("plea_bargain").fill_null(False)).then(
                pl.lit(evaluate.FLAG_PLEA_BARGAIN)
            ),
            pl.when(pl.col("is_prop64") & pl.col("charge_from_comment")).then(
                pl.lit(evaluate.FLAG_CHARGE_FROM_COMMENT)
            ),
            pl.when(
                in_scope
                & (
                    (pl.col("cycle_date_status") != "full")
                    | (pl.col("event_date_status") != "full")
                )
            ).then(pl.lit(evaluate.FLAG_PARTIAL_DATE)),
            pl.when(in_scope & pl.col("subject_dob").is_null()).then(
                pl.lit(evaluate.FLAG_UNKNOWN_DOB)
            ),
            pl.when(in_scope & pl.col("sentence_unreadable").fill_null(False)).then(
                pl.lit(evaluate.FLAG_SENTENCE_UNREADABLE)
            ),
            pl.when(
                pl.col("is_conviction") & pl.col("is_prop64") & (pl.col("county") != county)
            ).then(pl.lit(evaluate.FLAG_OTHER_COUNTY)),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    occurred_after = pl.col("cycle_date") >= PROP64_EFFECTIVE_DATE

    return joined.select(
        ROW,
        scoped(pl.col("case_number")).alias("Case Number"),
        scoped(pl.col("convictions_on_record").cast(pl.String)).alias("# of convictions on record"),
        pl.col("comment_cannabis").list.join("; ").alias("Possible Other P64 Charges"),
        scoped(pl.when(pl.col("cycle_date_status") == "full").then(_yes_no(occurred_after))).alias(
            "Occurred after 11/9/2016"
        ),
        scoped(pl.col("super_strike_section")).alias("Superstrike Code Section(s)"),
        scoped(pl.col("sex_offense_section")).alias("PC290 Code Section(s)"),
        scoped(_yes_no(pl.col("registration_section").is_not_null())).alias("PC290 Registration"),
        scoped(us_date(pl.col("event_date"))).alias("Date of Conviction"),
        scoped(pl.col("years_since_conviction").cast(pl.String)).alias(
            "Years Since This Conviction"
        ),
        scoped(pl.col("years_since_any_conviction").cast(pl.String)).alias(
            "Years Since Any Conviction"
        ),
        scoped(pl.col("prop64_convictions").cast(pl.String)).alias("# of Prop 64 convictions"),
        *(
            scoped(pl.col(f"hs_{s}_convictions").cast(pl.String)).alias(f"# of HS {s} convictions")
            for s in ("11357", "11358", "11359", "11360")
        ),
        scoped(_yes_no(pl.col("deceased"))).alias("Deceased"),
        scoped(pl.col("determination")).alias("Eligibility Determination"),
        scoped(pl.col("reason")).alias("Eligibility Reason"),
        scoped(pl.col("section_display")).alias("Code Section"),
        scoped(level_words).alias("Level"),
        scoped(pl.col("rule")).alias("Decision Rule"),
        scoped(pl.col("statute")).alias("Statute"),
        scoped(pl.col("remedy")).alias("Remedy"),
        scoped(pl.col("sentence_end").dt.strftime("%Y-%m-%d")).alias("Sentence End Date"),
        pl.when(flags == "").then(None).otherwise(flags).alias("Flags"),
        pl.col("_file").alias("Source File"),
        pl.col("_line").cast(pl.String).alias("Source Line"),
        in_scope.alias("_in_scope"),
    )


# Per-line columns with a value on every line: filled from the input when the result files are
# written, so that `sparse_line_columns` can leave out the lines without a decision or flag.
OTHER_CHARGES = "Possible Other P64 Charges"
SOURCE_COLUMNS = ("Source File", "Source Line")


def sparse_line_columns(per_line: pl.LazyFrame) -> pl.LazyFrame:
    """Keep the lines of `line_columns` that carry a value, without the source columns.

    Most lines are not cannabis convictions and have only their source file and line, and an
    empty `Possible Other P64 Charges`; `write_result_files` fills those in again.
    """
    valued = [
        pl.col(name).is_not_null()
        for name in per_line.collect_schema().names()
        if name not in (ROW, "_in_scope", OTHER_CHARGES, *SOURCE_COLUMNS)
    ]
    return per_line.filter(
        pl.any_horizontal(*valued, pl.col(OTHER_CHARGES) != "", pl.col("_in_scope"))
    ).drop(*SOURCE_COLUMNS)


def write_result_files(
    lines: pl.LazyFrame, per_line: pl.DataFrame, out_dir: Path, suffix: str = ".tmp"
) -> dict[str, Path]:
    """Write the three result CSVs under temporary names; return final name -> temporary path.

    `lines` streams the input (`Delivery.scan` with the row index), so the 95 DOJ columns are
    never all in memory; `per_line` is the output of `sparse_line_columns`, sorted by row.
    """
    # NOTE: on a 20M-line input this streaming join grew past 7.6 GB in Polars 2.1, so the
    # write stage does not yet keep to a memory limit of a few GB.
    table = lines.join(per_line.lazy(), on=ROW, how="left", maintain_order="left").with_columns(
        pl.col(OTHER_CHARGES).fill_null(""),
        pl.col("_in_scope").fill_null(False),
        pl.col("_file").alias(SOURCE_COLUMNS[0]),
        pl.col("_line").cast(pl.String).alias(SOURCE_COLUMNS[1]),
    )
    table = table.with_columns(pl.col(c).cast(pl.String) for c in RESULT_COLUMNS)
    targets = {
        "All_Results.csv": table.select(RESULT_COLUMNS),
        "All_Results_Condensed.csv": table.select(CONDENSED_RESULT_COLUMNS),
        "Prop64_Results.csv": table.filter(pl.col("_in_scope")).select(RESULT_COLUMNS),
    }
    written = {name: out_dir / (name + suffix) for name in targets}
    # One streaming pass per file: sinks that share one scan buffered the whole input in
    # Polars 2.1 (10 GB on a 20M-line file) when one of them filters most rows out.
    for name, plan in targets.items():
        plan.sink_csv(written[name], engine="streaming")
    return written
