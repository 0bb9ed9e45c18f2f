"""Apply the Prop 64 decision order to every count of a delivery.

`evaluate_counts` takes the normalized lines of a delivery (see `records.history`) and returns
one row per count with the facts the rules read, the determination, the reason, the statute, the
remedy and the flags. Per-subject facts are window and group-by expressions over `subject`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from autoclear.records.dates import full_years_between
from autoclear.records.history import ROW
from autoclear.rules import catalogs
from autoclear.rules.priors import attach_prior, earliest_priors, same_section_prior_counts
from autoclear.rules.prop64 import Context, decision_columns

COUNT_KEY = ["subject", "count_key"]

REMEDY_RESENTENCE = "Recall and resentence (HS 11361.8(a)-(b))"
REMEDY_DISMISS = "Dismiss and seal (HS 11361.8(e)-(f))"
REMEDY_REDESIGNATE = "Redesignate as misdemeanor (HS 11361.8(e)-(f))"
REMEDY_UNKNOWN = "Sentence not readable: check the sentence"

FLAG_PLEA_BARGAIN = "possible plea bargain"
FLAG_CHARGE_FROM_COMMENT = "cannabis charge found only in the comment"
FLAG_PARTIAL_DATE = "partial or missing date"
FLAG_SENTENCE_PART = "additional sentence part"
FLAG_REPEATED = "repeated line"
FLAG_SENTENCE_UNREADABLE = "sentence not readable"
FLAG_OTHER_COUNTY = "convicted in another county"
FLAG_UNKNOWN_DOB = "date of birth unknown: age-based relief not checked"


def _catalog_flags(lines: pl.LazyFrame) -> pl.LazyFrame:
    parts = (pl.col("code"), pl.col("section"), pl.col("subsection"), pl.col("attempt"))
    gang_in_event = (
        catalogs.GANG_ENHANCEMENT.matches(*parts).fill_null(False).any().over(["subject", "event"])
    )
    plain_strikes = tuple(e for e in catalogs.SUPER_STRIKES if not e.needs_gang_enhancement)
    gang_strikes = tuple(e for e in catalogs.SUPER_STRIKES if e.needs_gang_enhancement)
    conviction = pl.col("is_conviction")
    super_strike = catalogs.any_entry(plain_strikes, *parts) | (
        catalogs.any_entry(gang_strikes, *parts) & gang_in_event
    )
    registration = (pl.col("event_type") == "REGISTRATION") & (pl.col("section") == "290")
    return lines.with_columns(
        is_super_strike=(conviction & super_strike).fill_null(False),
        is_super_strike_possible=(
            conviction & catalogs.any_entry_without_subsection(catalogs.SUPER_STRIKES, *parts)
        ).fill_null(False),
        is_sex_offense=(
            conviction & catalogs.any_entry(catalogs.SEX_OFFENDER_REGISTRATION_OFFENSES, *parts)
        ).fill_null(False),
        is_sex_offense_possible=(
            conviction
            & catalogs.any_entry_without_subsection(
                catalogs.SEX_OFFENDER_REGISTRATION_OFFENSES, *parts
            )
        ).fill_null(False),
        is_registration=registration.fill_null(False),
        is_related=(conviction & catalogs.any_entry(catalogs.RELATED_CHARGES, *parts)).fill_null(
            False
        ),
        is_plea_section=(
            conviction & catalogs.any_entry(catalogs.PLEA_BARGAIN_SECTIONS, *parts)
        ).fill_null(False),
        is_plea_charge=catalogs.any_entry(catalogs.PLEA_BARGAIN_SECTIONS, *parts).fill_null(False),
    )


def _sentence_ends(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Per count, the sum of its sentence parts in years, months and days."""
    length = pl.col("sentence_length").str.to_integer(strict=False)
    unit = pl.col("sentence_unit")
    has_part = pl.col("sentence_length").is_not_null()
    readable = length.is_not_null() & unit.is_in(["D", "M", "Y"])
    parts = lines.filter(pl.col("repeat_of").is_null())
    return parts.group_by(COUNT_KEY).agg(
        sentence_years=length.filter(unit == "Y").sum(),
        sentence_months=length.filter(unit == "M").sum(),
        sentence_days=length.filter(unit == "D").sum(),
        sentence_unreadable=(has_part & ~readable).any(),
    )


def evaluate_counts(
    lines: pl.LazyFrame,
    *,
    county: str,
    as_of: date,
    context: Context,
    rejected_subjects: list[str],
) -> pl.LazyFrame:
    """Return one row per count of the delivery, with decisions on in-scope cannabis convictions."""
    flagged = _catalog_flags(lines)
    # `counts` and `subject_facts` feed several joins below. Collecting them once is much
    # faster than letting every branch of the plan compute them again.
    counts = flagged.filter(pl.col("is_count_line") & pl.col("repeat_of").is_null())
    counts = counts.collect().lazy()

    subject_facts = counts.with_columns(
        deceased=(pl.col("event_type").str.contains("DECEASED").fill_null(False))
        .any()
        .over("subject"),
        subject_dob=pl.col("dob").drop_nulls().first().over("subject"),
        convictions_on_record=pl.col("is_conviction").sum().over("subject"),
        prop64_convictions=(pl.col("is_conviction") & pl.col("is_prop64")).sum().over("subject"),
        last_conviction_date=pl.col("event_date")
        .filter(pl.col("is_conviction"))
        .max()
        .over("subject"),
        has_undated_conviction=(pl.col("is_conviction") & pl.col("event_date").is_null())
        .any()
        .over("subject"),
        **{
            f"hs_{section}_convictions": (
                pl.col("is_conviction") & pl.col("is_prop64") & (pl.col("section") == section)
            )
            .sum()
            .over("subject")
            for section in ("11357", "11358", "11359", "11360")
        },
        case_number=pl.col("case_number").drop_nulls().first().over(["subject", "event"]),
        cycle_counts=pl.len().over(["subject", "cycle"]),
        cycle_cannabis_counts=pl.col("is_prop64").sum().over(["subject", "cycle"]),
        cycle_plea_counts=pl.col("is_plea_charge").sum().over(["subject", "cycle"]),
        in_scope=pl.col("is_conviction") & pl.col("is_prop64") & (pl.col("county") == county),
        subject_rejected=pl.col("subject").is_in(rejected_subjects),
    ).with_columns(
        only_cannabis=pl.col("convictions_on_record") == pl.col("prop64_convictions"),
        age_at_conviction=full_years_between(pl.col("subject_dob"), pl.col("event_date")),
        age_now=full_years_between(pl.col("subject_dob"), as_of),
        # A conviction after the evaluation date has no "years since": null, never negative.
        years_since_conviction=_not_negative(full_years_between(pl.col("event_date"), as_of)),
        years_since_any_conviction=_not_negative(
            full_years_between(pl.col("last_conviction_date"), as_of)
        ),
        comment_conflict=_comment_conflict(),
        cycle_has_in_scope=pl.col("in_scope").any().over(["subject", "cycle"]),
    )

    subject_facts = subject_facts.collect().lazy()

    in_scope = subject_facts.filter(pl.col("in_scope"))
    for name, flag in (
        ("super_strike", "is_super_strike"),
        ("sex_offense", "is_sex_offense"),
        ("registration", "is_registration"),
    ):
        in_scope = attach_prior(in_scope, earliest_priors(counts, flag), name)
        in_scope = _add_possible(in_scope, counts, name, f"{flag}_possible")
    in_scope = in_scope.join(
        same_section_prior_counts(subject_facts, in_scope), on=COUNT_KEY, how="left"
    ).with_columns(
        pl.col("same_section_priors").fill_null(0), pl.col("same_section_possible").fill_null(0)
    )

    decided = in_scope.with_columns(decision_columns(context))
    decided = decided.join(_sentence_ends(lines), on=COUNT_KEY, how="left")
    decided = decided.with_columns(sentence_end=_sentence_end()).with_columns(remedy=_remedy(as_of))
    decision_cols = [
        "determination", "reason", "rule", "statute", "remedy", "sentence_end",
        "super_strike_section", "sex_offense_section", "registration_section",
        "same_section_priors", "sentence_unreadable",
    ]  # fmt: skip
    return subject_facts.join(
        decided.select(*COUNT_KEY, *decision_cols), on=COUNT_KEY, how="left"
    ).with_columns(
        # Every other count of the cycle is a cannabis count, or another plea-bargain charge.
        plea_bargain=pl.col("is_plea_section")
        & (pl.col("cycle_counts") - pl.col("cycle_plea_counts") == pl.col("cycle_cannabis_counts"))
        & (pl.col("cycle_cannabis_counts") > 0),
        related_to_in_scope=pl.col("is_related")
        & pl.col("cycle_has_in_scope")
        & (pl.col("county") == county),
    )


def _add_possible(
    in_scope: pl.LazyFrame, counts: pl.LazyFrame, name: str, possible_flag: str
) -> pl.LazyFrame:
    """Also mark as possible a prior whose section is listed only for sub-sections it does not state."""
    if possible_flag not in counts.collect_schema():
        return in_scope
    unstated = attach_prior(in_scope, earliest_priors(counts, possible_flag), "unstated")
    return unstated.with_columns(
        (
            pl.col(f"{name}_possible")
            | pl.col("unstated_section").is_not_null()
            | pl.col("unstated_possible")
        ).alias(f"{name}_possible")
    ).drop("unstated_section", "unstated_date", "unstated_possible")


def _not_negative(years: pl.Expr) -> pl.Expr:
    return pl.when(years >= 0).then(years)


def _comment_conflict() -> pl.Expr:
    """The offense field names a cannabis section and the comment names a different one."""
    named_sections = pl.col("comment_cannabis").list.eval(
        pl.element().str.replace(r"^664/", "").str.extract(r"^(\d+)")
    )
    other_sections = named_sections.list.set_difference(pl.concat_list(pl.col("section")))
    return (
        pl.col("is_prop64") & ~pl.col("charge_from_comment") & (other_sections.list.len() > 0)
    ).fill_null(False)


def _sentence_end() -> pl.Expr:
    offset = pl.format(
        "{}y{}mo{}d",
        pl.col("sentence_years").fill_null(0),
        pl.col("sentence_months").fill_null(0),
        pl.col("sentence_days").fill_null(0),
    )
    return pl.col("event_date").dt.offset_by(offset)


def _remedy(as_of: date) -> pl.Expr:
    relief = pl.col("determination").is_in(["Eligible for Dismissal", "Eligible for Reduction"])
    serving = pl.col("sentence_end") > pl.lit(as_of)
    return (
        pl.when(~relief)
        .then(None)
        .when(pl.col("sentence_unreadable").fill_null(False))
        .then(pl.lit(REMEDY_UNKNOWN))
        .when(serving)
        .then(pl.lit(REMEDY_RESENTENCE))
        .when(pl.col("determination") == "Eligible for Dismissal")
        .then(pl.lit(REMEDY_DISMISS))
        .otherwise(pl.lit(REMEDY_REDESIGNATE))
    )


__all__ = ["evaluate_counts", "ROW"]
