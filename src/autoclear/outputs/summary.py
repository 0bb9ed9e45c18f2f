"""Impact figures for summary.json: what the policy, and two what-if policies, do for people.

The figures count convictions (counts), never lines. Counts are raw here; publications apply
small-cell suppression.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from autoclear.doj.columns import (
    DETERMINATIONS,
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
)
from autoclear.records.dates import full_years_between
from autoclear.rules.prop64 import ADDITIONAL_RELIEF_RULES

SECTIONS = ("11357", "11358", "11359", "11360")
AGE_GROUPS = ("under 21", "21-29", "30-39", "40-49", "50-59", "60 and over", "unknown")

# What-if policies every office reports beside its own.
SCENARIOS = ("policy", "dismiss_all_cannabis", "dismiss_all_cannabis_and_related")


def _scenario_outcome(counts: pl.DataFrame, scenario: str) -> pl.DataFrame:
    """Add `outcome` (dismissed, reduced or none) to every count under one scenario."""
    in_scope = pl.col("in_scope").fill_null(False)
    if scenario == "policy":
        outcome = (
            pl.when(in_scope & (pl.col("determination") == ELIGIBLE_FOR_DISMISSAL))
            .then(pl.lit("dismissed"))
            .when(in_scope & (pl.col("determination") == ELIGIBLE_FOR_REDUCTION))
            .then(pl.lit("reduced"))
            .otherwise(pl.lit("none"))
        )
    elif scenario == "dismiss_all_cannabis":
        outcome = pl.when(in_scope).then(pl.lit("dismissed")).otherwise(pl.lit("none"))
    else:
        related = pl.col("related_to_in_scope").fill_null(False)
        outcome = pl.when(in_scope | related).then(pl.lit("dismissed")).otherwise(pl.lit("none"))
    return counts.with_columns(outcome=outcome)


def _age_group(as_of: date) -> pl.Expr:
    age = full_years_between(pl.col("subject_dob"), as_of)
    return (
        pl.when(age.is_null())
        .then(pl.lit("unknown"))
        .when(age < 21)
        .then(pl.lit("under 21"))
        .when(age < 30)
        .then(pl.lit("21-29"))
        .when(age < 40)
        .then(pl.lit("30-39"))
        .when(age < 50)
        .then(pl.lit("40-49"))
        .when(age < 60)
        .then(pl.lit("50-59"))
        .otherwise(pl.lit("60 and over"))
    )


def _by(
    frame: pl.DataFrame, key: str, value: pl.Expr, keys: tuple[str, ...] = ()
) -> dict[str, int]:
    grouped = frame.group_by(key).agg(value.alias("n")).sort(key)
    result = {str(k): int(n) for k, n in grouped.iter_rows()}
    for name in keys:
        result.setdefault(name, 0)
    return result


def scenario_figures(counts: pl.DataFrame, scenario: str, as_of: date) -> dict[str, Any]:
    """Impact figures of one scenario; `counts` has one row per count of the delivery."""
    frame = _scenario_outcome(counts, scenario)
    convictions = frame.filter(pl.col("in_scope").fill_null(False))
    felony = pl.col("level") == "F"
    relief = pl.col("outcome") != "none"

    if scenario == "policy":
        determinations = convictions.get_column("determination")
    else:
        determinations = pl.Series([ELIGIBLE_FOR_DISMISSAL] * convictions.height, dtype=pl.String)
    with_determination = convictions.with_columns(scenario_determination=determinations)

    by_section: dict[str, Any] = {}
    determinations_by_section: dict[str, Any] = {}
    for section in SECTIONS:
        rows = with_determination.filter(pl.col("section") == section)
        by_section[section] = {
            "total": rows.height,
            "felony": rows.filter(felony).height,
            "non_felony": rows.filter(~felony.fill_null(False)).height,
        }
        determinations_by_section[section] = {
            name: rows.filter(pl.col("scenario_determination") == name).height
            for name in DETERMINATIONS
        }

    if scenario == "policy":
        reasons = _by(convictions, "reason", pl.len())
        rules = _by(convictions, "rule", pl.len())
        relief_rules = convictions.filter(pl.col("rule").is_in(list(ADDITIONAL_RELIEF_RULES)))
        additional = {
            key: relief_rules.filter(pl.col("rule") == rule).height
            for rule, key in ADDITIONAL_RELIEF_RULES.items()
        }
    else:
        reasons = {"Dismissed under this scenario": convictions.height}
        rules = {"dismissed_under_scenario": convictions.height}
        additional = {key: 0 for key in ADDITIONAL_RELIEF_RULES.values()}

    people = _people(frame, as_of)
    earliest = convictions.get_column("event_date").min()
    return {
        "convictions": {
            "total": convictions.height,
            "felony": convictions.filter(felony).height,
            "non_felony": convictions.filter(~felony.fill_null(False)).height,
            "by_section": by_section,
        },
        "determinations": {
            name: with_determination.filter(pl.col("scenario_determination") == name).height
            for name in DETERMINATIONS
        },
        "determinations_by_section": determinations_by_section,
        "reasons": reasons,
        "rules": rules,
        "dismissals_by_additional_relief": additional,
        "related_convictions_dismissed": frame.filter(
            pl.col("related_to_in_scope").fill_null(False) & relief
        ).height,
        "people": people,
        "earliest_cannabis_conviction": earliest.isoformat()
        if isinstance(earliest, date)
        else None,
        "equity": _equity(frame, as_of),
    }


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _people(frame: pl.DataFrame, as_of: date) -> dict[str, int]:
    """People figures: who gets relief, and who is left with no felony or no conviction."""
    seven_years_ago = _years_before(as_of, 7)
    convictions = frame.filter(pl.col("is_conviction"))
    remaining = pl.col("outcome") != "dismissed"
    felony_after = (pl.col("level") == "F") & (pl.col("outcome") == "none")
    recent = pl.col("event_date").is_null() | (pl.col("event_date") >= seven_years_ago)
    per_subject = convictions.group_by("subject").agg(
        cannabis=pl.col("in_scope").fill_null(False).any(),
        relief=(pl.col("outcome") != "none").any(),
        felony_before=(pl.col("level") == "F").any(),
        felony_after=felony_after.fill_null(False).any(),
        remaining=remaining.any(),
        recent_remaining=(remaining & recent).any(),
    )
    with_relief = per_subject.filter(pl.col("relief"))
    return {
        "with_cannabis_conviction": per_subject.filter(pl.col("cannabis")).height,
        "with_relief": with_relief.height,
        "no_longer_felony": with_relief.filter(
            pl.col("felony_before") & ~pl.col("felony_after")
        ).height,
        "no_conviction": with_relief.filter(~pl.col("remaining")).height,
        "no_conviction_last_7_years": with_relief.filter(~pl.col("recent_remaining")).height,
    }


def _equity(frame: pl.DataFrame, as_of: date) -> dict[str, dict[str, dict[str, int]]]:
    """People and convictions, with and without relief, by race, gender and age group."""
    convictions = frame.filter(pl.col("in_scope").fill_null(False)).with_columns(
        age_group=_age_group(as_of), relief=pl.col("outcome") != "none"
    )
    result: dict[str, dict[str, dict[str, int]]] = {}
    for dimension, column in (("race", "race"), ("gender", "gender"), ("age_group", "age_group")):
        per_subject = convictions.group_by("subject").agg(
            pl.col(column).first(), relief=pl.col("relief").any()
        )
        people = per_subject.group_by(column).agg(
            people=pl.len(), people_with_relief=pl.col("relief").sum()
        )
        counts = convictions.group_by(column).agg(
            convictions=pl.len(), convictions_with_relief=pl.col("relief").sum()
        )
        table = people.join(counts, on=column, how="full", coalesce=True).fill_null(0).sort(column)
        groups = {
            str(row[column]): {
                "people": int(row["people"]),
                "people_with_relief": int(row["people_with_relief"]),
                "convictions": int(row["convictions"]),
                "convictions_with_relief": int(row["convictions_with_relief"]),
            }
            for row in table.iter_rows(named=True)
        }
        if dimension == "age_group":
            groups = {g: groups.get(g, dict.fromkeys(_EQUITY_KEYS, 0)) for g in AGE_GROUPS}
        result[dimension] = groups
    return result


_EQUITY_KEYS = ("people", "people_with_relief", "convictions", "convictions_with_relief")


def build_summary(
    counts: pl.DataFrame,
    *,
    county: str,
    as_of: date,
    version: str,
    policy_description: list[str],
    input_figures: dict[str, Any],
) -> dict[str, Any]:
    """Assemble summary.json for one run."""
    return {
        "county": county,
        "as_of": as_of.isoformat(),
        "tool_version": version,
        "policy_description": policy_description,
        "input": input_figures,
        "scenarios": {name: scenario_figures(counts, name, as_of) for name in SCENARIOS},
    }
