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
from autoclear.rules.priors import (
    EARLIEST,
    LATEST,
    attach_prior,
    earliest_priors,
    same_section_prior_counts,
)
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


def _catalog_flags(lines: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """Add the catalog flags to `counts`. `lines` are all lines, where gang enhancements are found."""
    parts = (pl.col("code"), pl.col("section"), pl.col("subsection"), pl.col("attempt"))
    plain_strikes = tuple(e for e in catalogs.SUPER_STRIKES if not e.needs_gang_enhancement)
    gang_strikes = tuple(e for e in catalogs.SUPER_STRIKES if e.needs_gang_enhancement)
    conviction = pl.col("is_conviction")
    # A gang strike is a super strike when any line of its event, counted or not, has the gang
    # enhancement. Only the counts that match a gang strike are looked up in the events with
    # the enhancement, which is much cheaper than a window over every line.
    gang_events = (
        lines.filter(catalogs.GANG_ENHANCEMENT.matches(*parts).fill_null(False))
        .select("subject", "event")
        .unique()
    )
    gang_strike_rows = (
        counts.filter(catalogs.any_entry(gang_strikes, *parts).fill_null(False))
        .join(gang_events, on=["subject", "event"], how="semi")
        .get_column(ROW)
    )
    super_strike = catalogs.any_entry(plain_strikes, *parts) | pl.col(ROW).is_in(
        gang_strike_rows.implode()
    )
    registration = (pl.col("event_type") == "REGISTRATION") & (pl.col("section") == "290")
    # Lazy, so that the comparisons the catalogs share are computed once. The in-memory engine
    # keeps each column in one chunk (see `records.history.normalize_lines`).
    return (
        counts.lazy()
        .with_columns(
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
            is_related=(
                conviction & catalogs.any_entry(catalogs.RELATED_CHARGES, *parts)
            ).fill_null(False),
            is_plea_section=(
                conviction & catalogs.any_entry(catalogs.PLEA_BARGAIN_SECTIONS, *parts)
            ).fill_null(False),
            is_plea_charge=catalogs.any_entry(catalogs.PLEA_BARGAIN_SECTIONS, *parts).fill_null(
                False
            ),
        )
        .collect(engine="in-memory")
    )


def _sentence_ends(lines: pl.LazyFrame, convictions: pl.LazyFrame) -> pl.LazyFrame:
    """Sum the sentence parts of each conviction in years, months and days.

    Returns `sentence_years`, `sentence_months`, `sentence_days` and `sentence_unreadable`, in
    the order of `convictions`.
    """
    length = pl.col("sentence_length").str.to_integer(strict=False)
    unit = pl.col("sentence_unit")
    readable = length.is_not_null() & unit.is_in(["D", "M", "Y"])
    # Lines without a sentence length add nothing to any sum and are never unreadable.
    parts = lines.filter(pl.col("repeat_of").is_null() & pl.col("sentence_length").is_not_null())
    sums = parts.group_by(COUNT_KEY).agg(
        sentence_years=length.filter(unit == "Y").sum(),
        sentence_months=length.filter(unit == "M").sum(),
        sentence_days=length.filter(unit == "D").sum(),
        sentence_unreadable=(~readable).any(),
    )
    return (
        convictions.select(COUNT_KEY)
        .join(sums, on=COUNT_KEY, how="left", maintain_order="left")
        .select(
            pl.col("sentence_years", "sentence_months", "sentence_days").fill_null(0),
            pl.col("sentence_unreadable").fill_null(False),
        )
    )


def _subject_facts(
    counts: pl.DataFrame, *, county: str, rejected_subjects: list[str]
) -> pl.DataFrame:
    """Add the facts about each count's subject, event and cycle that the rules read."""
    conviction = pl.col("is_conviction")
    prop64 = pl.col("is_prop64")
    facts = counts.with_columns(
        deceased=(pl.col("event_type").str.contains("DECEASED", literal=True).fill_null(False))
        .any()
        .over("subject"),
        subject_dob=pl.col("dob").drop_nulls().first().over("subject"),
        convictions_on_record=conviction.sum().over("subject"),
        prop64_convictions=(conviction & prop64).sum().over("subject"),
        last_conviction_date=pl.col("event_date").filter(conviction).max().over("subject"),
        has_undated_conviction=(conviction & pl.col("event_date").is_null()).any().over("subject"),
        **{
            f"hs_{section}_convictions": (conviction & prop64 & (pl.col("section") == section))
            .sum()
            .over("subject")
            for section in ("11357", "11358", "11359", "11360")
        },
        case_number=pl.col("case_number").drop_nulls().first().over(["subject", "event"]),
        cycle_counts=pl.len().over(["subject", "cycle"]),
        cycle_cannabis_counts=prop64.sum().over(["subject", "cycle"]),
        cycle_plea_counts=pl.col("is_plea_charge").sum().over(["subject", "cycle"]),
        in_scope=conviction & prop64 & (pl.col("county") == county),
        subject_rejected=pl.col("subject").is_in(rejected_subjects),
    )
    return facts.with_columns(
        cycle_has_in_scope=pl.col("in_scope").any().over(["subject", "cycle"]),
    )


def _conviction_facts(as_of: date) -> dict[str, pl.Expr]:
    """Facts about one conviction that only the rules read, for in-scope convictions alone.

    They need the subject facts of `_subject_facts`. Computing them on the in-scope rows only
    spares the date and list work on every other count.
    """
    return {
        "only_cannabis": pl.col("convictions_on_record") == pl.col("prop64_convictions"),
        "age_at_conviction": full_years_between(pl.col("subject_dob"), pl.col("event_date")),
        "age_now": full_years_between(pl.col("subject_dob"), as_of),
        # A conviction after the evaluation date has no "years since": null, never negative.
        "years_since_conviction": _not_negative(full_years_between(pl.col("event_date"), as_of)),
        "years_since_any_conviction": _not_negative(
            full_years_between(pl.col("last_conviction_date"), as_of)
        ),
        "comment_conflict": _comment_conflict(),
    }


def _prior_columns(
    counts: pl.LazyFrame, facts: pl.LazyFrame, convictions: pl.LazyFrame
) -> list[pl.LazyFrame]:
    """Return the prior columns the rules read, each frame in the order of `convictions`."""
    columns = [
        _prior(counts, convictions, name, flag)
        for name, flag in (
            ("super_strike", "is_super_strike"),
            ("sex_offense", "is_sex_offense"),
            ("registration", "is_registration"),
        )
    ]
    same_section = (
        convictions.select(ROW)
        .join(
            same_section_prior_counts(facts, convictions),
            on=ROW,
            how="left",
            maintain_order="left",
        )
        .select(
            pl.col("same_section_priors").fill_null(0),
            pl.col("same_section_possible").fill_null(0),
        )
    )
    return [*columns, same_section]


def _prior(counts: pl.LazyFrame, convictions: pl.LazyFrame, name: str, flag: str) -> pl.LazyFrame:
    """Return the `name` prior of each conviction, from the lines flagged `flag`.

    A prior whose section is listed only for sub-sections it does not state (flag
    `<flag>_possible`) also makes `<name>_possible` true.
    """
    found = attach_prior(convictions, earliest_priors(counts, flag), name)
    possible_flag = f"{flag}_possible"
    if possible_flag not in counts.collect_schema():
        return found
    unstated = attach_prior(convictions, earliest_priors(counts, possible_flag), "unstated")
    return pl.concat([found, unstated], how="horizontal").select(
        f"{name}_section",
        f"{name}_date",
        (
            pl.col(f"{name}_possible")
            | pl.col("unstated_section").is_not_null()
            | pl.col("unstated_possible")
        ).alias(f"{name}_possible"),
    )


def _decide(
    lines: pl.LazyFrame, counts: pl.LazyFrame, facts: pl.LazyFrame, context: Context
) -> pl.DataFrame:
    """Return `_row` and the decision columns of each in-scope cannabis conviction."""
    # NOTE: an in-scope count whose SUBJECT_ID is empty gets no decision, because the subject
    # joins never match a null subject.
    in_scope = facts.filter(pl.col("in_scope") & pl.col("subject").is_not_null()).with_columns(
        **_conviction_facts(context.as_of)
    )
    convictions = in_scope.select(ROW, *COUNT_KEY, "event", "section", EARLIEST, LATEST)
    convictions = convictions.collect(engine="in-memory").lazy()
    # NOTE: the streaming engine of Polars 2.1.0 has panicked (`i < self.len()`) on horizontal
    # concatenations of joins of one frame like these. The in-memory engine runs them.
    found = pl.concat(
        pl.collect_all(
            [
                convictions.select(ROW),
                *_prior_columns(counts, facts, convictions),
                _sentence_ends(lines, convictions),
            ],
            engine="in-memory",
        ),
        how="horizontal",
    )
    # Lazy, so that only the columns the rules read are taken from the wide in-scope rows.
    decided = (
        in_scope.join(found.lazy(), on=ROW, how="left", maintain_order="left")
        .with_columns(decision_columns(context))
        .with_columns(sentence_end=_sentence_end())
        .with_columns(remedy=_remedy(context.as_of))
    )
    return decided.select(ROW, *DECISION_COLUMNS).collect(engine="in-memory")


# The columns `_decide` adds to in-scope cannabis convictions.
DECISION_COLUMNS = (
    "determination", "reason", "rule", "statute", "remedy", "sentence_end",
    "super_strike_section", "sex_offense_section", "registration_section",
    "same_section_priors", "sentence_unreadable", "years_since_conviction",
    "years_since_any_conviction",
)  # fmt: skip


def evaluate_counts(
    lines: pl.LazyFrame,
    *,
    county: str,
    as_of: date,
    context: Context,
    rejected_subjects: list[str],
) -> pl.LazyFrame:
    """Return one row per count of the delivery, with decisions on in-scope cannabis convictions.

    `lines` is collected on the way. The counts come in line order.
    """
    all_lines = lines.collect()
    counts = all_lines.filter(pl.col("is_count_line") & pl.col("repeat_of").is_null())
    counts = _catalog_flags(all_lines, counts)
    facts = _subject_facts(counts, county=county, rejected_subjects=rejected_subjects)
    decided = _decide(all_lines.lazy(), counts.lazy(), facts.lazy(), context)
    # Only the row index takes part in the join, because carrying the wide count frame through
    # it costs more than all the rules.
    decisions = facts.select(ROW).join(decided, on=ROW, how="left", maintain_order="left")
    return (
        pl.concat([facts, decisions.drop(ROW)], how="horizontal")
        .with_columns(
            # Every other count of the cycle is a cannabis count, or another plea-bargain charge.
            plea_bargain=pl.col("is_plea_section")
            & (
                pl.col("cycle_counts") - pl.col("cycle_plea_counts")
                == pl.col("cycle_cannabis_counts")
            )
            & (pl.col("cycle_cannabis_counts") > 0),
            related_to_in_scope=pl.col("is_related")
            & pl.col("cycle_has_in_scope")
            & (pl.col("county") == county),
        )
        .lazy()
    )


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
