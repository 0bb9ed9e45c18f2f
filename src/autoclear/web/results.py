"""Figures and tables for the Results page, read from a finished run folder."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from autoclear.doj.columns import HAND_REVIEW, NOT_ELIGIBLE
from autoclear.rules.prop64 import explain_rule

PAGE_SIZE = 50
# Columns of the review tables, in order. Each table shows one determination, so that column
# is left out; the CSV has all RESULT_COLUMNS.
TABLE_COLUMNS = (
    "CII_NUMBER",
    "PRI_NAME",
    "Case Number",
    "Code Section",
    "Level",
    "Date of Conviction",
    "Eligibility Reason",
    "Source File",
    "Source Line",
)
# Lines that do not count as a conviction of their own, by a phrase of their Flags column.
UNCOUNTED_FLAGS = ("additional sentence part", "repeated line")
TABLE_CHOICES = {"hand-review": HAND_REVIEW, "not-eligible": NOT_ELIGIBLE}


def load_summary(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / "summary.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass
class Bar:
    """One bar of an equity chart: a group and the share of its people who get relief."""

    label: str
    people: int
    with_relief: int

    @property
    def percent(self) -> float:
        return 100.0 * self.with_relief / self.people if self.people else 0.0


def equity_bars(summary: dict[str, Any]) -> dict[str, list[Bar]]:
    """Return, per breakdown (race, gender, age group), bars of people with relief out of people."""
    equity = summary.get("scenarios", {}).get("policy", {}).get("equity", {})
    charts: dict[str, list[Bar]] = {}
    for breakdown, groups in equity.items():
        bars = [
            Bar(str(label), int(counts.get("people", 0)), int(counts.get("people_with_relief", 0)))
            for label, counts in groups.items()
            if isinstance(counts, dict)
        ]
        charts[breakdown] = [bar for bar in bars if bar.people]
    return charts


@dataclass
class TablePage:
    """One page of a filtered review table."""

    columns: list[str]
    rows: list[tuple[str, ...]]
    total: int
    page: int
    pages: int


def review_table(out_dir: Path, determination: str, search: str, page: int) -> TablePage:
    """Return one page of counted Prop64_Results.csv lines of a determination.

    `search` keeps lines whose reason contains it, ignoring case.
    """
    path = out_dir / "Prop64_Results.csv"
    frame = pl.scan_csv(path, infer_schema=False)
    columns = [c for c in TABLE_COLUMNS if c in frame.collect_schema().names()]
    flags = pl.col("Flags").fill_null("")
    counted = ~pl.any_horizontal(
        [flags.str.contains(phrase, literal=True) for phrase in UNCOUNTED_FLAGS]
    )
    filtered = frame.filter(counted & (pl.col("Eligibility Determination") == determination))
    if search.strip():
        filtered = filtered.filter(
            pl.col("Eligibility Reason")
            .fill_null("")
            .str.to_lowercase()
            .str.contains(search.strip().lower(), literal=True)
        )
    selected = filtered.select(columns).collect()
    total = selected.height
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = selected.slice((page - 1) * PAGE_SIZE, PAGE_SIZE).fill_null("").rows()
    return TablePage(columns, [tuple(str(v) for v in row) for row in rows], total, page, pages)


def reason_counts(out_dir: Path, determination: str) -> list[tuple[str, int]]:
    """Count the convictions of one determination by the rule that decided them, most frequent first."""
    path = out_dir / "Prop64_Results.csv"
    flags = pl.col("Flags").fill_null("")
    counted = ~pl.any_horizontal(
        [flags.str.contains(phrase, literal=True) for phrase in UNCOUNTED_FLAGS]
    )
    counts = (
        pl.scan_csv(path, infer_schema=False)
        .filter(counted & (pl.col("Eligibility Determination") == determination))
        .group_by("Decision Rule")
        .len()
        .sort(["len", "Decision Rule"], descending=[True, False])
        .collect()
    )
    return [(explain_rule(rule), int(n)) for rule, n in counts.rows()]


def build_zip(out_dir: Path, zip_path: Path) -> Path:
    """Write every file of the run folder into one zip, through a temporary name."""
    temporary = zip_path.with_suffix(".zip.partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(out_dir.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(out_dir).as_posix())
    temporary.replace(zip_path)
    return zip_path
