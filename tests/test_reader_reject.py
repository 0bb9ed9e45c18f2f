"""Files that are not DOJ research files are rejected with InputFileError (exit code 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoclear.doj.reader import read_delivery
from autoclear.errors import InputFileError
from doj_lines import make_line, write_doj_file


def reject(path: Path) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        read_delivery([path])
    assert caught.value.exit_code == 2
    assert str(path) in str(caught.value)
    return caught.value


def drop_last_field(line: str) -> str:
    return line.rsplit(",", 1)[0]


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "zero_bytes.dat"
    path.write_bytes(b"")
    assert "is empty (0 bytes)" in str(reject(path))


def test_only_blank_lines(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "only_blank.dat", ["", "  ", ""], crlf=True)
    assert "contains only blank lines" in str(reject(path))


def test_only_header(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "only_header.dat", [""], header=True)
    assert "only a header line and no data lines" in str(reject(path))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.dat"
    path.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)) * 10)
    assert "NUL bytes" in str(reject(path))


def test_utf16_file_is_binary(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "utf16.dat", [make_line()], encoding="utf-16")
    assert "UTF-16" in str(reject(path))


def test_missing_end_of_rec_94_fields(tmp_path: Path) -> None:
    lines = [drop_last_field(make_line()) for _ in range(5)]
    path = write_doj_file(tmp_path / "fields_94.dat", lines, header=False)
    message = str(reject(path))

    assert "has 94 fields on its first 5 data lines" in message
    assert "END_OF_REC, is missing" in message


def test_missing_end_of_rec_with_header(tmp_path: Path) -> None:
    lines = [drop_last_field(make_line()) for _ in range(3)]
    path = write_doj_file(tmp_path / "fields_94_header.dat", lines, header=True)
    assert "END_OF_REC, is missing" in str(reject(path))


def test_single_line_of_94_fields(tmp_path: Path) -> None:
    path = write_doj_file(tmp_path / "one_line_94.dat", [drop_last_field(make_line())])
    assert "has 94 fields on its first data line" in str(reject(path))


@pytest.mark.parametrize("field_count", [1, 20, 93, 97, 120])
def test_wrong_field_count_on_first_lines(tmp_path: Path, field_count: int) -> None:
    line = ",".join(["X"] * field_count)
    path = write_doj_file(tmp_path / "wrong_count.dat", [line] * 12 + [make_line()])
    message = str(reject(path))

    assert f"has {field_count} fields on its first 10 data lines" in message
    assert "95" in message


def test_mostly_wrong_first_lines(tmp_path: Path) -> None:
    lines = [make_line()] * 4 + [",".join(["X"] * 30)] * 5 + [",".join(["X"] * 31)]
    path = write_doj_file(tmp_path / "mostly_wrong.dat", lines)
    assert "has 30 fields on 5 of its first 10 data lines" in str(reject(path))


def test_half_sound_first_lines_are_accepted(tmp_path: Path) -> None:
    lines = [make_line()] * 5 + [",".join(["X"] * 30)] * 5
    path = write_doj_file(tmp_path / "half_wrong.dat", lines)
    assert read_delivery([path], skip_bad_lines=True).problems.height == 5


def test_tab_separated_file(tmp_path: Path) -> None:
    path = tmp_path / "tab_separated.dat"
    path.write_text("\t".join(["A"] * 95) + "\n")
    assert "has 1 fields" in str(reject(path))


def test_broken_quotes_on_first_lines(tmp_path: Path) -> None:
    lines = [make_line(PRI_NAME="DOE JOHN").replace("DOE JOHN", '"DOE,JOHN')] * 5
    path = write_doj_file(tmp_path / "broken_quotes.dat", lines)
    assert "broken double quotes on its first 5 data lines" in str(reject(path))


def test_missing_file(tmp_path: Path) -> None:
    assert "was not found" in str(reject(tmp_path / "missing.dat"))


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.dat"
    folder.mkdir()
    assert "is not a file" in str(reject(folder))


def test_no_paths() -> None:
    with pytest.raises(InputFileError, match="No input files given"):
        read_delivery([])


def test_message_has_no_line_contents(tmp_path: Path) -> None:
    lines = [drop_last_field(make_line(PRI_NAME="SECRETNAME,ZED", PRI_DOB="19611231"))] * 3
    message = str(reject(write_doj_file(tmp_path / "private.dat", lines)))

    assert "SECRETNAME" not in message
    assert "19611231" not in message


def test_bad_second_file_rejected_before_reading(tmp_path: Path) -> None:
    good = write_doj_file(tmp_path / "good.dat", [make_line()])
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    progress_calls: list[tuple[int, int | None]] = []

    with pytest.raises(InputFileError, match="empty.dat"):
        read_delivery(
            [good, empty], progress=lambda done, total: progress_calls.append((done, total))
        )
    assert progress_calls == []


@pytest.mark.parametrize("lines_before", [200, 2500])
def test_line_with_every_separator_byte(tmp_path: Path, lines_before: int) -> None:
    # NUL after the first 64 KiB passes the binary check, but the line cannot be read whole.
    # After 2500 lines it is also past the first block that the layout check reads.
    lines = [make_line()] * lines_before + [make_line(COMMENT_TEXT="A\x1fB\x1eC\x00D")]
    path = write_doj_file(tmp_path / "control_bytes.dat", lines)
    assert path.stat().st_size > 64 * 1024
    assert "could not be split into text lines" in str(reject(path))
