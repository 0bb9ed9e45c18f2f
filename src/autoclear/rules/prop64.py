"""Proposition 64 relief for one cannabis conviction: named predicates and their decision order.

Each rule is a predicate over the columns of one conviction (one count), the determination it
gives, the reason written in the result files, and the statute it rests on. `DECISION_ORDER`
lists the rules in the order the law and the county policy give them. The first rule whose
predicate is true decides.

Each predicate returns a Polars expression, and its docstring states the condition under which
that expression is true. The columns it reads are built by `autoclear.rules.evaluate.evaluate_counts`:
level, section, subsection, dates and their ranges, priors, ages and years since conviction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from autoclear.doj.columns import (
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
)
from autoclear.rules.catalogs import SEX_OFFENDER_REGISTRATION_SOURCE, SUPER_STRIKE_SOURCE
from autoclear.rules.policy import Policy

PROP64_EFFECTIVE_DATE = date(2016, 11, 9)


@dataclass(frozen=True)
class Context:
    """Inputs a rule may read besides the conviction: the county's policy and the evaluation date."""

    policy: Policy
    as_of: date


Predicate = Callable[[Context], pl.Expr]
Reason = Callable[[Context], pl.Expr]


@dataclass(frozen=True)
class Rule:
    """One step of the decision order."""

    name: str
    determination: str
    statute: str
    predicate: Predicate
    reason: Reason
    explanation: str


def _text(value: str) -> Reason:
    return lambda _context: pl.lit(value)


def _column(name: str) -> pl.Expr:
    return pl.col(name)


# Rule 0: a record that could not be read in full cannot be decided by software.


def subject_has_rejected_lines(_context: Context) -> pl.Expr:
    """The subject has lines that were rejected as malformed, so the history may be incomplete."""
    return _column("subject_rejected")


# Rule 1: sub-sections that describe conduct which stays a felony after Prop 64.


def under_never_eligible_subsection(_context: Context) -> pl.Expr:
    """Convicted under HS 11358(d), 11359(c)(3), 11359(d), 11360(a)(3)(C) or 11360(a)(3)(D).

    These sub-sections record facts the rest of the record cannot show (environmental harm, sale to
    a minor, using a helper aged 20 or under, import or export), so they are never eligible.
    """
    section = _column("section")
    sub = _column("subsection")
    return (
        ((section == "11358") & sub.str.starts_with("D"))
        | ((section == "11359") & (sub.str.starts_with("C3") | sub.str.starts_with("D")))
        | ((section == "11360") & (sub.str.starts_with("A3C") | sub.str.starts_with("A3D")))
    )


# Rule 2: convictions under the law as changed by Prop 64, or dated too vaguely to know.


def convicted_after_prop64(_context: Context) -> pl.Expr:
    """Offense (cycle date) and conviction both certainly on or after 9 Nov 2016.

    Sentenced under current law. A partial date counts only when every day it can stand for is
    on or after 9 Nov 2016.
    """
    return (_column("cycle_date_earliest") >= PROP64_EFFECTIVE_DATE) & (
        _column("event_date_earliest") >= PROP64_EFFECTIVE_DATE
    )


def convicted_after_prop64_for_earlier_offense(_context: Context) -> pl.Expr:
    """Conviction that may be on or after 9 Nov 2016, for an offense that may be before it or is undated."""
    return _column("event_date_latest") >= PROP64_EFFECTIVE_DATE


def conviction_date_unknown(_context: Context) -> pl.Expr:
    """The conviction date is missing or not a date (a partial date still gives a range of days)."""
    return _column("event_date_earliest").is_null()


# Rule 8 cases that must be settled before any relief is given.


def charge_conflicts_with_comment(_context: Context) -> pl.Expr:
    """COMMENT_TEXT names a cannabis charge other than the one in OFFENSE_DESCR."""
    return _column("comment_conflict")


def level_unknown(_context: Context) -> pl.Expr:
    """Neither CONV_STAT_DESCR nor OFFENSE_TOC records felony, misdemeanor or infraction."""
    return _column("level").is_null()


def bare_11357_felony_without_dates(_context: Context) -> pl.Expr:
    """A felony under HS 11357 with no sub-section and neither an offense nor a conviction date.

    Prop 64 renumbered the sub-sections of 11357, so a section is read by its offense date, or
    else by its conviction date. With neither, a bare 11357 felony cannot be read at all.
    """
    return (
        (_column("section") == "11357")
        & (_column("subsection") == "")
        & (_column("level") == "F")
        & _column("cycle_date_earliest").is_null()
        & _column("event_date_earliest").is_null()
    )


# Rule 3: misdemeanors and infractions.


def misdemeanor_or_infraction(_context: Context) -> pl.Expr:
    """The conviction is a misdemeanor or an infraction, which every pilot county dismissed."""
    return _column("level").is_in(["M", "I"])


# Rule 4: felonies with a disqualifying prior, unless the county does not challenge them.


def _challenges(context: Context) -> pl.Expr:
    return pl.lit(context.policy.challenge_disqualified)


def has_prior_super_strike(context: Context) -> pl.Expr:
    """A prior conviction listed in PC 667(e)(2)(C)(iv) (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A))."""
    return _challenges(context) & _column("super_strike_section").is_not_null()


def has_prior_sex_offender_registration(context: Context) -> pl.Expr:
    """A prior conviction requiring registration under PC 290(c), or a prior PC 290 REGISTRATION event."""
    return _challenges(context) & (
        _column("sex_offense_section").is_not_null() | _column("registration_section").is_not_null()
    )


def has_two_priors_of_same_section(context: Context) -> pl.Expr:
    """Two or more prior convictions of the same section, for HS 11358, 11359 and 11360."""
    return (
        _challenges(context)
        & _column("section").is_in(["11358", "11359", "11360"])
        & (_column("same_section_priors") >= 2)
    )


def may_have_disqualifying_prior(context: Context) -> pl.Expr:
    """A possible disqualifying prior: its date is missing or partial, or its sub-section unstated."""
    possible_same_section = _column("section").is_in(["11358", "11359", "11360"]) & (
        _column("same_section_possible") >= 2
    )
    return _challenges(context) & (
        _column("super_strike_possible")
        | _column("sex_offense_possible")
        | _column("registration_possible")
        | possible_same_section
    )


# Rules 5 to 7: the county's policy for felonies.


def policy_dismisses_section(context: Context) -> pl.Expr:
    """The county's policy dismisses felonies under this section."""
    return _column("section").is_in(context.policy.sections.sections_with("dismiss"))


def under_21_at_conviction(context: Context) -> pl.Expr:
    """Additional relief: the subject was under 21 on the date of conviction (known date of birth)."""
    relief = context.policy.additional_relief
    return pl.lit(relief.under_21_at_conviction) & (_column("age_at_conviction") < 21)


def at_least_age_threshold(context: Context) -> pl.Expr:
    """Additional relief: the subject is at least the policy's age on the evaluation date."""
    threshold = context.policy.additional_relief.min_age
    return pl.lit(threshold > 0) & (_column("age_now") >= threshold)


def conviction_at_least_years_old(context: Context) -> pl.Expr:
    """Additional relief: the conviction is at least the policy's number of years old."""
    threshold = context.policy.additional_relief.min_years_since_conviction
    return pl.lit(threshold > 0) & (_column("years_since_conviction") >= threshold)


def no_conviction_within_years(context: Context) -> pl.Expr:
    """Additional relief: no conviction of any kind in the policy's number of years.

    Every conviction of the subject needs a full date for this to hold.
    """
    threshold = context.policy.additional_relief.min_years_crime_free
    return (
        pl.lit(threshold > 0)
        & ~_column("has_undated_conviction")
        & (_column("years_since_any_conviction") >= threshold)
    )


def only_cannabis_convictions(context: Context) -> pl.Expr:
    """Additional relief: every conviction of the subject is under HS 11357-11360."""
    return pl.lit(context.policy.additional_relief.only_cannabis_convictions) & _column(
        "only_cannabis"
    )


def subject_is_deceased(context: Context) -> pl.Expr:
    """Additional relief: the record has a DECEASED event for the subject."""
    return pl.lit(context.policy.additional_relief.deceased) & _column("deceased")


def policy_reduces_section(context: Context) -> pl.Expr:
    """The county's policy reduces felonies under this section to misdemeanors."""
    return _column("section").is_in(context.policy.sections.sections_with("reduce"))


def always(_context: Context) -> pl.Expr:
    """Fallback, so that every conviction gets a determination."""
    return pl.lit(True)


def _prior_reason(label: str, section_column: str, date_column: str) -> Reason:
    def reason(_context: Context) -> pl.Expr:
        return pl.format(
            "{}: {} convicted {}",
            pl.lit(label),
            pl.col(section_column),
            pl.col(date_column),
        )

    return reason


def _registration_or_sex_offense_reason(context: Context) -> pl.Expr:
    return (
        pl.when(_column("sex_offense_section").is_not_null())
        .then(
            _prior_reason("Prior PC 290 offense", "sex_offense_section", "sex_offense_date")(
                context
            )
        )
        .otherwise(
            pl.format(
                "Prior PC 290 registration: {} registered {}",
                _column("registration_section"),
                _column("registration_date"),
            )
        )
    )


def _possible_prior_reason(_context: Context) -> pl.Expr:
    parts = pl.concat_str(
        [
            pl.when(_column("super_strike_possible")).then(pl.lit("super strike")),
            pl.when(_column("sex_offense_possible") | _column("registration_possible")).then(
                pl.lit("PC 290 offense or registration")
            ),
            pl.when(
                _column("section").is_in(["11358", "11359", "11360"])
                & (_column("same_section_possible") >= 2)
            ).then(pl.lit("priors of the same section")),
        ],
        separator=", ",
        ignore_nulls=True,
    )
    return pl.format(
        "Possible disqualifying prior ({}) with a missing or partial date or unstated sub-section",
        parts,
    )


def _section_reason(verb: str) -> Reason:
    def reason(_context: Context) -> pl.Expr:
        return pl.format(
            "Felony HS {}: county policy {} this section", _column("section"), pl.lit(verb)
        )

    return reason


DECISION_ORDER: tuple[Rule, ...] = (
    Rule(
        "subject_has_rejected_lines",
        HAND_REVIEW,
        "HS 11361.9(b)",
        subject_has_rejected_lines,
        _text("Subject has lines that could not be read; see quality.csv"),
        "Some of the person's lines were malformed and skipped, so the history may be incomplete.",
    ),
    Rule(
        "under_never_eligible_subsection",
        NOT_ELIGIBLE,
        "HS 11358(d), 11359(c)(3), 11359(d), 11360(a)(3)(C)-(D)",
        under_never_eligible_subsection,
        lambda _c: pl.format(
            "Convicted under {}, which stays a felony", _column("section_display")
        ),
        "Sub-sections for facts that keep the offense a felony today.",
    ),
    Rule(
        "convicted_after_prop64",
        NOT_ELIGIBLE,
        "HS 11361.8(a)",
        convicted_after_prop64,
        _text("Offense and conviction on or after 11/9/2016: sentenced under current law"),
        "Offenses committed and convicted after Prop 64 took effect were sentenced under it.",
    ),
    Rule(
        "convicted_after_prop64_for_earlier_offense",
        HAND_REVIEW,
        "HS 11361.8(a)",
        convicted_after_prop64_for_earlier_offense,
        _text(
            "Conviction on or after 11/9/2016 (or a partial date that may be) for an offense dated before it or undated"
        ),
        "The sentence may or may not already reflect Prop 64.",
    ),
    Rule(
        "bare_11357_felony_without_dates",
        HAND_REVIEW,
        "HS 11357",
        bare_11357_felony_without_dates,
        _text("Felony HS 11357 with no sub-section and no offense or conviction date"),
        "Prop 64 renumbered the sub-sections of 11357; the offense date tells which one applies.",
    ),
    Rule(
        "conviction_date_unknown",
        HAND_REVIEW,
        "HS 11361.8",
        conviction_date_unknown,
        _text("Conviction date is missing or not a date"),
        "Without a conviction date the rules cannot be applied.",
    ),
    Rule(
        "charge_conflicts_with_comment",
        HAND_REVIEW,
        "HS 11361.9(b)",
        charge_conflicts_with_comment,
        lambda _c: pl.format(
            "COMMENT_TEXT names another cannabis charge: {}",
            _column("comment_cannabis").list.join("; "),
        ),
        "The comment and the offense field disagree about the charge.",
    ),
    Rule(
        "level_unknown",
        HAND_REVIEW,
        "HS 11361.8",
        level_unknown,
        _text("Level of the conviction (felony, misdemeanor or infraction) is not recorded"),
        "The remedy depends on the level.",
    ),
    Rule(
        "misdemeanor_or_infraction",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        misdemeanor_or_infraction,
        _text("Misdemeanor or infraction"),
        "Misdemeanor and infraction convictions are dismissed.",
    ),
    Rule(
        "has_prior_super_strike",
        NOT_ELIGIBLE,
        SUPER_STRIKE_SOURCE,
        has_prior_super_strike,
        _prior_reason("Prior super strike", "super_strike_section", "super_strike_date"),
        "A prior super strike keeps the felony a felony.",
    ),
    Rule(
        "has_prior_sex_offender_registration",
        NOT_ELIGIBLE,
        SEX_OFFENDER_REGISTRATION_SOURCE,
        has_prior_sex_offender_registration,
        _registration_or_sex_offense_reason,
        "A prior offense requiring PC 290 registration keeps the felony a felony.",
    ),
    Rule(
        "has_two_priors_of_same_section",
        NOT_ELIGIBLE,
        "HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B)",
        has_two_priors_of_same_section,
        lambda _c: pl.format(
            "{} prior convictions of HS {}", _column("same_section_priors"), _column("section")
        ),
        "Two or more prior convictions of the same section keep the felony a felony.",
    ),
    Rule(
        "may_have_disqualifying_prior",
        HAND_REVIEW,
        "HS 11361.8(b)",
        may_have_disqualifying_prior,
        _possible_prior_reason,
        "A possible prior cannot be confirmed from the data.",
    ),
    Rule(
        "policy_dismisses_section",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        policy_dismisses_section,
        _section_reason("dismisses"),
        "The county dismisses felonies under this section.",
    ),
    Rule(
        "under_21_at_conviction",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        under_21_at_conviction,
        _text("Additional relief: under 21 at conviction"),
        "County policy: dismiss when the person was under 21 at conviction.",
    ),
    Rule(
        "at_least_age_threshold",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        at_least_age_threshold,
        lambda c: pl.lit(f"Additional relief: {c.policy.additional_relief.min_age} or older"),
        "County policy: dismiss when the person has reached the age threshold.",
    ),
    Rule(
        "conviction_at_least_years_old",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        conviction_at_least_years_old,
        lambda c: pl.lit(
            "Additional relief: conviction at least "
            f"{c.policy.additional_relief.min_years_since_conviction} years old"
        ),
        "County policy: dismiss old convictions.",
    ),
    Rule(
        "no_conviction_within_years",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        no_conviction_within_years,
        lambda c: pl.lit(
            "Additional relief: no conviction in the last "
            f"{c.policy.additional_relief.min_years_crime_free} years"
        ),
        "County policy: dismiss when the person has had no conviction for some years.",
    ),
    Rule(
        "only_cannabis_convictions",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        only_cannabis_convictions,
        _text("Additional relief: only cannabis convictions"),
        "County policy: dismiss when all of the person's convictions are cannabis convictions.",
    ),
    Rule(
        "subject_is_deceased",
        ELIGIBLE_FOR_DISMISSAL,
        "HS 11361.8(e)",
        subject_is_deceased,
        _text("Additional relief: deceased"),
        "County policy: dismiss when the person is deceased.",
    ),
    Rule(
        "policy_reduces_section",
        ELIGIBLE_FOR_REDUCTION,
        "HS 11361.8(e)",
        policy_reduces_section,
        _section_reason("reduces"),
        "The county reduces felonies under this section to misdemeanors.",
    ),
    Rule(
        "no_rule_applies",
        HAND_REVIEW,
        "HS 11361.8",
        always,
        _text("No rule applies"),
        "Fallback: a person decides.",
    ),
)

RULE_EXPLANATIONS: dict[str, str] = {rule.name: rule.explanation for rule in DECISION_ORDER}


def explain_rule(name: str | None) -> str:
    """Return the plain-words explanation of a rule, for tables that group convictions by rule."""
    if name is None:
        return "(no rule recorded)"
    return RULE_EXPLANATIONS.get(name, name)


ADDITIONAL_RELIEF_RULES = {
    "under_21_at_conviction": "under_21_at_conviction",
    "at_least_age_threshold": "min_age",
    "conviction_at_least_years_old": "min_years_since_conviction",
    "no_conviction_within_years": "min_years_crime_free",
    "only_cannabis_convictions": "only_cannabis_convictions",
    "subject_is_deceased": "deceased",
}


def decision_columns(context: Context, rules: tuple[Rule, ...] = DECISION_ORDER) -> list[pl.Expr]:
    """Expressions for determination, reason, rule and statute: the first rule that fires decides."""
    outputs: dict[str, Callable[[Rule], pl.Expr]] = {
        "determination": lambda rule: pl.lit(rule.determination),
        "reason": lambda rule: rule.reason(context),
        "rule": lambda rule: pl.lit(rule.name),
        "statute": lambda rule: pl.lit(rule.statute),
    }
    fired = [rule.predicate(context).fill_null(False) for rule in rules]
    columns = []
    for name, value_of in outputs.items():
        chain: Any = pl.when(fired[0]).then(value_of(rules[0]))
        for predicate, rule in zip(fired[1:], rules[1:], strict=True):
            chain = chain.when(predicate).then(value_of(rule))
        columns.append(chain.otherwise(pl.lit(None, dtype=pl.String)).alias(name))
    return columns
