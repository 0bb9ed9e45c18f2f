"""The main job: read a county's DOJ files, decide every cannabis conviction, write the run folder.

`run_job` is the single entry point used by the command line and the web app. Outputs are
written under temporary names and renamed when complete; `manifest.json` is written last, so a
folder with a manifest is a complete run. A failed or cancelled run removes what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

from autoclear import __version__
from autoclear.doj.columns import (
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
)
from autoclear.doj.counties import normalize_county, unknown_county_message
from autoclear.doj.reader import Delivery, open_delivery
from autoclear.errors import MalformedLinesError, RunCancelled, UsageError
from autoclear.outputs.output_file import WrittenFile
from autoclear.outputs.quality import data_problems, write_quality
from autoclear.outputs.results import encoded_results, line_columns, write_result_files
from autoclear.outputs.summary import build_summary
from autoclear.partition import Partitions, plan_partitions
from autoclear.records.history import RAW_FIELDS, ROW, mark_repeats_and_parts, normalize_lines
from autoclear.rules.evaluate import evaluate_counts
from autoclear.rules.policy import DEFAULT_POLICY, Policy
from autoclear.rules.prop64 import Context

ProgressCallback = Callable[[str, int, int | None], None]

STAGES = ("read", "normalize", "decide", "write", "publish")
DEFAULT_RUNS_FOLDER = Path("autoclear-runs")

# Present in a run folder while the run is writing it; a folder with this file is not a result.
IN_PROGRESS_MARKER = "RUN_IN_PROGRESS"

# Folder for temporary files inside the run folder (UTF-8 copies, partitions), removed when the
# run ends.
WORK_FOLDER = ".autoclear-work"


@dataclass(frozen=True)
class RunRequest:
    """Everything one run needs."""

    inputs: list[Path]
    county: str
    as_of: date | None = None
    policy: Policy = DEFAULT_POLICY
    out_dir: Path | None = None
    skip_bad_lines: bool = False
    memory_limit: int | None = None
    publications: bool = True
    suppress_small_cells: bool = True
    command_line: list[str] | None = None


@dataclass
class RunResult:
    """Outputs and figures of a finished run, for the screen summary and the web app."""

    out_dir: Path
    county: str
    as_of: date
    as_of_was_default: bool
    summary: dict[str, Any]
    figures: dict[str, int]
    files: list[str] = field(default_factory=list)


def _ignore(_stage: str, _done: int, _total: int | None) -> None:
    return None


def resolve_county(name: str) -> str:
    """Return the canonical county name, or raise a UsageError listing the 58 counties."""
    county = normalize_county(name)
    if county is None:
        raise UsageError(unknown_county_message(name))
    return county


def check_inputs(inputs: list[Path]) -> None:
    """Raise a UsageError for an input path that is a folder or does not exist."""
    for path in inputs:
        if path.is_dir():
            raise UsageError(
                f"{path} is a folder. Give the DOJ files inside it, e.g. {path}/*.dat."
            )
        if not path.is_file():
            raise UsageError(f"Input file not found: {path}. Check the path.")


def prepare_out_dir(out_dir: Path | None, now: datetime | None = None) -> tuple[Path, bool]:
    """Return the run folder and whether this run created it. Never reuse a folder with files in it."""
    if out_dir is None:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        candidate = DEFAULT_RUNS_FOLDER / f"run-{stamp}"
        suffix = 1
        while candidate.exists():
            suffix += 1
            candidate = DEFAULT_RUNS_FOLDER / f"run-{stamp}-{suffix}"
        out_dir = candidate
    if out_dir.exists():
        if not out_dir.is_dir():
            raise UsageError(
                f"Output path {out_dir} exists and is not a folder. Choose a new folder."
            )
        if any(out_dir.iterdir()):
            raise UsageError(
                f"Output folder {out_dir} is not empty. autoclear never overwrites an earlier run: "
                "give a new or empty folder with --out."
            )
        return out_dir, False
    try:
        out_dir.mkdir(parents=True)
    except OSError as error:
        raise UsageError(f"Cannot create output folder {out_dir}: {error.strerror}.") from None
    return out_dir, True


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_job(
    request: RunRequest,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run the whole job and return its result; see the module docstring for guarantees."""
    report = progress or _ignore
    county = resolve_county(request.county)
    as_of_was_default = request.as_of is None
    as_of = request.as_of or date.today()
    check_inputs(request.inputs)

    out_dir, created = prepare_out_dir(request.out_dir)
    marker = out_dir / IN_PROGRESS_MARKER
    marker.write_text("This run has not finished. Its files are incomplete.\n")
    try:
        result = _run_in(out_dir, request, county, as_of, as_of_was_default, report, cancel)
    except MalformedLinesError as error:
        marker.unlink(missing_ok=True)
        if (out_dir / "quality.csv").exists():
            error.quality_file = out_dir / "quality.csv"
        raise
    except BaseException:
        _remove_outputs(out_dir, created)
        raise
    marker.unlink()
    return result


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RunCancelled("Run cancelled; its partial outputs were removed.")


def _remove_outputs(out_dir: Path, created: bool) -> None:
    if created:
        shutil.rmtree(out_dir, ignore_errors=True)
        return
    for child in out_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _run_in(
    out_dir: Path,
    request: RunRequest,
    county: str,
    as_of: date,
    as_of_was_default: bool,
    report: ProgressCallback,
    cancel: threading.Event | None,
) -> RunResult:
    report("read", 0, None)
    work_dir = out_dir / WORK_FOLDER
    work_dir.mkdir()
    try:
        with open_delivery(
            request.inputs,
            skip_bad_lines=request.skip_bad_lines,
            progress=lambda done, total: report("read", done, total),
            work_dir=work_dir,
        ) as delivery:
            _check_cancel(cancel)
            outcome = _decide(delivery, request, county, as_of, report, cancel, work_dir)
            _check_cancel(cancel)

            def write_progress(done: int, total: int) -> None:
                report("write", done, total)
                _check_cancel(cancel)

            try:
                result_files = write_result_files(
                    delivery, outcome.per_line, out_dir, progress=write_progress
                )
            except pl.exceptions.PolarsError as error:
                raise _polars_failure(error, delivery) from None
    except MalformedLinesError as error:
        problems = getattr(error, "problems", None)
        if isinstance(problems, pl.DataFrame):
            write_quality(problems, None, out_dir / "quality.csv")
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    digests: _DigestCache = {}
    temporary: dict[str, Path] = {}
    for name, written in result_files.items():
        temporary[name] = written.path
        _remember_sha256(digests, out_dir / name, written)

    write_quality(delivery.problems, outcome.problems, out_dir / "quality.csv.tmp")
    temporary["quality.csv"] = out_dir / "quality.csv.tmp"

    input_figures = {
        "files": len(delivery.inputs),
        "lines": outcome.lines,
        "lines_rejected": delivery.rejected_lines,
        "lines_repeated": outcome.lines_repeated,
        "subjects": outcome.subjects,
        "cannabis_convictions_by_county": outcome.cannabis_by_county,
        "convictions_after_as_of": outcome.problems.filter(
            pl.col("problem").str.starts_with("cannabis conviction dated after the as-of date")
        ).height,
    }
    summary = build_summary(
        outcome.summary_counts,
        county=county,
        as_of=as_of,
        version=__version__,
        policy_description=request.policy.describe(),
        input_figures=input_figures,
    )
    summary["as_of_was_default"] = as_of_was_default
    summary_path = out_dir / "summary.json.tmp"
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    temporary["summary.json"] = summary_path
    for name, path in temporary.items():
        path.replace(out_dir / name)
    _check_cancel(cancel)

    manifest = _manifest(request, county, as_of, as_of_was_default, delivery.inputs)
    _write_manifest(out_dir, manifest, digests)
    if request.publications:
        report("publish", 0, None)
        _publish(out_dir, request, report, cancel)
        _check_cancel(cancel)
        _write_manifest(out_dir, manifest, digests)

    policy_figures = summary["scenarios"]["policy"]
    determinations = policy_figures["determinations"]
    figures = {
        "people": policy_figures["people"]["with_cannabis_conviction"],
        "subjects": input_figures["subjects"],
        "convictions": policy_figures["convictions"]["total"],
        "dismissals": determinations[ELIGIBLE_FOR_DISMISSAL],
        "reductions": determinations[ELIGIBLE_FOR_REDUCTION],
        "not_eligible": determinations[NOT_ELIGIBLE],
        "hand_review": determinations[HAND_REVIEW],
        "lines_rejected": input_figures["lines_rejected"],
        "lines_repeated": input_figures["lines_repeated"],
        "convictions_after_as_of": input_figures["convictions_after_as_of"],
    }
    files = sorted(
        str(p.relative_to(out_dir))
        for p in out_dir.rglob("*")
        if p.is_file() and p.name != IN_PROGRESS_MARKER
    )
    return RunResult(out_dir, county, as_of, as_of_was_default, summary, figures, files)


@dataclass
class _Outcome:
    """Results of deciding the delivery, combined over its partitions."""

    per_line: pl.DataFrame  # encoded_results, sorted by row
    problems: pl.DataFrame  # data_problems, sorted by row
    summary_counts: pl.DataFrame  # the counts build_summary reads, sorted by row
    lines: int
    lines_repeated: int
    subjects: int
    # Cannabis convictions (HS 11357-11360) per county of the convicting court, all counties.
    cannabis_by_county: dict[str, int]


def _decide(
    delivery: Delivery,
    request: RunRequest,
    county: str,
    as_of: date,
    report: ProgressCallback,
    cancel: threading.Event | None,
    work_dir: Path,
) -> _Outcome:
    """Normalize and decide every line, in memory or one partition of subjects at a time."""
    plan = plan_partitions(delivery.size, request.memory_limit)
    context = Context(policy=request.policy, as_of=as_of)
    rejected = sorted(set(delivery.bad_line_subjects))
    narrow = delivery.scan(ROW).select(ROW, "_file", "_line", *RAW_FIELDS)
    parts: list[_PartOutcome] = []

    # The pass is one Polars streaming query without progress of its own, so its total is
    # reported as unknown, which shows a busy bar. It takes about 1.5 s per million lines.
    report("normalize", 0, None)
    try:
        if plan.count == 1:
            raw = narrow.collect(engine="streaming")
            report("normalize", 1, 1)
            _check_cancel(cancel)
            report("decide", 0, 1)
            parts.append(_decide_part(raw, county, as_of, context, rejected))
            report("decide", 1, 1)
        else:
            partitions = Partitions(work_dir / "partitions", plan.count)
            partitions.write(narrow)
            report("normalize", 1, 1)
            _check_cancel(cancel)
            spill = _ResultSpill(work_dir / "results")

            def decide_partition(index: int) -> _PartOutcome:
                raw = partitions.load(index)
                return spill.store(index, _decide_part(raw, county, as_of, context, rejected))

            parts = _decide_partitions(
                partitions.indexes(), decide_partition, plan.workers, report, cancel
            )
            partitions.remove()
            parts = spill.load(parts)
    except pl.exceptions.PolarsError as error:
        raise _polars_failure(error, delivery) from None

    outcome = _Outcome(
        per_line=_concat_by_row([part.per_line for part in parts]),
        problems=_concat_by_row([part.problems for part in parts]),
        summary_counts=_concat_by_row([part.summary_counts for part in parts]),
        lines=sum(part.lines for part in parts),
        lines_repeated=sum(part.lines_repeated for part in parts),
        subjects=sum(part.subjects for part in parts),
        cannabis_by_county=_add_counts([part.cannabis_by_county for part in parts]),
    )
    delivery.check_row_count(outcome.lines)
    return outcome


def _decide_partitions(
    indexes: list[int],
    decide_partition: Callable[[int], _PartOutcome],
    workers: int,
    report: ProgressCallback,
    cancel: threading.Event | None,
) -> list[_PartOutcome]:
    """Decide the partitions `indexes`, `workers` at a time, and return their outcomes.

    Polars releases the GIL while it computes, and one partition keeps only about one core
    busy, so two threads use both cores of a small machine. A cancel request is checked each
    time a partition finishes; the partitions already running are finished first.
    """
    report("decide", 0, len(indexes))
    parts: list[_PartOutcome] = []
    waiting = iter(indexes)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="autoclear-decide") as pool:
        running = {pool.submit(decide_partition, index) for index in islice(waiting, workers)}
        try:
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    parts.append(future.result())
                    report("decide", len(parts), len(indexes))
                    _check_cancel(cancel)
                for index in islice(waiting, len(finished)):
                    running.add(pool.submit(decide_partition, index))
        except BaseException:
            for future in running:
                future.cancel()
            raise
    return parts


@dataclass
class _PartOutcome:
    per_line: pl.DataFrame
    problems: pl.DataFrame
    summary_counts: pl.DataFrame
    lines: int
    lines_repeated: int
    subjects: int
    cannabis_by_county: dict[str, int]


class _ResultSpill:
    """Keep each partition's result frames on disk until every partition is decided.

    Holding them in memory made the resident size grow by about 55 MB per partition of
    250,000 lines, several times their own size, because the allocator cannot return the
    memory around them; on disk they cost nothing while the next partition is decided.
    """

    FRAMES = ("per_line", "problems", "summary_counts")

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def store(self, index: int, part: _PartOutcome) -> _PartOutcome:
        for name in self.FRAMES:
            getattr(part, name).write_parquet(self.folder / f"{name}-{index:05d}.parquet")
            setattr(part, name, getattr(part, name).clear())
        return part

    def load(self, parts: list[_PartOutcome]) -> list[_PartOutcome]:
        """Return one part holding every partition's frames, read back from disk in row order."""
        if not parts:
            shutil.rmtree(self.folder, ignore_errors=True)
            return parts
        combined = {
            name: pl.concat(
                [pl.read_parquet(path) for path in sorted(self.folder.glob(f"{name}-*.parquet"))],
                how="vertical_relaxed",
            )
            for name in self.FRAMES
        }
        shutil.rmtree(self.folder, ignore_errors=True)
        return [
            _PartOutcome(
                per_line=combined["per_line"],
                problems=combined["problems"],
                summary_counts=combined["summary_counts"],
                lines=sum(part.lines for part in parts),
                lines_repeated=sum(part.lines_repeated for part in parts),
                subjects=sum(part.subjects for part in parts),
                cannabis_by_county=_add_counts([part.cannabis_by_county for part in parts]),
            )
        ]


def _add_counts(parts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0) + value
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


def _decide_part(
    raw: pl.DataFrame, county: str, as_of: date, context: Context, rejected: list[str]
) -> _PartOutcome:
    """Normalize and decide the lines of whole subjects (the RAW_FIELDS); see `_decide`."""
    lines = mark_repeats_and_parts(normalize_lines(raw.lazy())).collect()
    counts = evaluate_counts(
        lines.lazy(), county=county, as_of=as_of, context=context, rejected_subjects=rejected
    ).collect()
    per_line = encoded_results(line_columns(lines.lazy(), counts.lazy(), county)).collect()
    return _PartOutcome(
        per_line=per_line,
        problems=data_problems(lines, counts, as_of),
        summary_counts=_summary_counts(counts),
        lines=lines.height,
        lines_repeated=lines.filter(pl.col("repeat_of").is_not_null()).height,
        subjects=lines.get_column("subject").n_unique(),
        cannabis_by_county=_cannabis_by_county(counts),
    )


def _cannabis_by_county(counts: pl.DataFrame) -> dict[str, int]:
    """Count cannabis convictions by the county of the convicting court, to catch a wrong --county."""
    cannabis = counts.filter(pl.col("is_conviction") & pl.col("is_prop64"))
    grouped = cannabis.group_by(pl.col("county").fill_null("(no county)")).len()
    return {str(county): int(n) for county, n in grouped.iter_rows()}


# The columns of the count frame that build_summary reads.
SUMMARY_COLUMNS = (
    ROW, "subject", "in_scope", "determination", "reason", "rule", "level", "section",
    "event_date", "is_conviction", "related_to_in_scope", "race", "gender", "subject_dob",
)  # fmt: skip


CATEGORICAL_SUMMARY_COLUMNS = ("determination", "reason", "rule", "level", "section", "race", "gender")  # fmt: skip


def _summary_counts(counts: pl.DataFrame) -> pl.DataFrame:
    """Select the convictions of subjects with an in-scope cannabis conviction, in input order.

    Every figure of summary.json is about such subjects: relief needs an in-scope conviction
    or a related charge in the cycle of one. Leaving the other subjects out keeps the frame
    small when a large delivery is combined from partitions.
    """
    has_in_scope = pl.col("in_scope").fill_null(False).any().over("subject")
    # Only convictions: the people figures, equity tables and related charges read no other count.
    convictions = counts.filter(has_in_scope & pl.col("is_conviction")).select(SUMMARY_COLUMNS)
    # Categorical columns keep each repeated word once: on a 20M-line delivery this frame has
    # millions of rows, all held until the summary is built.
    categorical = pl.col(CATEGORICAL_SUMMARY_COLUMNS).cast(pl.Categorical)
    return convictions.with_columns(categorical).sort(ROW)


def _concat_by_row(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="vertical").sort(ROW, maintain_order=True)


def _polars_failure(error: pl.exceptions.PolarsError, delivery: Delivery) -> Exception:
    """Return the error to raise for a Polars failure while the delivery is processed.

    Polars reports a failed write of its own files (a full disk, a missing permission) as a
    PolarsError whose message ends with `(os error N)`. That becomes an OSError, which the
    command line reports as a disk problem. Any other failure is reported as a parse problem.
    The Polars message can quote an input line, so it is never passed on.
    """
    found = re.search(r"\(os error (\d+)\)", str(error))
    if found:
        number = int(found.group(1))
        return OSError(number, os.strerror(number))
    return delivery.parse_error()


def _publish(
    out_dir: Path,
    request: RunRequest,
    report: ProgressCallback,
    cancel: threading.Event | None,
) -> None:
    from autoclear.outputs.publications import write_publications

    def progress(done: int, total: int | None) -> None:
        # Checked between documents, so a cancel during this stage need not wait for all courts.
        _check_cancel(cancel)
        report("publish", done, total)

    write_publications(
        out_dir, request.policy, suppress=request.suppress_small_cells, progress=progress
    )


def _manifest(
    request: RunRequest,
    county: str,
    as_of: date,
    as_of_was_default: bool,
    inputs: list[Any],
) -> dict[str, Any]:
    return {
        "tool": "autoclear",
        "tool_version": __version__,
        "command_line": request.command_line if request.command_line is not None else sys.argv,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "county": county,
        "as_of": as_of.isoformat(),
        "as_of_was_default": as_of_was_default,
        "skip_bad_lines": request.skip_bad_lines,
        "policy": request.policy.to_dict(),
        "inputs": [
            {
                "name": item.name,
                "size": item.size,
                "lines": item.lines,
                "sha256": item.sha256,
                "encoding": item.encoding,
                "has_header": item.has_header,
            }
            for item in inputs
        ],
    }


# SHA-256 of files already summed in this process, by path, size and modification time, so that
# writing the manifest again after the publications does not read the result files again.
_DigestCache = dict[tuple[Path, int, int], str]


def _remember_sha256(cache: _DigestCache, final_path: Path, written: WrittenFile) -> None:
    """Store the SHA-256 of a file written under a temporary name, for after its rename."""
    status = written.path.stat()
    cache[(final_path, status.st_size, status.st_mtime_ns)] = written.sha256


def _cached_sha256(path: Path, cache: _DigestCache) -> str:
    status = path.stat()
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in cache:
        cache[key] = sha256_of(path)
    return cache[key]


def _write_manifest(
    out_dir: Path, manifest: dict[str, Any], cache: _DigestCache | None = None
) -> None:
    """Write manifest.json last, with the checksum of every other file in the run folder."""
    digests: _DigestCache = {} if cache is None else cache
    outputs = {
        str(path.relative_to(out_dir)): _cached_sha256(path, digests)
        for path in sorted(out_dir.rglob("*"))
        if path.is_file()
        and path.name not in ("manifest.json", IN_PROGRESS_MARKER)
        and not path.name.endswith(".tmp")
    }
    content = dict(manifest, outputs=outputs)
    temporary = out_dir / "manifest.json.tmp"
    temporary.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(out_dir / "manifest.json")
