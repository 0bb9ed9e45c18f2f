"""Writing synthetic DOJ frames as research-file lines, with optional malformed lines."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.doj.counties import normalize_county
from autoclear.errors import UsageError
from autoclear.generate import synthetic

# Columns whose values can contain a comma; they are quoted when they do.
QUOTABLE_COLUMNS = frozenset(
    {"PRI_NAME", "REQ_NAME", "COMMENT_TEXT", "OFFENSE_DESCR", "CONV_OFFENSE_DESCR", "DISP_DESCR"}
)

# Lines per chunk: peak memory grows with it (about 1 GiB at 100,000 lines), total size does not.
CHUNK_LINES = 100_000
SHUFFLE_RATE = 0.01
REPEAT_RATE = 0.0005

# Kinds of malformed line. `malform_lines` takes an index into this tuple.
BAD_LINE_KINDS = (
    "94 fields: END_OF_REC missing",
    "97 fields: extra fields at the end",
    "line cut in the middle",
    "unterminated quote",
)


@dataclass(frozen=True)
class GenerateStats:
    """Counts describing a written synthetic file."""

    lines: int
    subjects: int
    cannabis_convictions: int  # convicted HS 11357-11360 counts, all counties, copies excluded
    bad_lines: int


def _quoted(column: str) -> pl.Expr:
    value = pl.col(column)
    needs_quotes = value.str.contains('[,"]')
    escaped = pl.lit('"') + value.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(needs_quotes).then(escaped).otherwise(value)


def format_lines(frame: pl.DataFrame) -> pl.Series:
    """Join the 95 DOJ columns of each row into one comma-separated line, quoting as CSV does."""
    parts = [_quoted(c) if c in QUOTABLE_COLUMNS else pl.col(c) for c in DOJ_COLUMNS]
    return frame.select(pl.concat_str(parts, separator=",").alias("line")).to_series()


def malform_lines(lines: pl.Series, kinds: np.ndarray) -> pl.Series:
    """Damage each line by its kind, an index into BAD_LINE_KINDS. Kind -1 leaves a line intact."""
    line = pl.col("line")
    kind = pl.col("kind")
    malformed = (
        pl.when(kind == -1)
        .then(line)
        .when(kind == 0)
        .then(line.str.replace(r",[^,]*$", ""))
        .when(kind == 1)
        .then(line + ",x,x")
        .when(kind == 2)
        .then(line.str.slice(0, line.str.len_chars() // 3))
        .otherwise(line.str.replace(",", ',"', literal=True))
    )
    frame = pl.DataFrame({"line": lines, "kind": kinds})
    return frame.select(malformed.alias("line")).to_series()


def break_lines(rng: np.random.Generator, lines: pl.Series, rate: float) -> tuple[pl.Series, int]:
    """Replace a fraction `rate` of lines by malformed ones, and return the lines and that count."""
    if rate <= 0:
        return lines, 0
    n = len(lines)
    broken = rng.random(n) < rate
    kinds = np.where(broken, rng.integers(0, len(BAD_LINE_KINDS), n), -1)
    return malform_lines(lines, kinds), int(broken.sum())


def write_lines(handle: BinaryIO, lines: pl.Series, line_terminator: str = "\n") -> None:
    """Write lines verbatim, one per row."""
    pl.DataFrame({"line": lines}).write_csv(
        handle, include_header=False, quote_style="never", line_terminator=line_terminator
    )


def write_header(handle: BinaryIO, line_terminator: str = "\n") -> None:
    handle.write((",".join(DOJ_COLUMNS) + line_terminator).encode())


def _check_arguments(county: str, lines: int, bad_line_rate: float) -> str:
    canonical = normalize_county(county)
    if canonical is None:
        raise UsageError(
            f"Unknown county {county!r}. "
            "Give one of California's 58 counties, for example 'SAN FRANCISCO'."
        )
    if lines < 0:
        raise UsageError(f"Invalid line count {lines}: give 0 or more lines.")
    if not 0.0 <= bad_line_rate <= 1.0:
        raise UsageError(f"Invalid bad-line rate {bad_line_rate}: give a fraction from 0 to 1.")
    return canonical


def synthetic_frames(
    county: str, lines: int, seed: int, first_subject: int = 10_000_000
) -> Iterable[pl.DataFrame]:
    """Yield chunks of random DOJ lines totalling exactly `lines` rows.

    Chunks are built from whole subjects, except the last one, which is cut to the requested
    total. The chunk sizes depend only on the arguments, so the output does too.
    """
    canonical = _check_arguments(county, lines, 0.0)
    remaining = lines
    chunk_index = 0
    lines_per_subject = 8.0
    while remaining > 0:
        rng = np.random.default_rng(np.random.SeedSequence([seed, chunk_index]))
        target = min(remaining, CHUNK_LINES)
        subjects = max(1, math.ceil(target / lines_per_subject * 1.05))
        frame = synthetic.build_chunk(rng, canonical, subjects, first_subject)
        lines_per_subject = frame.height / subjects
        frame = synthetic.shuffle_some_lines(rng, frame, SHUFFLE_RATE)
        frame = synthetic.repeat_some_lines(rng, frame, REPEAT_RATE)
        frame = frame.head(min(remaining, frame.height))
        first_subject += subjects
        remaining -= frame.height
        chunk_index += 1
        yield frame


def write_synthetic_file(
    out: Path,
    *,
    county: str,
    lines: int,
    seed: int,
    bad_line_rate: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
    pathological: bool = False,
    header: bool = False,
    line_terminator: str = "\n",
) -> GenerateStats:
    """Write a synthetic DOJ research file of exactly `lines` lines (not counting a header).

    The same arguments always give the same bytes. `bad_line_rate` replaces that fraction of
    lines by malformed ones. `pathological` starts the file with one subject of 5,000 lines whose
    first cycle has 200 counts (it counts toward `lines`). `progress(done, total)` is called
    after each chunk.
    """
    from autoclear.generate.scenarios import pathological_subject, scenario_frame

    canonical = _check_arguments(county, lines, bad_line_rate)
    written = subjects = convictions = bad = 0
    bad_rng = np.random.default_rng(np.random.SeedSequence([seed, 1_000_000]))
    try:
        handle = out.open("wb")
    except OSError as error:
        raise UsageError(
            f"Failed to write {out}: {error.strerror}. Check the --out path."
        ) from None
    with handle:
        if header:
            write_header(handle, line_terminator)
        chunks: list[Iterable[pl.DataFrame]] = []
        remaining = lines
        if pathological and lines > 0:
            special = scenario_frame([pathological_subject(canonical)]).head(lines)
            remaining -= special.height
            chunks.append([special])
        chunks.append(synthetic_frames(canonical, remaining, seed))
        for source in chunks:
            for frame in source:
                text, broken = break_lines(bad_rng, format_lines(frame), bad_line_rate)
                write_lines(handle, text, line_terminator)
                written += frame.height
                subjects += frame["_subject"].n_unique()
                convictions += int(frame["_cannabis_conviction"].sum())
                bad += broken
                if progress is not None:
                    progress(written, lines)
    return GenerateStats(
        lines=written, subjects=subjects, cannabis_convictions=convictions, bad_lines=bad
    )
