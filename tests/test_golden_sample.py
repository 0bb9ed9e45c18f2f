"""End-to-end golden tests: the bundled sample, run the way a user runs it.

`tests/golden/sample_decisions.csv` holds every counted cannabis conviction of the sample with its
determination, reason, rule and remedy under the sample policy. After a deliberate change to the
rules, rebuild it with `UPDATE_GOLDEN=1 pytest tests/test_golden_sample.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from autoclear.generate.scenarios import NONE, build_scenarios
from autoclear.pipeline import RunRequest, run_job
from autoclear.rules.policy import DEFAULT_POLICY, policy_from_dict
from autoclear.rules.prop64 import DECISION_ORDER
from autoclear.sample import sample_bad_lines, sample_files

GOLDEN = Path(__file__).parent / "golden" / "sample_decisions.csv"
GOLDEN_COLUMNS = [
    "SUBJECT_ID",
    "CNT_ORDER",
    "Source File",
    "Source Line",
    "Code Section",
    "Date of Conviction",
    "Eligibility Determination",
    "Eligibility Reason",
    "Decision Rule",
    "Remedy",
    "Flags",
]
NOT_COUNTED = ("additional sentence part", "repeated line")


def counted(results: pl.DataFrame) -> pl.DataFrame:
    flags = pl.col("Flags").fill_null("")
    keep = ~pl.any_horizontal([flags.str.contains(flag, literal=True) for flag in NOT_COUNTED])
    return results.filter(keep)


def decide_sample(out: Path, inputs: list[Path] | None = None, **options: Any) -> Path:
    """Run the sample (or other inputs) for San Francisco as of 2020-07-01, without publications."""
    run_job(
        RunRequest(
            inputs=inputs or sample_files(),
            county="SAN FRANCISCO",
            as_of=date(2020, 7, 1),
            out_dir=out,
            publications=False,
            **options,
        )
    )
    return out


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "sample-run"
    completed = subprocess.run(
        [sys.executable, "-m", "autoclear.cli", "run", "--sample", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return out


@pytest.fixture(scope="module")
def default_policy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "default-run"
    return decide_sample(out, policy=DEFAULT_POLICY)


def read_results(run: Path) -> pl.DataFrame:
    return pl.read_csv(run / "Prop64_Results.csv", infer_schema=False)


def test_sample_run_writes_every_output(sample_run: Path) -> None:
    expected = {
        "All_Results.csv",
        "All_Results_Condensed.csv",
        "Prop64_Results.csv",
        "summary.json",
        "manifest.json",
        "quality.csv",
        "report.html",
        "report.pdf",
        "results.xlsx",
    }
    present = {path.name for path in sample_run.iterdir()}

    assert expected <= present
    assert "RUN_IN_PROGRESS" not in present
    assert any((sample_run / "filings").iterdir())


def test_sample_run_records_as_of_and_county(sample_run: Path) -> None:
    manifest = json.loads((sample_run / "manifest.json").read_text())
    summary = json.loads((sample_run / "summary.json").read_text())

    assert manifest["as_of"] == "2020-07-01"
    assert summary["as_of"] == "2020-07-01"
    assert manifest["county"] == "SAN FRANCISCO"
    assert [item["name"] for item in manifest["inputs"]] == [p.name for p in sample_files()]


@pytest.mark.parametrize("policy", ["sample", "default"])
def test_scenarios_get_the_determinations_the_law_implies(
    policy: str, sample_run: Path, default_policy_run: Path
) -> None:
    run = sample_run if policy == "sample" else default_policy_run
    results = counted(read_results(run)).with_columns(pl.col("SUBJECT_ID").str.strip_chars())
    mismatches = []
    for scenario in build_scenarios():
        expected = Counter(
            getattr(item, f"{policy}_policy")
            for item in scenario.expected
            if getattr(item, f"{policy}_policy") != NONE
        )
        got = Counter(
            results.filter(pl.col("SUBJECT_ID") == scenario.person.subject_id)
            .get_column("Eligibility Determination")
            .to_list()
        )
        if got != expected:
            mismatches.append(f"{scenario.name}: expected {dict(expected)}, got {dict(got)}")

    assert mismatches == []


def test_sample_decisions_match_golden_file(sample_run: Path) -> None:
    decisions = counted(read_results(sample_run)).select(GOLDEN_COLUMNS)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        decisions.write_csv(GOLDEN)
    golden = pl.read_csv(GOLDEN, infer_schema=False)

    assert decisions.height == golden.height
    assert decisions.to_dicts() == golden.to_dicts()


def test_sample_summary_matches_golden_counts(sample_run: Path) -> None:
    summary = json.loads((sample_run / "summary.json").read_text())
    golden = pl.read_csv(GOLDEN, infer_schema=False)
    by_determination = dict(golden.group_by("Eligibility Determination").len().iter_rows())

    assert summary["scenarios"]["policy"]["determinations"] == {
        name: by_determination.get(name, 0)
        for name in summary["scenarios"]["policy"]["determinations"]
    }
    assert summary["scenarios"]["policy"]["convictions"]["total"] == golden.height


# Policies that turn on the additional-relief conditions the sample policy leaves off.
OTHER_RELIEF = (
    {"min_years_crime_free": 15, "only_cannabis_convictions": True},
    {"min_years_since_conviction": 15},
)


def rules_fired(run: Path) -> set[str]:
    return set(counted(read_results(run)).get_column("Decision Rule").drop_nulls().to_list())


def test_every_rule_fires_on_the_sample(
    tmp_path: Path, sample_run: Path, default_policy_run: Path
) -> None:
    fired = rules_fired(sample_run) | rules_fired(default_policy_run)
    for number, relief in enumerate(OTHER_RELIEF):
        policy = policy_from_dict(
            {"sections": {"11359": "reduce", "11360": "reduce"}, "additional_relief": relief}
        )
        out = tmp_path / f"relief-{number}"
        fired |= rules_fired(decide_sample(out, policy=policy))
    bad_lines_run = tmp_path / "bad-lines"
    decide_sample(bad_lines_run, inputs=[sample_bad_lines()], skip_bad_lines=True)
    fired |= rules_fired(bad_lines_run)

    never_fired = {rule.name for rule in DECISION_ORDER} - fired - {"no_rule_applies"}
    assert never_fired == set()
