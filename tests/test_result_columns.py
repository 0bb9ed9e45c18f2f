"""Result columns of lines that are not in-scope cannabis convictions.

Only some lines can carry a value in the eligibility columns, and the others are left out
before the columns are built (`outputs.results.line_columns`). These runs check that the lines
which can carry a value keep it, and that the other lines get empty columns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.outputs.results import DECIDED_COLUMNS
from rules_helpers import cannabis_line, count_order, prior_line, run_lines

BURGLARY = "459 PC-BURGLARY"


def result_values(all_results: pl.DataFrame) -> list[dict[str, str]]:
    """The non-empty result columns of each line of All_Results.csv, in line order."""
    results = all_results.select(DECIDED_COLUMNS)
    return [
        {name: value for name, value in row.items() if value not in (None, "")}
        for row in results.iter_rows(named=True)
    ]


def test_other_lines_of_decided_subject(tmp_path: Path) -> None:
    lines = [
        cannabis_line(),
        # A burglary conviction in its own cycle: no value of its own.
        prior_line(BURGLARY, cycle=2),
        # A second sentence part of the burglary count.
        prior_line(BURGLARY, cycle=2, SENT_ORDER="002", SENT_LENGTH="6", SENT_TIME_CODE="M"),
        # The same burglary line once more.
        prior_line(BURGLARY, cycle=2),
        # A burglary whose comment names a cannabis charge.
        prior_line(BURGLARY, cycle=3, COMMENT_TEXT="ORIGINALLY 11357(B) HS"),
        # A line without CNT_ORDER, twice: each is a count of its own, the second a repeat.
        prior_line(BURGLARY, cycle=4, CNT_ORDER=""),
        prior_line(BURGLARY, cycle=4, CNT_ORDER=""),
    ]

    output = run_lines(tmp_path, lines)
    values = result_values(output.all_results)

    assert values[0]["Eligibility Determination"] == "Eligible for Dismissal"
    assert values[1] == {}
    assert values[2] == {"Flags": "additional sentence part"}
    assert values[3] == {"Flags": "repeated line"}
    assert values[4] == {"Possible Other P64 Charges": "11357(B) HS"}
    assert values[5:] == [{}, {"Flags": "repeated line"}]
    assert output.prop64.height == 1


def test_cannabis_lines_out_of_scope(tmp_path: Path) -> None:
    lines = [
        # Convicted in another county.
        cannabis_line(STP_ORI_CNTY_NAME="LOS ANGELES", STP_ORI_DESCR="CASC LOS ANGELES"),
        # A cannabis charge that was dismissed, and a cannabis arrest.
        cannabis_line(SUBJECT_ID="1000002", DISP_DESCR="DISMISSED", CNT_ORDER=count_order(step=2)),
        cannabis_line(
            SUBJECT_ID="1000003",
            STP_TYPE_DESCR="ARREST",
            DISP_DESCR="",
            CNT_ORDER=count_order(step=1),
        ),
    ]

    output = run_lines(tmp_path, lines)
    values = result_values(output.all_results)

    assert values == [{"Flags": "convicted in another county"}, {}, {}]
    assert output.prop64.height == 0


def test_conviction_without_subject_id(tmp_path: Path) -> None:
    # Kept as it was before the columns were built for some lines only: the rules group lines
    # by subject, and a line without SUBJECT_ID belongs to none (see the NOTE in evaluate.py).
    lines = [cannabis_line(SUBJECT_ID=""), cannabis_line(SUBJECT_ID="1000002")]

    output = run_lines(tmp_path, lines)
    values = result_values(output.all_results)

    assert values[0] == {}
    assert values[1]["Eligibility Determination"] == "Eligible for Dismissal"
    assert output.all_results.get_column("SUBJECT_ID").to_list()[0] is None
    assert output.all_results.columns[: len(DOJ_COLUMNS)] == list(DOJ_COLUMNS)
