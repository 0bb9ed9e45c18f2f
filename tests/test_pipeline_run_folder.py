"""Whole runs of `run_job`: the output folder, errors, manifest, summary, All_Results and cancel."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from autoclear.doj.columns import CONDENSED_RESULT_COLUMNS, DOJ_COLUMNS, RESULT_COLUMNS
from autoclear.errors import RunCancelled, UsageError
from autoclear.pipeline import RunRequest, run_job
from autoclear.rules.policy import Policy, SectionTreatment
from doj_lines import write_doj_file
from rules_helpers import AS_OF, cannabis_line, count_order, prior_line, run_files


def sample_lines() -> list[str]:
    """Three subjects: dismissals, a reduction, a not-eligible felony, a hand review, other charges."""
    return [
        cannabis_line(),
        cannabis_line(CNT_ORDER=count_order(count=2), OFFENSE_DESCR="459 PC-BURGLARY"),
        cannabis_line(SENT_ORDER="002", SENT_LENGTH="2", SENT_TIME_CODE="Y"),
        cannabis_line(
            SUBJECT_ID="1000002",
            OFFENSE_DESCR="11360(A) HS-SELL MARIJUANA",
            COMMENT_TEXT="NOTE, WITH COMMA",
        ),
        prior_line("187(A) PC-MURDER", cycle=2, SUBJECT_ID="1000002"),
        cannabis_line(SUBJECT_ID="1000003", CONV_STAT_DESCR="MISDEMEANOR", OFFENSE_DESCR="11357 HS"),
        cannabis_line(SUBJECT_ID="1000003", CNT_ORDER=count_order(2, 2, 1), CYC_DATE="20170101",
                      STP_EVENT_DATE="20170301", CYC_ORDER="002"),
        cannabis_line(SUBJECT_ID="1000003", CNT_ORDER=count_order(3, 2, 1), CYC_ORDER="003",
                      STP_EVENT_DATE=""),
        cannabis_line(SUBJECT_ID="1000003", CNT_ORDER=count_order(4, 2, 1), CYC_ORDER="004",
                      STP_ORI_CNTY_NAME="ALAMEDA"),
        cannabis_line(),
    ]  # fmt: skip


POLICY = Policy(sections=SectionTreatment.model_validate({"11360": "reduce"}))


def request_for(inputs: list[Path], out_dir: Path, **options: object) -> RunRequest:
    values: dict[str, object] = {
        "inputs": inputs,
        "county": "San Francisco",
        "as_of": AS_OF,
        "out_dir": out_dir,
        "publications": False,
        "command_line": ["autoclear", "run"],
    }
    values.update(options)
    return RunRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    return write_doj_file(tmp_path / "delivery.dat", sample_lines())


# The output folder.


def test_non_empty_out_folder_is_rejected_and_left_alone(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    earlier = out_dir / "notes.txt"
    earlier.write_text("earlier run")

    with pytest.raises(UsageError) as raised:
        run_job(request_for([delivery], out_dir))

    assert raised.value.exit_code == 2
    assert "not empty" in str(raised.value)
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.txt"]
    assert earlier.read_text() == "earlier run"


def test_empty_out_folder_is_used(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    run_job(request_for([delivery], out_dir))

    assert (out_dir / "manifest.json").is_file()
    assert not (out_dir / "RUN_IN_PROGRESS").exists()


def test_new_out_folder_is_created(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "nested" / "out"

    result = run_job(request_for([delivery], out_dir))

    assert result.out_dir == out_dir
    assert sorted(result.files) == [
        "All_Results.csv",
        "All_Results_Condensed.csv",
        "Prop64_Results.csv",
        "manifest.json",
        "quality.csv",
        "summary.json",
    ]


def test_out_path_that_is_a_file_is_rejected(tmp_path: Path, delivery: Path) -> None:
    out_file = tmp_path / "out"
    out_file.write_text("not a folder")

    with pytest.raises(UsageError) as raised:
        run_job(request_for([delivery], out_file))

    assert raised.value.exit_code == 2
    assert out_file.read_text() == "not a folder"


def test_unknown_county_lists_counties(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "out"

    with pytest.raises(UsageError) as raised:
        run_job(request_for([delivery], out_dir, county="Gotham"))

    message = str(raised.value)
    assert raised.value.exit_code == 2
    assert "'Gotham'" in message
    assert "San Francisco" in message
    assert "Alpine" in message
    assert "Yuba" in message
    assert not out_dir.exists()


def test_missing_input_is_usage_error(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"

    with pytest.raises(UsageError):
        run_job(request_for([tmp_path / "missing.dat"], out_dir))

    assert not out_dir.exists()


# manifest.json


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_checksums_every_output(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "out"

    run_job(request_for([delivery], out_dir, policy=POLICY))
    manifest = json.loads((out_dir / "manifest.json").read_text())

    outputs = {p.name for p in out_dir.iterdir() if p.name != "manifest.json"}
    assert set(manifest["outputs"]) == outputs
    for name, digest in manifest["outputs"].items():
        assert digest == sha256(out_dir / name), name


def test_manifest_records_inputs_and_request(tmp_path: Path, delivery: Path) -> None:
    second = write_doj_file(tmp_path / "second.dat", [cannabis_line(SUBJECT_ID="1000009")])
    out_dir = tmp_path / "out"

    run_job(request_for([delivery, second], out_dir, policy=POLICY))
    manifest = json.loads((out_dir / "manifest.json").read_text())

    assert [item["name"] for item in manifest["inputs"]] == ["delivery.dat", "second.dat"]
    assert [item["sha256"] for item in manifest["inputs"]] == [sha256(delivery), sha256(second)]
    assert [item["size"] for item in manifest["inputs"]] == [
        delivery.stat().st_size,
        second.stat().st_size,
    ]
    assert manifest["county"] == "SAN FRANCISCO"
    assert manifest["as_of"] == "2020-07-01"
    assert manifest["as_of_was_default"] is False
    assert manifest["policy"]["sections"]["11360"] == "reduce"
    assert manifest["command_line"] == ["autoclear", "run"]


def test_default_as_of_is_today_and_reported(tmp_path: Path, delivery: Path) -> None:
    result = run_job(request_for([delivery], tmp_path / "out", as_of=None))

    assert result.as_of == date.today()
    assert result.as_of_was_default is True


# summary.json against Prop64_Results.csv


def counted_convictions(prop64: pl.DataFrame) -> pl.DataFrame:
    flags = pl.col("Flags").fill_null("")
    return prop64.filter(
        ~flags.str.contains("additional sentence part", literal=True)
        & ~flags.str.contains("repeated line", literal=True)
    )


def test_summary_matches_prop64_results(tmp_path: Path, delivery: Path) -> None:
    output = run_files(tmp_path / "out", [delivery], policy=POLICY)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    figures = summary["scenarios"]["policy"]
    convictions = counted_convictions(output.prop64)

    determinations = Counter(convictions.get_column("Eligibility Determination").to_list())
    reasons = Counter(convictions.get_column("Eligibility Reason").to_list())
    levels = convictions.get_column("Level").to_list()
    assert figures["convictions"]["total"] == convictions.height
    assert figures["convictions"]["felony"] == levels.count("Felony")
    assert figures["convictions"]["non_felony"] == convictions.height - levels.count("Felony")
    assert figures["determinations"] == {
        name: determinations.get(name, 0) for name in figures["determinations"]
    }
    assert figures["reasons"] == dict(reasons)
    assert (
        figures["people"]["with_cannabis_conviction"]
        == convictions.get_column("SUBJECT_ID").n_unique()
    )


def test_summary_by_section_matches_prop64_results(tmp_path: Path, delivery: Path) -> None:
    output = run_files(tmp_path / "out", [delivery], policy=POLICY)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    sections = counted_convictions(output.prop64).get_column("Code Section").str.extract(r"^(\d+)")

    by_section = summary["scenarios"]["policy"]["convictions"]["by_section"]

    for section, figures in by_section.items():
        assert figures["total"] == sections.to_list().count(section), section


def test_summary_input_figures(tmp_path: Path, delivery: Path) -> None:
    run_files(tmp_path / "out", [delivery])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())

    assert summary["input"] == {
        "files": 1,
        "lines": len(sample_lines()),
        "lines_rejected": 0,
        "lines_repeated": 1,
        "subjects": 3,
        "cannabis_convictions_by_county": {"SAN FRANCISCO": 5, "ALAMEDA": 1},
        "convictions_after_as_of": 0,
    }
    assert summary["county"] == "SAN FRANCISCO"
    assert summary["as_of"] == "2020-07-01"


def test_expected_decisions_of_sample(tmp_path: Path, delivery: Path) -> None:
    output = run_files(tmp_path / "out", [delivery], policy=POLICY)

    decisions = {key: value[0] for key, value in output.decisions().items()}

    assert decisions == {
        ("1000001", count_order()): "Eligible for Dismissal",
        ("1000002", count_order()): "Not eligible",
        ("1000003", count_order()): "Eligible for Dismissal",
        ("1000003", count_order(2, 2, 1)): "Not eligible",
        ("1000003", count_order(3, 2, 1)): "Hand Review",
    }


# All_Results.csv keeps every input line.


def test_all_results_has_every_line_in_input_order(tmp_path: Path, delivery: Path) -> None:
    second = write_doj_file(tmp_path / "second.dat", [cannabis_line(SUBJECT_ID="1000009")])
    output = run_files(tmp_path / "out", [delivery, second])
    inputs = pl.concat(
        [
            pl.read_csv(path, has_header=False, new_columns=list(DOJ_COLUMNS), infer_schema=False)
            for path in (delivery, second)
        ]
    )

    assert output.all_results.columns == list(RESULT_COLUMNS)
    assert output.all_results.height == inputs.height
    assert output.all_results.select(DOJ_COLUMNS).equals(inputs, null_equal=True)
    assert output.all_results.get_column("Source Line").to_list() == [
        *(str(n) for n in range(1, len(sample_lines()) + 1)),
        "1",
    ]
    assert output.all_results.get_column("Source File").to_list()[-1] == "second.dat"


def test_all_results_keeps_padding_and_quoted_commas(tmp_path: Path) -> None:
    padded = cannabis_line(OFFENSE_DESCR="  11359 HS-POSS  ", COMMENT_TEXT='SAID "HI", LEFT')
    source = write_doj_file(tmp_path / "delivery.dat", [padded])

    output = run_files(tmp_path / "out", [source])
    row = output.all_results.row(0, named=True)

    assert row["OFFENSE_DESCR"] == "  11359 HS-POSS  "
    assert row["COMMENT_TEXT"] == 'SAID "HI", LEFT'
    assert row["Eligibility Determination"] == "Eligible for Dismissal"


def test_result_lines_are_input_lines_plus_results(tmp_path: Path) -> None:
    written = cannabis_line(OFFENSE_DESCR="11359 HS-POSS").replace(
        ",11359 HS-POSS,", ',"11359 HS-POSS",'
    )
    source = write_doj_file(tmp_path / 'odd "name", one.dat', [written], header=True, crlf=True)

    output = run_files(tmp_path / "out", [source])
    all_lines = (tmp_path / "out" / "All_Results.csv").read_text().splitlines()
    prop64_lines = (tmp_path / "out" / "Prop64_Results.csv").read_text().splitlines()
    row = output.all_results.row(0, named=True)

    # The DOJ fields are copied as written, unneeded quotes included.
    assert all_lines[1].startswith(written + ",")
    assert prop64_lines[1] == all_lines[1]
    assert row["Source File"] == 'odd "name", one.dat'
    assert row["Source Line"] == "2"
    assert row["OFFENSE_DESCR"] == "11359 HS-POSS"
    assert row["Eligibility Determination"] == "Eligible for Dismissal"


def test_condensed_results_quote_fields(tmp_path: Path) -> None:
    source = write_doj_file(
        tmp_path / "delivery.dat", [cannabis_line(COMMENT_TEXT='SAID "HI", LEFT')]
    )

    run_files(tmp_path / "out", [source])
    condensed = pl.read_csv(tmp_path / "out" / "All_Results_Condensed.csv", infer_schema=False)

    assert condensed.columns == list(CONDENSED_RESULT_COLUMNS)
    assert condensed.row(0, named=True)["COMMENT_TEXT"] == 'SAID "HI", LEFT'
    assert condensed.row(0, named=True)["PRI_NAME"] == "DOE,JOHN Q"


def test_prop64_results_only_in_scope_lines(tmp_path: Path, delivery: Path) -> None:
    output = run_files(tmp_path / "out", [delivery])

    offenses = output.prop64.get_column("OFFENSE_DESCR").to_list()
    counties = set(output.prop64.get_column("STP_ORI_CNTY_NAME").to_list())

    assert "459 PC-BURGLARY" not in offenses
    assert counties == {"SAN FRANCISCO"}
    assert output.prop64.height == 7


# Cancelling a run.


@pytest.mark.parametrize("stage", ["read", "normalize", "decide", "write"])
def test_cancelled_run_leaves_no_folder(tmp_path: Path, delivery: Path, stage: str) -> None:
    out_dir = tmp_path / "out"
    cancel = threading.Event()

    def progress(current: str, _done: int, _total: int | None) -> None:
        if current == stage:
            cancel.set()

    with pytest.raises(RunCancelled):
        run_job(request_for([delivery], out_dir), progress=progress, cancel=cancel)

    assert not out_dir.exists()


def test_cancelled_run_in_given_empty_folder_leaves_it_empty(
    tmp_path: Path, delivery: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cancel = threading.Event()

    def progress(current: str, _done: int, _total: int | None) -> None:
        if current == "write":
            cancel.set()

    with pytest.raises(RunCancelled):
        run_job(request_for([delivery], out_dir), progress=progress, cancel=cancel)

    assert list(out_dir.iterdir()) == []


def test_progress_reports_stages_in_order(tmp_path: Path, delivery: Path) -> None:
    stages: list[str] = []

    def progress(current: str, _done: int, _total: int | None) -> None:
        if not stages or stages[-1] != current:
            stages.append(current)

    run_job(request_for([delivery], tmp_path / "out"), progress=progress)

    assert stages == ["read", "normalize", "decide", "write"]


def test_progress_of_normalize_and_write(tmp_path: Path, delivery: Path) -> None:
    events: list[tuple[str, int, int | None]] = []

    run_job(
        request_for([delivery], tmp_path / "out"),
        progress=lambda stage, done, total: events.append((stage, done, total)),
    )

    normalize = [event for event in events if event[0] == "normalize"]
    write = [event for event in events if event[0] == "write"]
    size = delivery.stat().st_size
    # The normalize pass has no progress of its own, so its total is unknown until it ends.
    assert normalize == [("normalize", 0, None), ("normalize", 1, 1)]
    assert write[0] == ("write", 0, size)
    assert write[-1] == ("write", size, size)


def test_cancel_while_publishing_stops_before_last_document(tmp_path: Path, delivery: Path) -> None:
    out_dir = tmp_path / "out"
    cancel = threading.Event()
    publish_calls: list[int] = []

    def progress(stage: str, done: int, _total: int | None) -> None:
        if stage == "publish":
            publish_calls.append(done)
            if done >= 1:
                cancel.set()

    request = request_for([delivery], out_dir, publications=True)
    with pytest.raises(RunCancelled):
        run_job(request, progress=progress, cancel=cancel)

    assert not out_dir.exists()
    # The report is document 1; the workbook and the filings were never started.
    assert max(publish_calls) == 1


def test_latin1_note_is_not_a_rejected_line(tmp_path: Path) -> None:
    latin1 = write_doj_file(
        tmp_path / "latin1.dat", [cannabis_line(PRI_NAME="MUÑOZ,JOSÉ")], encoding="latin-1"
    )
    run_files(tmp_path / "out", [latin1])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())

    assert summary["input"]["lines_rejected"] == 0
    quality = (tmp_path / "out" / "quality.csv").read_text()
    assert "read as Latin-1" in quality
