"""Run the real pipeline on a few synthetic DOJ lines and read back what it decided.

Lines are written to real files with `doj_lines.write_doj_file`, decided by `run_job` without
publications, and the result CSVs are read back with Polars as strings. Decisions are keyed by
(SUBJECT_ID, CNT_ORDER), counting only the line of each count that the result files mark as counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from autoclear.pipeline import RunRequest, RunResult, run_job
from autoclear.rules.policy import Policy
from doj_lines import make_line, write_doj_file

AS_OF = date(2020, 7, 1)
COUNTY = "SAN FRANCISCO"

# Flags that mark lines which are not the counted line of their count.
NOT_COUNTED_FLAGS = ("additional sentence part", "repeated line")


def count_order(cycle: int = 1, step: int = 2, count: int = 1) -> str:
    """CNT_ORDER as DOJ writes it: cycle, step and count numbers of 3 digits each, then `000`."""
    return f"{cycle:03d}{step:03d}{count:03d}000"


def cannabis_line(**fields: str) -> str:
    """A DOJ line with the builder defaults: a felony HS 11359 conviction in San Francisco."""
    return make_line(**fields)


def prior_line(
    offense: str,
    *,
    cycle: int = 1,
    step: int = 1,
    event_date: str = "19900101",
    level: str = "FELONY",
    **fields: str,
) -> str:
    """A conviction for `offense` (an OFFENSE_DESCR) in its own court event, by default in 1990."""
    defaults = {
        "CYC_ORDER": f"{cycle:03d}",
        "STP_ORDER": f"{step:03d}",
        "CNT_ORDER": count_order(cycle, step, 1),
        "CYC_DATE": event_date,
        "STP_EVENT_DATE": event_date,
        "DISP_DATE": event_date,
        "OFFENSE_DESCR": offense,
        "CONV_STAT_DESCR": level,
    }
    return make_line(**{**defaults, **fields})


@dataclass(frozen=True)
class RunOutput:
    """The files of one finished run, read back as string frames."""

    result: RunResult
    out_dir: Path
    prop64: pl.DataFrame
    all_results: pl.DataFrame

    def counted(self) -> pl.DataFrame:
        """Prop64_Results lines that stand for one conviction each."""
        flags = pl.col("Flags").fill_null("")
        keep = pl.lit(True)
        for flag in NOT_COUNTED_FLAGS:
            keep = keep & ~flags.str.contains(flag, literal=True)
        return self.prop64.filter(keep)

    def row(
        self, subject: str = "1000001", cnt_order: str = "001002001000"
    ) -> dict[str, str | None]:
        """The counted Prop64_Results line of one conviction; fails unless there is exactly one."""
        rows = self.counted().filter(
            (pl.col("SUBJECT_ID").str.strip_chars() == subject)
            & (pl.col("CNT_ORDER").str.strip_chars() == cnt_order)
        )
        assert rows.height == 1, (
            f"expected one decided line for {subject}/{cnt_order}, got {rows.height}"
        )
        return rows.row(0, named=True)

    def decisions(self) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        """(SUBJECT_ID, CNT_ORDER) -> (determination, reason) for every counted conviction."""
        decided: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for row in self.counted().iter_rows(named=True):
            key = (str(row["SUBJECT_ID"]).strip(), str(row["CNT_ORDER"]).strip())
            decided[key] = (row["Eligibility Determination"], row["Eligibility Reason"])
        return decided


def run_files(
    out_dir: Path,
    inputs: Sequence[Path],
    *,
    policy: Policy | None = None,
    as_of: date = AS_OF,
    county: str = COUNTY,
    skip_bad_lines: bool = False,
) -> RunOutput:
    """Run the pipeline on existing files into `out_dir` and read back the result files."""
    request = RunRequest(
        inputs=list(inputs),
        county=county,
        as_of=as_of,
        policy=policy or Policy(),
        out_dir=out_dir,
        skip_bad_lines=skip_bad_lines,
        publications=False,
        command_line=["autoclear", "run"],
    )
    result = run_job(request)
    prop64 = pl.read_csv(out_dir / "Prop64_Results.csv", infer_schema=False)
    all_results = pl.read_csv(out_dir / "All_Results.csv", infer_schema=False)
    return RunOutput(result, out_dir, prop64, all_results)


def run_lines(
    tmp_path: Path,
    lines: Sequence[str],
    *,
    policy: Policy | None = None,
    as_of: date = AS_OF,
    county: str = COUNTY,
    skip_bad_lines: bool = False,
    name: str = "run",
) -> RunOutput:
    """Write `lines` as one DOJ file under `tmp_path` and run the pipeline on it."""
    work = tmp_path / name
    work.mkdir()
    source = write_doj_file(work / "delivery.dat", lines)
    return run_files(
        work / "out",
        [source],
        policy=policy,
        as_of=as_of,
        county=county,
        skip_bad_lines=skip_bad_lines,
    )


def decide_one(tmp_path: Path, lines: Sequence[str], **options: object) -> dict[str, str | None]:
    """Run `lines` and return the counted result line of the default conviction 1000001/001002001000."""
    output = run_lines(tmp_path, lines, **options)  # type: ignore[arg-type]
    return output.row()
