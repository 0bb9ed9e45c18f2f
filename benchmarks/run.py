"""Benchmark autoclear on synthetic DOJ files of 100k, 1M and 5M lines.

Usage (from the repository root):

    .venv/bin/python benchmarks/run.py                      # 100k, 1m, 5m and the pathological file
    .venv/bin/python benchmarks/run.py --sizes 100k,1m      # pick sizes
    .venv/bin/python benchmarks/run.py --publications       # also time report, workbook, filings
    .venv/bin/python benchmarks/run.py --sizes 20m --no-pathological --memory-limit 4GB

Data files go to benchmarks/data/ (git-ignored) and are reused when present. Each measurement
runs in its own child process, which reports its wall time, its peak RSS and, for autoclear, the
time per pipeline stage taken from the progress callback. The "floor" measurement is Polars alone
streaming the same file in and writing it back as CSV. Results are printed and saved as JSON in
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
RESULTS_DIR = ROOT / "results"
SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000, "20m": 20_000_000}
PATHOLOGICAL_LINES = 100_000
SEED = 64
STAGES = ("read", "normalize", "decide", "write", "publish")


def _peak_rss_bytes() -> int:
    """Return this process's peak resident set size in bytes.

    On Linux this reads VmHWM, which starts afresh at exec; ru_maxrss would also count the
    parent's memory at fork time.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource

    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _child_autoclear(
    path: Path, out_dir: Path, county: str, publications: bool, memory_limit: int | None
) -> dict[str, Any]:
    try:
        from autoclear.pipeline import RunRequest, run_job
        from autoclear.rules.policy import Policy
    except ImportError as error:
        return {"error": f"autoclear.pipeline.run_job is not available ({error}); skipped."}

    first_seen: dict[str, float] = {}
    partitions: list[int | None] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        first_seen.setdefault(stage, time.perf_counter())
        if stage == "decide" and not partitions:
            partitions.append(total)

    start = time.perf_counter()
    run_job(
        RunRequest(
            inputs=[path],
            county=county,
            as_of=date(2020, 7, 1),
            policy=Policy(),
            out_dir=out_dir,
            skip_bad_lines=True,
            memory_limit=memory_limit,
            publications=publications,
        ),
        progress=progress,
    )
    end = time.perf_counter()
    ordered = sorted(first_seen.items(), key=lambda item: item[1])
    stage_seconds = {}
    for index, (stage, began) in enumerate(ordered):
        finished = ordered[index + 1][1] if index + 1 < len(ordered) else end
        stage_seconds[stage] = round(finished - began, 3)
    return {
        "wall_seconds": round(end - start, 3),
        "stage_seconds": stage_seconds,
        "partitions": partitions[0] if partitions else None,
        "memory_limit": memory_limit,
    }


def _child_floor(path: Path, out_dir: Path) -> dict[str, Any]:
    import polars as pl

    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    frame = pl.scan_csv(path, has_header=False, infer_schema=False, truncate_ragged_lines=True)
    frame.sink_csv(out_dir / "floor.csv")
    return {"wall_seconds": round(time.perf_counter() - start, 3)}


def child_main(
    mode: str,
    path: Path,
    out_dir: Path,
    county: str,
    publications: bool,
    memory_limit: int | None,
) -> None:
    """Run one measurement in this process and print its JSON result on the last line."""
    if mode == "autoclear":
        result = _child_autoclear(path, out_dir, county, publications, memory_limit)
    else:
        result = _child_floor(path, out_dir)
    result["peak_rss_bytes"] = _peak_rss_bytes()
    print(json.dumps(result))


def _measure(
    mode: str, path: Path, county: str, publications: bool, memory_limit: int | None
) -> dict[str, Any]:
    out_dir = DATA_DIR / f"run-{mode}-{path.stem}"
    shutil.rmtree(out_dir, ignore_errors=True)
    command = [sys.executable, __file__, "--child", mode, str(path), str(out_dir), county]
    if publications:
        command.append("--publications")
    if memory_limit is not None:
        command.extend(["--memory-limit", str(memory_limit)])
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    outer = time.perf_counter() - started
    last = completed.stdout.strip().splitlines()[-1:] or [""]
    try:
        result: dict[str, Any] = json.loads(last[0])
    except json.JSONDecodeError:
        tail = completed.stderr.strip().splitlines()[-5:]
        result = {"error": f"child exited with code {completed.returncode}: " + " | ".join(tail)}
    result["process_seconds"] = round(outer, 3)
    result["load_average_before"] = round(load_before, 2)
    shutil.rmtree(out_dir, ignore_errors=True)
    return result


def _generate(
    name: str, lines: int, county: str, pathological: bool
) -> tuple[Path, dict[str, Any]]:
    from autoclear.generate import write_synthetic_file

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"synthetic_{name}.dat"
    if path.exists():
        return path, {"reused": True}
    started = time.perf_counter()
    stats = write_synthetic_file(
        path, county=county, lines=lines, seed=SEED, pathological=pathological
    )
    seconds = time.perf_counter() - started
    return path, {
        "reused": False,
        "seconds": round(seconds, 3),
        "lines_per_minute": round(stats.lines / seconds * 60),
        "subjects": stats.subjects,
        "cannabis_convictions": stats.cannabis_convictions,
    }


def _print_row(name: str, lines: int, mode: str, result: dict[str, Any]) -> None:
    if "error" in result:
        print(f"{name:>12} {mode:>9}  {result['error']}")
        return
    wall = result["wall_seconds"]
    rate = lines / wall if wall else float("inf")
    rss = result["peak_rss_bytes"] / 2**20
    stages = " ".join(f"{k}={v:.2f}s" for k, v in result.get("stage_seconds", {}).items())
    load = result["load_average_before"]
    parts = f"parts={result['partitions']} " if result.get("partitions") else ""
    print(
        f"{name:>12} {mode:>9} {wall:9.2f}s {rate:12,.0f} lines/s {rss:9,.0f} MiB "
        f"{load:11.2f}  {parts}{stages}"
    )


def _parse_bytes(text: str) -> int:
    """Parse a size such as 4GB, 500MB or 1000000 (bytes); units are powers of 1024."""
    units = {"KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40, "B": 1}
    cleaned = text.strip().upper()
    for unit, factor in units.items():
        if cleaned.endswith(unit):
            return int(float(cleaned[: -len(unit)]) * factor)
    return int(cleaned)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="100k,1m,5m", help=f"comma-separated, from {', '.join(SIZES)}"
    )
    parser.add_argument(
        "--no-pathological", action="store_true", help="skip the 5,000-line subject file"
    )
    parser.add_argument("--county", default="SAN FRANCISCO", help="county to generate and process")
    parser.add_argument(
        "--publications", action="store_true", help="also build report, workbook, filings"
    )
    parser.add_argument(
        "--memory-limit",
        type=_parse_bytes,
        default=None,
        help="memory limit for autoclear, such as 4GB or 500MB (default: automatic)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the Polars floor measurement")
    parser.add_argument(
        "--child", nargs=4, metavar=("MODE", "FILE", "OUT", "COUNTY"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()

    if arguments.child:
        mode, path, out_dir, county = arguments.child
        child_main(
            mode, Path(path), Path(out_dir), county, arguments.publications, arguments.memory_limit
        )
        return

    names = [name.strip().lower() for name in arguments.sizes.split(",") if name.strip()]
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    cases = [(name, SIZES[name], False) for name in names]
    if not arguments.no_pathological:
        cases.append(("pathological", PATHOLOGICAL_LINES, True))

    report: dict[str, Any] = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "county": arguments.county,
        "publications": arguments.publications,
        "memory_limit": arguments.memory_limit,
        "cases": [],
    }
    try:
        import polars

        report["machine"]["polars"] = polars.__version__
    except ImportError:
        pass

    print(
        f"{'file':>12} {'measure':>9} {'wall':>10} {'rate':>18} {'peak RSS':>13} "
        f"{'load before':>11}  partitions and stages"
    )
    for name, lines, pathological in cases:
        path, generation = _generate(name, lines, arguments.county, pathological)
        case: dict[str, Any] = {
            "name": name,
            "lines": lines,
            "file": str(path),
            "generation": generation,
        }
        modes = ("autoclear",) if arguments.no_floor else ("floor", "autoclear")
        for mode in modes:
            result = _measure(
                mode, path, arguments.county, arguments.publications, arguments.memory_limit
            )
            case[mode] = result
            _print_row(name, lines, mode, result)
        floor_seconds = case.get("floor", {}).get("wall_seconds")
        autoclear_seconds = case["autoclear"].get("wall_seconds")
        if floor_seconds and autoclear_seconds:
            case["times_floor"] = round(autoclear_seconds / floor_seconds, 2)
            print(f"{name:>12} autoclear took {case['times_floor']:.2f} times the floor")
        report["cases"].append(case)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"benchmark-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results saved to {out}")


if __name__ == "__main__":
    main()
