"""Rebuild the bundled synthetic sample in src/autoclear/sample/.

Run `python -m autoclear.generate.build_sample` from the repository. The output depends only on
this code: the scenarios of `scenarios.py` and generator lines from a fixed seed, split into two
files of one delivery. Part 1 has a header line and LF line ends; part 2 has no header and CRLF
line ends. Both contain only well-formed lines; `bad_lines.dat` contains the malformed examples.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.generate.scenarios import Scenario, build_scenarios, scenario_frame
from autoclear.generate.writer import (
    BAD_LINE_KINDS,
    format_lines,
    malform_lines,
    synthetic_frames,
    write_header,
    write_lines,
)
from autoclear.rules.policy import AdditionalRelief, OfficeDetails, Policy, SectionTreatment

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
COUNTY = "SAN FRANCISCO"
SEED = 20200701
GENERATED_LINES = 2600
GENERATED_FIRST_SUBJECT = 20_000_001
# Every SPLIT_EVERY-th generated subject of part 1 has its later cycles moved to part 2.
SPLIT_EVERY = 12
AS_OF = "2020-07-01"

SAMPLE_POLICY = Policy(
    sections=SectionTreatment.model_validate(
        {"11357": "dismiss", "11358": "dismiss", "11359": "reduce", "11360": "reduce"}
    ),
    challenge_disqualified=True,
    additional_relief=AdditionalRelief(under_21_at_conviction=True, min_age=57, deceased=True),
    office=OfficeDetails(
        district_attorney="Example County District Attorney (fictional)",
        deputy="Deputy Sample Person (fictional)",
        bar_number="000000",
        address="1 Example Plaza, Nowhere, CA 00000 (fictional)",
        phone="(000) 000-0000",
        office_name="Office of the District Attorney, Example County (fictional)",
    ),
)


def _generated_lines() -> pl.DataFrame:
    frames = list(synthetic_frames(COUNTY, GENERATED_LINES, SEED, GENERATED_FIRST_SUBJECT))
    return pl.concat(frames).drop("_subject", "_cannabis_conviction")


def _split_generated(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split at the middle, then move later cycles of some part-1 subjects to part 2."""
    middle = frame.height // 2
    first, second = frame.head(middle), frame.slice(middle)
    subjects = first["SUBJECT_ID"].unique(maintain_order=True)
    chosen = subjects.gather_every(SPLIT_EVERY)
    moves = pl.col("SUBJECT_ID").is_in(chosen.implode()) & (pl.col("CYC_ORDER").cast(pl.Int64) >= 2)
    moved = first.filter(moves)
    return first.filter(~moves), pl.concat([moved, second])


def _part(scenarios: pl.DataFrame, generated: pl.DataFrame, file: int) -> pl.DataFrame:
    mine = scenarios.filter(pl.col("_file") == file)
    head = mine.filter(pl.col("_placement") == "head").select(DOJ_COLUMNS)
    tail = mine.filter(pl.col("_placement") == "tail").select(DOJ_COLUMNS)
    return pl.concat([head, generated, tail])


def _write(path: Path, frame: pl.DataFrame, *, header: bool, line_terminator: str) -> None:
    with path.open("wb") as handle:
        if header:
            write_header(handle, line_terminator)
        write_lines(handle, format_lines(frame), line_terminator)


def _bad_lines_file(path: Path, generated: pl.DataFrame) -> None:
    """Write good lines with one line of each malformed kind in between."""
    good = format_lines(generated.head(12))
    kinds = np.full(len(good), -1)
    kinds[2 : 2 + 2 * len(BAD_LINE_KINDS) : 2] = np.arange(len(BAD_LINE_KINDS))
    with path.open("wb") as handle:
        write_lines(handle, malform_lines(good, kinds))


README_INTRO = f"""# Bundled synthetic sample

Everything here is invented: names, numbers, dates and courts. No line comes from a real record.
These files are written by `python -m autoclear.generate.build_sample`; edit the scenarios in
`src/autoclear/generate/scenarios.py` and rebuild rather than editing them by hand.

| file | content |
|---|---|
| `doj_part1.dat` | part 1 of one delivery: header line, LF line ends |
| `doj_part2.dat` | part 2: no header, CRLF line ends; some subjects have lines in both parts |
| `bad_lines.dat` | 8 good lines and one malformed line of each kind: {"; ".join(BAD_LINE_KINDS)} |
| `policy.toml` | sample policy: HS 11357 and 11358 felonies dismissed, 11359 and 11360 reduced; \
additional relief when under 21 at conviction, 57 or older, or deceased; fictional office |

`sample_files()` and `sample_policy()` in `autoclear.sample` return these paths.

The two data files hold {GENERATED_LINES} lines from the generator (county {COUNTY}, seed {SEED};
subjects numbered from {GENERATED_FIRST_SUBJECT}) and the hand-made scenarios below (subjects
numbered from 90000001). Every {SPLIT_EVERY}th generated subject of part 1 has its later cycles in
part 2.

## Scenarios and the determinations the rules imply

Evaluated for county {COUNTY} on {AS_OF}. "Sample policy" is `policy.toml`; "default policy"
dismisses felonies of every section and keeps the other defaults. Rules are numbered as in the
decision order. Rule 1 is a never-eligible sub-section, 2 an offense on or after 9 Nov 2016, 3 a
misdemeanor or infraction, 4 a felony with a disqualifying prior, 5 a section the policy
dismisses, 6 additional relief, 7 a section the policy reduces and 8 hand review. "(not in scope)" means the line is not an
in-county HS 11357-11360 conviction, so it gets no determination.

"""

README_END = """
Notes:

- `born_29_february_convicted_28_february`: ages are whole calendar years compared as (month,
  day) pairs, so a 29 February birthday falls on 1 March in common years.
- `conflicting_comment_charge` expects hand review even though rule 7 would otherwise apply,
  because the section itself is in doubt.
- `unknown_dob` expects the reduction with a flag: only age-based relief needs the birth date.
"""


def readme_table(scenarios: list[Scenario]) -> str:
    """Return the Markdown table of scenarios and expected determinations."""
    rows = [
        "| scenario | subject | conviction | sample policy | default policy | why |",
        "|---|---|---|---|---|---|",
    ]
    for scenario in scenarios:
        for expected in scenario.expected:
            rows.append(
                f"| `{scenario.name}` | {scenario.person.subject_id} | {expected.conviction} | "
                f"{expected.sample_policy} | {expected.default_policy} | {expected.why} |"
            )
    return "\n".join(rows) + "\n"


def build(out_dir: Path = SAMPLE_DIR) -> list[Path]:
    """Write the sample files, the policy and the scenario table; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scenarios = build_scenarios()
    scenario_lines = scenario_frame([s.person for s in scenarios])
    generated = _generated_lines()
    first, second = _split_generated(generated)

    part1 = out_dir / "doj_part1.dat"
    part2 = out_dir / "doj_part2.dat"
    bad = out_dir / "bad_lines.dat"
    policy = out_dir / "policy.toml"
    readme = out_dir / "README.md"
    _write(part1, _part(scenario_lines, first, 1), header=True, line_terminator="\n")
    _write(part2, _part(scenario_lines, second, 2), header=False, line_terminator="\r\n")
    _bad_lines_file(bad, generated.tail(12))
    policy.write_text(SAMPLE_POLICY.to_toml(), encoding="utf-8")
    readme.write_text(README_INTRO + readme_table(scenarios) + README_END, encoding="utf-8")
    return [part1, part2, bad, policy, readme]


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild autoclear's bundled synthetic sample.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder to write into")
    arguments = parser.parse_args()
    for path in build(arguments.out):
        print(path)


if __name__ == "__main__":
    main()
