"""Cases for the county's additional relief, which turns a reduction into a dismissal.

Every case uses a policy that reduces felonies under all four sections and enables one condition.
The cannabis conviction is the default felony HS 11359 of 10 Apr 1995; the evaluation date is
1 Jul 2020 unless a case sets another.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from autoclear.rules.policy import AdditionalRelief, Policy, SectionTreatment
from rules_helpers import cannabis_line, decide_one, prior_line

DISMISS = "Eligible for Dismissal"
REDUCE = "Eligible for Reduction"


def reduce_with(**relief: Any) -> Policy:
    sections = SectionTreatment.model_validate(
        {s: "reduce" for s in ("11357", "11358", "11359", "11360")}
    )
    return Policy(sections=sections, additional_relief=AdditionalRelief(**relief))


def assert_reduced(row: dict[str, str | None]) -> None:
    assert row["Eligibility Determination"] == REDUCE
    assert row["Decision Rule"] == "policy_reduces_section"


# Age on the evaluation date: a person is N on their Nth birthday.

AGE_57 = reduce_with(min_age=57)


@pytest.mark.parametrize(
    ("dob", "determination"),
    [("19630630", DISMISS), ("19630701", DISMISS), ("19630702", REDUCE)],
    ids=["birthday-day-before-as-of", "57th-birthday-on-as-of", "birthday-day-after-as-of"],
)
def test_age_threshold(tmp_path: Path, dob: str, determination: str) -> None:
    row = decide_one(tmp_path, [cannabis_line(PRI_DOB=dob)], policy=AGE_57)

    assert row["Eligibility Determination"] == determination


def test_age_threshold_reason(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(PRI_DOB="19630701")], policy=AGE_57)

    assert row["Eligibility Reason"] == "Additional relief: 57 or older"
    assert row["Decision Rule"] == "at_least_age_threshold"


@pytest.mark.parametrize(
    ("as_of", "determination"),
    [(date(2021, 2, 28), REDUCE), (date(2021, 3, 1), DISMISS)],
    ids=["common-year-feb-28", "common-year-mar-1"],
)
def test_age_of_person_born_29_february_in_common_year(
    tmp_path: Path, as_of: date, determination: str
) -> None:
    row = decide_one(
        tmp_path, [cannabis_line(PRI_DOB="19600229")], policy=reduce_with(min_age=61), as_of=as_of
    )

    assert row["Eligibility Determination"] == determination


@pytest.mark.parametrize(
    ("as_of", "determination"),
    [(date(2020, 2, 28), REDUCE), (date(2020, 2, 29), DISMISS)],
    ids=["leap-year-feb-28", "leap-year-feb-29"],
)
def test_age_of_person_born_29_february_in_leap_year(
    tmp_path: Path, as_of: date, determination: str
) -> None:
    row = decide_one(
        tmp_path, [cannabis_line(PRI_DOB="19640229")], policy=reduce_with(min_age=56), as_of=as_of
    )

    assert row["Eligibility Determination"] == determination


@pytest.mark.parametrize(
    "dob",
    ["19500000", "19500100", "", "X", "19510229"],
    ids=["year-only", "no-day", "blank", "placeholder", "29-february-of-common-year"],
)
def test_unknown_birth_date_never_gives_age_relief(tmp_path: Path, dob: str) -> None:
    row = decide_one(tmp_path, [cannabis_line(PRI_DOB=dob)], policy=reduce_with(min_age=40))

    assert_reduced(row)


@pytest.mark.parametrize("dob", ["20000000", ""], ids=["partial", "blank"])
def test_unknown_birth_date_never_gives_under_21_relief(tmp_path: Path, dob: str) -> None:
    policy = reduce_with(under_21_at_conviction=True)

    row = decide_one(tmp_path, [cannabis_line(PRI_DOB=dob)], policy=policy)

    assert_reduced(row)


# Under 21 on the conviction date, 10 Apr 1995.


@pytest.mark.parametrize(
    ("dob", "determination"),
    [("19740411", DISMISS), ("19740410", REDUCE), ("19740409", REDUCE)],
    ids=["20y364d", "21st-birthday", "21-and-a-day"],
)
def test_under_21_at_conviction(tmp_path: Path, dob: str, determination: str) -> None:
    policy = reduce_with(under_21_at_conviction=True)

    row = decide_one(tmp_path, [cannabis_line(PRI_DOB=dob)], policy=policy)

    assert row["Eligibility Determination"] == determination


def test_under_21_reason(tmp_path: Path) -> None:
    policy = reduce_with(under_21_at_conviction=True)

    row = decide_one(tmp_path, [cannabis_line(PRI_DOB="19740411")], policy=policy)

    assert row["Eligibility Reason"] == "Additional relief: under 21 at conviction"
    assert row["Decision Rule"] == "under_21_at_conviction"


def test_under_21_uses_dob_from_another_line(tmp_path: Path) -> None:
    policy = reduce_with(under_21_at_conviction=True)
    lines = [cannabis_line(PRI_DOB=""), prior_line("459 PC-BURGLARY", cycle=2, PRI_DOB="19740411")]

    row = decide_one(tmp_path, lines, policy=policy)

    assert row["Decision Rule"] == "under_21_at_conviction"


# Years since this conviction, on the evaluation date.


@pytest.mark.parametrize(
    ("convicted", "determination"),
    [("20100630", DISMISS), ("20100701", DISMISS), ("20100702", REDUCE)],
    ids=["10y-and-a-day", "exactly-10y", "10y-less-a-day"],
)
def test_years_since_conviction(tmp_path: Path, convicted: str, determination: str) -> None:
    line = cannabis_line(CYC_DATE="20100101", STP_EVENT_DATE=convicted, DISP_DATE=convicted)

    row = decide_one(tmp_path, [line], policy=reduce_with(min_years_since_conviction=10))

    assert row["Eligibility Determination"] == determination


def test_years_since_conviction_reason(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line()], policy=reduce_with(min_years_since_conviction=10))

    assert row["Eligibility Reason"] == "Additional relief: conviction at least 10 years old"
    assert row["Decision Rule"] == "conviction_at_least_years_old"


# Years without any conviction, on the evaluation date.


@pytest.mark.parametrize(
    ("last_conviction", "determination"),
    [("20100630", DISMISS), ("20100701", DISMISS), ("20100702", REDUCE)],
    ids=["10y-and-a-day", "exactly-10y", "10y-less-a-day"],
)
def test_years_crime_free(tmp_path: Path, last_conviction: str, determination: str) -> None:
    later = prior_line(
        "459 PC-BURGLARY", cycle=2, event_date=last_conviction, CONV_STAT_DESCR="MISDEMEANOR"
    )

    row = decide_one(
        tmp_path, [cannabis_line(), later], policy=reduce_with(min_years_crime_free=10)
    )

    assert row["Eligibility Determination"] == determination


def test_years_crime_free_reason(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line()], policy=reduce_with(min_years_crime_free=10))

    assert row["Eligibility Reason"] == "Additional relief: no conviction in the last 10 years"
    assert row["Decision Rule"] == "no_conviction_within_years"


def test_years_crime_free_needs_every_conviction_dated(tmp_path: Path) -> None:
    undated = prior_line("459 PC-BURGLARY", cycle=2, event_date="20000000")

    row = decide_one(
        tmp_path, [cannabis_line(), undated], policy=reduce_with(min_years_crime_free=10)
    )

    assert_reduced(row)


def test_years_crime_free_ignores_arrests_without_conviction(tmp_path: Path) -> None:
    arrest = prior_line("459 PC-BURGLARY", cycle=2, event_date="20190101", DISP_DESCR="DISMISSED")

    row = decide_one(
        tmp_path, [cannabis_line(), arrest], policy=reduce_with(min_years_crime_free=10)
    )

    assert row["Decision Rule"] == "no_conviction_within_years"


# Only cannabis convictions, and deceased.


def test_only_cannabis_convictions(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("11360(A) HS-SELL MARIJUANA", cycle=2)]

    row = decide_one(tmp_path, lines, policy=reduce_with(only_cannabis_convictions=True))

    assert row["Eligibility Determination"] == DISMISS
    assert row["Eligibility Reason"] == "Additional relief: only cannabis convictions"
    assert row["Decision Rule"] == "only_cannabis_convictions"


def test_other_conviction_prevents_only_cannabis_relief(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("459 PC-BURGLARY", cycle=2)]

    row = decide_one(tmp_path, lines, policy=reduce_with(only_cannabis_convictions=True))

    assert_reduced(row)


def test_other_conviction_from_comment_charge_counts(tmp_path: Path) -> None:
    other = prior_line("SEE COMMENT FOR CHARGE", cycle=2, COMMENT_TEXT="459 PC BURGLARY")

    row = decide_one(
        tmp_path, [cannabis_line(), other], policy=reduce_with(only_cannabis_convictions=True)
    )

    assert_reduced(row)


def deceased_event() -> str:
    return prior_line(
        "",
        cycle=9,
        event_date="20190101",
        STP_TYPE_DESCR="DECEASED",
        DISP_DESCR="",
        CONV_STAT_DESCR="",
        OFFENSE_TOC="",
    )


def test_deceased(tmp_path: Path) -> None:
    row = decide_one(
        tmp_path, [cannabis_line(), deceased_event()], policy=reduce_with(deceased=True)
    )

    assert row["Eligibility Determination"] == DISMISS
    assert row["Eligibility Reason"] == "Additional relief: deceased"
    assert row["Decision Rule"] == "subject_is_deceased"
    assert row["Deceased"] == "true"


def test_deceased_without_policy_condition_is_reduced(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(), deceased_event()], policy=reduce_with())

    assert_reduced(row)
    assert row["Deceased"] == "true"


def test_first_condition_in_order_names_the_reason(tmp_path: Path) -> None:
    policy = reduce_with(under_21_at_conviction=True, min_age=40, deceased=True)
    lines = [cannabis_line(PRI_DOB="19740411"), deceased_event()]

    row = decide_one(tmp_path, lines, policy=policy)

    assert row["Decision Rule"] == "under_21_at_conviction"


def test_additional_relief_does_not_override_disqualifying_prior(tmp_path: Path) -> None:
    policy = reduce_with(min_age=40)
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2)]

    row = decide_one(tmp_path, lines, policy=policy)

    assert row["Decision Rule"] == "has_prior_super_strike"
