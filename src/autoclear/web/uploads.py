"""Uploads of DOJ files: streamed to disk in chunks, named safely, and checked at once.

The request body is parsed with python-multipart's streaming parser, so no file is ever
held in memory whole. Each file goes to a `.partial` file first and is renamed to its
final name only after it arrived complete, within the size limit, and passed the check.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Literal

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from autoclear.doj.columns import FIELD_COUNT
from autoclear.errors import InputFileError, MalformedLinesError

logger = logging.getLogger("autoclear.web")

ALLOWED_SUFFIXES = (".dat", ".txt", ".csv")
# Files up to this size are checked with the full DOJ reader; larger ones by their first lines.
READER_CHECK_MAX_BYTES = 128 * 1024 * 1024
FIRST_LINES_CHECKED = 2000
WRITE_BUFFER_BYTES = 1024 * 1024

# Magic numbers of files people pick by mistake, with the words to name them.
_KNOWN_BINARIES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Excel/Word file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
)


class UploadRejected(ValueError):
    """An upload that cannot be used. The message tells why and what to do."""


def check_file_name(raw_name: str) -> str:
    """Return the file name to store.

    Raises UploadRejected for a missing, path-like, hidden or wrong-type name.
    """
    name = raw_name.strip()
    if not name:
        raise UploadRejected("A file was sent without a name. Pick the file again.")
    if "/" in name or "\\" in name or re.match(r"^[A-Za-z]:", name) or name in {".", ".."}:
        raise UploadRejected(
            f"The file name {name!r} looks like a folder path. "
            "Upload the file itself, with a plain name such as 'county.dat'."
        )
    if any(ord(c) < 32 for c in name) or len(name) > 200 or name.startswith("."):
        raise UploadRejected(
            f"The file name {name!r} is not usable (hidden, too long or with control characters). "
            "Rename the file and upload it again."
        )
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadRejected(
            f"{name}: wrong file type. Upload the DOJ research file as text "
            f"({', '.join(ALLOWED_SUFFIXES)})."
        )
    return name


@dataclass
class ReceivedFile:
    """One file part of an upload request, as written to disk."""

    name: str
    partial: Path | None
    size: int = 0
    rejected: str | None = None


@dataclass
class ReceivedForm:
    """Files and plain fields of one multipart request."""

    files: list[ReceivedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


class _PartWriter:
    """Collects the callbacks of python-multipart and writes file parts to `.partial` files."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.form = ReceivedForm()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._current: ReceivedFile | None = None
        self._field_name: str | None = None
        self._field_value = bytearray()
        self._buffer = bytearray()
        self._handle: io.BufferedWriter | None = None
        self.pending_writes: list[tuple[io.BufferedWriter, bytes]] = []
        self.pending_closes: list[io.BufferedWriter] = []

    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        field_name, raw_name = _disposition(self._headers.get(b"content-disposition", b""))
        if raw_name is None:
            self._current = None
            self._field_name = field_name
            self._field_value = bytearray()
            return
        self._field_name = None
        if not raw_name:
            # A form submitted with no file picked sends an empty part without a name.
            self._current = ReceivedFile(name="", partial=None, rejected="")
            return
        try:
            name = check_file_name(raw_name)
        except UploadRejected as error:
            self._current = ReceivedFile(name=raw_name, partial=None, rejected=str(error))
        else:
            partial = self.folder / f".{len(self.form.files)}.partial"
            self._current = ReceivedFile(name=name, partial=partial)
            self._handle = open(partial, "wb")  # noqa: SIM115 - closed in on_part_end or discard()
        self.form.files.append(self._current)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field_name is not None:
            if len(self._field_value) < 10_000:
                self._field_value += data[start:end]
            return
        current = self._current
        if current is None or current.rejected is not None or self._handle is None:
            return
        current.size += end - start
        if current.size > self.max_bytes:
            current.rejected = (
                f"{current.name} is larger than the upload limit of "
                f"{format_bytes(self.max_bytes)}. Split the file or start the app with a "
                "larger --max-upload-gb."
            )
            self.pending_closes.append(self._handle)
            self._handle = None
            self._buffer = bytearray()
            return
        self._buffer += data[start:end]
        if len(self._buffer) >= WRITE_BUFFER_BYTES:
            self.pending_writes.append((self._handle, bytes(self._buffer)))
            self._buffer = bytearray()

    def on_part_end(self) -> None:
        if self._field_name is not None:
            self.form.fields[self._field_name] = self._field_value.decode("utf-8", "replace")
            self._field_name = None
            return
        if self._handle is not None:
            if self._buffer:
                self.pending_writes.append((self._handle, bytes(self._buffer)))
                self._buffer = bytearray()
            self.pending_closes.append(self._handle)
            self._handle = None
        self._current = None

    def flush(self) -> None:
        for handle, data in self.pending_writes:
            handle.write(data)
        self.pending_writes.clear()
        for handle in self.pending_closes:
            handle.close()
        self.pending_closes.clear()

    def discard(self) -> None:
        """Close and delete every partial file: used when the request fails half way."""
        self.pending_writes.clear()
        for handle in [*self.pending_closes, *([self._handle] if self._handle else [])]:
            handle.close()
        self.pending_closes.clear()
        self._handle = None
        for item in self.form.files:
            if item.partial is not None:
                item.partial.unlink(missing_ok=True)


def _disposition(header: bytes) -> tuple[str, str | None]:
    """Return the field name and the file name exactly as sent (None for a plain field).

    python-multipart's own header parser cuts Windows paths down to their last part. The
    name is kept whole here, so a path-like name is rejected instead of silently renamed.
    """
    message = Message()
    message["content-disposition"] = header.decode("utf-8", "replace")
    name = message.get_param("name", "", header="content-disposition")
    filename = message.get_filename()
    return (name if isinstance(name, str) else ""), filename


async def receive_multipart(
    content_type: str, stream: AsyncIterator[bytes], folder: Path, max_bytes: int
) -> ReceivedForm:
    """Stream a multipart body to `.partial` files in `folder`.

    A file over `max_bytes` is deleted as soon as it passes the limit; the rest of its
    part is read and dropped, so the browser still receives the response page.
    """
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise UploadRejected("The upload was not sent as a file form. Use the Upload button.")
    writer = _PartWriter(folder, max_bytes)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": writer.on_part_begin,
            "on_part_data": writer.on_part_data,
            "on_part_end": writer.on_part_end,
            "on_header_field": writer.on_header_field,
            "on_header_value": writer.on_header_value,
            "on_header_end": writer.on_header_end,
            "on_headers_finished": writer.on_headers_finished,
        },
    )
    try:
        async for chunk in stream:
            parser.write(chunk)
            if writer.pending_writes or writer.pending_closes:
                await run_in_threadpool(writer.flush)
        parser.finalize()
        await run_in_threadpool(writer.flush)
    except BaseException:
        writer.discard()
        raise
    for item in writer.form.files:
        if item.rejected is not None and item.partial is not None:
            item.partial.unlink(missing_ok=True)
            item.partial = None
    return writer.form


@dataclass
class FileCheck:
    """Result of the check of one stored file."""

    lines: int | None
    subjects: int | None
    warnings: list[str]
    checked_with: Literal["reader", "first lines"]


def check_doj_file(path: Path, display_name: str) -> FileCheck:
    """Check that a stored file is a DOJ research file; raise UploadRejected when it is not.

    Files up to READER_CHECK_MAX_BYTES go through `autoclear.doj.reader.read_delivery` when
    that module is installed. Larger files get a check of their first lines and a line count.
    """
    size = path.stat().st_size
    if size == 0:
        raise UploadRejected(f"{display_name} is empty. Upload the DOJ file that has the records.")
    with open(path, "rb") as handle:
        head = handle.read(8192)
    for magic, kind in _KNOWN_BINARIES:
        if head.startswith(magic):
            raise UploadRejected(
                f"{display_name} is {kind}, not a DOJ research file. "
                "Upload the comma-separated text file from DOJ."
            )
    if b"\x00" in head:
        raise UploadRejected(
            f"{display_name} is not a text file. Upload the comma-separated text file from DOJ."
        )
    if size <= READER_CHECK_MAX_BYTES:
        checked = _check_with_reader(path, display_name)
        if checked is not None:
            return checked
    return _check_first_lines(path, display_name)


def _check_with_reader(path: Path, display_name: str) -> FileCheck | None:
    try:
        from autoclear.doj.reader import read_delivery
    except ImportError:
        return None
    warnings: list[str] = []
    try:
        read_delivery([path])
    except MalformedLinesError as error:
        message = _rename(str(error), path, display_name)
        message = message.replace(
            "rerun with --skip-bad-lines", "tick 'Skip malformed lines' on the Run page"
        )
        warnings.append(message)
    except InputFileError as error:
        raise UploadRejected(_rename(str(error), path, display_name)) from None
    result = read_delivery([path], skip_bad_lines=True)
    frame = result.lines
    subjects = frame["SUBJECT_ID"].str.strip_chars().n_unique() if frame.height else 0
    return FileCheck(frame.height, subjects, warnings, "reader")


def _rename(message: str, path: Path, display_name: str) -> str:
    """Replace the stored path in a reader message with the name the user uploaded."""
    return message.replace(str(path), display_name).replace(path.name, display_name)


def _check_first_lines(path: Path, display_name: str) -> FileCheck:
    warnings: list[str] = []
    subjects: set[str] = set()
    with open(path, encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle)
        for number, row in enumerate(reader, start=1):
            if number > FIRST_LINES_CHECKED:
                break
            if number == 1 and row and row[0].strip().upper() == "RECORD_ID":
                continue
            if not row:
                continue
            if len(row) not in (FIELD_COUNT, FIELD_COUNT + 1):
                problem = (
                    f"{display_name}, line {number}: {len(row)} fields, expected {FIELD_COUNT} "
                    f"(or {FIELD_COUNT + 1} with a trailing comma)"
                )
                if len(row) == FIELD_COUNT - 1:
                    problem += "; the END_OF_REC column is missing"
                if number <= 2:
                    raise UploadRejected(
                        problem + ". This is not a DOJ research file in the expected layout."
                    )
                warnings.append(problem + ".")
                if len(warnings) >= 5:
                    break
                continue
            subjects.add(row[2].strip())
    lines = _count_lines(path)
    if warnings:
        warnings.append(
            "Malformed lines stop the run unless 'Skip malformed lines' is ticked on the Run page."
        )
    subject_count = len(subjects) if lines <= FIRST_LINES_CHECKED else None
    return FileCheck(lines, subject_count, warnings, "first lines")


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def store_checked(partial: Path, final: Path) -> None:
    """Move a checked `.partial` file to its final name, replacing an earlier upload."""
    os.replace(partial, final)


def format_bytes(count: int) -> str:
    """Format a byte count for people: '512 KB', '4.0 GB'."""
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit in ("bytes", "KB") else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def log_upload(accepted: int, rejected: int, total_bytes: int) -> None:
    logger.info("upload accepted=%d rejected=%d bytes=%d", accepted, rejected, total_bytes)
