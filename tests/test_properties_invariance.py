"""Properties of whole runs: the order, split and repetition of input lines change no decision.

Hypothesis builds small deliveries from a few subjects with cannabis convictions, priors and
other charges around the dates that matter. Each example runs the real pipeline twice, so the
example count is kept small.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoclear.rules.policy import AdditionalRelief, Policy, SectionTreatment
from doj_lines import make_line, write_doj_file
from rules_helpers import count_order, run_files

OFFENSES = (
    "11357(A) HS-POSSESS CONCENTRATED CANNABIS",
    "11357 HS-POSSESS MARIJUANA",
    "11358 HS-CULTIVATE MARIJUANA",
    "11359 HS-POSSESS FOR SALE",
    "11360(A) HS-SELL MARIJUANA",
    "11359(D) HS-USE MINOR HELPER",
    "664/11359 HS-ATTEMPT",
    "187(A) PC-MURDER",
    "664/187(A) PC-ATTEMPTED MURDER",
    "243.4(A) PC-SEXUAL BATTERY",
    "459 PC-BURGLARY",
    "32 PC-ACCESSORY",
    "SEE COMMENT FOR CHARGE",
)
DATES = (
    "19900101", "19950409", "19950410", "19950411", "20100701",
    "20161108", "20161109", "20170101", "19950400", "19900000", "",
)  # fmt: skip
LEVELS = ("FELONY", "MISDEMEANOR", "INFRACTION", "")
COUNTIES = ("SAN FRANCISCO", "SAN FRANCISCO", "LOS ANGELES")
DISPOSITIONS = ("CONVICTED", "CONVICTED", "DISMISSED")
BIRTH_DATES = ("19500101", "19740411", "19700000", "")
COMMENTS = ("", "", "11360(A) HS SELL", "459 PC")

POLICY = Policy(
    sections=SectionTreatment.model_validate({"11359": "reduce", "11360": "reduce"}),
    additional_relief=AdditionalRelief(under_21_at_conviction=True, min_age=60),
)


@dataclass(frozen=True)
class Subject:
    subject_id: str
    lines: tuple[str, ...]


@st.composite
def counts(draw: st.DrawFn, subject_id: str, birth_date: str) -> list[str]:
    lines = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        cycle = draw(st.integers(1, 3))
        step = draw(st.integers(1, 2))
        event_date = draw(st.sampled_from(DATES))
        lines.append(
            make_line(
                SUBJECT_ID=subject_id,
                PRI_DOB=birth_date,
                CYC_ORDER=f"{cycle:03d}",
                STP_ORDER=f"{step:03d}",
                CNT_ORDER=count_order(cycle, step, number),
                CYC_DATE=draw(st.sampled_from(DATES)),
                STP_EVENT_DATE=event_date,
                DISP_DATE=event_date,
                OFFENSE_DESCR=draw(st.sampled_from(OFFENSES)),
                COMMENT_TEXT=draw(st.sampled_from(COMMENTS)),
                CONV_STAT_DESCR=draw(st.sampled_from(LEVELS)),
                DISP_DESCR=draw(st.sampled_from(DISPOSITIONS)),
                STP_ORI_CNTY_NAME=draw(st.sampled_from(COUNTIES)),
            )
        )
    return lines


@st.composite
def deliveries(draw: st.DrawFn) -> list[Subject]:
    subjects = []
    for index in range(draw(st.integers(1, 4))):
        subject_id = f"{2000001 + index}"
        birth_date = draw(st.sampled_from(BIRTH_DATES))
        subjects.append(Subject(subject_id, tuple(draw(counts(subject_id, birth_date)))))
    return subjects


def all_lines(subjects: list[Subject]) -> list[str]:
    return [line for subject in subjects for line in subject.lines]


def decide(
    work: Path, files: list[list[str]]
) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    work.mkdir()
    paths = [write_doj_file(work / f"part{index}.dat", lines) for index, lines in enumerate(files)]
    return run_files(work / "out", paths, policy=POLICY).decisions()


PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(subjects=deliveries(), data=st.data())
def test_reordering_lines_changes_no_decision(subjects: list[Subject], data: st.DataObject) -> None:
    lines = all_lines(subjects)
    shuffled = data.draw(st.permutations(lines))

    with tempfile.TemporaryDirectory() as folder:
        original = decide(Path(folder) / "original", [lines])
        reordered = decide(Path(folder) / "reordered", [list(shuffled)])

    assert reordered == original


@PROPERTY_SETTINGS
@given(subjects=deliveries(), data=st.data())
def test_splitting_subject_across_files_changes_no_decision(
    subjects: list[Subject], data: st.DataObject
) -> None:
    lines = all_lines(subjects)
    in_first_file = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    first = [line for line, first in zip(lines, in_first_file, strict=True) if first]
    second = [line for line, first in zip(lines, in_first_file, strict=True) if not first]

    with tempfile.TemporaryDirectory() as folder:
        original = decide(Path(folder) / "original", [lines])
        split = decide(Path(folder) / "split", [part for part in (first, second) if part])

    assert split == original


@PROPERTY_SETTINGS
@given(subjects=deliveries())
def test_repeating_whole_file_changes_no_decision(subjects: list[Subject]) -> None:
    lines = all_lines(subjects)

    with tempfile.TemporaryDirectory() as folder:
        original = decide(Path(folder) / "original", [lines])
        repeated = decide(Path(folder) / "repeated", [lines, lines])

    assert repeated == original
