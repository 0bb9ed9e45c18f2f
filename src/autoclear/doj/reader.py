"""Reader of DOJ research files: the files of one delivery, checked and ready to scan with Polars.

Each file is read by Polars in two streaming passes, never line by line in Python and never
whole in memory. The first pass takes every physical line as one unparsed string, so line
numbers count blank lines, and checks the header and every line for field count and quoting
(see `autoclear.doj.validation`); only the lines that are blank, header-like or malformed are
kept from it. The second pass, `Delivery.scan`, parses the fields: straight from the file when
every line parses, otherwise from a temporary file with only the accepted lines, each after its
line number. Field values keep their padding.

`open_delivery` runs the checks and returns a `Delivery` whose `scan()` can be streamed as often
as needed while the context is open; `read_delivery` collects the whole delivery into one frame.

Messages name files, line numbers and field counts, never line contents, because the lines
contain names and dates of birth.
"""

from __future__ import annotations

import hashlib
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS, FIELD_COUNT
from autoclear.doj.validation import (
    REPEATED_HEADER,
    TRAILING_EMPTY_FIELD,
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

# Bytes of an input file `LineSource.raw_blocks` reads at a time. Blocks well under glibc's
# 32 MiB mmap threshold are served from reused heap memory: reading a 1M-line file took 0.65 s
# of system time with 32 MiB blocks and 0.17 s with 8 MiB blocks (2-core virtual machine).
BLOCK_SIZE = 8 << 20

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


@dataclass(frozen=True)
class LineSource:
    """Where the accepted data lines of one input file are parsed from."""

    name: str
    file_index: int
    # The input file, its UTF-8 copy, or a temporary file of the accepted lines only.
    path: Path
    # True when each line of `path` starts with its physical line number and a comma.
    numbered: bool
    field_count: int
    # Physical lines of `path` that are not accepted data lines (header, blank lines); only
    # used when `numbered` is false.
    skipped_lines: list[int]
    accepted_lines: int
    # A byte that never occurs in the file's lines, so that a line reads as one field.
    line_separator: str

    def _schema(self) -> dict[str, pl.DataType]:
        """Return the schema of the lines of `path`: every field read as text."""
        schema: dict[str, pl.DataType] = {"_line": pl.Int64()} if self.numbered else {}
        schema.update({name: pl.String() for name in DOJ_COLUMNS})
        if self.field_count > FIELD_COUNT:
            schema[_TRAILING_FIELD] = pl.String()
        return schema

    def scan(self) -> pl.LazyFrame:
        """Stream the accepted lines: the DOJ columns as read, then _file, _file_index, _line."""
        parsed = pl.scan_csv(
            self.path,
            has_header=False,
            schema=self._schema(),
            missing_columns="insert",
            quote_char='"',
            row_index_name=None if self.numbered else "_line",
            row_index_offset=1,
        )
        if not self.numbered:
            # Polars 2.1 keeps a row for each empty line, so the row number is the line number.
            parsed = parsed.with_columns(pl.col("_line").cast(pl.Int64))
            if self.skipped_lines:
                parsed = parsed.filter(~pl.col("_line").is_in(self.skipped_lines))
        return parsed.select(
            *DOJ_COLUMNS,
            pl.lit(self.name, dtype=pl.String).alias("_file"),
            pl.lit(self.file_index, dtype=pl.UInt32).alias("_file_index"),
            pl.col("_line"),
        )

    def read_blocks(
        self, columns: Sequence[str], block_size: int = BLOCK_SIZE
    ) -> Iterator[tuple[pl.DataFrame, int]]:
        """Yield the accepted lines block by block, each with the number of bytes it covers.

        See `raw_blocks` and `parse_block`, which this combines.
        """
        for block in self.raw_blocks(block_size):
            yield self.parse_block(block, columns), len(block.data)

    def raw_blocks(self, block_size: int = BLOCK_SIZE) -> Iterator[RawBlock]:
        """Yield the file's lines in blocks of about `block_size` bytes, unparsed.

        A block ends at a line end, so memory stays bounded for files of any size, and blocks can
        be parsed in any order.
        """
        next_line = 1
        skipped = sorted(self.skipped_lines) if not self.numbered else []
        with self.path.open("rb") as stream:
            carry = stream.read(len(UTF8_BOM)).removeprefix(UTF8_BOM)
            while True:
                block = stream.read(block_size)
                data = carry + block
                cut = data.rfind(b"\n") + 1 if block else len(data)
                if block and cut == 0:
                    # One line longer than a block: read on until its end.
                    carry = data
                    continue
                chunk, carry = data[:cut], data[cut:]
                if chunk:
                    # A last line without a line end is a line too.
                    line_count = count_line_ends(chunk) + (0 if chunk.endswith(b"\n") else 1)
                    end_line = next_line + line_count
                    not_accepted = bisect_left(skipped, end_line) - bisect_left(skipped, next_line)
                    yield RawBlock(chunk, next_line, line_count, line_count - not_accepted)
                    next_line = end_line
                if not block:
                    return

    def parse_block(self, block: RawBlock, columns: Sequence[str]) -> pl.DataFrame:
        """Parse the accepted lines of one block of `raw_blocks`.

        Returns `_line`, `line` (the line as written, without the empty field after END_OF_REC
        when every line ends with a comma) and the DOJ `columns`, parsed as `scan` parses them.
        """
        chunk, first_line, expected = block.data, block.first_line, block.line_count
        raw = pl.read_csv(
            chunk,
            has_header=False,
            separator=self.line_separator,
            quote_char=None,
            schema={"line": pl.String},
            missing_columns="insert",
        )
        fields = [*(["_line"] if self.numbered else []), *columns]
        parsed = (
            pl.scan_csv(chunk, has_header=False, schema=self._schema(), missing_columns="insert")
            .select(fields)
            .collect()
            if fields
            else pl.DataFrame(height=expected)
        )
        if raw.height != expected or parsed.height != expected:
            raise InputFileError(
                f"Reading {self.name} again from line {first_line} gave {raw.height} and "
                f"{parsed.height} lines where {expected} were expected. Please report this "
                "problem to the autoclear developers."
            )

        line = pl.col("line")
        if self.numbered:
            # Each line of a numbered file starts with its line number and a comma.
            line = line.str.replace(r"^\d+,", "")
        else:
            parsed = parsed.with_columns(
                pl.int_range(first_line, first_line + expected, dtype=pl.Int64).alias("_line")
            )
        if self.field_count > FIELD_COUNT:
            line = line.str.replace(TRAILING_EMPTY_FIELD, "")
        lines = pl.concat([raw.select(line), parsed], how="horizontal").select(
            "_line", "line", *columns
        )
        if self.skipped_lines and not self.numbered:
            lines = lines.filter(~pl.col("_line").is_in(self.skipped_lines))
        return lines


@dataclass(frozen=True)
class RawBlock:
    """Whole lines of an input file as bytes, from `LineSource.raw_blocks`."""

    data: bytes
    first_line: int  # physical line number of the first line of `data`
    line_count: int  # physical lines in `data`
    accepted: int  # accepted data lines among them


def count_line_ends(data: bytes) -> int:
    """Return the number of line feeds in `data`, about 2.5 times faster than `bytes.count`."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n")))


@dataclass(frozen=True)
class Delivery:
    """The checked files of one delivery, ready to stream while `open_delivery` is open."""

    sources: list[LineSource]
    # Columns file, line, subject_id, problem: malformed lines and notes such as the encoding.
    problems: pl.DataFrame
    inputs: list[InputFile]
    # Trimmed SUBJECT_ID of each malformed line where one could be found, first seen first.
    bad_line_subjects: list[str] = field(default_factory=list)
    # Malformed lines left out of the run; notes such as the encoding are not counted.
    rejected_lines: int = 0

    @property
    def accepted_lines(self) -> int:
        return sum(source.accepted_lines for source in self.sources)

    @property
    def size(self) -> int:
        """Total size of the input files in bytes."""
        return sum(item.size for item in self.inputs)

    def scan(self, row_index: str | None = None) -> pl.LazyFrame:
        """Stream every accepted line in input order, as `ReadResult.lines` describes them.

        With `row_index`, a first column of that name numbers the accepted lines from 0.
        """
        if self.sources:
            lines = pl.concat([source.scan() for source in self.sources], how="vertical")
        else:
            lines = pl.LazyFrame(schema=LINES_SCHEMA)
        return lines.with_row_index(row_index) if row_index else lines

    def parse_error(self) -> InputFileError:
        """Return the error for a parse that failed although every line passed the checks.

        The Polars message can quote a line, so it is not passed on.
        """
        names = ", ".join(item.name for item in self.inputs)
        return InputFileError(
            f"The input files ({names}) could not be parsed although their lines passed the "
            "field count and quoting checks. Please report this problem to the autoclear "
            "developers."
        )

    def check_row_count(self, rows: int) -> None:
        """Raise when a parse gave another number of rows than the check accepted lines."""
        if rows != self.accepted_lines:
            names = ", ".join(item.name for item in self.inputs)
            raise InputFileError(
                f"Parsing the input files ({names}) gave {rows} rows, but {self.accepted_lines} "
                "lines passed the field count and quoting checks. Please report this problem "
                "to the autoclear developers."
            )


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
class _FileCheck:
    """The result of checking every line of one file."""

    source: LineSource | None  # None when the lines are not to be parsed
    problems: pl.DataFrame  # malformed lines and notes
    malformed: pl.DataFrame  # the problems that are malformed lines
    line_count: int
    encoding: str


@dataclass(frozen=True)
class _Digest:
    sha256: str
    line_count: int  # physical lines, as Polars splits them


def read_delivery(
    paths: Sequence[Path],
    *,
    skip_bad_lines: bool = False,
    progress: ProgressCallback | None = None,
) -> ReadResult:
    """Read the DOJ research files of one delivery into one frame, in the order given.

    Raises as `open_delivery` does. The frame contains every column of every accepted line, so
    large deliveries should be streamed with `open_delivery` instead.
    """
    with open_delivery(paths, skip_bad_lines=skip_bad_lines, progress=progress) as delivery:
        try:
            lines = delivery.scan().collect(engine="streaming")
        except pl.exceptions.PolarsError:
            # The Polars message can quote the line, so it is not passed on.
            raise delivery.parse_error() from None
        delivery.check_row_count(lines.height)
    return ReadResult(
        lines=lines,
        problems=delivery.problems,
        inputs=delivery.inputs,
        bad_line_subjects=delivery.bad_line_subjects,
    )


@contextmanager
def open_delivery(
    paths: Sequence[Path],
    *,
    skip_bad_lines: bool = False,
    progress: ProgressCallback | None = None,
    work_dir: Path | None = None,
) -> Iterator[Delivery]:
    """Check every line of the DOJ research files of one delivery and yield a `Delivery`.

    Raises InputFileError (exit code 2) when a file is missing, empty or binary, or when its
    first lines do not have 95 fields. Every file is checked this way before any is read in
    full. Raises MalformedLinesFound, a MalformedLinesError (exit code 3), when lines have a
    wrong field count or broken quoting. With `skip_bad_lines`, those lines are left out of
    the scan instead and listed in `problems`. `progress(done_bytes, total_bytes)` is called a
    few times per file. Temporary files go to `work_dir` (default: the system temporary
    folder) and are removed when the context closes.
    """
    if not paths:
        raise InputFileError("No input files given: name at least one DOJ research file.")

    starts = [_check_file_start(Path(path)) for path in paths]
    total_bytes = sum(start.size for start in starts)
    report = progress or _ignore_progress
    report(0, total_bytes)

    inputs: list[InputFile] = []
    sources: list[LineSource] = []
    problem_frames: list[pl.DataFrame] = []
    malformed_frames: list[pl.DataFrame] = []
    done_bytes = 0
    with ExitStack() as stack:
        hasher = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        # NOTE: a Latin-1 file, or a file with malformed lines or lines that do not parse, is
        # copied to the temporary folder, which needs about as much free space as the file.
        temp_dir = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="autoclear-read-", dir=work_dir)
        )
        digests = [hasher.submit(_digest_of, start.path) for start in starts]
        # An error must not wait for the checksums of the remaining files.
        stack.callback(lambda: [digest.cancel() for digest in digests])
        for index, (start, digest) in enumerate(zip(starts, digests, strict=True)):

            def report_file(fraction: float, start: _FileStart = start, before: int = done_bytes):
                report(before + int(start.size * fraction), total_bytes)

            # Once a malformed line makes the run fail, preparing further files is wasted work.
            parse = skip_bad_lines or not malformed_frames
            checked = _check_file(
                start,
                index,
                Path(temp_dir),
                digest,
                parse=parse,
                skip_bad_lines=skip_bad_lines,
                report=report_file,
            )
            problem_frames.append(checked.problems)
            if checked.malformed.height:
                malformed_frames.append(checked.malformed)
            if checked.source is not None:
                sources.append(checked.source)
            inputs.append(_describe_input(start, checked, digest))
            done_bytes += start.size
            report(done_bytes, total_bytes)

        problems = pl.concat(problem_frames, how="vertical")
        malformed = (
            pl.concat(malformed_frames, how="vertical") if malformed_frames else problems.clear()
        )
        bad_line_subjects = (
            malformed["subject_id"].drop_nulls().unique(maintain_order=True).to_list()
        )
        if malformed.height and not skip_bad_lines:
            raise MalformedLinesFound(
                _describe_malformed(malformed),
                problems=problems,
                bad_line_subjects=bad_line_subjects,
            )
        yield Delivery(
            sources=sources,
            problems=problems,
            inputs=inputs,
            bad_line_subjects=bad_line_subjects,
            rejected_lines=malformed.height,
        )


def _ignore_progress(done: int, total: int | None) -> None:
    return None


def _describe_input(start: _FileStart, checked: _FileCheck, digest: Future[_Digest]) -> InputFile:
    return InputFile(
        path=start.path,
        name=start.path.name,
        size=start.size,
        lines=checked.line_count,
        sha256=digest.result().sha256,
        encoding=checked.encoding,
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


def _check_file(
    start: _FileStart,
    file_index: int,
    temp_dir: Path,
    digest: Future[_Digest],
    *,
    parse: bool,
    skip_bad_lines: bool,
    report: Callable[[float], None],
) -> _FileCheck:
    """Check every line of one file and describe where its accepted lines can be parsed from."""
    name = start.path.name
    field_count = start.layout.field_count
    flagged, source, separator, encoding, notes = _flag_file(start, temp_dir / f"{file_index}.utf8")
    line_count = digest.result().line_count
    report(0.6)

    problem_rows = _problem_rows(flagged, name, field_count)
    malformed = problem_rows.filter(pl.col("malformed")).drop("malformed")
    problems = pl.concat(
        [pl.DataFrame(notes, schema=PROBLEM_SCHEMA), problem_rows.drop("malformed")],
        how="vertical",
    ).sort("line", maintain_order=True)
    del problem_rows

    if not parse or (malformed.height and not skip_bad_lines):
        return _FileCheck(None, problems, malformed, line_count, encoding)

    not_kept = flagged.filter(~pl.col("keep"))["_line"].to_list()
    accepted = line_count - len(not_kept)
    if bool(flagged["parsable"].all()):
        line_source = LineSource(
            name, file_index, source, False, field_count, not_kept, accepted, separator
        )
    else:
        numbered_path = temp_dir / f"{file_index}.kept"
        _write_numbered_lines(source, separator, not_kept, numbered_path)
        line_source = LineSource(
            name, file_index, numbered_path, True, field_count, [], accepted, separator
        )
    return _FileCheck(line_source, problems, malformed, line_count, encoding)


def _flag_file(
    start: _FileStart, utf8_path: Path
) -> tuple[pl.DataFrame, Path, str, str, list[dict[str, object]]]:
    """Return the flagged lines of a file (see `_flag_lines`), through a UTF-8 copy if needed.

    Also returns the file the lines were read from, the separator that reads each line as
    one field, the encoding and the notes for the problems frame.
    """
    name = start.path.name
    if start.encoding == "latin-1":
        source, first_invalid = _transcode_latin1(start.path, utf8_path)
        notes = [_note(name, first_invalid or 0, NOT_UTF8)]
        try:
            flagged, separator = _flag_lines(source, start.layout)
        except _RawReadError as error:
            raise _not_line_based(start.path) from error
        return flagged, source, separator, "latin-1", notes

    try:
        flagged, separator = _flag_lines(start.path, start.layout)
        return flagged, start.path, separator, start.encoding, []
    except _RawReadError as error:
        # The first block was UTF-8, but a later part may not be. If it is, the file is not
        # line-based text.
        source, first_invalid = _transcode_latin1(start.path, utf8_path)
        if first_invalid is None:
            raise _not_line_based(start.path) from error
    notes = [_note(name, first_invalid, NOT_UTF8)]
    try:
        flagged, separator = _flag_lines(source, start.layout)
    except _RawReadError as error:
        raise _not_line_based(start.path) from error
    return flagged, source, separator, "latin-1", notes


def _scan_raw_lines(source: Path, separator: str) -> pl.LazyFrame:
    """Stream each physical line as one string (`line`, null when empty) after its number `_line`.

    Polars 2.1 removes the UTF-8 byte order mark and the carriage return of CRLF line ends and
    keeps empty lines as nulls, so row i is physical line i.
    """
    return pl.scan_csv(
        source,
        has_header=False,
        separator=separator,
        quote_char=None,
        schema={"line": pl.String},
        missing_columns="insert",
        row_index_name="_line",
        row_index_offset=1,
    ).with_columns(pl.col("_line").cast(pl.Int64))


def _flag_lines(source: Path, layout: Layout) -> tuple[pl.DataFrame, str]:
    """Check every line of `source` in one streaming pass and return the lines that are not
    plain accepted data lines, classified, with the separator that worked.

    Columns: `_line`, `line`, `blank`, `header_like`, `fits`, `repeated_header`, `malformed`,
    `keep` (an accepted data line) and `parsable` (a line that a straight parse of the whole
    file accepts). Every line left out is an accepted, parsable data line.
    """
    for separator in _RAW_SEPARATORS:
        try:
            flagged = (
                _scan_raw_lines(source, separator)
                .with_columns(
                    blank=is_blank(pl.col("line")),
                    header_like=is_header_like(pl.col("line")),
                    fits=fits_layout_pattern(layout.field_count),
                )
                .filter(pl.col("blank") | pl.col("header_like") | ~pl.col("fits"))
                .collect(engine="streaming")
            )
        except pl.exceptions.PolarsError:
            continue
        return _classify(flagged, layout), separator
    raise _RawReadError("could not be split into lines")


def _classify(flagged: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Add the kind of each flagged line as boolean columns; see `_flag_lines`."""
    header_line = 0
    header_parsable = False
    if layout.has_header:
        # The header is the first line that is not blank, and it is header-like, so flagged.
        header_line = int(flagged.filter(~pl.col("blank"))["_line"][0])
        header = with_line_shape(flagged.filter(pl.col("_line") == header_line).select("line"))
        # A header without the trailing comma of the data lines still parses.
        header_parsable = bool(
            header.select(pl.col("well_quoted") & (pl.col("fields") <= layout.field_count)).item()
        )
    is_header = pl.col("_line") == header_line
    return flagged.with_columns(
        repeated_header=pl.col("header_like") & ~is_header,
        malformed=~pl.col("blank") & ~pl.col("header_like") & ~is_header & ~pl.col("fits"),
        parsable=pl.col("fits") | pl.col("blank") | (is_header & header_parsable),
    ).with_columns(
        keep=~pl.col("blank") & ~is_header & ~pl.col("repeated_header") & ~pl.col("malformed"),
    )


def _problem_rows(flagged: pl.DataFrame, file_name: str, field_count: int) -> pl.DataFrame:
    """Return the problem rows of classified lines, with a `malformed` column."""
    rows = flagged.filter(pl.col("malformed") | pl.col("repeated_header"))
    return with_line_shape(rows.select("line", "malformed", "_line")).select(
        pl.lit(file_name, dtype=pl.String).alias("file"),
        pl.col("_line").alias("line"),
        pl.when(pl.col("malformed")).then(subject_id_of(pl.col("line"))).alias("subject_id"),
        pl.when(pl.col("malformed"))
        .then(line_problem(field_count))
        .otherwise(pl.lit(REPEATED_HEADER))
        .alias("problem"),
        pl.col("malformed"),
    )


def _write_numbered_lines(source: Path, separator: str, not_kept: list[int], target: Path) -> None:
    """Write the accepted lines of `source` to `target`, each after its line number and a comma.

    Parsed back, the line numbers come out as a column of their own, and lines that broke the
    parse of the whole file (malformed lines, a header with broken quoting) are gone.
    """
    _scan_raw_lines(source, separator).filter(~pl.col("_line").is_in(not_kept)).select(
        "_line", "line"
    ).sink_csv(target, include_header=False, quote_style="never")


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


def _digest_of(path: Path) -> _Digest:
    """Return the SHA-256 of a file and its number of physical lines, in one read."""
    digest = hashlib.sha256()
    newlines = 0
    last = b""
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            newlines += count_line_ends(block)
            last = block[-1:]
    # A last line without a line end is a line too.
    line_count = newlines + (1 if last not in (b"", b"\n") else 0)
    return _Digest(sha256=digest.hexdigest(), line_count=line_count)


def _note(file_name: str, line: int, problem: str) -> dict[str, object]:
    return {"file": file_name, "line": line, "subject_id": None, "problem": problem}
