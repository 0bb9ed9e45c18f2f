"""The pieces of the result writer: CSV encoding of result columns and the output file."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import polars as pl
import pytest

from autoclear.doj.reader import open_delivery
from autoclear.errors import InputFileError
from autoclear.outputs import output_file, results
from autoclear.outputs.output_file import OutputFile
from autoclear.outputs.results import (
    DECIDED_COLUMNS,
    EMPTY_ENCODED,
    ENCODED,
    IN_SCOPE,
    SOURCE_LINE,
    csv_field,
    write_result_files,
)
from autoclear.records.history import ROW
from doj_lines import make_line, write_doj_file

QUOTING_CASES = [
    ("plain", "plain"),
    ("", ""),
    (None, ""),
    ("A, B", '"A, B"'),
    ('SAID "HI"', '"SAID ""HI"""'),
    ("LINE\nBREAK", '"LINE\nBREAK"'),
    ("CR\rHERE", '"CR\rHERE"'),
    ("  padded  ", "  padded  "),
]


@pytest.mark.parametrize(("value", "expected"), QUOTING_CASES)
def test_csv_field_encoding(value: str | None, expected: str) -> None:
    frame = pl.DataFrame({"value": [value]}, schema={"value": pl.String})

    encoded = frame.select(csv_field(pl.col("value"))).item()

    assert encoded == expected


@pytest.mark.parametrize(("value", "expected"), QUOTING_CASES)
def test_csv_field_reads_back(value: str | None, expected: str) -> None:
    encoded = pl.DataFrame({"value": [value]}, schema={"value": pl.String}).select(
        csv_field(pl.col("value"))
    )
    line = "first," + encoded.item() + ",last\n"

    parsed = pl.read_csv(io.BytesIO(line.encode()), has_header=False, infer_schema=False)

    assert parsed.row(0)[1] == (value or None)
    assert parsed.row(0)[2] == "last"


def test_empty_encoding_has_one_field_per_column() -> None:
    assert EMPTY_ENCODED.count(",") == len(DECIDED_COLUMNS) - 1


def test_output_file_content_and_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A small drop-behind size, so that the flushes happen between the writes below.
    monkeypatch.setattr(output_file, "DROP_BEHIND_BYTES", 1000)
    pieces = [bytes([65 + n % 26]) * (300 + n) for n in range(40)]
    path = tmp_path / "out.csv"

    output = OutputFile(path)
    for piece in pieces:
        assert output.write(piece) == len(piece)
    output.close()
    written = output.result()

    content = b"".join(pieces)
    assert path.read_bytes() == content
    assert written.path == path
    assert written.sha256 == hashlib.sha256(content).hexdigest()


def test_output_file_takes_polars_csv(tmp_path: Path) -> None:
    frame = pl.DataFrame({"text": ["a,b", "c"]})
    path = tmp_path / "polars.csv"

    output = OutputFile(path)
    frame.write_csv(output, include_header=False, quote_style="never")  # type: ignore[call-overload]
    output.close()

    assert path.read_text() == "a,b\nc\n"
    assert output.result().sha256 == hashlib.sha256(b"a,b\nc\n").hexdigest()


class FullDisk:
    """A file object whose writes fail as on a full disk, and so does the flush on close."""

    closed = False

    def write(self, _data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        self.closed = True
        raise OSError(28, "No space left on device")


def test_output_file_raises_write_error(tmp_path: Path) -> None:
    output = OutputFile(tmp_path / "full.csv")
    output._handle.close()
    output._handle = FullDisk()  # type: ignore[assignment]

    output.write(b"first line\n")
    with pytest.raises(OSError, match="No space left"):
        output.close()


def test_output_file_abandon_on_full_disk(tmp_path: Path) -> None:
    output = OutputFile(tmp_path / "full.csv")
    output._handle.close()
    output._handle = FullDisk()  # type: ignore[assignment]
    output.write(b"first line\n")

    output.abandon()

    assert output._thread.is_alive() is False
    assert output._handle.closed


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "autoclear-writer" and t.is_alive()]


def test_writer_stops_all_threads_on_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_doj_file(tmp_path / "lines.dat", [make_line()] * 50)
    created: list[OutputFile] = []

    def first_file_full(path: Path) -> OutputFile:
        output = OutputFile(path)
        if not created:
            output._handle.close()
            output._handle = FullDisk()  # type: ignore[assignment]
        created.append(output)
        return output

    monkeypatch.setattr(results, "OutputFile", first_file_full)
    with (
        open_delivery([source]) as delivery,
        pytest.raises(OSError, match="No space left"),
    ):
        write_result_files(delivery, results_frame([], []), tmp_path)

    assert len(created) == 3
    assert writer_threads() == []
    assert prepare_threads() == []


def test_output_file_abandon_stops_writing(tmp_path: Path) -> None:
    path = tmp_path / "abandoned.csv"
    output = OutputFile(path)
    for _ in range(20):
        output.write(b"x" * 1000)

    output.abandon()

    assert output._thread.is_alive() is False
    assert output._handle.closed


def results_frame(rows: list[int], source_lines: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            ROW: pl.Series(rows, dtype=pl.UInt32),
            SOURCE_LINE: pl.Series(source_lines, dtype=pl.Int64),
            IN_SCOPE: [False] * len(rows),
            ENCODED: [EMPTY_ENCODED] * len(rows),
        }
    )


def test_writer_rejects_result_on_wrong_line(tmp_path: Path) -> None:
    source = write_doj_file(tmp_path / "three.dat", [make_line()] * 3, header=True)

    # Row 1 is physical line 3 (after the header), not line 2.
    with (
        open_delivery([source]) as delivery,
        pytest.raises(InputFileError, match="do not match the lines"),
    ):
        write_result_files(delivery, results_frame([1], [2]), tmp_path)
    assert prepare_threads() == []
    assert writer_threads() == []


def test_writer_rejects_result_beyond_last_line(tmp_path: Path) -> None:
    source = write_doj_file(tmp_path / "three.dat", [make_line()] * 3)

    with (
        open_delivery([source]) as delivery,
        pytest.raises(InputFileError, match="read 3 lines"),
    ):
        write_result_files(delivery, results_frame([1, 7], [2, 8]), tmp_path)


def test_writer_places_result_on_its_line(tmp_path: Path) -> None:
    source = write_doj_file(tmp_path / "three.dat", [make_line()] * 3, header=True)
    # The last result column, Flags, set to X.
    encoded = EMPTY_ENCODED + "X"
    results = results_frame([1], [3]).with_columns(pl.lit(encoded).alias(ENCODED))

    with open_delivery([source]) as delivery:
        written = write_result_files(delivery, results, tmp_path)

    lines = written["All_Results.csv"].path.read_text().splitlines()
    assert lines[2].endswith(",X,three.dat,3")
    assert lines[1].endswith(",three.dat,2")
    assert not lines[1].endswith(",X,three.dat,2")


def prepare_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("autoclear-prepare")]


def decided_results(rows: int, every: int) -> pl.DataFrame:
    """Results for every `every`-th row of a file without header or blank lines."""
    chosen = list(range(0, rows, every))
    return results_frame(chosen, [row + 1 for row in chosen]).with_columns(
        pl.format("{},X{}", pl.lit(EMPTY_ENCODED[:-1]), pl.col(ROW)).alias(ENCODED),
        (pl.col(ROW) % 3 == 0).alias(IN_SCOPE),
    )


def test_small_blocks_give_same_files(tmp_path: Path) -> None:
    texts = [make_line(SUBJECT_ID=str(1000000 + n), PRI_NAME=f"DOE,J{n}") for n in range(400)]
    source = write_doj_file(tmp_path / "many.dat", texts)
    results = decided_results(len(texts), every=7)
    whole = tmp_path / "whole"
    small = tmp_path / "small"
    whole.mkdir()
    small.mkdir()

    with open_delivery([source]) as delivery:
        expected = write_result_files(delivery, results, whole)
        # About 40 blocks, so that several are prepared at the same time.
        found = write_result_files(delivery, results, small, block_size=4000)

    for name, written in expected.items():
        assert found[name].path.read_bytes() == written.path.read_bytes()
        assert found[name].sha256 == written.sha256
    prop64 = pl.read_csv(expected["Prop64_Results.csv"].path, infer_schema=False)
    assert prop64.height == len(range(0, 400, 21))
    assert prop64.get_column("Flags").to_list() == [f"X{row}" for row in range(0, 400, 21)]


def test_writer_stops_threads_on_cancel(tmp_path: Path) -> None:
    texts = [make_line(SUBJECT_ID=str(1000000 + n)) for n in range(400)]
    source = write_doj_file(tmp_path / "many.dat", texts)
    calls: list[int] = []

    def cancel_after_two_blocks(done: int, _total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with open_delivery([source]) as delivery, pytest.raises(KeyboardInterrupt):
        write_result_files(
            delivery, results_frame([], []), tmp_path, cancel_after_two_blocks, block_size=4000
        )

    assert len(calls) == 3
    assert prepare_threads() == []
    assert writer_threads() == []


def test_output_file_writes_frame_lines(tmp_path: Path) -> None:
    frame = pl.DataFrame({"text": ['"A, B"', "C"], "more": ["1,2", None], "number": [7, 8]})
    path = tmp_path / "frame.csv"

    output = OutputFile(path)
    output.write(b"header\n")
    output.write_lines(frame)
    output.write_lines(frame.clear())
    output.close()

    content = b'header\n"A, B",1,2,7\nC,,8\n'
    assert path.read_bytes() == content
    assert output.result().sha256 == hashlib.sha256(content).hexdigest()


def test_output_file_frame_on_full_disk(tmp_path: Path) -> None:
    output = OutputFile(tmp_path / "full.csv")
    output._handle.close()
    output._handle = FullDisk()  # type: ignore[assignment]

    output.write_lines(pl.DataFrame({"text": ["first line"]}))
    with pytest.raises(OSError, match="No space left"):
        output.close()
