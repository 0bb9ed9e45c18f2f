"""Partitioned runs: the same run folder as an in-memory run, cancel, and the partition plan."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest

from autoclear import partition
from autoclear.errors import RunCancelled
from autoclear.generate import write_synthetic_file
from autoclear.partition import MAX_PARTITION_INPUT_BYTES, MAX_PARTITIONS, plan_partitions
from autoclear.pipeline import RunRequest, run_job
from autoclear.rules.policy import Policy
from doj_lines import make_line
from rules_helpers import AS_OF, cannabis_line, count_order, prior_line

COMPARED_FILES = (
    "All_Results.csv",
    "All_Results_Condensed.csv",
    "Prop64_Results.csv",
    "quality.csv",
    "summary.json",
)

# A subject whose lines sit in all three input files.
SPREAD_SUBJECT = "7777777"


def split_delivery(tmp_path: Path) -> list[Path]:
    """Three files from one synthetic delivery, cut inside subjects, with odd lines added.

    The first file is cut in the middle of a subject's history, so that subject continues in
    the second file. The second file also has blank lines and a malformed line, so it is parsed
    through the numbered temporary file. SPREAD_SUBJECT has a prior in the first file, a
    cannabis conviction in the second and a repeated line of it in the third.
    """
    whole = tmp_path / "whole.dat"
    write_synthetic_file(whole, county="SAN FRANCISCO", lines=3000, seed=11)
    lines = whole.read_text().splitlines()
    cut = len(lines) // 2
    while lines[cut].split(",")[2] != lines[cut - 1].split(",")[2]:
        cut += 1

    prior = prior_line("187(A) PC-MURDER", cycle=1, SUBJECT_ID=SPREAD_SUBJECT)
    conviction = cannabis_line(SUBJECT_ID=SPREAD_SUBJECT, CNT_ORDER=count_order(2, 2, 1),
                               CYC_ORDER="002")  # fmt: skip
    malformed = make_line(SUBJECT_ID="8888888") + ",EXTRA FIELD"

    first = tmp_path / "part1.dat"
    first.write_text("\n".join([*lines[:cut], prior]) + "\n")
    second = tmp_path / "part2.dat"
    second_lines = [lines[cut], "", malformed, conviction, *lines[cut + 1 : -200], "", ""]
    second.write_text("\n".join(second_lines) + "\n")
    third = tmp_path / "part3.dat"
    third.write_text("\n".join([*lines[-200:], conviction]) + "\n")
    return [first, second, third]


def run(inputs: list[Path], out_dir: Path, memory_limit: int | None) -> list[tuple]:
    events: list[tuple] = []
    run_job(
        RunRequest(
            inputs=inputs,
            county="SAN FRANCISCO",
            as_of=AS_OF,
            policy=Policy(),
            out_dir=out_dir,
            skip_bad_lines=True,
            memory_limit=memory_limit,
            publications=False,
            command_line=["autoclear", "run"],
        ),
        progress=lambda stage, done, total: events.append((stage, done, total)),
    )
    return events


def limit_for_partitions(input_bytes: int, wanted: int) -> int:
    """The largest memory limit that splits `input_bytes` into at least `wanted` partitions."""
    limit = input_bytes * 64
    while plan_partitions(input_bytes, limit).count < wanted:
        limit = limit * 3 // 4
    return limit


def decide_totals(events: list[tuple]) -> set[int | None]:
    return {total for stage, _done, total in events if stage == "decide"}


def test_partitioned_run_matches_in_memory(tmp_path: Path) -> None:
    inputs = split_delivery(tmp_path)
    size = sum(path.stat().st_size for path in inputs)
    limit = limit_for_partitions(size, 5)

    in_memory = run(inputs, tmp_path / "memory", memory_limit=None)
    partitioned = run(inputs, tmp_path / "partitioned", memory_limit=limit)

    assert decide_totals(in_memory) == {1}
    assert min(decide_totals(partitioned)) >= 5  # type: ignore[type-var]
    for name in COMPARED_FILES:
        memory_bytes = (tmp_path / "memory" / name).read_bytes()
        partitioned_bytes = (tmp_path / "partitioned" / name).read_bytes()
        assert partitioned_bytes == memory_bytes, name


def test_two_workers_match_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = split_delivery(tmp_path)
    in_memory = run(inputs, tmp_path / "memory", memory_limit=None)
    # Small partitions under a large limit: split by size, decided two at a time.
    monkeypatch.setattr(partition, "MAX_PARTITION_INPUT_BYTES", 200_000)
    parallel = run(inputs, tmp_path / "parallel", memory_limit=2**34)

    assert decide_totals(in_memory) == {1}
    assert min(decide_totals(parallel)) >= 5  # type: ignore[type-var]
    assert plan_partitions(sum(p.stat().st_size for p in inputs), 2**34).workers == 2
    for name in COMPARED_FILES:
        memory_bytes = (tmp_path / "memory" / name).read_bytes()
        parallel_bytes = (tmp_path / "parallel" / name).read_bytes()
        assert parallel_bytes == memory_bytes, name


def test_partitioned_run_decides_spread_subject(tmp_path: Path) -> None:
    inputs = split_delivery(tmp_path)
    size = sum(path.stat().st_size for path in inputs)
    run(inputs, tmp_path / "out", memory_limit=limit_for_partitions(size, 5))

    prop64 = (tmp_path / "out" / "Prop64_Results.csv").read_text().splitlines()
    spread = [line for line in prop64 if f",{SPREAD_SUBJECT}," in line]
    # The conviction in part2 and its repeat in part3; the murder in part1 is a super strike.
    assert len(spread) == 2
    assert all("Not eligible" in line for line in spread)
    assert spread[0].endswith(",part2.dat,4")
    assert "repeated line" in spread[1]


def test_partitioned_run_leaves_no_work_files(tmp_path: Path) -> None:
    inputs = split_delivery(tmp_path)
    size = sum(path.stat().st_size for path in inputs)
    run(inputs, tmp_path / "out", memory_limit=limit_for_partitions(size, 3))

    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == sorted([*COMPARED_FILES, "manifest.json"])


def test_cancelled_partitioned_run_leaves_no_folder(tmp_path: Path) -> None:
    inputs = split_delivery(tmp_path)
    size = sum(path.stat().st_size for path in inputs)
    out_dir = tmp_path / "out"
    cancel = threading.Event()
    decided: list[int] = []

    def progress(stage: str, done: int, _total: int | None) -> None:
        if stage == "decide" and done >= 1:
            decided.append(done)
            cancel.set()

    with pytest.raises(RunCancelled):
        run_job(
            RunRequest(
                inputs=inputs,
                county="SAN FRANCISCO",
                as_of=AS_OF,
                out_dir=out_dir,
                skip_bad_lines=True,
                memory_limit=limit_for_partitions(size, 5),
                publications=False,
            ),
            progress=progress,
            cancel=cancel,
        )

    assert decided == [1]
    assert not out_dir.exists()


def test_progress_starts_before_reading_ends(tmp_path: Path) -> None:
    inputs = split_delivery(tmp_path)
    events = run(inputs, tmp_path / "out", memory_limit=None)

    read_events = [event for event in events if event[0] == "read"]
    total = sum(path.stat().st_size for path in inputs)
    assert events[0] == ("read", 0, None)
    assert read_events[-1] == ("read", total, total)
    # Progress within reading: a report after the first file, before the last one is read.
    assert any(0 < done < total for _stage, done, _total in read_events)


def test_plan_is_one_partition_when_input_fits() -> None:
    plan = plan_partitions(10 * 2**20, memory_limit=8 * 2**30)

    assert plan.count == 1
    assert not plan.automatic


def test_plan_splits_more_under_smaller_limit() -> None:
    input_bytes = 512 * 2**20
    limits = (2**30, 512 * 2**20, 256 * 2**20)
    counts = [plan_partitions(input_bytes, limit).count for limit in limits]

    assert counts[0] < counts[1] < counts[2]


def test_plan_without_limit_uses_available_memory() -> None:
    plan = plan_partitions(2**20, memory_limit=None)

    assert plan.automatic
    assert plan.memory_limit > 0


def test_plan_splits_large_input_without_limit_pressure() -> None:
    plan = plan_partitions(10 * MAX_PARTITION_INPUT_BYTES, memory_limit=2**40)

    assert plan.count == 10


def test_plan_partition_count_is_capped() -> None:
    assert plan_partitions(2**40, memory_limit=1).count == MAX_PARTITIONS


def test_plan_decides_two_partitions_with_room() -> None:
    plan = plan_partitions(10 * MAX_PARTITION_INPUT_BYTES, memory_limit=2**40)

    assert plan.workers == 2


def test_plan_decides_one_partition_under_tight_limit() -> None:
    plan = plan_partitions(512 * 2**20, memory_limit=256 * 2**20)

    assert plan.count > 1
    assert plan.workers == 1


def test_plan_in_memory_has_one_worker() -> None:
    assert plan_partitions(2**20, memory_limit=8 * 2**30).workers == 1


def test_full_disk_in_partitions_is_os_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = split_delivery(tmp_path)
    size = sum(path.stat().st_size for path in inputs)

    def full_disk(_self: object, _lines: object) -> None:
        raise pl.exceptions.ComputeError("failed to write: No space left on device (os error 28)")

    monkeypatch.setattr(partition.Partitions, "write", full_disk)
    with pytest.raises(OSError, match="No space left on device") as raised:
        run(inputs, tmp_path / "out", memory_limit=limit_for_partitions(size, 3))

    assert raised.value.errno == 28
    assert not (tmp_path / "out").exists()
