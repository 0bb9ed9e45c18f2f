"""`autoclear report RUN_DIR`: rebuild publications, refresh manifest checksums, guard the policy."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date
from pathlib import Path

import docx
import pytest
import typer
from pypdf import PdfReader
from typer.testing import CliRunner

from autoclear.doj.columns import ELIGIBLE_FOR_DISMISSAL, ELIGIBLE_FOR_REDUCTION, NOT_ELIGIBLE
from autoclear.errors import PolicyError, UsageError
from autoclear.outputs.publications import report_command, write_publications
from test_report_runfolder import write_synthetic_run


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report_command)

    @app.command("other")
    def _other() -> None:  # a second command so typer keeps "report" as a subcommand
        return None

    return app


def test_write_publications_returns_every_file(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    steps: list[tuple[int, int | None]] = []
    written = write_publications(
        run.path, run.policy, progress=lambda done, total: steps.append((done, total))
    )
    names = {path.relative_to(run.path).as_posix() for path in written}
    assert {"report.html", "report.pdf", "results.xlsx"} <= names
    assert all(path.is_file() for path in written)
    assert steps[-1] == (steps[-1][1], steps[-1][1])
    assert not [path for path in run.path.iterdir() if path.name.startswith(".publications-")]


def test_failed_rebuild_keeps_old_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = write_synthetic_run(tmp_path / "run")
    write_publications(run.path, run.policy)
    before = (run.path / "report.html").read_bytes()

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("autoclear.outputs.workbook.write_workbook", fail)
    with pytest.raises(OSError, match="disk full"):
        write_publications(run.path, run.policy, suppress=False)
    assert (run.path / "report.html").read_bytes() == before
    assert not [path for path in run.path.iterdir() if path.name.startswith(".publications-")]


def test_report_command_refreshes_checksums(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    result = CliRunner().invoke(_cli(), ["report", str(run.path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((run.path / "manifest.json").read_text(encoding="utf-8"))
    outputs = manifest["outputs"]
    assert "report.pdf" in outputs
    assert any(name.startswith("filings/") and name.endswith("/motion.docx") for name in outputs)
    for name, digest in outputs.items():
        assert hashlib.sha256((run.path / name).read_bytes()).hexdigest() == digest, name


def test_report_command_uses_new_office_details(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    policy_file = tmp_path / "policy.toml"
    text = run.policy.to_toml().replace('deputy = ""', 'deputy = "DEPUTY EXAMPLE"')
    policy_file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(_cli(), ["report", str(run.path), "--policy", str(policy_file)])
    assert result.exit_code == 0, result.output
    motion = next((run.path / "filings").glob("*/motion.docx"))
    assert "DEPUTY EXAMPLE" in "\n".join(p.text for p in docx.Document(str(motion)).paragraphs)


def test_report_command_keeps_new_office_details(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    policy_file = tmp_path / "policy.toml"
    text = run.policy.to_toml().replace('deputy = ""', 'deputy = "DEPUTY EXAMPLE"')
    policy_file.write_text(text, encoding="utf-8")

    first = CliRunner().invoke(_cli(), ["report", str(run.path), "--policy", str(policy_file)])
    second = CliRunner().invoke(_cli(), ["report", str(run.path)])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    manifest = json.loads((run.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policy"]["office"]["deputy"] == "DEPUTY EXAMPLE"
    assert len(manifest["publications_rebuilt"]) == 2
    motion = next((run.path / "filings").glob("*/motion.docx"))
    assert "DEPUTY EXAMPLE" in "\n".join(p.text for p in docx.Document(str(motion)).paragraphs)


def test_report_command_rejects_other_decisions(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        run.policy.to_toml().replace('"11359" = "reduce"', '"11359" = "dismiss"')
    )
    result = CliRunner().invoke(_cli(), ["report", str(run.path), "--policy", str(policy_file)])

    assert result.exit_code == PolicyError.exit_code
    assert "differ from the policy this run was decided with" in result.output
    assert "Traceback" not in result.output


def test_report_command_no_suppress(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    result = CliRunner().invoke(_cli(), ["report", str(run.path), "--no-suppress"])
    assert result.exit_code == 0, result.output
    assert "internal use only" in result.output
    assert "INTERNAL USE ONLY" in (run.path / "report.html").read_text(encoding="utf-8")


def test_report_command_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["report", str(tmp_path / "missing")])

    assert result.exit_code == UsageError.exit_code
    assert "Run folder not found" in result.output
    assert "Traceback" not in result.output


def test_report_command_unfinished_run(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "run")
    (run.path / "RUN_IN_PROGRESS").write_text("")

    result = CliRunner().invoke(_cli(), ["report", str(run.path)])

    assert result.exit_code == UsageError.exit_code
    assert "did not finish" in result.output


def test_sample_run_publications_match_summary(tmp_path: Path) -> None:
    from autoclear.pipeline import RunRequest, run_job
    from autoclear.rules.policy import load_policy
    from autoclear.sample import sample_files, sample_policy

    request = RunRequest(
        inputs=sample_files(),
        county="SAN FRANCISCO",
        as_of=date(2020, 7, 1),
        policy=load_policy(sample_policy()),
        out_dir=tmp_path / "run",
        command_line=["autoclear", "run"],
    )
    result = run_job(request, cancel=threading.Event())
    out = result.out_dir
    determinations = result.summary["scenarios"]["policy"]["determinations"]
    granted = challenged = 0
    case_rows: list[tuple[str, str]] = []
    for exhibit in sorted((out / "filings").glob("*/exhibit_a_relief.docx")):
        rows = docx.Document(str(exhibit)).tables[0].rows[1:]
        for row in rows:
            cells = [cell.text for cell in row.cells]
            case_rows.append((exhibit.parent.name, cells[0] + cells[1]))
            for line in cells[4].splitlines():
                _section, _, multiplier = line.partition(" x")
                granted += int(multiplier) if multiplier.isdigit() else 1
    for exhibit in (out / "filings").glob("*/exhibit_b_challenged.docx"):
        tables = docx.Document(str(exhibit)).tables
        for row in tables[0].rows[1:] if tables else []:
            challenged += sum(
                int(part.partition(" x")[2] or 1) for part in row.cells[4].text.splitlines()
            )
    assert (
        granted == determinations[ELIGIBLE_FOR_DISMISSAL] + determinations[ELIGIBLE_FOR_REDUCTION]
    )
    assert challenged == determinations[NOT_ELIGIBLE]
    assert len(case_rows) == len(set(case_rows))
    report_text = "\n".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    assert "SAN FRANCISCO" in report_text
    assert "Example County District Attorney (fictional)" in "\n".join(
        p.text for p in docx.Document(str(next((out / "filings").glob("*/motion.docx")))).paragraphs
    )
