"""Tests of the synthetic DOJ file generator, run on real files read back with Polars and csv."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from autoclear.cli import app
from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.errors import UsageError
from autoclear.generate import write_synthetic_file
from autoclear.generate.catalog import courts_of


def _field_counts(path: Path) -> list[int]:
    with path.open(newline="") as handle:
        return [len(next(csv.reader([line]))) for line in handle.read().splitlines()]


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, has_header=False, new_columns=list(DOJ_COLUMNS), infer_schema=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    path = tmp_path_factory.mktemp("generate") / "sf.dat"
    write_synthetic_file(path, county="SAN FRANCISCO", lines=20_000, seed=11)
    return path, _read(path)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.dat", tmp_path / "b.dat"
    write_synthetic_file(first, county="SAN FRANCISCO", lines=3_000, seed=5, bad_line_rate=0.01)
    write_synthetic_file(second, county="SAN FRANCISCO", lines=3_000, seed=5, bad_line_rate=0.01)
    assert first.read_bytes() == second.read_bytes()


def test_different_seed_differs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.dat", tmp_path / "b.dat"
    write_synthetic_file(first, county="SAN FRANCISCO", lines=3_000, seed=5)
    write_synthetic_file(second, county="SAN FRANCISCO", lines=3_000, seed=6)
    assert first.read_bytes() != second.read_bytes()


@pytest.mark.parametrize("lines", [0, 1, 999, 260_001])
def test_line_count_exact(tmp_path: Path, lines: int) -> None:
    path = tmp_path / "n.dat"
    stats = write_synthetic_file(path, county="ALAMEDA", lines=lines, seed=1)
    assert stats.lines == lines
    assert len(path.read_bytes().splitlines()) == lines


def test_every_line_has_95_fields(generated: tuple[Path, pl.DataFrame]) -> None:
    path, _ = generated
    counts = _field_counts(path)
    assert len(counts) == 20_000
    assert set(counts) == {95}


def test_bad_line_rate_writes_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.dat"
    stats = write_synthetic_file(
        path, county="SAN FRANCISCO", lines=5_000, seed=2, bad_line_rate=0.05
    )
    malformed = sum(1 for count in _field_counts(path) if count != 95)
    assert 150 < stats.bad_lines < 350
    # An unterminated quote can still split into 95 fields by chance, so allow a few of those.
    assert malformed >= stats.bad_lines * 0.7
    assert len(path.read_bytes().splitlines()) == 5_000


def test_pathological_subject(tmp_path: Path) -> None:
    path = tmp_path / "p.dat"
    stats = write_synthetic_file(
        path, county="SAN FRANCISCO", lines=8_000, seed=3, pathological=True
    )
    frame = _read(path)
    per_subject = frame.group_by("SUBJECT_ID").len()
    assert stats.lines == 8_000
    assert per_subject["len"].max() == 5_000
    biggest_event = frame.group_by("SUBJECT_ID", "CYC_ORDER", "STP_ORDER").agg(
        pl.col("CNT_ORDER").n_unique()
    )
    assert biggest_event["CNT_ORDER"].max() == 200


def test_header_and_crlf_variant(tmp_path: Path) -> None:
    path = tmp_path / "h.dat"
    write_synthetic_file(
        path, county="MARIN", lines=50, seed=1, header=True, line_terminator="\r\n"
    )
    raw = path.read_bytes()
    assert raw.startswith(b"RECORD_ID,SUBJECT_STATUS,")
    assert raw.count(b"\r\n") == 51


def test_unknown_county_rejected(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Unknown county 'ATLANTIS'"):
        write_synthetic_file(tmp_path / "x.dat", county="ATLANTIS", lines=10, seed=1)


def test_progress_reaches_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_synthetic_file(
        tmp_path / "x.dat",
        county="MARIN",
        lines=1_000,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (1_000, 1_000)


def _offenses(frame: pl.DataFrame) -> set[str]:
    return set(frame["OFFENSE_DESCR"].drop_nulls().str.strip_chars().unique().to_list())


@pytest.mark.parametrize(
    "prefix",
    [
        "11357 HS", "11357(A) HS", "11357A HS", "11357B HS", "11357B2 HS", "11357(C) HS",
        "11358 HS", "11358(D) HS", "11359 HS", "11359(C)(3) HS", "11360(A) HS",
        "11360(A)(3)(C) HS", "664/11359 HS", "11357.5 HS", "11358 PC", "187(A) PC",
        "664/187 PC", "288(A) PC", "243.4(A) PC", "32 PC", "11364 HS", "11366 HS", "647(F) PC",
        "4060 BP", "290 PC", "SEE COMMENT FOR CHARGE",
    ],
)  # fmt: skip
def test_offense_present(generated: tuple[Path, pl.DataFrame], prefix: str) -> None:
    _, frame = generated
    assert any(o.startswith(prefix + "-") or o == prefix for o in _offenses(frame))


def test_padded_offense_present(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    padded = frame.filter(
        pl.col("OFFENSE_DESCR").str.starts_with(" ") & pl.col("OFFENSE_DESCR").str.ends_with(" ")
    )
    assert padded.height > 0


def test_levels_and_blank_levels(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    convicted = frame.filter(pl.col("DISP_DESCR").str.strip_chars().str.starts_with("CONVICTED"))
    levels = set(convicted["CONV_STAT_DESCR"].fill_null("").unique().to_list())
    assert {"FELONY", "MISDEMEANOR", "INFRACTION", ""} <= levels
    assert {"F", "M", "I"} <= set(frame["OFFENSE_TOC"].drop_nulls().unique().to_list())


def test_event_types_present(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    types = set(frame["STP_TYPE_DESCR"].unique().to_list())
    assert {"ARREST/DETAINED/CITED", "COURT ACTION", "REGISTRATION", "DECEASED"} <= types
    registrations = frame.filter(pl.col("STP_TYPE_DESCR") == "REGISTRATION")
    assert registrations["OFFENSE_DESCR"].str.contains("290 PC").all()


def test_dispositions_present(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    dispositions = set(frame["DISP_DESCR"].drop_nulls().str.strip_chars().unique().to_list())
    assert {"CONVICTED", "CONVICTED-JAIL", "DISMISSED", "ACQUITTED"} <= dispositions


def test_multi_part_sentences(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    parts = frame.group_by("SUBJECT_ID", "CNT_ORDER").agg(
        pl.col("SENT_ORDER").n_unique().alias("parts")
    )
    assert parts["parts"].max() >= 3
    assert {"D", "M", "Y"} <= set(frame["SENT_TIME_CODE"].drop_nulls().unique().to_list())
    assert {"JAIL", "PRISON", "PROBATION"} <= set(
        frame["SENT_LOC_DESCR"].drop_nulls().unique().to_list()
    )


def test_dates_span_and_partial_dates(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    dates = frame["STP_EVENT_DATE"].drop_nulls()
    assert dates.min() < "19760101"
    assert dates.max() > "20220000"
    assert (dates > "20161109").sum() > 100
    assert dates.str.ends_with("0000").any()
    assert (dates.str.ends_with("00") & ~dates.str.ends_with("0000")).any()


def test_comments_hold_charges(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    offense = frame["OFFENSE_DESCR"].fill_null("").str.strip_chars()
    comment = frame["COMMENT_TEXT"].fill_null("")
    only_comment = ((offense == "") | (offense == "SEE COMMENT FOR CHARGE")) & comment.str.contains(
        r"1135[789]|11360"
    )
    assert only_comment.sum() > 0
    other_charge = offense.str.starts_with("113") & comment.str.contains(
        "ORIG CHRG|AMENDED FROM|ALSO CHRG"
    )
    assert other_charge.sum() > 0


def test_subject_fields(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    assert frame["PRI_NAME"].str.contains(",").all()
    assert frame["PRI_DOB"].null_count() > 0
    races = set(frame["RACE_DESCR"].unique().to_list())
    assert {"BLACK", "HISPANIC", "WHITE", "ASIAN", "OTHER", "UNKNOWN"} <= races
    assert frame["CNT_ORDER"].str.len_chars().unique().to_list() == [12]
    assert {"#", None} <= set(frame["END_OF_REC"].unique().to_list())
    placeholders = set(frame["PRI_SSN"].unique().to_list())
    assert {"x", "#", "NULL", "   "} <= placeholders


def test_cycles_per_subject(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    cycles = frame.group_by("SUBJECT_ID").agg(pl.col("CYC_ORDER").cast(pl.Int64).max())["CYC_ORDER"]
    assert cycles.min() == 1
    assert cycles.max() >= 15
    assert cycles.max() <= 32  # 30 ordinary cycles plus registration and death


def test_courts_and_counties(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    courts = frame.filter(pl.col("STP_TYPE_DESCR") == "COURT ACTION")
    counties = courts["STP_ORI_CNTY_NAME"].value_counts().sort("count", descending=True)
    assert counties["STP_ORI_CNTY_NAME"][0] == "SAN FRANCISCO"
    assert counties.height >= 10
    sf_courts = set(
        courts.filter(pl.col("STP_ORI_CNTY_NAME") == "SAN FRANCISCO")["STP_ORI_DESCR"].to_list()
    )
    assert sf_courts == set(courts_of("SAN FRANCISCO"))
    assert 2 <= len(sf_courts) <= 4


def test_case_number_only_on_first_count(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    courts = frame.filter(pl.col("STP_TYPE_DESCR") == "COURT ACTION")
    later_counts = courts.filter(~pl.col("CNT_ORDER").str.ends_with("001000"))
    assert later_counts["OFN"].null_count() > 0
    assert later_counts["OFN"].drop_nulls().len() > 0


def test_some_subjects_not_adjacent(generated: tuple[Path, pl.DataFrame]) -> None:
    _, frame = generated
    runs = frame.select((pl.col("SUBJECT_ID") != pl.col("SUBJECT_ID").shift()).sum()).item()
    assert runs > frame["SUBJECT_ID"].n_unique()


def test_generate_keeps_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "delivery.dat"
    existing.write_text("a real delivery\n")

    result = CliRunner().invoke(app, ["generate", "--lines", "10", "--out", str(existing)])

    assert result.exit_code == UsageError.exit_code
    assert "already exists" in result.output
    assert existing.read_text() == "a real delivery\n"


def test_generate_overwrite_replaces_file(tmp_path: Path) -> None:
    existing = tmp_path / "old.dat"
    existing.write_text("old\n")

    replaced = CliRunner().invoke(
        app, ["generate", "--lines", "10", "--out", str(existing), "--overwrite"]
    )

    assert replaced.exit_code == 0
    assert len(existing.read_text().splitlines()) == 10
