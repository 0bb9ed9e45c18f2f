"""Tests of the bundled synthetic sample and the scenario builders that produce it."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.generate import build_sample
from autoclear.generate.scenarios import SCENARIOS, build_scenarios
from autoclear.rules.policy import load_policy
from autoclear.sample import sample_bad_lines, sample_files, sample_policy


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return [next(csv.reader([line])) for line in handle.read().splitlines()]


def _frame(path: Path, header: bool) -> pl.DataFrame:
    return pl.read_csv(path, has_header=header, new_columns=list(DOJ_COLUMNS), infer_schema=False)


def test_sample_files_exist() -> None:
    names = [path.name for path in sample_files()]
    assert names == ["doj_part1.dat", "doj_part2.dat"]
    assert sample_policy().name == "policy.toml"
    assert sample_bad_lines().is_file()


def test_sample_lines_have_95_fields() -> None:
    for path in sample_files():
        counts = {len(row) for row in _rows(path)}
        assert counts == {95}, path.name


def test_sample_variants() -> None:
    part1, part2 = sample_files()
    assert part1.read_bytes().startswith(b"RECORD_ID,")
    assert b"\r\n" not in part1.read_bytes()
    lines = part2.read_bytes().split(b"\n")[:-1]
    assert all(line.endswith(b"\r") for line in lines)


def test_sample_size_and_subjects_span_files() -> None:
    part1, part2 = sample_files()
    first, second = _frame(part1, True), _frame(part2, False)
    assert 2_000 <= first.height + second.height <= 5_000
    shared = set(first["SUBJECT_ID"].to_list()) & set(second["SUBJECT_ID"].to_list())
    assert len(shared) >= 5


def test_every_scenario_subject_in_sample() -> None:
    part1, part2 = sample_files()
    subjects = set(_frame(part1, True)["SUBJECT_ID"].to_list()) | set(
        _frame(part2, False)["SUBJECT_ID"].to_list()
    )
    scenarios = build_scenarios()
    assert len(scenarios) == len(SCENARIOS)
    for scenario in scenarios:
        assert scenario.person.subject_id in subjects, scenario.name


def test_sample_has_repeated_lines() -> None:
    part1, part2 = sample_files()
    first, second = _frame(part1, True), _frame(part2, False)
    assert first.is_duplicated().any()
    assert first.join(second, on=list(DOJ_COLUMNS), how="semi", nulls_equal=True).height > 0


def test_bad_lines_file_has_each_kind() -> None:
    counts = [len(row) for row in _rows(sample_bad_lines())]
    assert counts.count(95) == 8
    assert 94 in counts
    assert 97 in counts
    assert sum(1 for c in counts if c < 60) >= 1


def test_sample_policy_loads() -> None:
    policy = load_policy(sample_policy())
    assert policy.sections.treatment("11359") == "reduce"
    assert policy.sections.treatment("11360") == "reduce"
    assert policy.sections.treatment("11357") == "dismiss"
    assert policy.additional_relief.enabled()
    assert "fictional" in policy.office.district_attorney


def test_sample_is_up_to_date(tmp_path: Path) -> None:
    written = build_sample.build(tmp_path)
    bundled = Path(sample_files()[0]).parent
    for path in written:
        assert path.read_bytes() == (bundled / path.name).read_bytes(), (
            f"{path.name} differs: run python -m autoclear.generate.build_sample"
        )


def test_readme_lists_every_scenario() -> None:
    readme = (Path(sample_files()[0]).parent / "README.md").read_text()
    for scenario in build_scenarios():
        assert f"`{scenario.name}` | {scenario.person.subject_id} |" in readme


@pytest.mark.parametrize(
    "name",
    [
        "super_strike_prior_before_felony_11359", "prior_in_same_court_event_is_not_a_prior",
        "two_prior_11359_convictions", "registration_event_290_before", "turned_57_on_as_of_date",
        "under_21_at_conviction", "charge_only_in_comment", "conflicting_comment_charge",
        "bare_11357_felony_no_dates", "offense_after_prop64",
        "offense_before_disposition_after_prop64", "never_eligible_11359_c3",
        "partial_disposition_date", "unknown_dob", "deceased_subject", "still_serving_sentence",
        "possible_plea_bargain_32_pc", "attempt_664_11359", "hs_11357_5_is_not_prop64",
        "pc_11358_is_not_prop64", "conviction_in_other_county_counts_as_prior",
        "repeated_line_within_file", "repeated_line_across_files", "subject_split_across_files",
    ],
)  # fmt: skip
def test_required_scenario_exists(name: str) -> None:
    assert name in {builder.__name__ for builder in SCENARIOS}


def test_scenario_cnt_order_layout() -> None:
    scenario = next(
        s for s in build_scenarios() if s.name == "prior_in_same_cycle_other_court_event"
    )
    orders = [str(row["CNT_ORDER"]) for row in scenario.person.rows]
    assert orders == ["001001001000", "001002001000", "001003001000", "001004001000"]


def test_multi_part_sentence_shares_cnt_order() -> None:
    scenario = next(s for s in build_scenarios() if s.name == "multi_part_sentence_completed")
    court = [row for row in scenario.person.rows if row["STP_TYPE_DESCR"] == "COURT ACTION"]
    assert {row["CNT_ORDER"] for row in court} == {"001002001000"}
    assert [row["SENT_ORDER"] for row in court] == ["1", "2", "3"]
