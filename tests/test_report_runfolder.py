"""A synthetic run folder written per the run folder contract, and checks of the reader.

`write_synthetic_run` is imported by the report, workbook and filings tests. Names, dates
and case numbers are made up; nothing here comes from a real record.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from autoclear.doj.columns import (
    DETERMINATIONS,
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
    RESULT_COLUMNS,
)
from autoclear.errors import UsageError
from autoclear.outputs.report.run_folder import (
    format_court_date,
    load_run_folder,
    parse_doj_date,
    read_other_names,
)
from autoclear.rules.policy import Policy

COUNTY = "SAN FRANCISCO"
COURTS = ("CASC SAN FRANCISCO", "CASC SF HALL OF JUSTICE", "CASC SAN FRANCISCO TRAFFIC")
RELIEF = (ELIGIBLE_FOR_DISMISSAL, ELIGIBLE_FOR_REDUCTION)

# Race groups with their number of people: ASIAN and OTHER are small, so suppressed.
RACE_PEOPLE = {"BLACK": 30, "HISPANIC": 24, "WHITE": 22, "ASIAN": 3, "OTHER": 1}
LAST_NAMES = ("ALDER", "BIRCH", "CEDAR", "DOGWOOD", "ELM", "FIR", "GINKGO", "HAZEL", "IRONWOOD")
FIRST_NAMES = ("ROBIN", "SAGE", "JORDAN", "CASEY", "REESE", "MORGAN", "TAYLOR", "QUINN")
SECTIONS = {
    "11357": "11357(A) HS-POSSESS CONCENTRATED CANNABIS",
    "11358": "11358 HS-CULTIVATE MARIJUANA",
    "11359": "11359 HS-POSSESS MARIJUANA FOR SALE",
    "11360": "11360(A) HS-SELL/TRANSPORT MARIJUANA",
}
RULES = {
    ELIGIBLE_FOR_DISMISSAL: "misdemeanor_or_infraction",
    ELIGIBLE_FOR_REDUCTION: "policy_reduces_section",
    NOT_ELIGIBLE: "has_prior_super_strike",
    HAND_REVIEW: "convicted_after_prop64_for_earlier_offense",
}
REASONS = {
    ELIGIBLE_FOR_DISMISSAL: "Misdemeanor or infraction: dismissed",
    ELIGIBLE_FOR_REDUCTION: "Felony the policy reduces: reduced to a misdemeanor",
    NOT_ELIGIBLE: "Prior super strike conviction (PC 187)",
    HAND_REVIEW: "Conviction date on or after 9 Nov 2016 for an earlier offense",
}


@dataclass
class SyntheticRun:
    """What the fixture wrote, for tests to compare the publications with."""

    path: Path
    policy: Policy
    convictions: list[dict[str, str]] = field(default_factory=list)
    """Counted lines only (one per conviction)."""


def _blank_line() -> dict[str, str]:
    return dict.fromkeys(RESULT_COLUMNS, "")


def _conviction_plan(rng: random.Random) -> list[str]:
    """Determinations for 120 convictions: hand review kept below the suppression minimum."""
    plan = (
        [ELIGIBLE_FOR_DISMISSAL] * 70
        + [ELIGIBLE_FOR_REDUCTION] * 30
        + [NOT_ELIGIBLE] * 16
        + [HAND_REVIEW] * 4
    )
    rng.shuffle(plan)
    return plan


def write_synthetic_run(path: Path, seed: int = 64) -> SyntheticRun:
    """Write Prop64_Results.csv, All_Results.csv, summary.json, manifest.json and quality.csv."""
    rng = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    policy = Policy.model_validate({"sections": {"11359": "reduce", "11360": "reduce"}})
    run = SyntheticRun(path=path, policy=policy)
    people: list[dict[str, str]] = []
    for race, count in RACE_PEOPLE.items():
        for _ in range(count):
            index = len(people)
            birth_year = 1940 + (index * 7) % 60
            people.append(
                {
                    "SUBJECT_ID": f"{100000 + index}",
                    "CII_NUMBER": f"A{900000 + index}",
                    "PRI_NAME": f"{LAST_NAMES[index % 9]},{FIRST_NAMES[index % 8]} {chr(65 + index % 26)}",
                    "GENDER": "FEMALE" if index % 3 == 0 else "MALE",
                    "PRI_DOB": f"{birth_year}{1 + index % 12:02d}{1 + index % 28:02d}",
                    "RACE_DESCR": race,
                }
            )
    plan = _conviction_plan(rng)
    lines: list[dict[str, str]] = []
    case_counter = 0
    person_index = 0
    while plan:
        person = people[person_index % len(people)]
        person_index += 1
        case_counter += 1
        court = COURTS[case_counter % len(COURTS)]
        year = 1975 + case_counter % 40
        # The first case gets two counts of 11359 with one determination, for the "x2" multiplier.
        counts = 2 if case_counter % 5 == 1 and len(plan) >= 2 else 1
        determination = plan.pop()
        for count in range(counts):
            if count:
                determination = determination if counts == 2 and case_counter == 1 else plan.pop()
            section = "11359" if case_counter == 1 else rng.choice(tuple(SECTIONS))
            felony = determination == ELIGIBLE_FOR_REDUCTION or (
                determination != ELIGIBLE_FOR_DISMISSAL and rng.random() < 0.5
            )
            line = _blank_line()
            line.update(person)
            cycle = f"{case_counter:03d}"
            conviction_date = f"{year}0{1 + case_counter % 9}{10 + case_counter % 18}"
            if case_counter == 7:
                conviction_date = f"{year}0000"
            line.update(
                {
                    "CYC_ORDER": cycle,
                    "CYC_DATE": conviction_date,
                    "STP_ORDER": "002",
                    "STP_EVENT_DATE": conviction_date,
                    "STP_TYPE_DESCR": "COURT ACTION",
                    "STP_ORI_DESCR": court,
                    "STP_ORI_CNTY_NAME": COUNTY,
                    "CNT_ORDER": f"{cycle}002{count + 1:03d}000",
                    "DISP_DATE": conviction_date,
                    "OFN": f"{year % 100:02d}F{case_counter:05d}" if count == 0 else "",
                    "OFFENSE_DESCR": SECTIONS[section],
                    "OFFENSE_TOC": "F" if felony else "M",
                    "DISP_DESCR": "CONVICTED",
                    "CONV_STAT_DESCR": "FELONY" if felony else "MISDEMEANOR",
                    "SENT_LENGTH": "30",
                    "SENT_TIME_CODE": "D",
                    "SENT_LOC_DESCR": "JAIL",
                    "Case Number": f"{year % 100:02d}F{case_counter:05d}",
                    "Date of Conviction": conviction_date,
                    "Eligibility Determination": determination,
                    "Eligibility Reason": REASONS[determination],
                    "Decision Rule": RULES[determination],
                    "Code Section": f"{section} HS",
                    "Level": "felony" if felony else "misdemeanor",
                    "Remedy": "resentence" if case_counter % 17 == 0 else "",
                    "Flags": "",
                    "Source File": "synthetic.dat",
                }
            )
            if determination == NOT_ELIGIBLE and count == 0 and case_counter % 2:
                line["Eligibility Reason"] = "Two prior convictions of HS 11359"
                line["Decision Rule"] = "has_two_priors_of_same_section"
            lines.append(line)
            run.convictions.append(line)
            if case_counter % 6 == 0:
                extra = dict(line, SENT_LENGTH="2", SENT_TIME_CODE="Y", SENT_LOC_DESCR="PROBATION")
                extra["Flags"] = "additional sentence part"
                lines.append(extra)
            if case_counter % 11 == 0:
                lines.append(dict(line, Flags="repeated line"))
    for number, line in enumerate(lines, start=1):
        line["Source Line"] = str(number)

    _write_csv(path / "Prop64_Results.csv", lines)
    # All_Results: the cannabis lines plus one other-cycle line carrying a second name for subject 0.
    other = _blank_line()
    other.update(people[0])
    other["PRI_NAME"] = "ALDER,ROBIN ALIAS"
    other["OFFENSE_DESCR"] = "459 PC-BURGLARY"
    _write_csv(path / "All_Results.csv", [*lines, other])
    (path / "quality.csv").write_text(
        "file,line,subject_id,problem\nsynthetic.dat,5,100004,partial date\n"
        "synthetic.dat,9,100008,partial date\nsynthetic.dat,12,,wrong field count\n",
        encoding="utf-8",
    )
    summary = _summary(run.convictions, people, policy)
    (path / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    source = b"synthetic input bytes\n" * 10
    manifest = {
        "version": "0.1.0",
        "command": "autoclear run synthetic.dat",
        "as_of": "2020-07-01",
        "county": COUNTY,
        "policy": policy.to_dict(),
        "inputs": [
            {
                "name": "synthetic.dat",
                "size": len(source),
                "lines": 10,
                "sha256": hashlib.sha256(source).hexdigest(),
            }
        ],
        "outputs": {},
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return run


def _write_csv(path: Path, lines: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(lines)


def _age_group(dob: str) -> str:
    age = 2020 - int(dob[:4])
    for limit, label in (
        (21, "under 21"),
        (30, "21-29"),
        (40, "30-39"),
        (50, "40-49"),
        (60, "50-59"),
    ):
        if age < limit:
            return label
    return "60 and over"


def _figures(convictions: list[dict[str, str]], people: list[dict[str, str]]) -> dict[str, Any]:
    by_section: dict[str, Counter[str]] = defaultdict(Counter)
    determinations_by_section: dict[str, Counter[str]] = defaultdict(Counter)
    determinations: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    relief_subjects = set()
    for line in convictions:
        section = line["Code Section"].split()[0]
        felony = line["Level"] == "felony"
        by_section[section]["total"] += 1
        by_section[section]["felony" if felony else "non_felony"] += 1
        determinations[line["Eligibility Determination"]] += 1
        determinations_by_section[section][line["Eligibility Determination"]] += 1
        reasons[line["Eligibility Reason"]] += 1
        if line["Eligibility Determination"] in RELIEF:
            relief_subjects.add(line["SUBJECT_ID"])
    subjects = {line["SUBJECT_ID"] for line in convictions}
    person_by_id = {person["SUBJECT_ID"]: person for person in people}
    equity: dict[str, dict[str, dict[str, int]]] = {"race": {}, "gender": {}, "age_group": {}}
    for dimension, key in (("race", "RACE_DESCR"), ("gender", "GENDER"), ("age_group", "PRI_DOB")):
        groups: dict[str, dict[str, int]] = {}
        for subject in sorted(subjects):
            person = person_by_id[subject]
            group = _age_group(person[key]) if key == "PRI_DOB" else person[key]
            entry = groups.setdefault(
                group,
                {
                    "people": 0,
                    "people_with_relief": 0,
                    "convictions": 0,
                    "convictions_with_relief": 0,
                },
            )
            entry["people"] += 1
            entry["people_with_relief"] += subject in relief_subjects
            own = [line for line in convictions if line["SUBJECT_ID"] == subject]
            entry["convictions"] += len(own)
            entry["convictions_with_relief"] += sum(
                line["Eligibility Determination"] in RELIEF for line in own
            )
        equity[dimension] = groups
    total = sum(by_section[s]["total"] for s in by_section)
    felony_total = sum(by_section[s]["felony"] for s in by_section)
    return {
        "convictions": {
            "total": total,
            "felony": felony_total,
            "non_felony": total - felony_total,
            "by_section": {s: dict(c) for s, c in sorted(by_section.items())},
        },
        "determinations": {d: determinations[d] for d in DETERMINATIONS},
        "determinations_by_section": {
            s: {d: c[d] for d in DETERMINATIONS}
            for s, c in sorted(determinations_by_section.items())
        },
        "reasons": dict(reasons),
        "dismissals_by_additional_relief": {"under_21_at_conviction": 0, "min_age": 3},
        "related_convictions_dismissed": 0,
        "people": {
            "with_cannabis_conviction": len(subjects),
            "with_relief": len(relief_subjects),
            "no_longer_felony": len(relief_subjects) // 2,
            "no_conviction": len(relief_subjects) // 3,
            "no_conviction_last_7_years": len(relief_subjects) - 5,
        },
        "earliest_cannabis_conviction": "1975-02-11",
        "equity": equity,
    }


def _summary(
    convictions: list[dict[str, str]], people: list[dict[str, str]], policy: Policy
) -> dict[str, Any]:
    everything_dismissed = [
        dict(line, **{"Eligibility Determination": ELIGIBLE_FOR_DISMISSAL}) for line in convictions
    ]
    return {
        "county": COUNTY,
        "as_of": "2020-07-01",
        "tool_version": "0.1.0",
        "policy_description": policy.describe(),
        "input": {
            "files": 1,
            "lines": 140,
            "lines_rejected": 1,
            "lines_repeated": 4,
            "subjects": 80,
        },
        "scenarios": {
            "policy": _figures(convictions, people),
            "dismiss_all_cannabis": _figures(everything_dismissed, people),
            "dismiss_all_cannabis_and_related": _figures(everything_dismissed, people)
            | {"related_convictions_dismissed": 23},
        },
    }


@pytest.fixture()
def synthetic_run(tmp_path: Path) -> SyntheticRun:
    return write_synthetic_run(tmp_path / "run")


def test_run_folder_counts_one_line_per_conviction(synthetic_run: SyntheticRun) -> None:
    run = load_run_folder(synthetic_run.path)
    assert run.lines.height > len(synthetic_run.convictions)
    assert run.convictions().height == len(synthetic_run.convictions)


def test_run_folder_reads_quality_problems(synthetic_run: SyntheticRun) -> None:
    run = load_run_folder(synthetic_run.path)
    assert run.quality_problems == {"partial date": 2, "wrong field count": 1}


def test_other_names_come_from_all_results(synthetic_run: SyntheticRun) -> None:
    run = load_run_folder(synthetic_run.path)
    names = read_other_names(synthetic_run.path, run.lines)
    assert names["100000"] == ["ALDER,ROBIN A", "ALDER,ROBIN ALIAS"]
    assert len(names["100001"]) == 1


def test_missing_summary_names_the_file(synthetic_run: SyntheticRun) -> None:
    (synthetic_run.path / "summary.json").unlink()
    with pytest.raises(UsageError, match="summary.json not found"):
        load_run_folder(synthetic_run.path)


def test_missing_result_column_is_reported(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    frame = pl.read_csv(run.path / "Prop64_Results.csv", infer_schema=False).drop("Flags")
    frame.write_csv(run.path / "Prop64_Results.csv")
    with pytest.raises(UsageError, match="missing result column 'Flags'"):
        load_run_folder(run.path)


def test_missing_run_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Run folder not found"):
        load_run_folder(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19870512", "05/12/1987"), ("1987-05-12", "05/12/1987"), ("19870500", "05/1987"),
     ("19870000", "1987"), ("", ""), ("UNKNOWN", "UNKNOWN")],
)  # fmt: skip
def test_court_dates_keep_partial_parts(text: str, expected: str) -> None:
    assert format_court_date(text) == expected


def test_invalid_calendar_date_is_not_a_date() -> None:
    assert parse_doj_date("19870231") is None
    assert parse_doj_date("20000229") is not None
