"""Cases for the Prop 64 decision order: dates, levels, sub-sections, comments, policy, remedy.

Each case writes a few synthetic DOJ lines, runs the real pipeline and reads Prop64_Results.csv.
The default line (see `doj_lines.DEFAULT_FIELDS`) is a felony HS 11359 conviction in San
Francisco: offense 4 Mar 1995, conviction 10 Apr 1995, born 1 Jan 1970, 30 days in jail.
The evaluation date is 1 Jul 2020 and the default policy dismisses every section.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.rules.policy import Policy, SectionTreatment
from rules_helpers import cannabis_line, count_order, decide_one, prior_line, run_lines

DISMISS = "Eligible for Dismissal"
REDUCE = "Eligible for Reduction"
NOT_ELIGIBLE = "Not eligible"
HAND_REVIEW = "Hand Review"

AFTER_PROP64_REASON = "Offense and conviction on or after 11/9/2016: sentenced under current law"
AFTER_PROP64_REVIEW = (
    "Conviction on or after 11/9/2016 (or a partial date that may be) for an offense dated before it "
    "or undated"
)
POLICY_DISMISS_11359 = "Felony HS 11359: county policy dismisses this section"
POLICY_REDUCE_11359 = "Felony HS 11359: county policy reduces this section"

REDUCE_ALL = Policy(
    sections=SectionTreatment.model_validate(
        {"11357": "reduce", "11358": "reduce", "11359": "reduce", "11360": "reduce"}
    )
)


def dated(cycle_date: str, event_date: str, **fields: str) -> str:
    return cannabis_line(
        CYC_DATE=cycle_date, STP_EVENT_DATE=event_date, DISP_DATE=event_date, **fields
    )


# Rule 2: the Prop 64 effective date, 9 Nov 2016.


@pytest.mark.parametrize(
    ("cycle_date", "event_date", "determination", "reason", "rule"),
    [
        ("20161108", "20161108", DISMISS, POLICY_DISMISS_11359, "policy_dismisses_section"),
        ("20161109", "20161109", NOT_ELIGIBLE, AFTER_PROP64_REASON, "convicted_after_prop64"),
        ("20161110", "20161110", NOT_ELIGIBLE, AFTER_PROP64_REASON, "convicted_after_prop64"),
        (
            "20161108",
            "20161109",
            HAND_REVIEW,
            AFTER_PROP64_REVIEW,
            "convicted_after_prop64_for_earlier_offense",
        ),
        ("", "20161108", DISMISS, POLICY_DISMISS_11359, "policy_dismisses_section"),
        (
            "",
            "20161109",
            HAND_REVIEW,
            AFTER_PROP64_REVIEW,
            "convicted_after_prop64_for_earlier_offense",
        ),
        (
            "",
            "20161110",
            HAND_REVIEW,
            AFTER_PROP64_REVIEW,
            "convicted_after_prop64_for_earlier_offense",
        ),
        # A partial offense date stands for every day it may be.
        (
            "20160000",
            "20170105",
            HAND_REVIEW,
            AFTER_PROP64_REVIEW,
            "convicted_after_prop64_for_earlier_offense",
        ),
        ("20170000", "20170105", NOT_ELIGIBLE, AFTER_PROP64_REASON, "convicted_after_prop64"),
    ],
    ids=[
        "both-day-before",
        "both-on-date",
        "both-day-after",
        "offense-before-conviction-on",
        "no-offense-date-conviction-day-before",
        "no-offense-date-conviction-on",
        "no-offense-date-conviction-day-after",
        "offense-in-2016-conviction-after",
        "offense-in-2017-conviction-after",
    ],
)
def test_prop64_effective_date(
    tmp_path: Path, cycle_date: str, event_date: str, determination: str, reason: str, rule: str
) -> None:
    row = decide_one(tmp_path, [dated(cycle_date, event_date)])

    assert row["Eligibility Determination"] == determination
    assert row["Eligibility Reason"] == reason
    assert row["Decision Rule"] == rule


@pytest.mark.parametrize(
    "event_date", ["20161100", "20160000", "20161000"], ids=["nov-2016", "2016", "oct-2016"]
)
def test_partial_conviction_date_that_may_be_after_prop64(tmp_path: Path, event_date: str) -> None:
    row = decide_one(tmp_path, [dated("19950304", event_date)])

    if event_date == "20161000":
        assert row["Decision Rule"] == "policy_dismisses_section"
        return
    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == AFTER_PROP64_REVIEW
    assert row["Decision Rule"] == "convicted_after_prop64_for_earlier_offense"


@pytest.mark.parametrize(
    "event_date",
    ["", "20161332", "2016119", "X"],
    ids=["blank", "month-13", "seven-digits", "placeholder"],
)
def test_conviction_date_missing_or_invalid_goes_to_hand_review(
    tmp_path: Path, event_date: str
) -> None:
    row = decide_one(tmp_path, [dated("19950304", event_date)])

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == "Conviction date is missing or not a date"
    assert row["Decision Rule"] == "conviction_date_unknown"


def test_partial_conviction_date_before_prop64_is_decided_and_flagged(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [dated("19950304", "19950400")])

    assert row["Eligibility Determination"] == DISMISS
    assert row["Decision Rule"] == "policy_dismisses_section"
    assert "partial or missing date" in (row["Flags"] or "")


def test_partial_dates_both_after_prop64_are_not_eligible(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [dated("20161200", "20170000")])

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Decision Rule"] == "convicted_after_prop64"


# Rule 1: sub-sections that stay felonies.


@pytest.mark.parametrize(
    ("offense", "display"),
    [
        ("11358(D) HS-CULTIVATE MARIJUANA", "11358(D) HS"),
        ("11359(C)(3) HS-SELL TO MINOR", "11359(C)(3) HS"),
        ("11359(D) HS-USE MINOR HELPER", "11359(D) HS"),
        ("11360(A)(3)(C) HS-FURNISH MINOR", "11360(A)(3)(C) HS"),
        ("11360A3D HS-IMPORT MARIJUANA", "11360(A)(3)(D) HS"),
    ],
)
def test_never_eligible_subsection(tmp_path: Path, offense: str, display: str) -> None:
    row = decide_one(tmp_path, [cannabis_line(OFFENSE_DESCR=offense)])

    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == f"Convicted under {display}, which stays a felony"
    assert row["Decision Rule"] == "under_never_eligible_subsection"
    assert row["Code Section"] == display


@pytest.mark.parametrize(
    "offense", ["11359(C)(2) HS-POSS FOR SALE", "11360(A)(3)(B) HS-SELL", "11358(C) HS-CULTIVATE"]
)
def test_neighbouring_subsections_stay_eligible(tmp_path: Path, offense: str) -> None:
    row = decide_one(tmp_path, [cannabis_line(OFFENSE_DESCR=offense)])

    assert row["Eligibility Determination"] == DISMISS
    assert row["Decision Rule"] == "policy_dismisses_section"


# Rule 3 and the level of the conviction.


@pytest.mark.parametrize("level", ["MISDEMEANOR", "INFRACTION"])
def test_misdemeanor_or_infraction_is_dismissed(tmp_path: Path, level: str) -> None:
    row = decide_one(tmp_path, [cannabis_line(CONV_STAT_DESCR=level)], policy=REDUCE_ALL)

    assert row["Eligibility Determination"] == DISMISS
    assert row["Eligibility Reason"] == "Misdemeanor or infraction"
    assert row["Decision Rule"] == "misdemeanor_or_infraction"


def test_misdemeanor_with_prior_super_strike_is_dismissed(tmp_path: Path) -> None:
    lines = [cannabis_line(CONV_STAT_DESCR="MISDEMEANOR"), prior_line("187(A) PC-MURDER", cycle=2)]

    row = decide_one(tmp_path, lines)

    assert row["Eligibility Determination"] == DISMISS
    assert row["Decision Rule"] == "misdemeanor_or_infraction"


@pytest.mark.parametrize(("toc", "level"), [("M", "Misdemeanor"), ("I", "Infraction")])
def test_level_from_offense_toc_when_status_blank(tmp_path: Path, toc: str, level: str) -> None:
    row = decide_one(
        tmp_path, [cannabis_line(CONV_STAT_DESCR="", OFFENSE_TOC=toc)], policy=REDUCE_ALL
    )

    assert row["Level"] == level
    assert row["Decision Rule"] == "misdemeanor_or_infraction"


def test_felony_from_offense_toc_when_status_blank(tmp_path: Path) -> None:
    row = decide_one(
        tmp_path, [cannabis_line(CONV_STAT_DESCR="", OFFENSE_TOC="F")], policy=REDUCE_ALL
    )

    assert row["Level"] == "Felony"
    assert row["Eligibility Determination"] == REDUCE
    assert row["Eligibility Reason"] == POLICY_REDUCE_11359


def test_level_unknown_goes_to_hand_review(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(CONV_STAT_DESCR="", OFFENSE_TOC="")])

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == (
        "Level of the conviction (felony, misdemeanor or infraction) is not recorded"
    )
    assert row["Decision Rule"] == "level_unknown"


# Rule 8: what software cannot decide.


def test_bare_11357_felony_without_any_date(tmp_path: Path) -> None:
    line = cannabis_line(OFFENSE_DESCR="11357 HS-POSSESS MARIJUANA", CYC_DATE="", STP_EVENT_DATE="")

    row = decide_one(tmp_path, [line])

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert (
        row["Eligibility Reason"]
        == "Felony HS 11357 with no sub-section and no offense or conviction date"
    )
    assert row["Decision Rule"] == "bare_11357_felony_without_dates"


def test_bare_11357_felony_read_by_conviction_date(tmp_path: Path) -> None:
    line = cannabis_line(OFFENSE_DESCR="11357 HS-POSSESS MARIJUANA", CYC_DATE="")

    row = decide_one(tmp_path, [line])

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_bare_11357_felony_with_offense_date_is_decided(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(OFFENSE_DESCR="11357 HS-POSSESS MARIJUANA")])

    assert row["Eligibility Determination"] == DISMISS
    assert row["Eligibility Reason"] == "Felony HS 11357: county policy dismisses this section"


def test_11357_with_subsection_and_no_offense_date_is_decided(tmp_path: Path) -> None:
    line = cannabis_line(OFFENSE_DESCR="11357(A) HS-POSSESS CONCENTRATED CANNABIS", CYC_DATE="")

    row = decide_one(tmp_path, [line])

    assert row["Decision Rule"] == "policy_dismisses_section"


def test_comment_naming_other_cannabis_charge(tmp_path: Path) -> None:
    line = cannabis_line(COMMENT_TEXT="CHARGE AMENDED TO 11360(A) HS")

    row = decide_one(tmp_path, [line])

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == "COMMENT_TEXT names another cannabis charge: 11360(A) HS"
    assert row["Decision Rule"] == "charge_conflicts_with_comment"
    assert row["Possible Other P64 Charges"] == "11360(A) HS"


def test_comment_naming_same_section_is_no_conflict(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [cannabis_line(COMMENT_TEXT="PLEA TO 11359 HS")])

    assert row["Decision Rule"] == "policy_dismisses_section"


@pytest.mark.parametrize("offense", ["SEE COMMENT FOR CHARGE", ""])
def test_charge_only_in_comment(tmp_path: Path, offense: str) -> None:
    line = cannabis_line(OFFENSE_DESCR=offense, COMMENT_TEXT="11360(A) HS-SELL MARIJUANA")

    row = decide_one(tmp_path, [line])

    assert row["Code Section"] == "11360(A) HS"
    assert row["Eligibility Determination"] == DISMISS
    assert row["Eligibility Reason"] == "Felony HS 11360: county policy dismisses this section"
    assert "cannabis charge found only in the comment" in (row["Flags"] or "")


def test_see_comment_without_cannabis_charge_is_not_in_scope(tmp_path: Path) -> None:
    line = cannabis_line(OFFENSE_DESCR="SEE COMMENT FOR CHARGE", COMMENT_TEXT="459 PC-BURGLARY")

    output = run_lines(tmp_path, [line])

    assert output.prop64.height == 0


# Rules 5 and 7: the county's choice per section.


@pytest.mark.parametrize("section", ["11357", "11358", "11359", "11360"])
def test_policy_reduces_section(tmp_path: Path, section: str) -> None:
    policy = Policy(sections=SectionTreatment.model_validate({section: "reduce"}))
    line = cannabis_line(OFFENSE_DESCR=f"{section}(A) HS-CANNABIS OFFENSE")

    row = decide_one(tmp_path, [line], policy=policy)

    assert row["Eligibility Determination"] == REDUCE
    assert row["Eligibility Reason"] == f"Felony HS {section}: county policy reduces this section"
    assert row["Decision Rule"] == "policy_reduces_section"
    assert row["Remedy"] == "Redesignate as misdemeanor (HS 11361.8(e)-(f))"


def test_policy_dismiss_and_reduce_per_section(tmp_path: Path) -> None:
    policy = Policy(sections=SectionTreatment.model_validate({"11360": "reduce"}))
    lines = [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2), OFFENSE_DESCR="11360(A) HS-SELL MARIJUANA"),
    ]

    output = run_lines(tmp_path, lines, policy=policy)

    assert output.row(cnt_order=count_order(count=1))["Eligibility Determination"] == DISMISS
    assert output.row(cnt_order=count_order(count=2))["Eligibility Determination"] == REDUCE


# Remedy: still serving the sentence, or completed it.


@pytest.mark.parametrize(
    ("parts", "sentence_end", "remedy"),
    [
        ([("20", "Y")], "2020-07-01", "Dismiss and seal (HS 11361.8(e)-(f))"),
        ([("20", "Y"), ("1", "D")], "2020-07-02", "Recall and resentence (HS 11361.8(a)-(b))"),
        (
            [("19", "Y"), ("11", "M"), ("30", "D")],
            "2020-07-01",
            "Dismiss and seal (HS 11361.8(e)-(f))",
        ),
        (
            [("19", "Y"), ("11", "M"), ("31", "D")],
            "2020-07-02",
            "Recall and resentence (HS 11361.8(a)-(b))",
        ),
    ],
    ids=[
        "ends-on-as-of",
        "ends-day-after",
        "three-parts-end-on-as-of",
        "three-parts-end-day-after",
    ],
)
def test_remedy_from_sentence_end(
    tmp_path: Path, parts: list[tuple[str, str]], sentence_end: str, remedy: str
) -> None:
    lines = [
        dated(
            "20000601",
            "20000701",
            SENT_ORDER=f"{number:03d}",
            SENT_LENGTH=length,
            SENT_TIME_CODE=unit,
        )
        for number, (length, unit) in enumerate(parts, start=1)
    ]

    output = run_lines(tmp_path, lines)
    row = output.row()

    assert row["Sentence End Date"] == sentence_end
    assert row["Remedy"] == remedy
    assert output.prop64.height == len(parts)


def test_further_sentence_parts_are_flagged(tmp_path: Path) -> None:
    lines = [
        cannabis_line(SENT_ORDER="001", SENT_LENGTH="2", SENT_TIME_CODE="Y"),
        cannabis_line(SENT_ORDER="002", SENT_LENGTH="6", SENT_TIME_CODE="M"),
    ]

    output = run_lines(tmp_path, lines)
    flags = output.prop64.get_column("Flags").to_list()

    assert flags[0] is None
    assert flags[1] == "additional sentence part"


def test_remedy_resentence_when_reduced_and_serving(tmp_path: Path) -> None:
    line = dated("20100101", "20100301", SENT_LENGTH="16", SENT_TIME_CODE="Y")

    row = decide_one(tmp_path, [line], policy=REDUCE_ALL)

    assert row["Eligibility Determination"] == REDUCE
    assert row["Remedy"] == "Recall and resentence (HS 11361.8(a)-(b))"


def test_no_remedy_when_not_eligible(tmp_path: Path) -> None:
    row = decide_one(tmp_path, [dated("20170101", "20170201")])

    assert row["Remedy"] is None


# Plea bargains.


def plea_flag_of(tmp_path: Path, lines: list[str], cnt_order: str) -> str:
    output = run_lines(tmp_path, lines)
    match = output.all_results.filter(output.all_results["CNT_ORDER"] == cnt_order)
    return match.get_column("Flags").fill_null("").item()


def test_plea_bargain_flag_on_pc32_with_only_cannabis_counts(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2), OFFENSE_DESCR="32 PC-ACCESSORY"),
    ]

    assert "possible plea bargain" in plea_flag_of(tmp_path, lines, count_order(count=2))


def test_plea_bargain_flag_with_two_pc32_counts(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2), OFFENSE_DESCR="32 PC-ACCESSORY"),
        cannabis_line(CNT_ORDER=count_order(count=3), OFFENSE_DESCR="32 PC-ACCESSORY"),
    ]

    output = run_lines(tmp_path, lines)
    for count in (2, 3):
        match = output.all_results.filter(
            output.all_results["CNT_ORDER"] == count_order(count=count)
        )
        assert "possible plea bargain" in match.get_column("Flags").fill_null("").item()


def test_no_plea_bargain_flag_with_other_charge_in_cycle(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2), OFFENSE_DESCR="32 PC-ACCESSORY"),
        cannabis_line(CNT_ORDER=count_order(count=3), OFFENSE_DESCR="459 PC-BURGLARY"),
    ]

    assert "possible plea bargain" not in plea_flag_of(tmp_path, lines, count_order(count=2))


def test_no_plea_bargain_flag_without_cannabis_count(tmp_path: Path) -> None:
    lines = [cannabis_line(OFFENSE_DESCR="32 PC-ACCESSORY")]

    assert "possible plea bargain" not in plea_flag_of(tmp_path, lines, count_order(count=1))


# Scope: the county of the convicting court.


def test_conviction_in_another_county_is_not_in_scope(tmp_path: Path) -> None:
    line = cannabis_line(STP_ORI_CNTY_NAME="LOS ANGELES", STP_ORI_DESCR="CASC LOS ANGELES")

    output = run_lines(tmp_path, [line])
    flags = output.all_results.get_column("Flags").to_list()

    assert output.prop64.height == 0
    assert flags == ["convicted in another county"]


def test_convictions_in_another_county_count_as_priors(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        *(
            prior_line(
                "11359 HS-POSSESS FOR SALE",
                cycle=cycle,
                event_date=event_date,
                STP_ORI_CNTY_NAME="LOS ANGELES",
                STP_ORI_DESCR="CASC LOS ANGELES",
            )
            for cycle, event_date in ((2, "19900101"), (3, "19910101"))
        ),
    ]

    output = run_lines(tmp_path, lines)
    row = output.row()

    assert output.prop64.height == 1
    assert row["Eligibility Determination"] == NOT_ELIGIBLE
    assert row["Eligibility Reason"] == "2 prior convictions of HS 11359"


def test_unconvicted_count_is_not_in_scope(tmp_path: Path) -> None:
    line = cannabis_line(DISP_DESCR="DISMISSED", CONV_STAT_DESCR="")

    output = run_lines(tmp_path, [line])

    assert output.prop64.height == 0


# Rule 0: a subject with unreadable lines.


def test_skip_bad_lines_sends_subject_to_hand_review(tmp_path: Path) -> None:
    short_line = ",".join(
        cannabis_line(CNT_ORDER=count_order(count=2)).split(",")[: len(DOJ_COLUMNS) - 3]
    )
    other_subject = cannabis_line(SUBJECT_ID="1000002")

    output = run_lines(tmp_path, [cannabis_line(), short_line, other_subject], skip_bad_lines=True)
    row = output.row()

    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Eligibility Reason"] == "Subject has lines that could not be read; see quality.csv"
    assert row["Decision Rule"] == "subject_has_rejected_lines"
    assert output.row(subject="1000002")["Decision Rule"] == "policy_dismisses_section"


def test_stray_quote_subject_to_hand_review(tmp_path: Path) -> None:
    # A double quote before the second field leaves the rest of the line without sound quoting.
    fields = cannabis_line(CNT_ORDER=count_order(count=2)).split(",")
    broken = ",".join([fields[0], '"' + fields[1], *fields[2:]])

    output = run_lines(tmp_path, [cannabis_line(), broken], skip_bad_lines=True)
    row = output.row()

    assert output.result.figures["lines_rejected"] == 1
    assert row["Eligibility Determination"] == HAND_REVIEW
    assert row["Decision Rule"] == "subject_has_rejected_lines"
