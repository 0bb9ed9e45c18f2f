"""Read a finished run folder for the publications: result lines, summary.json, manifest.json.

The report, the workbook and the court filings read only what `run_job` left in the
run folder, so that `autoclear report RUN_DIR` can rebuild them without the inputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from autoclear.doj.columns import RESULT_COLUMNS
from autoclear.errors import UsageError

RESULTS_FILE = "Prop64_Results.csv"
ALL_RESULTS_FILE = "All_Results.csv"
SUMMARY_FILE = "summary.json"
MANIFEST_FILE = "manifest.json"
QUALITY_FILE = "quality.csv"

# Flags that mark a line which is not a conviction of its own (see docs/architecture.md).
NOT_COUNTED_FLAGS: tuple[str, ...] = ("additional sentence part", "repeated line")

DETERMINATION = "Eligibility Determination"
REASON = "Eligibility Reason"
RULE = "Decision Rule"


@dataclass(frozen=True)
class RunFolder:
    """The parts of a run folder that the publications are built from."""

    path: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]
    lines: pl.DataFrame
    """Every line of Prop64_Results.csv as strings, blanks as empty strings."""
    quality_problems: dict[str, int] = field(default_factory=dict)
    """Count of quality.csv lines per kind of problem (see `problem_kind`), most frequent first."""

    @property
    def county(self) -> str:
        return str(self.summary.get("county", ""))

    @property
    def as_of(self) -> str:
        return str(self.summary.get("as_of", ""))

    def convictions(self) -> pl.DataFrame:
        """Return the lines that each stand for one conviction (one count)."""
        return counted_lines(self.lines)


def counted_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Drop further sentence parts and repeated copies, which are not convictions of their own."""
    keep = pl.lit(True)
    for flag in NOT_COUNTED_FLAGS:
        keep = keep & ~pl.col("Flags").str.contains(flag, literal=True)
    return lines.filter(keep)


def load_run_folder(run_dir: Path) -> RunFolder:
    """Read the result lines and JSON files of a run folder, raising UsageError when one is missing."""
    if not run_dir.is_dir():
        raise UsageError(
            f"Run folder not found: {run_dir}. Give the folder that `autoclear run` wrote."
        )
    summary = _read_json(run_dir / SUMMARY_FILE)
    manifest = _read_json(run_dir / MANIFEST_FILE)
    lines = read_result_lines(run_dir / RESULTS_FILE)
    return RunFolder(
        path=run_dir,
        summary=summary,
        manifest=manifest,
        lines=lines,
        quality_problems=_count_quality_problems(run_dir / QUALITY_FILE),
    )


def read_result_lines(path: Path) -> pl.DataFrame:
    """Read a result CSV as strings and check that it has every result column."""
    if not path.is_file():
        raise UsageError(
            f"{path.name} not found in {path.parent}. Is this a run folder? Rerun `autoclear run`."
        )
    try:
        frame = pl.read_csv(path, infer_schema=False, missing_columns="insert")
    except pl.exceptions.PolarsError as error:
        raise UsageError(f"Cannot read {path}: {error}. Rerun `autoclear run`.") from None
    missing = [name for name in RESULT_COLUMNS if name not in frame.columns]
    if missing and frame.height:
        raise UsageError(
            f"{path}: missing result column {missing[0]!r} ({len(missing)} missing). "
            "The run folder was written by another version; rerun `autoclear run`."
        )
    for name in missing:
        frame = frame.with_columns(pl.lit("").alias(name))
    return frame.select(
        [pl.col(name).fill_null("").str.strip_chars().alias(name) for name in RESULT_COLUMNS]
    )


def read_other_names(run_dir: Path, lines: pl.DataFrame) -> dict[str, list[str]]:
    """Map each SUBJECT_ID to every distinct PRI_NAME it carries in the run's data.

    All_Results.csv contains every input line, so names used on other cycles are found.
    When it is absent, only the cannabis lines are searched.
    """
    source = run_dir / ALL_RESULTS_FILE
    names: pl.DataFrame
    subjects = lines.get_column("SUBJECT_ID").unique()
    if source.is_file():
        try:
            names = (
                pl.scan_csv(source, infer_schema=False)
                .select(["SUBJECT_ID", "PRI_NAME"])
                .with_columns(pl.col("SUBJECT_ID", "PRI_NAME").fill_null("").str.strip_chars())
                .filter(pl.col("SUBJECT_ID").is_in(subjects.implode()))
                .unique()
                .collect()
            )
        except pl.exceptions.PolarsError:
            names = lines.select(["SUBJECT_ID", "PRI_NAME"]).unique()
    else:
        names = lines.select(["SUBJECT_ID", "PRI_NAME"]).unique()
    result: dict[str, list[str]] = {}
    for subject, name in names.sort(["SUBJECT_ID", "PRI_NAME"]).iter_rows():
        if name:
            result.setdefault(subject, []).append(name)
    return result


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{path.name} not found in {path.parent}. Is this a run folder? Rerun `autoclear run`."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}. "
            "Rerun `autoclear run` to write it again."
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object. Rerun `autoclear run`.")
    return data


def _count_quality_problems(path: Path) -> dict[str, int]:
    if not path.is_file():
        return {}
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError:
        return {}
    if "problem" not in frame.columns or frame.height == 0:
        return {}
    counts = (
        frame.select(kind=problem_kind(pl.col("problem")))
        .group_by("kind")
        .len()
        .sort(["len", "kind"], descending=[True, False])
    )
    return {str(kind): int(count) for kind, count in counts.iter_rows()}


def problem_kind(problem: pl.Expr) -> pl.Expr:
    """Return the kind of each quality.csv problem: its text without the details of one line.

    Details follow the first colon ("repeated line: same as a.dat line 7; counted once" is a
    "repeated line"), and "has 94 fields, expected 95" is a "wrong number of fields (expected 95)".
    """
    kind = problem.fill_null("").str.extract(r"^([^:]*)", 1).fill_null("").str.strip_chars()
    kind = kind.str.replace(
        r"^has \d+ fields, expected (\d+)$", "wrong number of fields (expected $1)"
    )
    return pl.when(kind == "").then(pl.lit("(no description)")).otherwise(kind)


_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_US_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_doj_date(text: str) -> date | None:
    """Return the calendar date of `YYYYMMDD`, `YYYY-MM-DD` or `MM/DD/YYYY`.

    Partial dates such as 19870000 and invalid ones such as 19870231 return None.
    """
    value = text.strip()
    match = _FULL_DATE.match(value)
    us_match = _US_DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif us_match:
        month, day, year = (int(part) for part in us_match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def format_court_date(text: str) -> str:
    """Format a DOJ date as MM/DD/YYYY; a partial date keeps only its known parts (05/1987, 1987)."""
    value = text.strip()
    full = parse_doj_date(value)
    if full is not None:
        return full.strftime("%m/%d/%Y")
    match = _FULL_DATE.match(value)
    if not match:
        return value
    year, month, _day = match.groups()
    if month != "00" and 1 <= int(month) <= 12:
        return f"{month}/{year}"
    return year
