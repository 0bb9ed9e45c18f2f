"""Hash partitions of subjects, for deliveries larger than the memory a run may use.

Every rule reads one subject's lines at a time (window and group-by expressions over
`subject`), so the lines can be split by a hash of the trimmed SUBJECT_ID into partitions that
are decided one after another with the same code. The DOJ fields the rules read are written, with
each line's row index, to one Parquet file per partition by one streaming pass over the input.
A partition never shares a subject with another.

How many partitions: deciding one partition in memory peaks at about
`PEAK_BYTES_PER_INPUT_BYTE` times its share of the input, plus `FIXED_OVERHEAD_BYTES`. The
partitions are made small enough for that estimate to fit the memory limit, and hold about
`MAX_PARTITION_INPUT_BYTES` of input at most on average, so that peak memory stays flat as
inputs grow. Two partitions are decided at a time when the estimate for two fits the limit.
Without a limit, the limit is `AUTOMATIC_SHARE` of the memory available when the run starts
(psutil `virtual_memory().available`).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psutil

from autoclear.records.dates import clean_text
from autoclear.records.history import ROW

# Peak resident memory of an in-memory run per byte of input, and the memory Python, Polars
# and the streaming passes take whatever the input size. Both are estimates from
# benchmarks/run.py on synthetic files of 100k to 5M lines (see docs/performance.md).
PEAK_BYTES_PER_INPUT_BYTE = 7.0
FIXED_OVERHEAD_BYTES = 700 * 2**20

# Input per partition, on average: about 125,000 lines of 400 bytes. Subjects are split by a
# hash, so single partitions can be a little larger.
MAX_PARTITION_INPUT_BYTES = 48 * 2**20

# Share of the available memory a run plans to use when no limit is given.
AUTOMATIC_SHARE = 0.5

# A partition always gets at least this share of the limit, however small the limit is.
MIN_WORKING_SHARE = 0.25

# The minimum limit the estimate can be kept under (about 933 MiB): below it, the fixed
# memory and the partition's minimum share add up to more than the limit.
MIN_MEMORY_LIMIT = math.ceil(FIXED_OVERHEAD_BYTES / (1 - MIN_WORKING_SHARE))

MAX_PARTITIONS = 4096

# Rows per Parquet row group of a partition file. The partitioned sink buffers a row group for
# every partition at once. On a 5M-line file with 77 partitions, Polars 2.1's default row group
# took 3.2 GB of memory, and 5,000 rows took 0.7 GB.
PARTITION_ROW_GROUP_ROWS = 5_000

PARTITION_COLUMN = "_partition"


@dataclass(frozen=True)
class PartitionPlan:
    """Split of a run's input into `count` partitions, 1 meaning everything in memory at once."""

    count: int
    memory_limit: int  # bytes
    automatic: bool  # true when the limit came from the available memory
    # Partitions decided at the same time: 2 when the estimated peak of two fits the limit.
    workers: int = 1


def automatic_memory_limit() -> int:
    """Return the memory limit of a run without `--memory-limit`, in bytes."""
    return int(psutil.virtual_memory().available * AUTOMATIC_SHARE)


def plan_partitions(input_bytes: int, memory_limit: int | None) -> PartitionPlan:
    """Choose the number of partitions for `input_bytes` of input under `memory_limit` bytes."""
    automatic = memory_limit is None
    limit = automatic_memory_limit() if memory_limit is None else memory_limit
    working = max(limit - FIXED_OVERHEAD_BYTES, int(limit * MIN_WORKING_SHARE), 1)
    needed = input_bytes * PEAK_BYTES_PER_INPUT_BYTE
    by_memory = math.ceil(needed / working)
    by_size = math.ceil(input_bytes / MAX_PARTITION_INPUT_BYTES)
    count = min(max(1, by_memory, by_size), MAX_PARTITIONS)
    per_partition = needed / count
    workers = 2 if count > 1 and 2 * per_partition <= working else 1
    return PartitionPlan(count=count, memory_limit=limit, automatic=automatic, workers=workers)


def partition_key(count: int) -> pl.Expr:
    """The partition of each line: a hash of its subject, modulo `count`.

    The subject is SUBJECT_ID cleaned as `normalize_lines` cleans it, so that lines which the
    rules take for one subject always land in the same partition.
    """
    subject = clean_text("SUBJECT_ID")
    return (subject.hash(seed=64) % count).cast(pl.UInt32).alias(PARTITION_COLUMN)


class Partitions:
    """Normalized lines split by subject into Parquet files under one folder."""

    def __init__(self, folder: Path, count: int):
        self.folder = folder
        self.count = count

    def write(self, lines: pl.LazyFrame) -> None:
        """Stream `lines` (DOJ fields with SUBJECT_ID, and the row index) into the partitions."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lines.with_columns(partition_key(self.count)).sink_parquet(
            pl.PartitionBy(
                self.folder,
                key=PARTITION_COLUMN,
                include_key=False,
                approximate_bytes_per_file=None,
            ),
            row_group_size=PARTITION_ROW_GROUP_ROWS,
            # Nothing reads the column statistics: each partition file is read whole.
            statistics=False,
            mkdir=True,
            engine="streaming",
        )

    def files(self, index: int) -> list[Path]:
        """Parquet files of partition `index`; none when no subject hashed to it."""
        # NOTE: pl.PartitionBy is marked unstable in Polars 2.1; it writes hive-style folders
        # named `<key>=<value>`.
        return sorted((self.folder / f"{PARTITION_COLUMN}={index}").glob("*.parquet"))

    def indexes(self) -> list[int]:
        """Return the indexes of the partitions that hold lines, in order."""
        return [index for index in range(self.count) if self.files(index)]

    def load(self, index: int) -> pl.DataFrame:
        """Return the lines of partition `index` in input order and remove its files."""
        files = self.files(index)
        lines = pl.read_parquet(files).rechunk()
        # The streaming sink keeps the input order, so the sort is only a safeguard.
        if not lines.get_column(ROW).is_sorted():
            lines = lines.sort(ROW)
        for path in files:
            path.unlink()
        return lines

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
