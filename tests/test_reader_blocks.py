"""`LineSource.read_blocks`, which the result writer reads: the same lines as `Delivery.scan`.

The writer copies each accepted line as written and parses the condensed columns block by
block. So every kind of file the reader accepts must come out of `read_blocks` with the same
line numbers and values as the full parse, whatever the block size.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoclear.doj.columns import CONDENSED_COLUMNS, DOJ_COLUMNS
from autoclear.doj.reader import count_line_ends, open_delivery
from doj_lines import make_line, write_doj_file

FIXTURES = Path(__file__).parent / "fixtures" / "reader"


def blocks_of(paths: list[Path], block_size: int, skip_bad_lines: bool = False) -> pl.DataFrame:
    """All blocks of every source of a delivery, concatenated, with the scan for comparison."""
    with open_delivery(paths, skip_bad_lines=skip_bad_lines) as delivery:
        blocks = [
            lines
            for source in delivery.sources
            for lines, _size in source.read_blocks(CONDENSED_COLUMNS, block_size=block_size)
        ]
        scanned = delivery.scan().collect()
    combined = pl.concat(blocks, how="vertical")
    assert combined.height == scanned.height
    assert combined["_line"].to_list() == scanned["_line"].to_list()
    assert combined.select(CONDENSED_COLUMNS).equals(
        scanned.select(CONDENSED_COLUMNS), null_equal=True
    )
    return combined


def parse_lines(texts: list[str]) -> pl.DataFrame:
    """Parse line texts as DOJ lines, to compare them with the full parse."""
    data = ("\n".join(texts) + "\n").encode()
    return pl.read_csv(data, has_header=False, new_columns=list(DOJ_COLUMNS), infer_schema=False)


@pytest.mark.parametrize("block_size", [64, 1000, 1 << 20])
@pytest.mark.parametrize(
    "fixture", ["crlf_bom_header.dat", "latin1_accented_name.dat", "trailing_comma_96_fields.dat"]
)
def test_fixture_blocks_match_scan(fixture: str, block_size: int) -> None:
    path = FIXTURES / fixture
    lines = blocks_of([path], block_size)

    with open_delivery([path]) as delivery:
        scanned = delivery.scan().collect()
    reparsed = parse_lines(lines["line"].to_list())
    assert reparsed.equals(scanned.select(DOJ_COLUMNS), null_equal=True)


def test_line_text_is_kept_as_written(tmp_path: Path) -> None:
    quoted = make_line(OFFENSE_DESCR="11359 HS-POSS").replace(
        ",11359 HS-POSS,", ',"11359 HS-POSS",'
    )
    padded = make_line(SUBJECT_ID="1000002", OFFENSE_DESCR="  11357 HS  ")
    path = write_doj_file(tmp_path / "plain.dat", [quoted, padded])

    lines = blocks_of([path], block_size=1 << 20)

    assert lines["line"].to_list() == [quoted, padded]


def test_trailing_empty_field_is_removed_from_text(tmp_path: Path) -> None:
    with_comma = [make_line() + ",", make_line(SUBJECT_ID="1000002") + ","]
    path = write_doj_file(tmp_path / "comma.dat", with_comma)

    lines = blocks_of([path], block_size=1 << 20)

    assert lines["line"].to_list() == [line[:-1] for line in with_comma]


def test_crlf_and_bom_are_not_in_text(tmp_path: Path) -> None:
    texts = [make_line(), make_line(SUBJECT_ID="1000002")]
    path = write_doj_file(tmp_path / "crlf.dat", texts, crlf=True, bom=True, header=True)

    lines = blocks_of([path], block_size=100)

    assert lines["line"].to_list() == texts
    assert lines["_line"].to_list() == [2, 3]


def test_numbered_source_strips_line_numbers(tmp_path: Path) -> None:
    good = [make_line(SUBJECT_ID=str(1000000 + n)) for n in range(30)]
    malformed = make_line(SUBJECT_ID="1999999") + ",EXTRA"
    path = write_doj_file(tmp_path / "bad.dat", [*good[:20], malformed, "", *good[20:]])

    lines = blocks_of([path], block_size=500, skip_bad_lines=True)

    assert lines["line"].to_list() == good
    assert lines["_line"].to_list() == [*range(1, 21), *range(23, 33)]


def test_line_longer_than_block(tmp_path: Path) -> None:
    long_comment = make_line(COMMENT_TEXT="X" * 5000)
    texts = [make_line(), long_comment, make_line(SUBJECT_ID="1000002")]
    path = write_doj_file(tmp_path / "long.dat", texts)

    lines = blocks_of([path], block_size=64)

    assert lines["line"].to_list() == texts


def test_block_sizes_cover_whole_file(tmp_path: Path) -> None:
    texts = [make_line(SUBJECT_ID=str(1000000 + n)) for n in range(50)]
    path = write_doj_file(tmp_path / "sizes.dat", texts)

    with open_delivery([path]) as delivery:
        sizes = [size for _lines, size in delivery.sources[0].read_blocks([], block_size=2000)]

    assert sum(sizes) == path.stat().st_size
    assert len(sizes) > 1


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blank_after=st.lists(st.booleans(), min_size=12, max_size=40),
    crlf=st.booleans(),
    header=st.booleans(),
    block_size=st.integers(min_value=1, max_value=3000),
)
def test_blocks_match_scan_for_any_block_size(
    tmp_path: Path, blank_after: list[bool], crlf: bool, header: bool, block_size: int
) -> None:
    texts: list[str] = []
    for number, blank in enumerate(blank_after):
        texts.append(make_line(SUBJECT_ID=str(1000000 + number), PRI_NAME=f"DOE,J{number}"))
        if blank:
            texts.append("")
    path = write_doj_file(tmp_path / "any.dat", texts, crlf=crlf, header=header)

    lines = blocks_of([path], block_size)

    assert lines["line"].to_list() == [text for text in texts if text]


def test_raw_blocks_count_accepted_lines(tmp_path: Path) -> None:
    texts = [make_line(SUBJECT_ID=str(1000000 + n)) for n in range(40)]
    with_blanks = [
        text for n, text in enumerate(texts) for text in ([text, ""] if n % 3 else [text])
    ]
    path = write_doj_file(tmp_path / "blanks.dat", with_blanks, header=True)

    with open_delivery([path]) as delivery:
        source = delivery.sources[0]
        blocks = list(source.raw_blocks(block_size=1500))
        heights = [source.parse_block(block, []).height for block in blocks]

    assert len(blocks) > 5
    assert [block.accepted for block in blocks] == heights
    assert sum(heights) == 40
    assert sum(block.line_count for block in blocks) == len(with_blanks) + 1
    assert [block.first_line for block in blocks][:2] == [1, 1 + blocks[0].line_count]


@given(data=st.binary(max_size=2000))
def test_count_line_ends_matches_bytes_count(data: bytes) -> None:
    assert count_line_ends(data) == data.count(b"\n")
