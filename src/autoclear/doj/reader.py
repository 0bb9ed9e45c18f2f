"""Reader of DOJ research files: the files of one delivery become one Polars frame of strings.

Each file is read twice by Polars, never line by line in Python. The first read takes every
physical line as one unparsed string, so line numbers count blank lines and the header and
each line can be checked for field count and quoting (see `autoclear.doj.validation`). The
second read parses the fields: straight from the file when every line is sound, otherwise from
a temporary file holding only the sound lines. Field values keep their padding.

Messages name files, line numbers and field counts, never line contents: the lines hold names
and dates of birth.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS, FIELD_COUNT
from autoclear.doj.validation import (
    REPEATED_HEADER,
    Layout,
    LayoutError,
    detect_layout,
    fits_layout,
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
    """What the first block of a file shows: its size, probable encoding and layout."""

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

    Raises InputFileError (exit code 2) when a file is missing, empty, binary or does not have
    95 fields on its first lines; every file is checked this way before any is read in full.
    Raises MalformedLinesFound, a MalformedLinesError (exit code 3), when lines have a wrong
    field count or broken quoting, unless `skip_bad_lines` is set: then those lines are left
    out of `lines` and listed in `problems`. `progress(done_bytes, total_bytes)` is called a
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
    with (
        ThreadPoolExecutor(max_workers=1) as hasher,
        tempfile.TemporaryDirectory(prefix="autoclear-read-") as temp_dir,
    ):
        digests = [hasher.submit(_sha256_of, start.path) for start in starts]
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
    except (LayoutError, _RawReadError) as error:
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
    encoding = start.encoding
    source = start.path
    notes: list[dict[str, object]] = []

    if encoding == "latin-1":
        source, first_invalid = _transcode_latin1(start.path, temp_dir / f"{file_index}.utf8")
        notes.append(_note(name, first_invalid or 0, NOT_UTF8))
    try:
        raw = _read_raw_lines(source)
    except _RawReadError as error:
        # The first block was UTF-8 but a later part may not be; anything else is not a DOJ file.
        if encoding == "latin-1":
            raise _not_line_based(start.path) from error
        source, first_invalid = _transcode_latin1(start.path, temp_dir / f"{file_index}.utf8")
        if first_invalid is None:
            raise _not_line_based(start.path) from error
        encoding = "latin-1"
        notes.append(_note(name, first_invalid, NOT_UTF8))
        raw = _read_raw_lines(source)
    report(0.3)

    line_count = raw.height
    field_count = start.layout.field_count
    shaped = _classify(with_line_shape(raw), start.layout)
    report(0.6)

    problem_rows = shaped.filter(pl.col("problem").is_not_null()).select(
        pl.lit(name, dtype=pl.String).alias("file"),
        pl.col("_line").alias("line"),
        pl.when(pl.col("malformed")).then(subject_id_of(pl.col("line"))).alias("subject_id"),
        pl.col("problem"),
        pl.col("malformed"),
    )
    malformed = problem_rows.filter(pl.col("malformed")).drop("malformed")
    problems = pl.concat(
        [pl.DataFrame(notes, schema=PROBLEM_SCHEMA), problem_rows.drop("malformed")],
        how="vertical",
    ).sort("line", maintain_order=True)

    if not parse or (malformed.height and not skip_bad_lines):
        return _FileLines(None, problems, malformed, line_count, encoding)

    keep = shaped["keep"]
    all_fit = bool(shaped.select((fits_layout(field_count) | pl.col("blank")).all()).item())
    if all_fit:
        del raw, shaped, problem_rows
        parsed = _parse_fields(source, field_count)
        if parsed.height == line_count:
            parsed = _keep_rows(
                parsed.with_columns(_line=pl.int_range(1, line_count + 1, dtype=pl.Int64)), keep
            )
        else:
            # NOTE: Polars 2.1 returns one row per physical line, blank lines included; this
            # branch only guards against a change of that behaviour.
            parsed = _parse_kept_lines(_read_raw_lines(source), start.layout, temp_dir, file_index)
    else:
        kept = shaped.filter(pl.col("keep")).select("line", "_line")
        del raw, shaped, problem_rows
        parsed = _parse_line_frame(kept, field_count, temp_dir, file_index)

    lines = parsed.select(
        *DOJ_COLUMNS,
        pl.lit(name, dtype=pl.String).alias("_file"),
        pl.lit(file_index, dtype=pl.UInt32).alias("_file_index"),
        pl.col("_line"),
    )
    return _FileLines(lines, problems, malformed, line_count, encoding)


def _classify(shaped: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Add `_line`, `problem`, `malformed` and `keep` (an accepted data line) to shaped lines."""
    shaped = shaped.with_columns(_line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    first_non_blank = shaped.filter(~pl.col("blank"))["_line"].first()
    header_line = first_non_blank if layout.has_header else 0
    is_header = pl.col("_line") == header_line
    repeated_header = pl.col("header_like") & ~is_header
    malformed = line_problem(layout.field_count)
    return shaped.with_columns(
        problem=pl.when(is_header)
        .then(pl.lit(None, dtype=pl.String))
        .when(repeated_header)
        .then(pl.lit(REPEATED_HEADER))
        .otherwise(malformed),
        malformed=~is_header & ~repeated_header & malformed.is_not_null(),
    ).with_columns(
        keep=~pl.col("blank") & ~is_header & ~repeated_header & ~pl.col("malformed"),
    )


def _keep_rows(frame: pl.DataFrame, keep: pl.Series) -> pl.DataFrame:
    """Return the rows of `frame` where `keep` is true.

    A filter copies every column, which costs as much as the parse. The rows left out are
    usually only a header and blank lines at the start or end, so a zero-copy slice is used
    whenever the kept rows form one run.
    """
    kept_rows = keep.arg_true()
    if kept_rows.len() == 0:
        return frame.clear()
    first, last = int(kept_rows[0]), int(kept_rows[-1])
    if last - first + 1 == kept_rows.len():
        return frame.slice(first, last - first + 1)
    return frame.filter(keep)


def _parse_kept_lines(
    raw: pl.DataFrame, layout: Layout, temp_dir: Path, file_index: int
) -> pl.DataFrame:
    kept = _classify(with_line_shape(raw), layout).filter(pl.col("keep")).select("line", "_line")
    return _parse_line_frame(kept, layout.field_count, temp_dir, file_index)


def _parse_line_frame(
    kept: pl.DataFrame, field_count: int, temp_dir: Path, file_index: int
) -> pl.DataFrame:
    """Parse the raw lines of `kept` (columns line and _line) through a temporary file."""
    if kept.height == 0:
        return pl.DataFrame(schema={**{name: pl.String for name in DOJ_COLUMNS}, "_line": pl.Int64})
    temp_path = temp_dir / f"{file_index}.kept"
    kept.select("line").write_csv(temp_path, include_header=False, quote_style="never")
    parsed = _parse_fields(temp_path, field_count)
    temp_path.unlink()
    if parsed.height != kept.height:
        raise RuntimeError(
            f"parsing {kept.height} checked lines gave {parsed.height} rows; please report this"
        )
    return parsed.with_columns(kept["_line"])


def _parse_fields(source: Path, field_count: int) -> pl.DataFrame:
    """Parse every line of `source` into the DOJ columns as strings, one row per physical line."""
    names = list(DOJ_COLUMNS)
    if field_count > FIELD_COUNT:
        names.append(_TRAILING_FIELD)
    return pl.read_csv(
        source,
        has_header=False,
        schema={name: pl.String for name in names},
        missing_columns="insert",
        quote_char='"',
    )


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
