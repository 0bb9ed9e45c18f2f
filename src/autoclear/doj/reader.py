"""Reader of DOJ research files: the files of one delivery become one Polars frame of strings.

Each file is read twice by Polars, never line by line in Python. The first read takes every
physical line as one unparsed string, so line numbers count blank lines and the header and
each line can be checked for field count and quoting (see `autoclear.doj.validation`). The
second read parses the fields: straight from the file when every line is sound, otherwise from
a temporary file with only the accepted lines, each after its line number. Field values keep
their padding.

Messages name files, line numbers and field counts, never line contents, because the lines
contain names and dates of birth.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS, FIELD_COUNT
from autoclear.doj.validation import (
    REPEATED_HEADER,
    Layout,
    LayoutError,
    detect_layout,
    fits_layout_pattern,
    is_blank,
    is_header_like,
    line_problem,
    subject_id_of,
    with_line_shape,
)
from autoclear.errors import InputFileError, MalformedLinesError

ProgressCallback = Callable[[int, int | None], None]

UTF8_BOM = b"\xef\xbb\xbf"
NOT_UTF8 = "file is not UTF-8; read as Latin-1"

# The layout check reads this much of each file; the binary check looks at the first part of it.
FIRST_BLOCK_SIZE = 1 << 20
BINARY_CHECK_SIZE = 64 << 10
TRANSCODE_CHUNK_SIZE = 16 << 20

# Number of file:line locations a MalformedLinesError message lists.
LOCATIONS_IN_MESSAGE = 5

# Separators for reading whole lines as one field: bytes that never occur in a sound DOJ line,
# tried in order in case a line contains one of them.
_RAW_SEPARATORS = ("\x1f", "\x1e", "\x00")
_TRAILING_FIELD = "_TRAILING_FIELD"

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "subject_id": pl.String(),
    "problem": pl.String(),
}
SOURCE_SCHEMA: dict[str, pl.DataType] = {
    "_file": pl.String(),
    "_file_index": pl.UInt32(),
    "_line": pl.Int64(),
}
LINES_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.String() for name in DOJ_COLUMNS},
    **SOURCE_SCHEMA,
}


@dataclass(frozen=True)
class InputFile:
    """One input file of a delivery, as read."""

    path: Path
    name: str
    size: int  # bytes
    lines: int  # physical lines, counting a header line and blank lines
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig" or "latin-1"
    has_header: bool
    field_count: int  # 95, or 96 when every line ends with a trailing comma


@dataclass(frozen=True)
class ReadResult:
    """All accepted lines of a delivery, the problems found, and the files read."""

    # One row per accepted data line in input order: the DOJ columns as read, then _file,
    # _file_index (position in the list of paths) and _line (1-based physical line number).
    lines: pl.DataFrame
    # Columns file, line, subject_id, problem: malformed lines and notes such as the encoding.
    problems: pl.DataFrame
    inputs: list[InputFile]
    # Trimmed SUBJECT_ID of each malformed line where one could be found, first seen first.
    bad_line_subjects: list[str]


class MalformedLinesFound(MalformedLinesError):
    """MalformedLinesError carrying the problems frame, so that quality.csv can still be written."""

    def __init__(self, message: str, problems: pl.DataFrame, bad_line_subjects: list[str]):
        super().__init__(message)
        self.problems = problems
        self.bad_line_subjects = bad_line_subjects


@dataclass(frozen=True)
class _FileStart:
    """Size, probable encoding and layout of a file, from its first block."""

    path: Path
    size: int
    encoding: str
    layout: Layout


@dataclass(frozen=True)
class _FileLines:
    """The result of reading one file."""

    lines: pl.DataFrame | None  # None when the fields were not parsed
    problems: pl.DataFrame  # malformed lines and notes
    malformed: pl.DataFrame  # the problems that are malformed lines
    line_count: int
    encoding: str


def read_delivery(
    paths: Sequence[Path],
    *,
    skip_bad_lines: bool = False,
    progress: ProgressCallback | None = None,
) -> ReadResult:
    """Read the DOJ research files of one delivery into one frame, in the order given.

    Raises InputFileError (exit code 2) when a file is missing, empty or binary, or when its
    first lines do not have 95 fields. Every file is checked this way before any is read in
    full. Raises MalformedLinesFound, a MalformedLinesError (exit code 3), when lines have a
    wrong field count or broken quoting. With `skip_bad_lines`, those lines are left out of
    `lines` instead and listed in `problems`. `progress(done_bytes, total_bytes)` is called a
    few times per file.
    """
    if not paths:
        raise InputFileError("No input files given: name at least one DOJ research file.")

    starts = [_check_file_start(Path(path)) for path in paths]
    total_bytes = sum(start.size for start in starts)
    report = progress or _ignore_progress
    report(0, total_bytes)

    inputs: list[InputFile] = []
    line_frames: list[pl.DataFrame] = []
    problem_frames: list[pl.DataFrame] = []
    malformed_frames: list[pl.DataFrame] = []
    done_bytes = 0
    with ExitStack() as stack:
        hasher = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        # NOTE: a Latin-1 file, or a file with malformed or scattered blank lines, is copied to
        # the system temporary folder (TMPDIR), which needs about as much free space as the file.
        temp_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="autoclear-read-"))
        digests = [hasher.submit(_sha256_of, start.path) for start in starts]
        # An error must not wait for the checksums of the remaining files.
        stack.callback(lambda: [digest.cancel() for digest in digests])
        for index, (start, digest) in enumerate(zip(starts, digests, strict=True)):

            def report_file(fraction: float, start: _FileStart = start, before: int = done_bytes):
                report(before + int(start.size * fraction), total_bytes)

            # Once a malformed line makes the run fail, parsing further files is wasted work.
            parse = skip_bad_lines or not malformed_frames
            file_lines = _read_file(
                start,
                index,
                Path(temp_dir),
                parse=parse,
                skip_bad_lines=skip_bad_lines,
                report=report_file,
            )
            problem_frames.append(file_lines.problems)
            if file_lines.malformed.height:
                malformed_frames.append(file_lines.malformed)
            if file_lines.lines is not None:
                line_frames.append(file_lines.lines)
            inputs.append(_describe_input(start, file_lines, digest))
            done_bytes += start.size
            report(done_bytes, total_bytes)

    problems = pl.concat(problem_frames, how="vertical")
    malformed = (
        pl.concat(malformed_frames, how="vertical") if malformed_frames else problems.clear()
    )
    bad_line_subjects = malformed["subject_id"].drop_nulls().unique(maintain_order=True).to_list()
    if malformed.height and not skip_bad_lines:
        raise MalformedLinesFound(
            _describe_malformed(malformed), problems=problems, bad_line_subjects=bad_line_subjects
        )

    lines = (
        pl.concat(line_frames, how="vertical") if line_frames else pl.DataFrame(schema=LINES_SCHEMA)
    )
    return ReadResult(
        lines=lines, problems=problems, inputs=inputs, bad_line_subjects=bad_line_subjects
    )


def _ignore_progress(done: int, total: int | None) -> None:
    return None


def _describe_input(start: _FileStart, file_lines: _FileLines, digest: Future[str]) -> InputFile:
    return InputFile(
        path=start.path,
        name=start.path.name,
        size=start.size,
        lines=file_lines.line_count,
        sha256=digest.result(),
        encoding=file_lines.encoding,
        has_header=start.layout.has_header,
        field_count=start.layout.field_count,
    )


def _describe_malformed(malformed: pl.DataFrame) -> str:
    count = malformed.height
    locations = [
        f"{row['file']} line {row['line']} ({row['problem']})"
        for row in malformed.head(LOCATIONS_IN_MESSAGE).iter_rows(named=True)
    ]
    more = f" and {count - LOCATIONS_IN_MESSAGE} more" if count > LOCATIONS_IN_MESSAGE else ""
    lines_word = "line" if count == 1 else "lines"
    return (
        f"{count} malformed {lines_word} in the input: {'; '.join(locations)}{more}. "
        "Correct the file, or rerun with --skip-bad-lines to leave these lines out "
        "and send their subjects to Hand Review."
    )


# --- First block of a file: existence, size, binary content, encoding, layout -------------------


def _check_file_start(path: Path) -> _FileStart:
    """Check that `path` looks like a DOJ research file from its first block; raise if not."""
    if not path.exists():
        raise InputFileError(f"Input file {path} was not found: check the path.")
    if not path.is_file():
        raise InputFileError(f"Input file {path} is not a file: name a DOJ research file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            block = stream.read(FIRST_BLOCK_SIZE)
    except OSError as error:
        raise InputFileError(
            f"Input file {path} could not be read ({error.strerror}): check its permissions."
        ) from error

    if size == 0:
        raise InputFileError(f"Input file {path} is empty (0 bytes): name a DOJ research file.")
    if b"\x00" in block[:BINARY_CHECK_SIZE]:
        raise InputFileError(
            f"Input file {path} contains NUL bytes in its first {BINARY_CHECK_SIZE // 1024} KiB, "
            "so it is a binary file (or UTF-16 text), not a DOJ research file: "
            "export the extract as comma-separated text."
        )

    whole_file = len(block) == size
    sample = block if whole_file else block[: block.rfind(b"\n") + 1]
    has_bom = sample.startswith(UTF8_BOM)
    try:
        sample.decode("utf-8")
        encoding = "utf-8-sig" if has_bom else "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
        sample = sample.removeprefix(UTF8_BOM).decode("latin-1").encode("utf-8")

    try:
        raw = _read_raw_lines(sample) if sample else pl.DataFrame(schema={"line": pl.String})
        layout = detect_layout(with_line_shape(raw), whole_file=whole_file)
    except _RawReadError as error:
        raise _not_line_based(path) from error
    except LayoutError as error:
        raise InputFileError(f"Input file {path} {error}.") from None
    return _FileStart(path=path, size=size, encoding=encoding, layout=layout)


# --- Reading a whole file -------------------------------------------------------------------------


class _RawReadError(ValueError):
    """The lines of a file could not be read as whole strings."""


def _read_file(
    start: _FileStart,
    file_index: int,
    temp_dir: Path,
    *,
    parse: bool,
    skip_bad_lines: bool,
    report: Callable[[float], None],
) -> _FileLines:
    name = start.path.name
    field_count = start.layout.field_count
    raw, source, encoding, notes = _read_raw_file(start, temp_dir / f"{file_index}.utf8")
    report(0.3)

    line_count = raw.height
    shaped = _classify(raw, start.layout)
    del raw  # shaped contains the lines now
    report(0.6)

    problem_rows = _problem_rows(shaped, name, field_count)
    malformed = problem_rows.filter(pl.col("malformed")).drop("malformed")
    problems = pl.concat(
        [pl.DataFrame(notes, schema=PROBLEM_SCHEMA), problem_rows.drop("malformed")],
        how="vertical",
    ).sort("line", maintain_order=True)
    del problem_rows

    if not parse or (malformed.height and not skip_bad_lines):
        return _FileLines(None, problems, malformed, line_count, encoding)

    all_fit = bool(shaped["parsable"].all())
    kept_run = _single_run(shaped["keep"])
    temp_path = temp_dir / f"{file_index}.kept"
    straight = all_fit and kept_run is not None
    kept_count = 0 if straight else _write_numbered_lines(shaped, temp_path)
    del shaped  # frees the raw lines before the parse

    try:
        parsed = None
        if straight and kept_run is not None:
            parsed = _parse_whole_file(source, field_count, line_count, kept_run)
            if parsed is None:
                # NOTE: Polars 2.1 parses one row per physical line, blank lines included, so
                # this fallback only guards against a change of that behaviour.
                shaped = _classify(_read_raw_lines(source), start.layout)
                kept_count = _write_numbered_lines(shaped, temp_path)
                del shaped
        if parsed is None:
            parsed = _parse_numbered_lines(temp_path, field_count, kept_count)
    except pl.exceptions.PolarsError:
        # The Polars message can quote the line, so it is not passed on.
        raise InputFileError(
            f"Input file {start.path} could not be parsed although its lines passed the field "
            "count and quoting checks. Please report this problem to the autoclear developers."
        ) from None

    lines = parsed.select(
        *DOJ_COLUMNS,
        pl.lit(name, dtype=pl.String).alias("_file"),
        pl.lit(file_index, dtype=pl.UInt32).alias("_file_index"),
        pl.col("_line"),
    )
    return _FileLines(lines, problems, malformed, line_count, encoding)


def _read_raw_file(
    start: _FileStart, utf8_path: Path
) -> tuple[pl.DataFrame, Path, str, list[dict[str, object]]]:
    """Read the raw lines of a file, through a UTF-8 copy at `utf8_path` when it is Latin-1.

    Returns the raw lines, the file they were read from, the encoding and the notes for the
    problems frame.
    """
    name = start.path.name
    if start.encoding == "latin-1":
        source, first_invalid = _transcode_latin1(start.path, utf8_path)
        notes = [_note(name, first_invalid or 0, NOT_UTF8)]
        try:
            return _read_raw_lines(source), source, "latin-1", notes
        except _RawReadError as error:
            raise _not_line_based(start.path) from error

    try:
        return _read_raw_lines(start.path), start.path, start.encoding, []
    except _RawReadError as error:
        # The first block was UTF-8, but a later part may not be. If it is, the file is not
        # line-based text.
        source, first_invalid = _transcode_latin1(start.path, utf8_path)
        if first_invalid is None:
            raise _not_line_based(start.path) from error
        notes = [_note(name, first_invalid, NOT_UTF8)]
        return _read_raw_lines(source), source, "latin-1", notes


def _problem_rows(shaped: pl.DataFrame, file_name: str, field_count: int) -> pl.DataFrame:
    """Return the problem rows of classified lines, with a `malformed` column."""
    flagged = shaped.filter(pl.col("malformed") | pl.col("repeated_header"))
    return with_line_shape(flagged.select("line", "malformed", "_line")).select(
        pl.lit(file_name, dtype=pl.String).alias("file"),
        pl.col("_line").alias("line"),
        pl.when(pl.col("malformed")).then(subject_id_of(pl.col("line"))).alias("subject_id"),
        pl.when(pl.col("malformed"))
        .then(line_problem(field_count))
        .otherwise(pl.lit(REPEATED_HEADER))
        .alias("problem"),
        pl.col("malformed"),
    )


def _classify(raw: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Add line numbers and the kind of each raw line, as boolean columns.

    Added columns: `_line`, `blank`, `repeated_header`, `malformed`, `keep` (an accepted data
    line) and `parsable` (a line that a straight parse of the whole file accepts).
    """
    lines = raw.with_columns(
        _line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        blank=is_blank(pl.col("line")),
        header_like=is_header_like(pl.col("line")),
        fits=fits_layout_pattern(layout.field_count),
    )
    header_line = 0
    header_parsable = False
    if layout.has_header:
        header_line = int(lines.filter(~pl.col("blank"))["_line"][0])
        header = with_line_shape(lines.filter(pl.col("_line") == header_line).select("line"))
        # A header without the trailing comma of the data lines still parses.
        header_parsable = bool(
            header.select(pl.col("well_quoted") & (pl.col("fields") <= layout.field_count)).item()
        )
    is_header = pl.col("_line") == header_line
    return lines.with_columns(
        repeated_header=pl.col("header_like") & ~is_header,
        malformed=~pl.col("blank") & ~pl.col("header_like") & ~is_header & ~pl.col("fits"),
        parsable=pl.col("fits") | pl.col("blank") | (is_header & header_parsable),
    ).with_columns(
        keep=~pl.col("blank") & ~is_header & ~pl.col("repeated_header") & ~pl.col("malformed"),
    )


def _single_run(keep: pl.Series) -> tuple[int, int] | None:
    """Return (offset, length) when the true values of `keep` form one run, else None."""
    kept_rows = keep.arg_true()
    if kept_rows.len() == 0:
        return (0, 0)
    first, last = int(kept_rows[0]), int(kept_rows[-1])
    return (first, last - first + 1) if last - first + 1 == kept_rows.len() else None


def _parse_whole_file(
    source: Path, field_count: int, line_count: int, kept_run: tuple[int, int]
) -> pl.DataFrame | None:
    """Parse a file whose lines are all sound and keep the rows of `kept_run`.

    The kept rows are one run (usually all lines but a header and blank lines at the ends),
    so a zero-copy slice selects them: a filter would copy every column. Returns None when
    the parse does not give one row per physical line.
    """
    parsed = _parse_fields(source, field_count, numbered=False)
    if parsed.height != line_count:
        return None
    offset, length = kept_run
    return parsed.slice(offset, length)


def _write_numbered_lines(shaped: pl.DataFrame, temp_path: Path) -> int:
    """Write the kept lines of `shaped` to `temp_path`, each after its line number and a comma.

    Returns the number of lines written. Parsed back, the line numbers come out as a column
    chunked like the others: a Series added afterwards would make Polars copy the whole frame
    to align chunks, and so would a filter of the parsed frame.
    """
    numbered = shaped.filter(pl.col("keep")).select("_line", "line")
    numbered.write_csv(temp_path, include_header=False, quote_style="never")
    return numbered.height


def _parse_numbered_lines(temp_path: Path, field_count: int, expected_rows: int) -> pl.DataFrame:
    parsed = _parse_fields(temp_path, field_count, numbered=True) if expected_rows else None
    temp_path.unlink()
    if parsed is None:
        return pl.DataFrame(schema={**{name: pl.String for name in DOJ_COLUMNS}, "_line": pl.Int64})
    if parsed.height != expected_rows:
        raise RuntimeError(
            f"parsing {expected_rows} checked lines gave {parsed.height} rows; please report this"
        )
    return parsed


def _parse_fields(source: Path, field_count: int, *, numbered: bool) -> pl.DataFrame:
    """Parse every line of `source` into string columns named after DOJ_COLUMNS, plus `_line`.

    With `numbered`, each line starts with its line number as an extra field. Otherwise
    `_line` counts the rows from 1, which is the physical line number because Polars 2.1
    keeps a row for each empty line.
    """
    schema: dict[str, pl.DataType] = {"_line": pl.Int64()} if numbered else {}
    schema.update({name: pl.String() for name in DOJ_COLUMNS})
    if field_count > FIELD_COUNT:
        schema[_TRAILING_FIELD] = pl.String()
    parsed = pl.read_csv(
        source,
        has_header=False,
        schema=schema,
        missing_columns="insert",
        quote_char='"',
        row_index_name=None if numbered else "_line",
        row_index_offset=1,
    )
    return parsed if numbered else parsed.with_columns(pl.col("_line").cast(pl.Int64))


def _read_raw_lines(source: Path | bytes) -> pl.DataFrame:
    """Read each physical line as one string (column `line`, null for an empty line).

    Polars 2.1 removes the UTF-8 byte order mark and the carriage return of CRLF line ends and
    keeps empty lines as nulls, so row i is physical line i + 1.
    """
    for separator in _RAW_SEPARATORS:
        try:
            return pl.read_csv(
                source,
                has_header=False,
                separator=separator,
                quote_char=None,
                schema={"line": pl.String},
                missing_columns="insert",
            )
        except pl.exceptions.PolarsError:
            continue
    raise _RawReadError("could not be split into lines")


def _not_line_based(path: Path) -> InputFileError:
    return InputFileError(
        f"Input file {path} could not be split into text lines: it contains control characters "
        "(bytes 0x1E, 0x1F and NUL) or is not text. Check that it is a DOJ research file."
    )


def _transcode_latin1(path: Path, target: Path) -> tuple[Path, int | None]:
    """Write `path`, read as Latin-1, to `target` as UTF-8.

    Returns `target` and the number of the first line that is not valid UTF-8 (None when the
    whole file is valid UTF-8). The file is copied in chunks that end at a line end, so a chunk
    never splits a line and memory stays bounded.
    """
    first_invalid: int | None = None
    lines_before = 0
    carry = b""
    with path.open("rb") as source, target.open("wb") as sink:
        if source.read(len(UTF8_BOM)) != UTF8_BOM:
            source.seek(0)
        while True:
            block = source.read(TRANSCODE_CHUNK_SIZE)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            chunk, carry = data[:cut], data[cut:]
            if first_invalid is None:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as error:
                    first_invalid = lines_before + chunk.count(b"\n", 0, error.start) + 1
            lines_before += chunk.count(b"\n")
            sink.write(chunk.decode("latin-1").encode("utf-8"))
            if not block:
                break
    return target, first_invalid


def _sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _note(file_name: str, line: int, problem: str) -> dict[str, object]:
    return {"file": file_name, "line": line, "subject_id": None, "problem": problem}
