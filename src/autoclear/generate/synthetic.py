"""Vectorized construction of synthetic DOJ research-file lines.

Random people are drawn as a tree: subjects, their cycles, the events of each cycle, the counts
of each event and the sentence parts of each count. Every level is a set of NumPy arrays, and a
level is expanded into the next with `np.repeat`, so no Python loop runs per line. The result is
a Polars frame of the 95 DOJ columns as strings, plus private columns (starting with `_`) that
the writer uses for statistics and drops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.doj.counties import COUNTIES
from autoclear.generate import catalog
from autoclear.generate.catalog import Kind

EPOCH = date(1970, 1, 1)
FIRST_DAY = (date(1975, 1, 1) - EPOCH).days
LAST_DAY = (date(2022, 12, 31) - EPOCH).days
DOB_FIRST = (date(1935, 1, 1) - EPOCH).days
DOB_LAST = (date(2001, 12, 31) - EPOCH).days
DAYS_PER_YEAR = 365.2425

# Event types, in the order of EVENT_TYPES.
ARREST, COURT, REGISTRATION, DECEASED = 0, 1, 2, 3
EVENT_TYPES = ("ARREST/DETAINED/CITED", "COURT ACTION", "REGISTRATION", "DECEASED")
EVENT_TYPE_CODES = ("10", "20", "30", "90")
EVENT_ORI_TYPES = ("PD", "CO", "RG", "CR")
EVENT_ORI_TYPE_DESCR = ("POLICE DEPARTMENT", "COURT", "REGISTRANT", "CORONER")

# Unused identifying columns that get placeholders ("", x, #, NULL, blanks).
PLACEHOLDER_COLUMNS = (
    "REQ_SEG_SEP", "REQ_CII_NUMBER", "REQ_NAME", "REQ_GENDER", "REQ_DOB", "REQ_CDL", "REQ_SSN",
    "PRI_SSN", "PRI_CDL", "PRI_IDN", "PRI_INN", "FBI_NUMBER", "SINGLE_SOURCE", "MULTI_SOURCE",
    "CITIZENSHIP_LIST", "FE_NUM_ARR_AGY", "FE_NUM_BNCH_WARR", "FE_NUM_CITE", "FE_NUM_DOCKET",
    "FE_NUM_INCIDENT", "FE_NUM_NUMBER", "FE_NUM_REMAND", "FE_NUM_OOS_INN", "FE_NUM_WARRANT",
    "OFFENSE_QUAL_LST", "DISP_OFFENSE_QUAL_LST", "CONV_OFFENSE_QUAL_LST",
)  # fmt: skip


@dataclass(frozen=True)
class Tables:
    """Catalog values as Polars Series, so that columns are built by gathering indices."""

    offense_descr: pl.Series
    offense_toc: np.ndarray
    offense_kind: np.ndarray
    offense_weights: np.ndarray
    offense_code: pl.Series  # "11359 HS": the section part of the description
    courts: pl.Series
    court_county: np.ndarray
    court_start: np.ndarray  # per county index: first court in `courts`
    court_count: np.ndarray
    agencies: pl.Series
    counties: pl.Series


def _build_tables() -> Tables:
    weights = np.array([o.weight for o in catalog.OFFENSES])
    courts: list[str] = []
    court_county: list[int] = []
    court_start = np.zeros(len(COUNTIES), dtype=np.int64)
    court_count = np.zeros(len(COUNTIES), dtype=np.int64)
    agencies: list[str] = []
    for index, county in enumerate(COUNTIES):
        names = catalog.courts_of(county)
        court_start[index] = len(courts)
        court_count[index] = len(names)
        courts.extend(names)
        court_county.extend([index] * len(names))
        agencies.extend(catalog.arrest_agencies_of(county))
    return Tables(
        offense_descr=pl.Series([o.descr for o in catalog.OFFENSES], dtype=pl.String),
        offense_toc=np.array([o.toc for o in catalog.OFFENSES]),
        offense_kind=np.array([int(o.kind) for o in catalog.OFFENSES]),
        offense_weights=weights / weights.sum(),
        offense_code=pl.Series([o.descr.split("-")[0] for o in catalog.OFFENSES], dtype=pl.String),
        courts=pl.Series(courts, dtype=pl.String),
        court_county=np.array(court_county),
        court_start=court_start,
        court_count=court_count,
        agencies=pl.Series(agencies, dtype=pl.String),
        counties=pl.Series(COUNTIES, dtype=pl.String),
    )


TABLES = _build_tables()


def _take(values: pl.Series | tuple[str, ...], index: np.ndarray) -> pl.Series:
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
    return series.gather(index)


def _position_in_group(counts: np.ndarray) -> np.ndarray:
    """Return 0, 1, ... within each group when groups of the given sizes are laid end to end."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum())) - starts


def _date_strings(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("datetime64[D]")).dt.strftime("%Y%m%d")


def _numbers(values: np.ndarray, width: int = 0) -> pl.Series:
    text = pl.Series(values.astype(np.int64)).cast(pl.String)
    return text.str.zfill(width) if width else text


def _blank(n: int) -> pl.Series:
    return pl.repeat("", n, eager=True, dtype=pl.String)


def _where(mask: np.ndarray, if_true: pl.Series, if_false: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"m": mask, "t": if_true, "f": if_false})
    return frame.select(pl.when("m").then("t").otherwise("f")).to_series()


def _make_partial(dates: pl.Series, mask_year: np.ndarray, mask_month: np.ndarray) -> pl.Series:
    """Blank the day (YYYYMM00) or month and day (YYYY0000) of the masked dates."""
    month_only = dates.str.slice(0, 6) + "00"
    year_only = dates.str.slice(0, 4) + "0000"
    return _where(mask_year, year_only, _where(mask_month, month_only, dates))


def build_chunk(
    rng: np.random.Generator,
    county: str,
    subjects: int,
    first_subject: int,
) -> pl.DataFrame:
    """Build the lines of `subjects` random people as a frame of the 95 DOJ string columns.

    Private columns: `_subject` (0-based person number in the chunk) and `_cannabis_conviction`
    (true on the first sentence part of each convicted HS 11357-11360 count).
    """
    main_county = COUNTIES.index(county)
    columns: dict[str, pl.Series] = {}
    t = TABLES

    # Subjects.
    s = subjects
    dob = rng.integers(DOB_FIRST, DOB_LAST, s)
    home = np.where(rng.random(s) < 0.85, main_county, rng.integers(0, len(COUNTIES), s))
    normal_cycles = np.minimum(rng.geometric(0.3, s), 30)
    registrant = rng.random(s) < 0.01
    deceased = rng.random(s) < 0.02
    cycles_per_subject = normal_cycles + registrant + deceased

    # Cycles: normal ones first, then registration, then deceased; sorted by date below.
    c_subject = np.repeat(np.arange(s), cycles_per_subject)
    c_position = _position_in_group(cycles_per_subject)
    c_normal = c_position < normal_cycles[c_subject]
    c_deceased = deceased[c_subject] & (c_position == cycles_per_subject[c_subject] - 1)
    c_registration = ~c_normal & ~c_deceased
    earliest = np.maximum(dob[c_subject] + int(16 * DAYS_PER_YEAR), FIRST_DAY)
    c_date = earliest + (rng.random(len(c_subject)) * (LAST_DAY - earliest)).astype(np.int64)
    last_normal = np.zeros(s, dtype=np.int64)
    np.maximum.at(last_normal, c_subject[c_normal], c_date[c_normal])
    death = np.minimum(last_normal[c_subject] + rng.integers(30, 4000, len(c_subject)), LAST_DAY)
    c_date = np.where(c_deceased, death, c_date)
    # Sort by date within subject (deceased last); c_deceased breaks ties.
    order = np.lexsort((c_deceased, c_date, c_subject))
    c_subject, c_date = c_subject[order], c_date[order]
    c_normal, c_deceased, c_registration = c_normal[order], c_deceased[order], c_registration[order]
    c_order = _position_in_group(cycles_per_subject) + 1
    c_has_court = c_normal & (rng.random(len(c_subject)) < 0.7)
    c_county = np.where(
        rng.random(len(c_subject)) < 0.9,
        home[c_subject],
        rng.integers(0, len(COUNTIES), len(c_subject)),
    )

    # Events: an arrest, then a court action for some cycles; one event for the others.
    events_per_cycle = 1 + c_has_court
    e_cycle = np.repeat(np.arange(len(c_subject)), events_per_cycle)
    e_step = _position_in_group(events_per_cycle) + 1
    e_type = np.where(
        c_registration[e_cycle],
        REGISTRATION,
        np.where(c_deceased[e_cycle], DECEASED, np.where(e_step == 1, ARREST, COURT)),
    )
    n_events = len(e_cycle)
    court_delay = rng.integers(0, 400, n_events)
    e_date = np.minimum(c_date[e_cycle] + np.where(e_type == COURT, court_delay, 0), LAST_DAY)
    e_county = c_county[e_cycle]
    court_pick = (rng.random(n_events) * t.court_count[e_county]).astype(np.int64)
    e_court = t.court_start[e_county] + court_pick
    e_agency = e_county * 3 + rng.integers(0, 3, n_events)
    e_case = rng.integers(0, 10_000_000, n_events)
    e_case_on_first_count_only = rng.random(n_events) < 0.3

    # Counts: a court action usually repeats its arrest's counts.
    arrest_counts = rng.choice(np.array([1, 1, 1, 2, 2, 3, 4, 6]), n_events)
    counts_per_event = np.where((e_type == ARREST) | (e_type == COURT), arrest_counts, 1)
    previous = np.maximum(np.arange(n_events) - 1, 0)
    same_as_arrest = (e_type == COURT) & (rng.random(n_events) < 0.85)
    counts_per_event = np.where(same_as_arrest, counts_per_event[previous], counts_per_event)
    k_event = np.repeat(np.arange(n_events), counts_per_event)
    k_number = _position_in_group(counts_per_event)
    n_counts = len(k_event)
    k_first = np.cumsum(counts_per_event) - counts_per_event
    k_offense = rng.choice(len(catalog.OFFENSES), n_counts, p=t.offense_weights)
    k_type = e_type[k_event]
    is_court = k_type == COURT
    arrest_event = previous[k_event]
    copy_from = k_first[arrest_event] + np.minimum(k_number, counts_per_event[arrest_event] - 1)
    copy = is_court & (rng.random(n_counts) < 0.9)
    k_offense = np.where(copy, k_offense[copy_from], k_offense)
    plea_offenses = np.flatnonzero(t.offense_kind == Kind.PLEA)
    plea = is_court & (rng.random(n_counts) < 0.04)
    k_offense = np.where(plea, rng.choice(plea_offenses, n_counts), k_offense)
    k_convicted = is_court & (rng.random(n_counts) < 0.65)
    k_toc = t.offense_toc[k_offense]
    k_kind = t.offense_kind[k_offense]

    # Sentence parts: convicted counts get 1-3 lines sharing CNT_ORDER.
    parts = np.where(k_convicted, rng.choice(np.array([1, 1, 1, 1, 1, 1, 2, 2, 3]), n_counts), 1)
    line_count = np.repeat(np.arange(n_counts), parts)
    part = _position_in_group(parts) + 1
    n = len(line_count)

    # Per-line indices into every level.
    event = k_event[line_count]
    cycle = e_cycle[event]
    subject = c_subject[cycle]
    offense = k_offense[line_count]
    kind = k_kind[line_count]
    toc = k_toc[line_count]
    etype = e_type[event]
    convicted = k_convicted[line_count]
    count_number = k_number[line_count] + 1

    # Subject columns.
    last = rng.integers(0, len(catalog.LAST_NAMES), s)
    first = rng.integers(0, len(catalog.FIRST_NAMES), s)
    middle = rng.integers(0, len(catalog.MIDDLE_NAMES), s)
    name = (
        _take(catalog.LAST_NAMES, last) + "," + _take(catalog.FIRST_NAMES, first)
        + " " + _take(catalog.MIDDLE_NAMES, middle)
    ).str.strip_chars_end()  # fmt: skip
    gender = rng.choice(len(catalog.GENDERS), s, p=np.array(catalog.GENDER_WEIGHTS))
    race = rng.choice(
        len(catalog.RACES), s, p=np.array(catalog.RACE_WEIGHTS) / sum(catalog.RACE_WEIGHTS)
    )
    dob_text = _where(rng.random(s) < 0.02, _blank(s), _date_strings(dob))
    subject_number = first_subject + np.arange(s)
    eye = rng.integers(0, len(catalog.EYE_COLORS), s)
    hair = rng.integers(0, len(catalog.HAIR_COLORS), s)
    birth_place = rng.integers(0, len(catalog.PLACES_OF_BIRTH), s)

    columns["RECORD_ID"] = _numbers(np.full(n, 1))
    columns["SUBJECT_STATUS"] = _take(
        ("A", "", "ACTIVE"), rng.choice(3, s, p=[0.8, 0.15, 0.05])
    ).gather(subject)
    columns["SUBJECT_ID"] = _numbers(subject_number, 8).gather(subject)
    columns["CII_NUMBER"] = _numbers(subject_number + 200_000_000, 9).gather(subject)
    columns["PRI_NAME"] = name.gather(subject)
    columns["GENDER"] = _take(catalog.GENDERS, gender).gather(subject)
    columns["PRI_DOB"] = dob_text.gather(subject)
    columns["RACE_CODE"] = _take(tuple(r[0] for r in catalog.RACES), race).gather(subject)
    columns["RACE_DESCR"] = _take(tuple(r[1] for r in catalog.RACES), race).gather(subject)
    columns["EYE_COLOR_CODE"] = _take(tuple(e[0] for e in catalog.EYE_COLORS), eye).gather(subject)
    columns["EYE_COLOR_DESCR"] = _take(tuple(e[1] for e in catalog.EYE_COLORS), eye).gather(subject)
    columns["HAIR_COLOR_CODE"] = _take(tuple(h[0] for h in catalog.HAIR_COLORS), hair).gather(
        subject
    )
    columns["HAIR_COLOR_DESCR"] = _take(tuple(h[1] for h in catalog.HAIR_COLORS), hair).gather(
        subject
    )
    columns["HEIGHT"] = _numbers(rng.integers(500, 605, s)).gather(subject)
    columns["WEIGHT"] = _numbers(rng.integers(110, 260, s), 3).gather(subject)
    columns["POB_CODE"] = _take(tuple(p[0] for p in catalog.PLACES_OF_BIRTH), birth_place).gather(
        subject
    )
    columns["POB_NAME"] = _take(tuple(p[1] for p in catalog.PLACES_OF_BIRTH), birth_place).gather(
        subject
    )
    columns["POB_TYPE"] = _take(("S", "C"), (birth_place == 2).astype(np.int64)).gather(subject)

    # Cycle and event columns.
    cycle_date = _date_strings(c_date)
    partial_cycle = rng.random(len(c_subject))
    columns["CYC_ORDER"] = _numbers(c_order[cycle])
    columns["CYC_DATE"] = _make_partial(
        cycle_date, partial_cycle < 0.002, partial_cycle > 0.996
    ).gather(cycle)
    age = np.floor((c_date - dob[c_subject]) / DAYS_PER_YEAR).astype(np.int64)
    columns["CYC_AGE"] = _numbers(age).gather(cycle)
    event_date = _date_strings(e_date)
    partial_event = rng.random(n_events)
    event_date = _make_partial(event_date, partial_event < 0.004, partial_event > 0.992)
    columns["STP_ORDER"] = _numbers(e_step[event])
    columns["STP_EVENT_DATE"] = event_date.gather(event)
    columns["STP_TYPE_CODE"] = _take(EVENT_TYPE_CODES, etype)
    columns["STP_TYPE_DESCR"] = _take(EVENT_TYPES, etype)
    columns["STP_ORI_TYPE"] = _take(EVENT_ORI_TYPES, etype)
    columns["STP_ORI_TYPE_DESCR"] = _take(EVENT_ORI_TYPE_DESCR, etype)
    county_index = e_county[event]
    court_index = e_court[event]
    agency_index = e_agency[event]
    court_name = t.courts.gather(court_index)
    agency_name = t.agencies.gather(agency_index)
    columns["STP_ORI_DESCR"] = _where(etype == COURT, court_name, agency_name)
    ori_number = np.where(etype == COURT, court_index, agency_index)
    columns["STP_ORI_CODE"] = "CA" + _numbers(county_index + 1, 2) + _numbers(ori_number, 5)
    columns["STP_ORI_CNTY_CODE"] = _numbers(county_index + 1, 2)
    columns["STP_ORI_CNTY_NAME"] = t.counties.gather(county_index)

    # Count columns.
    cycle_order = c_order[cycle]
    cnt_order = cycle_order * 1_000_000_000 + e_step[event] * 1_000_000 + count_number * 1_000
    columns["CNT_ORDER"] = _numbers(cnt_order, 12)
    first_count = count_number == 1
    case_text = _take(("F", "M", "SC", "CR"), e_case[event] % 4) + _numbers(e_case[event], 7)
    show_case = (etype == COURT) & (first_count | ~e_case_on_first_count_only[event])
    columns["OFN"] = _where(show_case, case_text, _blank(n))
    columns["DISP_DATE"] = _where(etype == COURT, columns["STP_EVENT_DATE"], _blank(n))
    columns["FE_NUM_CRT_CASE"] = _where(show_case & (rng.random(n) < 0.2), case_text, _blank(n))
    columns["FE_NUM_BOOKING"] = _where(
        etype == ARREST, _numbers(rng.integers(0, 99_999_999, n_events)[event], 8), _blank(n)
    )

    offense_descr = t.offense_descr.gather(offense)
    offense_code = t.offense_code.gather(offense)
    other_cannabis = np.flatnonzero(t.offense_kind == Kind.CANNABIS)
    other_code = t.offense_code.gather(rng.choice(other_cannabis, n_counts)[line_count])
    comment_roll = rng.random(n_counts)[line_count]
    is_cannabis = kind == Kind.CANNABIS
    in_comment = is_cannabis & (comment_roll < 0.03)
    conflicting = is_cannabis & (comment_roll >= 0.03) & (comment_roll < 0.045)
    filler = (comment_roll >= 0.045) & (comment_roll < 0.1)
    see_comment = _take(("SEE COMMENT FOR CHARGE", ""), rng.integers(0, 2, n_counts)[line_count])
    prefixes = _take(catalog.COMMENT_CHARGE_PREFIXES, rng.integers(0, 4, n_counts)[line_count])
    other_prefixes = _take(
        catalog.COMMENT_OTHER_CHARGE_PREFIXES, rng.integers(0, 3, n_counts)[line_count]
    )
    filler_text = _take(
        catalog.COMMENT_FILLER, rng.integers(0, len(catalog.COMMENT_FILLER), n_counts)[line_count]
    )
    comment = _where(in_comment, prefixes + offense_code, _blank(n))
    comment = _where(conflicting, other_prefixes + other_code, comment)
    comment = _where(filler, filler_text, comment)
    registration = etype == REGISTRATION
    offense_descr = _where(in_comment, see_comment, offense_descr)
    offense_descr = _where(
        registration, pl.repeat(catalog.REGISTRATION_OFFENSE, n, eager=True), offense_descr
    )
    offense_descr = _where(etype == DECEASED, _blank(n), offense_descr)
    padded = rng.random(n_counts)[line_count] < 0.02
    offense_descr = _where(padded, " " + offense_descr + " ", offense_descr)
    toc_text = pl.Series(toc, dtype=pl.String)
    toc_text = _where((etype == DECEASED) | registration, _blank(n), toc_text)
    columns["OFFENSE_DESCR"] = offense_descr
    columns["OFFENSE_CODE"] = _where(
        (offense_descr == "").to_numpy(), _blank(n), _numbers(offense * 7 + 1000, 5)
    )
    columns["OFFENSE_TOC"] = toc_text
    columns["COMMENT_TEXT"] = comment

    # Dispositions and conviction levels.
    disp_roll = rng.integers(0, 5, n_counts)[line_count]
    convicted_text = _take(catalog.CONVICTED_DISPOSITIONS, disp_roll)
    not_convicted_text = _take(catalog.NOT_CONVICTED_DISPOSITIONS, disp_roll)
    arrest_text = _take(catalog.ARREST_DISPOSITIONS, disp_roll % 4)
    disposition = _where(convicted, convicted_text, not_convicted_text)
    disposition = _where(etype == ARREST, arrest_text, disposition)
    disposition = _where(registration | (etype == DECEASED), _blank(n), disposition)
    disposition = _where(rng.random(n_counts)[line_count] < 0.01, disposition + "  ", disposition)
    columns["DISP_DESCR"] = disposition
    columns["DISP_ORDER"] = _where(etype == COURT, _numbers(np.ones(n)), _blank(n))
    level_roll = rng.random(n_counts)[line_count]
    level_toc = np.where((toc == "F") & (level_roll < 0.2), "M", toc)
    level = _take(
        ("FELONY", "MISDEMEANOR", "INFRACTION"),
        np.select([level_toc == "F", level_toc == "M"], [0, 1], 2),
    )
    # Some convictions leave CONV_STAT_DESCR blank, so readers must fall back on OFFENSE_TOC.
    show_level = convicted & (rng.random(n_counts)[line_count] >= 0.05)
    columns["CONV_STAT_DESCR"] = _where(show_level, level, _blank(n))
    columns["CONV_STAT_CODE"] = _where(show_level, level.str.slice(0, 1), _blank(n))
    columns["CONV_OFFENSE_ORDER"] = _where(convicted, _numbers(count_number), _blank(n))
    columns["CONV_OFFENSE_DESCR"] = _where(
        convicted & (rng.random(n_counts)[line_count] < 0.5), offense_descr, _blank(n)
    )
    columns["CONV_OFFENSE_TOC"] = _where(convicted, columns["CONV_STAT_CODE"], _blank(n))

    # Sentence parts.
    location = rng.choice(np.array([0, 0, 1, 1, 2, 3]), n)
    unit = np.select(
        [location == 0, location == 1, location == 2],
        [rng.choice(np.array([0, 1]), n), rng.choice(np.array([1, 2]), n), np.full(n, 2)],
        0,
    )
    length = np.select(
        [unit == 0, unit == 1],
        [rng.integers(1, 366, n), rng.integers(1, 37, n)],
        rng.integers(1, 9, n),
    )
    sentenced = convicted & (location != 3)
    columns["SENT_ORDER"] = _where(convicted, _numbers(part), _blank(n))
    columns["SENT_LOC_DESCR"] = _where(
        convicted, _take(catalog.SENTENCE_LOCATIONS, location), _blank(n)
    )
    columns["SENT_LOC_CODE"] = _where(convicted, _numbers(location + 1), _blank(n))
    columns["SENT_LENGTH"] = _where(sentenced, _numbers(length), _blank(n))
    columns["SENT_TIME_CODE"] = _where(sentenced, _take(("D", "M", "Y"), unit), _blank(n))
    columns["SENT_TIME_DESCR"] = _where(
        sentenced, _take(("DAYS", "MONTHS", "YEARS"), unit), _blank(n)
    )

    # Separators, placeholders and the end-of-record mark.
    for separator in (
        "PII_SEG_SEP",
        "PDR_SEG_SEP",
        "CYC_SEG_SEP",
        "STP_SEG_SEP",
        "CNT_SEG_SEP",
        "SENT_SEG_SEP",
    ):
        columns[separator] = pl.repeat("#", n, eager=True, dtype=pl.String)
    placeholder = _take(catalog.PLACEHOLDERS, rng.choice(5, n, p=[0.9, 0.04, 0.02, 0.02, 0.02]))
    for name_ in PLACEHOLDER_COLUMNS:
        columns[name_] = placeholder
    columns["FE_NUM_ORDER"] = _numbers(np.ones(n))
    columns["CII_TYPE"] = _take(("", "A"), rng.integers(0, 2, n))
    columns["CII_TYPE_ALPHA"] = _blank(n)
    columns["END_OF_REC"] = _take(("#", ""), (rng.random(n) < 0.1).astype(np.int64))

    for column in DOJ_COLUMNS:
        columns.setdefault(column, _blank(n))
    frame = pl.DataFrame([columns[c].alias(c) for c in DOJ_COLUMNS])
    first_part = part == 1
    return frame.with_columns(
        pl.Series("_subject", subject),
        pl.Series("_cannabis_conviction", convicted & is_cannabis & first_part),
    )


def shuffle_some_lines(rng: np.random.Generator, frame: pl.DataFrame, rate: float) -> pl.DataFrame:
    """Move a fraction of lines elsewhere in the chunk, so some subjects' lines are not adjacent."""
    n = frame.height
    position = np.arange(n, dtype=np.float64)
    moved = rng.random(n) < rate
    position[moved] = rng.random(int(moved.sum())) * n + 0.5
    return frame[np.argsort(position, kind="stable")]


def repeat_some_lines(rng: np.random.Generator, frame: pl.DataFrame, rate: float) -> pl.DataFrame:
    """Repeat a fraction of lines right after themselves, as extracts sometimes do."""
    copies = 1 + (rng.random(frame.height) < rate)
    index = np.repeat(np.arange(frame.height), copies)
    repeated = frame[index]
    is_copy = np.zeros(len(index), dtype=bool)
    is_copy[1:] = index[1:] == index[:-1]
    # A copy is not a second conviction.
    return repeated.with_columns(pl.col("_cannabis_conviction") & ~pl.Series(is_copy))
