"""Large output files written front to back, with their SHA-256 and without filling memory.

`OutputFile` takes bytes, or frames whose columns are CSV text already. One background thread
per file serializes the frames, writes the bytes and sums their SHA-256, so the caller goes on
building the next block while the file is written, several files are written at the same time,
and the manifest does not read the file back. On Linux the thread also advises the kernel,
every DROP_BEHIND_BYTES, that the pages written will not be read again (`posix_fadvise`
DONTNEED), so gigabytes of results do not fill the page cache. Like most programs, it never
waits for the disk: the kernel writes the last pages back after the file is closed. On a 2-core
virtual machine, growing the page cache cost about 0.45 s per 32 MiB written and the
drop-behind about 0.03 s (measured with a plain Python write loop).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import polars as pl

# Bytes written between two drop-behind calls. On the benchmark machine (2-core virtual
# machine, benchmarks/run.py), the write stage of a 1M-line run took about 3.6 s with 16 or
# 32 MiB and 4.2 s with 64 MiB, waiting for the disk at each call. Without any call it once
# used 7.8 s of system time, because the page cache grew instead of reusing dropped pages.
# Not waiting for the disk (fdatasync) took the write stage from 3.2 s to 2.6-2.9 s, with at
# most about 180 MB more in the page cache.
DROP_BEHIND_BYTES = 32 << 20

# Maximum number of pieces (bytes or frames) queued for the writer thread. A frame is one block
# of result lines, about 15 MB, and the three result files share most of its columns.
QUEUED_PIECES = 2

_END = b""

_Piece = bytes | pl.DataFrame


@dataclass(frozen=True)
class WrittenFile:
    """A file written by `OutputFile`: where it is and the SHA-256 of its content."""

    path: Path
    sha256: str


class OutputFile:
    """A binary file written by a background thread; see the module docstring."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("wb")
        self._digest = hashlib.sha256()
        self._pieces: queue.Queue[_Piece] = queue.Queue(maxsize=QUEUED_PIECES)
        self._written = 0
        self._dropped = 0
        self._error: BaseException | None = None
        self._stopping = False
        # A daemon thread, so that a caller that fails without `close` or `abandon` cannot keep
        # the process alive. Both of them wait for the thread.
        self._thread = threading.Thread(
            target=self._write_pieces, name="autoclear-writer", daemon=True
        )
        self._thread.start()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Queue `data` to be appended and return its length, as a binary file object does."""
        self._raise_error()
        piece = data if isinstance(data, bytes) else bytes(data)
        if piece:
            self._pieces.put(piece)
        return len(piece)

    def write_lines(self, frame: pl.DataFrame) -> None:
        """Queue the rows of `frame` to be appended as lines, their fields joined by commas.

        The columns must be CSV text already (or numbers): nothing is quoted.
        """
        self._raise_error()
        if frame.height:
            self._pieces.put(frame)

    def close(self) -> None:
        """Write what is queued and close the file; raise a write error."""
        self._pieces.put(_END)
        self._thread.join()
        self._handle.close()
        self._raise_error()

    def abandon(self) -> None:
        """Stop writing after a failure and close the file; the caller removes it.

        An OSError from closing is ignored: closing flushes the buffered bytes, which fails again
        on a full disk, and the caller is already handling the first error.
        """
        self._stopping = True
        # The thread skips the pieces still queued once `_stopping` is set, so `put` waits at
        # most for the piece being written.
        self._pieces.put(_END)
        self._thread.join()
        with contextlib.suppress(OSError):
            self._handle.close()

    def result(self) -> WrittenFile:
        return WrittenFile(self.path, self._digest.hexdigest())

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _write_pieces(self) -> None:
        while True:
            piece = self._pieces.get()
            if piece is _END:
                break
            if self._stopping or self._error is not None:
                continue
            try:
                if isinstance(piece, pl.DataFrame):
                    # Polars calls `_append` with about 2.5 MB of CSV at a time (Polars 2.1).
                    sink = cast(IO[bytes], _Sink(self._append))
                    piece.write_csv(sink, include_header=False, quote_style="never")
                else:
                    self._append(piece)
            except BaseException as error:  # re-raised in the caller's thread
                # Polars 2.1 re-raises an error of `_append` as it is.
                self._error = error
        if not self._stopping and self._error is None:
            try:
                self._drop_behind()
            except OSError as error:
                self._error = error

    def _append(self, piece: bytes) -> int:
        self._handle.write(piece)
        self._digest.update(piece)
        self._written += len(piece)
        if self._written - self._dropped >= DROP_BEHIND_BYTES:
            self._drop_behind()
            self._dropped = self._written
        return len(piece)

    def _drop_behind(self) -> None:
        """Start writing the file's cached pages to disk and drop those already written.

        On Linux, POSIX_FADV_DONTNEED starts the write-back of dirty pages without waiting for
        it and drops the clean ones, so the pages of one call are dropped by the next.
        """
        self._handle.flush()
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self._handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


class _Sink:
    """The file object Polars writes CSV into: each write goes to `append`."""

    def __init__(self, append: Callable[[bytes], int]) -> None:
        self.write = append
