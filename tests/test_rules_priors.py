"""Cases for disqualifying priors: super strikes, PC 290 offenses and registration, same-section priors.

The cannabis conviction is the default felony HS 11359 of 10 Apr 1995 in cycle 001, step 002.
Priors are convictions in other cycles unless a case sets another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autoclear.rules.policy import Policy
from rules_helpers import cannabis_line, count_order, decide_one, prior_line

DISMISS = "Eligible for Dismissal"
NOT_ELIGIBLE = "Not eligible"
HAND_REVIEW = "Hand Review"
CONVICTION_DATE = "19950410"


@pytest.mark.parametrize(
    ("prior_date", "determination", "rule"),
    [
        ("19950409", NOT_ELIGIBLE, "has_prior_super_strike"),
        ("19950410", DISMISS, "policy_dismisses_section"),
        ("19950411", DISMISS, "policy_dismisses_section"),
    ],
    ids=["day-before", "same-day", "day-after"],
)
def test_super_strike_prior_by_date(
    tmp_path: Path, prior_date: str, determination: str, rule: str
) -> None:
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2, event_date=prior_date)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == determination
    assert row["Decision Rule"] == rule


def test_super_strike_reason_names_prior(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2, event_date="19950409")]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Reason"] == "Prior super strike: 187(A) PC convicted 04/09/1995"
    assert row["Superstrike Code Section(s)"] == "187(A) PC"
    assert row["Statute"] == "PC 667(e)(2)(C)(iv)"


def test_attempted_murder_is_super_strike(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("664/187(A) PC-ATTEMPTED MURDER", cycle=2)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == "Prior super strike: 664/187(A) PC convicted 01/01/1990"


def test_solicitation_of_murder_is_super_strike(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("653F(B) PC-SOLICIT MURDER", cycle=2)]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "has_prior_super_strike"


def test_prior_in_same_court_event_never_counts(tmp_path: Path) -> None:
    same_event = prior_line(
        "187(A) PC-MURDER", cycle=1, step=2, event_date="19900101", CNT_ORDER=count_order(1, 2, 2)
    )

    row = decide_one(tmp_path, [cannabis_line(), same_event])

    assert row["Eligibility Determination"] == DISMISS
    assert row["Decision Rule"] == "policy_dismisses_section"


def test_prior_in_same_cycle_other_step_counts(tmp_path: Path) -> None:
    other_step = prior_line("187(A) PC-MURDER", cycle=1, step=1, event_date="19900101")

    row = decide_one(tmp_path, [cannabis_line(), other_step])

    assert row["Decision Rule"] == "has_prior_super_strike"


def test_prior_in_another_county_counts(tmp_path: Path) -> None:
    prior = prior_line(
        "187(A) PC-MURDER", cycle=2, STP_ORI_CNTY_NAME="FRESNO", STP_ORI_DESCR="CASC FRESNO"
    )

    row = decide_one(tmp_path, [cannabis_line(), prior])

    assert row["Decision Rule"] == "has_prior_super_strike"


def test_unconvicted_super_strike_arrest_does_not_count(tmp_path: Path) -> None:
    prior = prior_line("187(A) PC-MURDER", cycle=2, DISP_DESCR="DISMISSED", CONV_STAT_DESCR="")

    row = decide_one(tmp_path, [cannabis_line(), prior])

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_super_strike_with_partial_date_wholly_before_is_prior(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2, event_date="19900000")]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == "Prior super strike: 187(A) PC convicted 1990"
    assert row["Decision Rule"] == "has_prior_super_strike"


def test_super_strike_in_month_of_conviction_names_month(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2, event_date="19950300")]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Reason"] == "Prior super strike: 187(A) PC convicted 03/1995"


POSSIBLE_SUPER_STRIKE = (
    "Possible disqualifying prior (super strike) with a missing or partial date "
    "or unstated sub-section"
)


@pytest.mark.parametrize(
    "prior_date", ["19950400", "19950000", ""], ids=["same-month", "same-year", "undated"]
)
def test_super_strike_that_may_be_prior_goes_to_hand_review(
    tmp_path: Path, prior_date: str
) -> None:
    lines = [cannabis_line(), prior_line("187(A) PC-MURDER", cycle=2, event_date=prior_date)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == POSSIBLE_SUPER_STRIKE
    assert row["Decision Rule"] == "may_have_disqualifying_prior"


def test_super_strike_after_partial_conviction_date_is_no_prior(tmp_path: Path) -> None:
    lines = [
        cannabis_line(STP_EVENT_DATE="19950400"),
        prior_line("187(A) PC-MURDER", cycle=2, event_date="19950501"),
    ]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_sex_offense_prior(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("243.4(A) PC-SEXUAL BATTERY", cycle=2)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == "Prior PC 290 offense: 243.4(A) PC convicted 01/01/1990"
    assert row["Decision Rule"] == "has_prior_sex_offender_registration"
    assert row["PC290 Code Section(s)"] == "243.4(A) PC"


def test_pimping_a_minor_is_sex_offense_prior(tmp_path: Path) -> None:
    lines = [cannabis_line(), prior_line("266H(B) PC-PIMPING MINOR", cycle=2)]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "has_prior_sex_offender_registration"


def registration_event(event_date: str) -> str:
    return prior_line(
        "290 PC-REGISTRATION OF SEX OFFENDER",
        cycle=2,
        event_date=event_date,
        STP_TYPE_DESCR="REGISTRATION",
        DISP_DESCR="",
        CONV_STAT_DESCR="",
        OFFENSE_TOC="",
    )


@pytest.mark.parametrize(
    ("registered", "determination", "rule"),
    [
        ("19950409", NOT_ELIGIBLE, "has_prior_sex_offender_registration"),
        ("19950411", DISMISS, "policy_dismisses_section"),
    ],
    ids=["day-before", "day-after"],
)
def test_pc290_registration_event(
    tmp_path: Path, registered: str, determination: str, rule: str
) -> None:
    row = decide_one(tmp_path, [cannabis_line(), registration_event(registered)])

    assert row["Eligibility Determination"] == determination
    assert row["Decision Rule"] == rule


def test_pc290_registration_reason(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(), registration_event("19900101")])

    assert row["Eligibility Reason"] == "Prior PC 290 registration: 290 PC registered 01/01/1990"
    assert row["PC290 Registration"] == "true"


def hs11359_prior(cycle: int, event_date: str) -> str:
    return prior_line("11359 HS-POSSESS FOR SALE", cycle=cycle, event_date=event_date)


def test_two_priors_of_same_section(tmp_path: Path) -> None:
    lines = [cannabis_line(), hs11359_prior(2, "19900101"), hs11359_prior(3, "19910101")]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == "2 prior convictions of HS 11359"
    assert row["Decision Rule"] == "has_two_priors_of_same_section"


def test_one_prior_of_same_section_is_not_enough(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(), hs11359_prior(2, "19900101")])

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_second_prior_on_conviction_day_does_not_count(tmp_path: Path) -> None:
    lines = [cannabis_line(), hs11359_prior(2, "19900101"), hs11359_prior(3, CONVICTION_DATE)]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_same_section_priors_in_same_event_are_not_priors(tmp_path: Path) -> None:
    same_event = [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2)),
        cannabis_line(CNT_ORDER=count_order(count=3)),
    ]

    row = decide_one(tmp_path, same_event)

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_priors_of_other_section_do_not_add_up(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        prior_line("11360(A) HS-SELL MARIJUANA", cycle=2),
        prior_line("11358 HS-CULTIVATE MARIJUANA", cycle=3),
    ]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_two_priors_do_not_disqualify_11357(tmp_path: Path) -> None:
    possession = "11357(A) HS-POSSESS CONCENTRATED CANNABIS"
    lines = [
        cannabis_line(OFFENSE_DESCR=possession),
        prior_line(possession, cycle=2, event_date="19900101"),
        prior_line(possession, cycle=3, event_date="19910101"),
    ]

    row = decide_one(tmp_path, lines)

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_partial_dated_second_prior_wholly_before_counts(tmp_path: Path) -> None:
    lines = [cannabis_line(), hs11359_prior(2, "19900101"), hs11359_prior(3, "19910000")]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Reason"] == "2 prior convictions of HS 11359"


@pytest.mark.parametrize("prior_date", ["19950400", ""], ids=["same-month", "undated"])
def test_second_prior_that_may_be_prior_goes_to_hand_review(
    tmp_path: Path, prior_date: str
) -> None:
    lines = [cannabis_line(), hs11359_prior(2, "19900101"), hs11359_prior(3, prior_date)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == (
        "Possible disqualifying prior (priors of the same section) with a missing or partial "
        "date or unstated sub-section"
    )
    assert row["Decision Rule"] == "may_have_disqualifying_prior"


def test_policy_not_challenging_disqualified_felonies(tmp_path: Path) -> None:
    policy = Policy(challenge_disqualified=False)
    lines = [
        cannabis_line(),
        prior_line("187(A) PC-MURDER", cycle=2),
        registration_event("19900101"),
        hs11359_prior(3, "19910101"),
        hs11359_prior(4, "19920101"),
    ]

    row = decide_one(tmp_path, lines, policy=policy)

    assert row["Eligibility Determination"] == DISMISS
    assert row["Decision Rule"] == "policy_dismisses_section"


def test_named_prior_does_not_depend_on_line_order(tmp_path: Path) -> None:
    murder = prior_line("187(A) PC-MURDER", cycle=2, event_date="19900101")
    attempt = prior_line("664/187(A) PC-ATTEMPTED MURDER", cycle=3, event_date="19900101")

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = decide_one(tmp_path / "a", [cannabis_line(), murder, attempt])
    second = decide_one(tmp_path / "b", [attempt, cannabis_line(), murder])

    assert first["Eligibility Reason"] == second["Eligibility Reason"]
