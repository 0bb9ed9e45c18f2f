"""The `autoclear run` command as a user meets it: exit codes, messages, and what is left on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from autoclear import pipeline
from autoclear.cli import app
from autoclear.sample import sample_bad_lines, sample_files
from doj_lines import make_line, write_doj_file

runner = CliRunner()


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["run", *args])
    return result.exit_code, result.output


def assert_no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert 'File "' not in output


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    return write_doj_file(tmp_path / "delivery.dat", [make_line()])


def test_sample_run_prints_summary(tmp_path: Path) -> None:
    out = tmp_path / "run"

    code, output = run_cli("--sample", "--out", str(out), "--no-publications")

    assert code == 0, output
    assert "Cannabis convictions in the county" in output
    assert str(out) in output.replace("\n", "")
    assert (out / "manifest.json").is_file()


def test_unknown_county_exits_2_listing_counties(tmp_path: Path, delivery: Path) -> None:
    code, output = run_cli(str(delivery), "--county", "Gotham", "--out", str(tmp_path / "o"))

    assert code == 2
    assert "Unknown county 'Gotham'" in output
    assert "San Francisco" in output
    assert not (tmp_path / "o").exists()
    assert_no_traceback(output)


def test_bad_as_of_exits_2(tmp_path: Path, delivery: Path) -> None:
    code, output = run_cli(
        str(delivery),
        "--county",
        "SAN FRANCISCO",
        "--as-of",
        "07/01/2020",
        "--out",
        str(tmp_path / "o"),
    )

    assert code == 2
    assert "YYYY-MM-DD" in output
    assert_no_traceback(output)


def test_missing_as_of_uses_today_and_says_so(tmp_path: Path, delivery: Path) -> None:
    out = tmp_path / "o"

    code, output = run_cli(
        str(delivery), "--county", "san francisco", "--out", str(out), "--no-publications"
    )

    assert code == 0, output
    assert "No --as-of given" in output
    assert json.loads((out / "manifest.json").read_text())["as_of_was_default"] is True


def test_policy_with_unknown_key_exits_2(tmp_path: Path, delivery: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[additional_relief]\nmin_agee = 57\n")

    code, output = run_cli(
        str(delivery),
        "--county",
        "SAN FRANCISCO",
        "--policy",
        str(policy),
        "--out",
        str(tmp_path / "o"),
    )

    assert code == 2
    assert "unknown key 'additional_relief.min_agee'" in output
    assert "min_age" in output
    assert not (tmp_path / "o").exists()


def test_policy_value_out_of_range_exits_2(tmp_path: Path, delivery: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[additional_relief]\nmin_age = 30\n")

    code, output = run_cli(
        str(delivery),
        "--county",
        "SAN FRANCISCO",
        "--policy",
        str(policy),
        "--out",
        str(tmp_path / "o"),
    )

    assert code == 2
    assert "between 40 and 65" in output


def test_legacy_json_policy_is_accepted(tmp_path: Path, delivery: Path) -> None:
    policy = tmp_path / "options.json"
    policy.write_text(
        json.dumps(
            {
                "baselineEligibility": {
                    "dismiss": ["11357", "11358"],
                    "reduce": ["11359", "11360"],
                },
                "additionalRelief": {"subjectAgeThreshold": 57, "subjectIsDeceased": True},
            }
        )
    )
    out = tmp_path / "o"

    code, output = run_cli(
        str(delivery), "--county", "SAN FRANCISCO", "--as-of", "2020-07-01",
        "--policy", str(policy), "--out", str(out), "--no-publications",
    )  # fmt: skip

    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["policy"]["sections"]["11359"] == "reduce"
    assert manifest["policy"]["additional_relief"]["min_age"] == 57


def test_non_empty_out_folder_exits_2_untouched(tmp_path: Path, delivery: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "earlier.csv").write_text("keep me\n")

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--out", str(out))

    assert code == 2
    assert "not empty" in output
    assert [p.name for p in out.iterdir()] == ["earlier.csv"]


def test_empty_input_file_exits_2_writing_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")

    code, output = run_cli(str(empty), "--county", "SAN FRANCISCO", "--out", str(tmp_path / "o"))

    assert code == 2
    assert "empty.dat" in output
    assert not (tmp_path / "o").exists()
    assert_no_traceback(output)


def test_malformed_lines_exit_3_with_quality_csv_only(tmp_path: Path) -> None:
    out = tmp_path / "o"

    code, output = run_cli(str(sample_bad_lines()), "--county", "SAN FRANCISCO", "--out", str(out))

    assert code == 3
    assert "--skip-bad-lines" in output
    assert "quality.csv" in output.replace("\n", "")
    assert "another --out folder" in output
    assert sorted(p.name for p in out.iterdir()) == ["quality.csv"]
    problems = pl.read_csv(out / "quality.csv")
    assert problems.height >= 4
    assert problems.get_column("line").min() > 0
    assert_no_traceback(output)


def test_skip_bad_lines_completes_and_counts_rejected(tmp_path: Path) -> None:
    out = tmp_path / "o"

    code, output = run_cli(
        str(sample_bad_lines()), "--county", "SAN FRANCISCO", "--as-of", "2020-07-01",
        "--out", str(out), "--skip-bad-lines", "--no-publications",
    )  # fmt: skip

    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["lines_rejected"] == 4


def test_disk_error_during_run_is_a_message_not_a_traceback(
    tmp_path: Path, delivery: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device", "All_Results.csv.tmp")

    monkeypatch.setattr(pipeline, "write_result_files", full_disk)
    out = tmp_path / "o"

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--out", str(out))

    assert code == 1
    assert "No space left on device" in output
    assert "Check free disk space" in output
    assert not out.exists()
    assert_no_traceback(output)


def test_sample_with_input_files_is_rejected(delivery: Path) -> None:
    code, output = run_cli("--sample", str(delivery))

    assert code == 2
    assert "either --sample or input files" in output


def test_sample_files_are_bundled() -> None:
    assert all(path.is_file() for path in sample_files())


def test_folder_as_input_is_explained(tmp_path: Path) -> None:
    code, output = run_cli(str(tmp_path), "--county", "SAN FRANCISCO")

    assert code == 2
    assert "is a folder" in output


def test_unknown_county_suggests_close_match(delivery: Path) -> None:
    code, output = run_cli(str(delivery), "--county", "San Fransisco")

    assert code == 2
    assert "Did you mean 'San Francisco'?" in output


def test_policy_notice_not_printed_before_other_errors(delivery: Path) -> None:
    code, output = run_cli(str(delivery), "--county", "Gotham")

    assert code == 2
    assert "No --policy given" not in output


def test_error_text_keeps_square_brackets(tmp_path: Path, delivery: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[offices]\ndeputy = 'X'\n")

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--policy", str(policy))

    assert code == 2
    assert "unknown key 'offices'" in output
    assert "office" in output.split("Allowed keys here:")[1]


def test_as_of_before_prop64_is_rejected(tmp_path: Path, delivery: Path) -> None:
    code, output = run_cli(
        str(delivery),
        "--county",
        "SAN FRANCISCO",
        "--as-of",
        "2016-11-08",
        "--out",
        str(tmp_path / "o"),
    )

    assert code == 2
    assert "before Proposition 64 took effect on 2016-11-09" in output
    assert not (tmp_path / "o").exists()


def test_as_of_on_prop64_date_is_accepted(tmp_path: Path, delivery: Path) -> None:
    code, output = run_cli(
        str(delivery), "--county", "SAN FRANCISCO", "--as-of", "2016-11-09",
        "--out", str(tmp_path / "o"), "--no-publications",
    )  # fmt: skip

    assert code == 0, output


def test_county_without_convictions_warns(tmp_path: Path, delivery: Path) -> None:
    code, output = run_cli(
        str(delivery), "--county", "Alameda", "--as-of", "2020-07-01",
        "--out", str(tmp_path / "o"), "--no-publications",
    )  # fmt: skip

    assert code == 0, output
    assert "No cannabis convictions from Alameda courts were found" in output
    assert "San Francisco (1)" in output


def test_conviction_after_as_of_warns_and_is_listed(tmp_path: Path) -> None:
    late = write_doj_file(
        tmp_path / "late.dat", [make_line(CYC_DATE="20200101", STP_EVENT_DATE="20200801")]
    )
    out = tmp_path / "o"

    code, output = run_cli(
        str(late), "--county", "SAN FRANCISCO", "--as-of", "2020-07-01",
        "--out", str(out), "--no-publications",
    )  # fmt: skip

    assert code == 0, output
    assert "1 cannabis convictions are dated after the as-of date 2020-07-01" in output
    problems = pl.read_csv(out / "quality.csv")
    assert problems.filter(pl.col("problem").str.contains("after the as-of date")).height == 1
    results = pl.read_csv(out / "Prop64_Results.csv", infer_schema=False)
    assert results.get_column("Years Since This Conviction").to_list() == [None]


@pytest.mark.parametrize("value", ["300", "4XB", "lots", "0MB", "-1GB"])
def test_memory_limit_needs_size_with_unit(tmp_path: Path, delivery: Path, value: str) -> None:
    out = tmp_path / "o"

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--memory-limit", value,
                           "--out", str(out), "--no-publications")  # fmt: skip

    assert code == 2
    assert "Invalid --memory-limit" in output
    assert not out.exists()


@pytest.mark.parametrize("value", ["300MB", "800MB"])
def test_memory_limit_below_need_warns(tmp_path: Path, delivery: Path, value: str) -> None:
    out = tmp_path / "o"

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--memory-limit", value,
                           "--out", str(out), "--no-publications")  # fmt: skip

    assert code == 0, output
    warning = " ".join(output.split())
    assert f"--memory-limit {value[:-2]} MiB is below the smallest limit" in warning
    assert "about 933 MiB" in warning


def test_memory_limit_with_room_does_not_warn(tmp_path: Path, delivery: Path) -> None:
    out = tmp_path / "o"

    code, output = run_cli(str(delivery), "--county", "SAN FRANCISCO", "--memory-limit", "4gb",
                           "--out", str(out), "--no-publications")  # fmt: skip

    assert code == 0, output
    assert "is below" not in output


def test_run_help_names_flags_once() -> None:
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})

    assert "--no-publications" in result.output
    assert "--no-no-" not in result.output
    assert "half of the memory available" in result.output


def test_cli_starts_without_publication_modules() -> None:
    # Loading the report, workbook, filings and web modules took about 1 s of the command's
    # start, before the first progress bar of a run.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, autoclear.cli; "
            "print(sorted(m for m in ('matplotlib', 'reportlab', 'docx', 'openpyxl', 'fastapi', "
            "'uvicorn') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    assert loaded.stdout.strip() == "[]"
