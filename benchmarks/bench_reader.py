"""Time and peak memory of read_delivery against a plain pl.read_csv of the same DOJ file.

Usage: .venv/bin/python benchmarks/bench_reader.py [LINES] [PATH]
Builds PATH (default benchmarks/data/reader_<LINES>.dat, about 800 bytes a line) from repeated
synthetic lines unless it exists, then runs the two readers in turn, three times each, every
run in a fresh process. CPU seconds include the startup of Python and Polars (about 0.5 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from doj_lines import make_line  # noqa: E402

DISTINCT_LINES = 1000
RUNS = 3

MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
import polars as pl
from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.doj.reader import read_delivery

path, reader_name = Path(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
if reader_name == "read_csv":
    frame = pl.read_csv(path, has_header=False, infer_schema=False, new_columns=list(DOJ_COLUMNS))
    rows = frame.height
else:
    rows = read_delivery([path], skip_bad_lines=True).lines.height
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
peak_mib = usage.ru_maxrss / 1024
print(json.dumps({"reader_name": reader_name, "rows": rows, "seconds": seconds, "cpu": cpu, "peak_mib": peak_mib}))
"""


def build_file(path: Path, line_count: int) -> None:
    """Write `line_count` lines cycling through DISTINCT_LINES synthetic lines of about 800 bytes."""
    distinct = []
    for number in range(DISTINCT_LINES):
        distinct.append(
            make_line(
                SUBJECT_ID=f"{1000000 + number:<12}",
                PRI_NAME=f"DOE{number},JOHN Q".ljust(40),
                OFFENSE_DESCR="11359 HS-POSSESS MARIJUANA FOR SALE".ljust(60),
                DISP_DESCR="CONVICTED".ljust(40),
                STP_ORI_DESCR="CASC SAN FRANCISCO".ljust(60),
                COMMENT_TEXT=f"SYNTHETIC COMMENT {number}".ljust(300),
            )
        )
    block = "".join(line + "\n" for line in distinct).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        full, rest = divmod(line_count, DISTINCT_LINES)
        for _ in range(full):
            stream.write(block)
        stream.write("".join(line + "\n" for line in distinct[:rest]).encode())


def main() -> None:
    line_count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    default = REPO / "benchmarks" / "data" / f"reader_{line_count}.dat"
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else default
    if not path.exists():
        build_file(path, line_count)
    print(f"{path}: {path.stat().st_size / 2**20:.0f} MiB, {line_count} lines")
    for _ in range(RUNS):
        for reader_name in ("read_csv", "read_delivery"):
            output = subprocess.run(
                [sys.executable, "-c", MEASURE, str(path), reader_name],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(output)
            print(
                f"{reader_name:14} {result['rows']:>9} rows  {result['seconds']:6.2f} s  "
                f"cpu {result['cpu']:6.2f} s  peak {result['peak_mib']:7.0f} MiB"
            )


if __name__ == "__main__":
    main()
