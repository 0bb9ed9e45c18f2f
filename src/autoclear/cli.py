"""The `autoclear` command line."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from autoclear.errors import AutoclearError, MalformedLinesError, RunCancelled, UsageError
from autoclear.partition import FIXED_OVERHEAD_BYTES, MIN_MEMORY_LIMIT
from autoclear.pipeline import RunRequest, RunResult, check_inputs, resolve_county, run_job
from autoclear.rules.policy import DEFAULT_POLICY, Policy, load_policy
from autoclear.rules.prop64 import PROP64_EFFECTIVE_DATE

app = typer.Typer(
    help="Decide California cannabis convictions for Prop 64 relief from DOJ research files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True)

STAGE_LABELS = {
    "read": "Reading DOJ files",
    "normalize": "Reading charges and dates",
    "decide": "Deciding convictions",
    "write": "Writing result files",
    "publish": "Writing report, workbook and filings",
}


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"Invalid --as-of date {value!r}. Write it as YYYY-MM-DD, e.g. 2020-07-01."
        ) from None
    if parsed < PROP64_EFFECTIVE_DATE:
        raise UsageError(
            f"Invalid --as-of date {value}: it is before Proposition 64 took effect on "
            f"{PROP64_EFFECTIVE_DATE.isoformat()}, so no relief existed then. "
            "Give a later date, e.g. 2020-07-01."
        )
    return parsed


def _parse_size(value: str | None) -> int | None:
    """Read a --memory-limit such as 4GB or 512MB, in bytes; a number needs its unit."""
    if value is None:
        return None
    text = value.strip().upper().removesuffix("B")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if text[-1:] not in units:
        raise UsageError(f"Invalid --memory-limit {value!r}: give a unit, e.g. 4GB or 512MB.")
    try:
        size = int(float(text[:-1]) * units[text[-1]])
    except ValueError:
        raise UsageError(
            f"Invalid --memory-limit {value!r}. Write a size such as 4GB or 512MB."
        ) from None
    if size <= 0:
        raise UsageError(f"Invalid --memory-limit {value!r}: it must be more than zero.")
    return size


def memory_limit_warning(limit: int | None) -> str | None:
    """Warn when a memory limit is below what any run needs, whatever the input size."""
    if limit is None or limit >= MIN_MEMORY_LIMIT:
        return None
    return (
        f"--memory-limit {limit / 2**20:,.0f} MiB is below the smallest limit a run can keep, "
        f"about {MIN_MEMORY_LIMIT / 2**20:,.0f} MiB: about "
        f"{FIXED_OVERHEAD_BYTES / 2**20:,.0f} MiB for Python, Polars and the streaming passes "
        "whatever the input size, plus the partition being decided. The run uses the smallest "
        "partitions, but its memory can go above the limit."
    )


class _ProgressDisplay:
    """A Rich progress bar per stage, on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage not in self.tasks:
            for task in self.tasks.values():
                task_total = self.progress.tasks[task].total
                self.progress.update(task, completed=task_total or 1, total=task_total or 1)
            self.tasks[stage] = self.progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _fail(error: AutoclearError) -> None:
    stderr.print(f"[bold red]Error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
    if isinstance(error, MalformedLinesError) and error.quality_file is not None:
        stderr.print(
            f"Every malformed line is listed in {escape(str(error.quality_file))}. A rerun "
            "needs another --out folder, or none for a new one.",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(error.exit_code)


@app.command()
def run(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="DOJ research files of one delivery.", show_default=False),
    ] = None,
    county: Annotated[
        str | None,
        typer.Option(help="County whose convictions to decide, as in STP_ORI_CNTY_NAME."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Evaluation date YYYY-MM-DD for ages and years since. Default: today."
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="Policy file: autoclear TOML, or the older tool's JSON options."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="New or empty output folder. Default: a new folder under ./autoclear-runs/."
        ),
    ] = None,
    skip_bad_lines: Annotated[
        bool,
        typer.Option(
            help="Go on past malformed lines; their subjects' convictions go to hand review."
        ),
    ] = False,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            help="Memory to plan the run for, e.g. 4GB or 512MB. "
            "Default: half of the memory available when the run starts."
        ),
    ] = None,
    no_publications: Annotated[
        bool,
        typer.Option("--no-publications", help="Skip the report, workbook and court filings."),
    ] = False,
    no_suppress: Annotated[
        bool,
        typer.Option("--no-suppress", help="Show small counts in the report (internal use only)."),
    ] = False,
    sample: Annotated[
        bool, typer.Option(help="Run the bundled synthetic sample with its example policy.")
    ] = False,
) -> None:
    """Decide every cannabis conviction of a county and write the run folder."""
    try:
        inputs = list(files or [])
        chosen_policy: Policy = DEFAULT_POLICY
        if sample:
            from autoclear.sample import sample_files, sample_policy

            if inputs:
                raise UsageError("Give either --sample or input files, not both.")
            inputs = sample_files()
            county = county or "SAN FRANCISCO"
            as_of = as_of or "2020-07-01"
            policy = policy or sample_policy()
        if not inputs:
            raise UsageError("No input files. Give one or more DOJ files, or --sample.")
        if county is None:
            raise UsageError(
                'Missing --county. Give the county name, e.g. --county "SAN FRANCISCO".'
            )
        check_inputs(inputs)
        county_name = resolve_county(county)
        if policy is not None:
            chosen_policy = load_policy(policy)
        evaluation_date = _parse_date(as_of)
        limit = _parse_size(memory_limit)
        request = RunRequest(
            inputs=inputs,
            county=county_name,
            as_of=evaluation_date,
            policy=chosen_policy,
            out_dir=out,
            skip_bad_lines=skip_bad_lines,
            memory_limit=limit,
            publications=not no_publications,
            suppress_small_cells=not no_suppress,
            command_line=["autoclear", *sys.argv[1:]],
        )
        if policy is None:
            stderr.print("No --policy given: dismissing all four sections, no additional relief.")
        limit_warning = memory_limit_warning(limit)
        if limit_warning:
            stderr.print(
                f"[bold yellow]Warning:[/] {escape(limit_warning)}", highlight=False, soft_wrap=True
            )
        if evaluation_date is None:
            stderr.print(f"No --as-of given: evaluating as of today, {date.today().isoformat()}.")
        result = _run_with_progress(request)
    except AutoclearError as error:
        _fail(error)
        return
    except OSError as error:
        # Disk full, permissions, a file removed during the run: the run removed its outputs.
        location = f" ({error.filename})" if error.filename else ""
        stderr.print(
            f"[bold red]Error:[/] {escape(str(error.strerror or error))}{escape(location)}. "
            "Check free disk space and permissions, then run again.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        stderr.print("[bold red]Stopped.[/] Partial outputs were removed.")
        raise typer.Exit(RunCancelled.exit_code) from None

    _print_summary(result)


def _run_with_progress(request: RunRequest) -> RunResult:
    """Run the job with a progress bar; Ctrl-C or SIGTERM cancels it and removes its outputs.

    The first signal sets the cancel event, checked between stages; a second one interrupts it at
    once, and the run still removes what it wrote.
    """
    cancel = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        stderr.print("Stopping: removing partial outputs... (press Ctrl-C again to stop at once)")
        cancel.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=stderr,
            transient=False,
        ) as bar:
            return run_job(request, progress=_ProgressDisplay(bar), cancel=cancel)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _print_summary(result: RunResult) -> None:
    figures = result.figures
    table = Table(
        title=f"autoclear: {result.county}, as of {result.as_of.isoformat()}", show_header=False
    )
    table.add_column("figure")
    table.add_column("count", justify="right")
    rows = (
        ("People with a cannabis conviction in the county", figures["people"]),
        ("Cannabis convictions in the county", figures["convictions"]),
        ("Eligible for dismissal", figures["dismissals"]),
        ("Eligible for reduction", figures["reductions"]),
        ("Not eligible", figures["not_eligible"]),
        ("Hand review", figures["hand_review"]),
        ("Lines rejected", figures["lines_rejected"]),
        ("Lines repeated (counted once)", figures["lines_repeated"]),
    )
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    Console().print(table)
    for warning in run_warnings(result):
        stderr.print(f"[bold yellow]Warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    Console().print(f"Output folder: {result.out_dir}", highlight=False)


def run_warnings(result: RunResult) -> list[str]:
    """Warn about results that usually mean a wrong --county or --as-of."""
    warnings = []
    if result.figures["convictions"] == 0:
        by_county = result.summary["input"].get("cannabis_convictions_by_county", {})
        found = ", ".join(
            f"{name.title()} ({count:,})" for name, count in list(by_county.items())[:5]
        )
        warnings.append(
            f"No cannabis convictions from {result.county.title()} courts were found. "
            + (f"Cannabis convictions in the files come from: {found}. " if found else "")
            + "Check --county."
        )
    after = result.figures.get("convictions_after_as_of", 0)
    if after:
        warnings.append(
            f"{after:,} cannabis convictions are dated after the as-of date "
            f"{result.as_of.isoformat()}; quality.csv lists them. Check --as-of."
        )
    return warnings


def _register_optional_commands() -> None:
    """Register the commands whose code lives with the part of the package they drive."""
    from autoclear.generate.command import generate_command
    from autoclear.outputs.publications import report_command
    from autoclear.web.server import serve_command

    app.command("generate", help="Write a synthetic DOJ research file.")(generate_command)
    app.command("report", help="Rebuild the report, workbook and filings of a run folder.")(
        report_command
    )
    app.command("serve", help="Start the local web app on 127.0.0.1.")(serve_command)


_register_optional_commands()


def main() -> None:
    """Entry point of the `autoclear` script."""
    app()


if __name__ == "__main__":
    main()
