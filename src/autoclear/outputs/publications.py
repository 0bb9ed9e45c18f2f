"""Build what the office hands the court and the public from a finished run folder.

`write_publications` writes report.html, report.pdf, results.xlsx and filings/ into the
run folder. Everything is first written to a staging folder inside the run folder and
moved into place at the end, so a failure leaves the previous publications untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from autoclear.errors import AutoclearError, PolicyError, UsageError
from autoclear.outputs.report import write_report
from autoclear.outputs.report.run_folder import MANIFEST_FILE, RunFolder, load_run_folder
from autoclear.outputs.report.suppression import Suppression
from autoclear.pipeline import IN_PROGRESS_MARKER, sha256_of
from autoclear.rules.policy import Policy, load_policy, policy_from_dict

REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
WORKBOOK = "results.xlsx"
FILINGS = "filings"

Progress = Callable[[int, int | None], None]


def write_publications(
    run_dir: Path,
    policy: Policy,
    *,
    suppress: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report, the workbook and the court filings into `run_dir`; return the files written.

    `progress(done, total)` counts documents: the report, the workbook, then one step per court.
    """
    # Imported here, like the report's modules, so that commands without publications start fast.
    from autoclear.outputs.filings import court_cases, write_filings
    from autoclear.outputs.workbook import write_workbook

    run = load_run_folder(run_dir)
    suppression = Suppression(min_cell_size=policy.report.min_cell_size, enabled=suppress)
    courts = court_cases(run)
    total = 2 + len(courts)

    def step(done: int) -> None:
        if progress is not None:
            progress(done, total)

    staging = Path(tempfile.mkdtemp(prefix=".publications-", dir=run_dir))
    try:
        step(0)
        write_report(run, policy, suppression, staging / REPORT_HTML, staging / REPORT_PDF)
        step(1)
        write_workbook(run, policy, staging / WORKBOOK)
        step(2)
        write_filings(
            run, policy, staging / FILINGS, lambda done, _total: step(2 + done), courts=courts
        )
        return _move_into_place(staging, run_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, run_dir: Path) -> list[Path]:
    """Rename the staged files over the old ones; the old filings folder is replaced whole."""
    filings = run_dir / FILINGS
    old_filings = staging / "old-filings"
    if filings.exists():
        os.replace(filings, old_filings)
    (staging / FILINGS).mkdir(exist_ok=True)
    os.replace(staging / FILINGS, filings)
    for name in (REPORT_HTML, REPORT_PDF, WORKBOOK):
        os.replace(staging / name, run_dir / name)
    written = [run_dir / name for name in (REPORT_HTML, REPORT_PDF, WORKBOOK)]
    written += sorted(path for path in filings.rglob("*") if path.is_file())
    return written


def _decision_settings(policy: dict[str, Any]) -> dict[str, Any]:
    """Return the parts of a policy that change determinations (not office details or report options)."""
    return {key: value for key, value in policy.items() if key not in ("office", "report")}


def _policy_for_rebuild(run: RunFolder, policy_path: Path | None) -> Policy:
    recorded = run.manifest.get("policy")
    recorded_policy = None
    if isinstance(recorded, dict):
        recorded_policy = policy_from_dict(recorded, f"{MANIFEST_FILE} (policy)")
    if policy_path is None:
        if recorded_policy is None:
            raise PolicyError(
                f"{run.path / MANIFEST_FILE} records no policy. Give the run's policy with --policy FILE."
            )
        return recorded_policy
    policy = load_policy(policy_path)
    if recorded_policy is not None and _decision_settings(policy.to_dict()) != _decision_settings(
        recorded_policy.to_dict()
    ):
        raise PolicyError(
            f"{policy_path.name}: its sections or relief settings differ from the policy this run "
            "was decided with, so the figures would not match it. Only [office] and [report] may "
            "change when rebuilding; rerun `autoclear run` to apply a different policy."
        )
    return policy


def _rebuild(run_dir: Path, policy_path: Path | None, no_suppress: bool) -> list[Path]:
    if (run_dir / IN_PROGRESS_MARKER).exists():
        raise UsageError(
            f"{run_dir} is a run that did not finish. Delete the folder and run `autoclear run` again."
        )
    run = load_run_folder(run_dir)
    if not (run_dir / MANIFEST_FILE).is_file():
        raise UsageError(f"{MANIFEST_FILE} not found in {run_dir}. Rerun `autoclear run`.")
    policy = _policy_for_rebuild(run, policy_path)
    written = write_publications(run_dir, policy, suppress=not no_suppress)
    refresh_output_checksums(run_dir, written, policy)
    return written


def refresh_output_checksums(
    run_dir: Path, written: list[Path], policy: Policy | None = None
) -> None:
    """Record the sha256 of each written file in manifest.json `outputs`, dropping stale filings.

    With `policy`, also record it as the run's policy and note the rebuild, so that a later
    rebuild without --policy keeps the corrected office details.
    """
    manifest_path = run_dir / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if policy is not None:
        manifest["policy"] = policy.to_dict()
        rebuilds = manifest.get("publications_rebuilt")
        manifest["publications_rebuilt"] = [
            *(rebuilds if isinstance(rebuilds, list) else []),
            datetime.now().astimezone().isoformat(timespec="seconds"),
        ]
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict):
        outputs = {}
    outputs = {
        name: digest for name, digest in outputs.items() if not name.startswith(f"{FILINGS}/")
    }
    for path in written:
        outputs[path.relative_to(run_dir).as_posix()] = sha256_of(path)
    manifest["outputs"] = dict(sorted(outputs.items()))
    staged = manifest_path.with_name(f".{MANIFEST_FILE}.tmp")
    staged.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(staged, manifest_path)


def report_command(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `autoclear run`.")],
    policy_path: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy file (.toml or .json) with corrected [office] or [report] settings. "
            "Default: the policy recorded in the run's manifest.json.",
        ),
    ] = None,
    no_suppress: Annotated[
        bool,
        typer.Option(
            "--no-suppress",
            help="Show every count in full, even below the minimum cell size. "
            "The report is then marked for internal use only.",
        ),
    ] = False,
) -> None:
    """Rebuild the report, workbook and court filings of an existing run folder."""
    try:
        written = _rebuild(run_dir, policy_path, no_suppress)
    except AutoclearError as error:
        Console(stderr=True).print(
            f"[bold red]Error:[/] {escape(str(error))}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(error.exit_code) from None
    typer.echo(
        f"Wrote {len(written)} files in {run_dir}: {REPORT_HTML}, {REPORT_PDF}, {WORKBOOK}, {FILINGS}/"
    )
    if no_suppress:
        typer.echo("Suppression is off: report.html and report.pdf are for internal use only.")
