"""The summary and equity report as data: sections of paragraphs, tables and charts.

`build_report` does all the counting and suppression; the HTML and PDF writers only lay
the result out, so both formats always show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from autoclear import __version__
from autoclear.doj.columns import (
    DETERMINATIONS,
    ELIGIBLE_FOR_DISMISSAL,
    ELIGIBLE_FOR_REDUCTION,
    HAND_REVIEW,
    NOT_ELIGIBLE,
)
from autoclear.outputs.report.charts import Chart, share_chart
from autoclear.outputs.report.run_folder import DETERMINATION, RULE, RunFolder
from autoclear.outputs.report.suppression import Suppression
from autoclear.rules.policy import Policy
from autoclear.rules.prop64 import explain_rule

# "count" cells count people or convictions and are suppressed. "number" cells are file facts
# such as bytes and lines, which are not.
CellKind = Literal["text", "count", "number", "percent", "code"]


@dataclass(frozen=True)
class Cell:
    """One table cell. Its `kind` sets the alignment and marks the counts that suppression applies to."""

    text: str
    kind: CellKind = "text"


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    county: str
    as_of: str
    internal_use: bool
    facts: list[tuple[str, str]]
    sections: list[Section]
    footnotes: list[str]


SCENARIOS: tuple[tuple[str, str], ...] = (
    ("policy", "County policy"),
    ("dismiss_all_cannabis", "If every cannabis conviction were dismissed"),
    ("dismiss_all_cannabis_and_related", "If every cannabis and related conviction were dismissed"),
)

PEOPLE_FIGURES: tuple[tuple[str, str], ...] = (
    ("with_cannabis_conviction", "People with a cannabis conviction in the county"),
    ("with_relief", "People who get relief"),
    ("no_longer_felony", "People who will no longer have a felony"),
    ("no_conviction", "People who will have no conviction at all"),
    ("no_conviction_last_7_years", "People who will have no conviction in the last 7 years"),
)

DETERMINATION_LABELS: dict[str, str] = {
    ELIGIBLE_FOR_DISMISSAL: "Convictions dismissed",
    ELIGIBLE_FOR_REDUCTION: "Convictions reduced to misdemeanors",
    NOT_ELIGIBLE: "Convictions not eligible (challenged)",
    HAND_REVIEW: "Convictions sent to hand review",
}

ADDITIONAL_RELIEF_LABELS: dict[str, str] = {
    "under_21_at_conviction": "Under 21 at conviction",
    "min_age": "Now at or above the policy's minimum age",
    "min_years_since_conviction": "Conviction at least the policy's number of years old",
    "min_years_crime_free": "No conviction in the policy's number of years",
    "only_cannabis_convictions": "Only cannabis convictions on record",
    "deceased": "Deceased",
}

# Summary key, table column header, and the phrase used after "by" in titles.
EQUITY_DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("race", "Race (RACE_DESCR)", "race (RACE_DESCR)"),
    ("gender", "Gender", "gender"),
    ("age_group", "Age group", "age group at the as-of date"),
)

AGE_GROUP_ORDER = ("under 21", "21-29", "30-39", "40-49", "50-59", "60 and over", "unknown")


def build_report(run: RunFolder, policy: Policy, suppression: Suppression) -> Report:
    """Build every section of the report from the run folder, with counts suppressed as configured."""
    summary = run.summary
    scenarios = summary.get("scenarios", {})
    figures = scenarios.get("policy", {})
    sections = [
        _policy_section(policy),
        _inputs_section(run, suppression),
        _impact_section(scenarios, suppression),
        _sections_section(figures, suppression),
        _review_section(run, figures, suppression),
        *_equity_sections(figures, suppression),
    ]
    facts = [
        ("County", run.county),
        ("As-of date", run.as_of),
        (
            "Earliest cannabis conviction",
            str(figures.get("earliest_cannabis_conviction") or "none"),
        ),
        ("Produced by", f"autoclear {summary.get('tool_version') or __version__}"),
    ]
    footnotes = [
        suppression.footnote(),
        "A conviction is one count of a court case. Lines that are further parts of the same "
        "sentence, or repeated copies of an earlier line, are not counted again.",
        "People are counted once each, by DOJ subject number.",
    ]
    return Report(
        title="Proposition 64 relief: summary and equity report",
        county=run.county,
        as_of=run.as_of,
        internal_use=not suppression.enabled,
        facts=facts,
        sections=sections,
        footnotes=footnotes,
    )


def _number(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _policy_section(policy: Policy) -> Section:
    return Section(title="Policy applied", paragraphs=policy.describe())


def _inputs_section(run: RunFolder, suppression: Suppression) -> Section:
    inputs = run.manifest.get("inputs", [])
    rows = [
        [
            Cell(str(item.get("name", ""))),
            Cell(f"{_number(item.get('size')):,}", "number"),
            Cell(f"{_number(item.get('lines')):,}", "number"),
            Cell(str(item.get("sha256", "")), "code"),
        ]
        for item in inputs
        if isinstance(item, dict)
    ]
    files_table = Table(
        title="Input files",
        header=["File", "Bytes", "Lines", "SHA-256"],
        rows=rows,
        note="File sizes and line counts describe the files, not people, and are not suppressed.",
    )
    figures = run.summary.get("input", {})
    input_figures: tuple[tuple[str, str, CellKind], ...] = (
        ("lines", "Lines read", "number"),
        ("lines_rejected", "Lines rejected as malformed (not evaluated)", "number"),
        ("lines_repeated", "Lines repeating an earlier line (counted once)", "number"),
        ("subjects", "People (DOJ subjects) in the files", "count"),
    )
    lines_table = Table(
        title="Lines read",
        header=["", "Count"],
        rows=[
            [Cell(label), _line_or_people_cell(_number(figures.get(key)), kind, suppression)]
            for key, label, kind in input_figures
        ],
        note="Line counts describe the files, not people, and are not suppressed. "
        "The count of people is.",
    )
    paragraphs = [
        "Rejected lines could not be read as DOJ research file lines (for example, a wrong "
        "number of fields) and were left out of every figure. Repeated lines are exact copies "
        "of an earlier line and count once."
    ]
    tables = [files_table, lines_table]
    if run.quality_problems:
        tables.append(
            Table(
                title="Data problems found (quality.csv)",
                header=["Kind of problem", "Lines"],
                rows=[
                    [Cell(kind), _line_or_people_cell(count, _problem_cell_kind(kind), suppression)]
                    for kind, count in run.quality_problems.items()
                ],
                note="quality.csv lists each line with its file, line number and details. Counts "
                "of convictions are suppressed. Counts of other lines describe the files and "
                "are not suppressed.",
            )
        )
    return Section(title="Inputs", paragraphs=paragraphs, tables=tables)


def _line_or_people_cell(value: int, kind: CellKind, suppression: Suppression) -> Cell:
    """Format a count of people or convictions ("count", suppressed) or of file lines ("number")."""
    if kind == "count":
        return Cell(suppression.count(value), "count")
    return Cell(f"{value:,}", "number")


def _problem_cell_kind(problem_kind: str) -> CellKind:
    """Tell whether a kind of data problem counts convictions, which are suppressed, or lines.

    The problems found in the meaning of the lines name a conviction ("cannabis conviction with
    partial conviction date ..."), but rejected and repeated lines do not.
    """
    return "count" if "conviction" in problem_kind else "number"


def _impact_section(scenarios: dict[str, Any], suppression: Suppression) -> Section:
    header = ["Figure"] + [label for _key, label in SCENARIOS]
    rows: list[list[Cell]] = []
    for key, label in PEOPLE_FIGURES:
        row = [Cell(label)]
        for scenario, _ in SCENARIOS:
            people = scenarios.get(scenario, {}).get("people", {})
            row.append(Cell(suppression.count(_number(people.get(key))), "count"))
        rows.append(row)
    for determination in DETERMINATIONS:
        row = [Cell(DETERMINATION_LABELS[determination])]
        for scenario, _ in SCENARIOS:
            counts = scenarios.get(scenario, {}).get("determinations", {})
            row.append(Cell(suppression.count(_number(counts.get(determination))), "count"))
        rows.append(row)
    row = [Cell("Related (non-cannabis) convictions dismissed")]
    for scenario, _ in SCENARIOS:
        value = _number(scenarios.get(scenario, {}).get("related_convictions_dismissed"))
        row.append(Cell(suppression.count(value), "count"))
    rows.append(row)
    return Section(
        title="Impact",
        paragraphs=[
            "The first column applies the county's policy. The other two are hypotheticals for "
            "comparison: what would change if every cannabis conviction, or every cannabis "
            "conviction and the related charges commonly dismissed with it, were dismissed."
        ],
        tables=[
            Table(title="Impact under the policy and the hypotheticals", header=header, rows=rows)
        ],
    )


def _sections_section(figures: dict[str, Any], suppression: Suppression) -> Section:
    convictions = figures.get("convictions", {})
    by_section = convictions.get("by_section", {})
    determinations = figures.get("determinations_by_section", {})
    rows = []
    for section in sorted(set(by_section) | set(determinations)):
        counts = by_section.get(section, {})
        decided = determinations.get(section, {})
        row = [Cell(f"HS {section}")]
        row += [
            Cell(suppression.count(_number(counts.get(key))), "count")
            for key in ("total", "felony", "non_felony")
        ]
        row += [
            Cell(suppression.count(_number(decided.get(determination))), "count")
            for determination in DETERMINATIONS
        ]
        rows.append(row)
    rows.append(
        [Cell("All sections")]
        + [
            Cell(suppression.count(_number(convictions.get(key))), "count")
            for key in ("total", "felony", "non_felony")
        ]
        + [
            Cell(suppression.count(_number(figures.get("determinations", {}).get(d))), "count")
            for d in DETERMINATIONS
        ]
    )
    tables = [
        Table(
            title="Convictions by code section under the policy",
            header=["Section", "Convictions", "Felony", "Not felony", *DETERMINATIONS],
            rows=rows,
        )
    ]
    additional = figures.get("dismissals_by_additional_relief", {})
    if additional:
        tables.append(
            Table(
                title="Felonies dismissed by an additional-relief condition of the policy",
                header=["Condition", "Convictions"],
                rows=[
                    [
                        Cell(ADDITIONAL_RELIEF_LABELS.get(key, key)),
                        Cell(suppression.count(_number(value)), "count"),
                    ]
                    for key, value in additional.items()
                ],
            )
        )
    return Section(title="Convictions by section", tables=tables)


def _review_section(run: RunFolder, figures: dict[str, Any], suppression: Suppression) -> Section:
    """Count each reason given for a challenged or hand-review conviction, from the result lines."""
    convictions = run.convictions()
    tables = []
    paragraphs = []
    for determination, title, explanation in (
        (
            NOT_ELIGIBLE,
            "Convictions challenged as not eligible, by reason",
            "The office tells the court it challenges these convictions. Each row is one rule; "
            "the result files give every conviction's own reason and evidence.",
        ),
        (
            HAND_REVIEW,
            "Convictions sent to hand review, by reason",
            "The rules could not decide these convictions from the data alone; staff must read "
            "the record. They are not in the court filings until decided.",
        ),
    ):
        reasons = (
            convictions.filter(pl.col(DETERMINATION) == determination)
            .group_by(RULE)
            .len()
            .sort(["len", RULE], descending=[True, False])
        )
        total = _number(figures.get("determinations", {}).get(determination))
        paragraphs.append(f"{title.split(',')[0]}: {suppression.count(total)}. {explanation}")
        if reasons.height:
            tables.append(
                Table(
                    title=title,
                    header=["Reason", "Convictions"],
                    rows=[
                        [
                            Cell(explain_rule(rule)),
                            Cell(suppression.count(count), "count"),
                        ]
                        for rule, count in reasons.iter_rows()
                    ],
                )
            )
    return Section(
        title="Challenged and hand-review convictions", paragraphs=paragraphs, tables=tables
    )


def _equity_sections(figures: dict[str, Any], suppression: Suppression) -> list[Section]:
    """Return one section per breakdown (race, gender, age group), each with its table and chart."""
    equity = figures.get("equity", {})
    sections: list[Section] = []
    for dimension, header, phrase in EQUITY_DIMENSIONS:
        groups: dict[str, dict[str, Any]] = equity.get(dimension, {})
        if not groups:
            continue
        names = list(groups)
        if dimension == "age_group":
            names.sort(
                key=lambda name: AGE_GROUP_ORDER.index(name) if name in AGE_GROUP_ORDER else 99
            )
        section = Section(title=f"Who benefits, by {phrase}")
        if not sections:
            section.paragraphs.append(
                "Each table sets the people and convictions that get relief beside all people with a "
                "cannabis conviction in the county and all their cannabis convictions, broken down "
                "the same way. Percentages are "
                "shares of the column total, so a group that benefits in proportion to its share "
                "of people with cannabis convictions shows two bars of equal length."
            )
        section.tables.append(_equity_table(groups, names, header, phrase, suppression))
        totals = {
            column: sum(_number(groups[name].get(column)) for name in names)
            for column in ("people_with_relief", "people")
        }
        section.charts.append(
            share_chart(
                f"People with relief and everyone with a cannabis conviction, by {phrase}",
                [name or "(blank)" for name in names],
                [
                    suppression.share(
                        _number(groups[name].get("people_with_relief")),
                        totals["people_with_relief"],
                    )
                    for name in names
                ],
                [
                    suppression.share(_number(groups[name].get("people")), totals["people"])
                    for name in names
                ],
                relief_label="People with relief",
                everyone_label="All people with a cannabis conviction",
                marker=suppression.marker,
            )
        )
        sections.append(section)
    return sections


EQUITY_COLUMNS = ("people_with_relief", "people", "convictions_with_relief", "convictions")


def _equity_table(
    groups: dict[str, dict[str, Any]],
    names: list[str],
    header: str,
    phrase: str,
    suppression: Suppression,
) -> Table:
    totals = {
        column: sum(_number(groups[name].get(column)) for name in names)
        for column in EQUITY_COLUMNS
    }
    rows = []
    for name in names:
        row = [Cell(name or "(blank)")]
        for column in EQUITY_COLUMNS:
            value = _number(groups[name].get(column))
            row.append(Cell(suppression.count(value), "count"))
            row.append(Cell(suppression.percent(value, totals[column]), "percent"))
        rows.append(row)
    total_row = [Cell("Total")]
    for column in EQUITY_COLUMNS:
        total_row.append(Cell(suppression.count(totals[column]), "count"))
        total_row.append(Cell(suppression.percent(totals[column], totals[column]), "percent"))
    rows.append(total_row)
    return Table(
        title=f"Relief by {phrase}",
        header=[
            header,
            "People with relief",
            "%",
            "All people",
            "%",
            "Convictions with relief",
            "%",
            "All convictions",
            "%",
        ],
        rows=rows,
    )
