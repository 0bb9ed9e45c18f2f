"""Hand-made synthetic people, one per edge case of the Proposition 64 rules.

Each public builder takes a subject id and returns a `Scenario`: the person's DOJ lines and the
determinations the rules imply under two policies, evaluated on 1 Jul 2020 for SAN FRANCISCO.
The bundled sample policy dismisses HS 11357 and 11358 felonies and reduces 11359 and 11360
felonies, with additional relief for people under 21 at conviction, 57 or older, or deceased.
The default policy dismisses felonies of every section. Names, numbers and dates are invented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from autoclear.doj.columns import DOJ_COLUMNS
from autoclear.generate import catalog

MAIN_COUNTY = "SAN FRANCISCO"
DEFAULT_DOB = "19650310"

Sentence = tuple[tuple[str, int, str], ...]


@dataclass(frozen=True)
class Count:
    """One charge of an event: OFFENSE_DESCR, disposition, level and sentence parts."""

    offense: str
    disposition: str = "CONVICTED"
    level: str = "FELONY"  # CONV_STAT_DESCR; "" leaves it blank
    toc: str = "F"
    sentence: Sentence = (("PROBATION", 3, "Y"),)
    comment: str = ""
    case_number: str | None = None  # None: the event's case number; "": blank
    cannabis: bool = False  # an in-scope-looking HS 11357-11360 conviction, for statistics


def felony(offense: str, **overrides: object) -> Count:
    values: dict[str, object] = {"cannabis": _looks_cannabis(offense)}
    values.update(overrides)
    return Count(offense, **values)  # type: ignore[arg-type]


def misdemeanor(offense: str, **overrides: object) -> Count:
    values: dict[str, object] = {
        "level": "MISDEMEANOR",
        "toc": "M",
        "sentence": (("JAIL", 30, "D"),),
        "cannabis": _looks_cannabis(offense),
    }
    values.update(overrides)
    return Count(offense, **values)  # type: ignore[arg-type]


def infraction(offense: str) -> Count:
    return Count(
        offense, level="INFRACTION", toc="I", sentence=(), cannabis=_looks_cannabis(offense)
    )


def not_convicted(offense: str, disposition: str = "DISMISSED", toc: str = "F") -> Count:
    return Count(offense, disposition=disposition, level="", toc=toc, sentence=())


def _looks_cannabis(offense: str) -> bool:
    code = offense.strip().split("-")[0].removeprefix("664/")
    return code[:5] in {"11357", "11358", "11359", "11360"} and code[5:6] != "." and "HS" in code


@dataclass
class Person:
    """A subject being built: lines are added cycle by cycle."""

    subject_id: str
    name: str = "ALDER,AARON J"
    dob: str = DEFAULT_DOB
    gender: str = "MALE"
    race: tuple[str, str] = ("B", "BLACK")
    rows: list[dict[str, object]] = field(default_factory=list)
    cycles: int = 0

    def _subject_fields(self) -> dict[str, str]:
        return {
            "RECORD_ID": "1",
            "SUBJECT_STATUS": "A",
            "SUBJECT_ID": self.subject_id,
            "CII_NUMBER": "3" + self.subject_id,
            "PRI_NAME": self.name,
            "GENDER": self.gender,
            "PRI_DOB": self.dob,
            "RACE_CODE": self.race[0],
            "RACE_DESCR": self.race[1],
            "HEIGHT": "510",
            "WEIGHT": "170",
            "POB_CODE": "CA",
            "POB_NAME": "CALIFORNIA",
            "END_OF_REC": "#",
        }

    def event(
        self,
        *,
        cycle: int,
        cycle_date: str,
        step: int,
        event_type: str,
        event_date: str,
        county: str,
        agency: str,
        counts: Sequence[Count],
        case_number: str = "",
        file: int = 1,
        placement: str = "tail",
    ) -> Person:
        """Add one event's lines: one per count and sentence part."""
        court = event_type == "COURT ACTION"
        for number, count in enumerate(counts, start=1):
            convicted = court and count.disposition.startswith("CONVICTED")
            parts: Sentence = count.sentence if convicted and count.sentence else (("", 0, ""),)
            shown_case = count.case_number if count.case_number is not None else case_number
            for part_number, (location, length, unit) in enumerate(parts, start=1):
                row: dict[str, object] = dict(self._subject_fields())
                row.update(
                    {
                        "CYC_ORDER": str(cycle),
                        "CYC_DATE": cycle_date,
                        "STP_ORDER": str(step),
                        "STP_EVENT_DATE": event_date,
                        "STP_TYPE_DESCR": event_type,
                        "STP_ORI_DESCR": agency,
                        "STP_ORI_CNTY_NAME": county,
                        "CNT_ORDER": f"{cycle:03d}{step:03d}{number:03d}000",
                        "DISP_DATE": event_date if court else "",
                        "OFN": shown_case if court else "",
                        "OFFENSE_DESCR": count.offense,
                        "OFFENSE_TOC": count.toc,
                        "DISP_DESCR": count.disposition if court else "",
                        "CONV_STAT_DESCR": count.level if convicted else "",
                        "SENT_ORDER": str(part_number) if convicted else "",
                        "SENT_LOC_DESCR": location,
                        "SENT_LENGTH": str(length) if length else "",
                        "SENT_TIME_CODE": unit,
                        "SENT_TIME_DESCR": catalog.TIME_CODES.get(unit, ""),
                        "COMMENT_TEXT": count.comment,
                        "_file": file,
                        "_placement": placement,
                        "_cannabis_conviction": convicted and count.cannabis and part_number == 1,
                    }
                )
                self.rows.append(row)
        return self

    def case(
        self,
        arrested: str,
        convicted: str,
        counts: Sequence[Count],
        *,
        county: str = MAIN_COUNTY,
        case_number: str | None = None,
        arrest_counts: Sequence[Count] | None = None,
        file: int = 1,
        placement: str = "tail",
    ) -> Person:
        """Add a cycle with an arrest on `arrested` and a court action on `convicted`."""
        self.cycles += 1
        cycle = self.cycles
        number = (
            case_number
            if case_number is not None
            else f"SC{int(self.subject_id) % 10**5:05d}{cycle:02d}"
        )
        shared = {
            "cycle": cycle,
            "cycle_date": arrested,
            "county": county,
            "file": file,
            "placement": placement,
        }
        self.event(
            step=1,
            event_type="ARREST/DETAINED/CITED",
            event_date=arrested,
            agency=f"CAPD {county.strip()}",
            counts=arrest_counts if arrest_counts is not None else counts,
            **shared,  # type: ignore[arg-type]
        )
        return self.event(
            step=2,
            event_type="COURT ACTION",
            event_date=convicted,
            agency=catalog.courts_of(county.strip())[0],
            counts=counts,
            case_number=number,
            **shared,  # type: ignore[arg-type]
        )

    def arrest_only(
        self, arrested: str, counts: Sequence[Count], county: str = MAIN_COUNTY
    ) -> Person:
        self.cycles += 1
        return self.event(
            cycle=self.cycles,
            cycle_date=arrested,
            step=1,
            event_type="ARREST/DETAINED/CITED",
            event_date=arrested,
            county=county,
            agency=f"CAPD {county.strip()}",
            counts=counts,
        )

    def registration(self, on: str, county: str = MAIN_COUNTY) -> Person:
        self.cycles += 1
        return self.event(
            cycle=self.cycles,
            cycle_date=on,
            step=1,
            event_type="REGISTRATION",
            event_date=on,
            county=county,
            agency=f"CAPD {county.strip()}",
            counts=[
                Count(catalog.REGISTRATION_OFFENSE, disposition="", level="", toc="", sentence=())
            ],
        )

    def deceased(self, on: str) -> Person:
        self.cycles += 1
        return self.event(
            cycle=self.cycles,
            cycle_date=on,
            step=1,
            event_type="DECEASED",
            event_date=on,
            county=MAIN_COUNTY,
            agency="CACR SAN FRANCISCO",
            counts=[Count("", disposition="", level="", toc="", sentence=())],
        )

    def copy_line(self, index: int, *, file: int, placement: str) -> Person:
        """Repeat line `index` (as added) in a file and place: a repeated line, not a new count."""
        copy = dict(self.rows[index])
        copy.update({"_file": file, "_placement": placement, "_cannabis_conviction": False})
        self.rows.append(copy)
        return self


@dataclass(frozen=True)
class Expected:
    """Determination the rules imply for one conviction, or for a line that is not a conviction."""

    conviction: str
    sample_policy: str
    default_policy: str
    why: str


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    person: Person
    expected: tuple[Expected, ...]


DISMISS = "Eligible for Dismissal"
REDUCE = "Eligible for Reduction"
NOT_ELIGIBLE = "Not eligible"
HAND_REVIEW = "Hand Review"
NONE = "(not in scope)"

F11359 = "11359 HS-POSS MARIJ FOR SALE"
F11360 = "11360(A) HS-GIVE/ETC MARIJ OVER 1 OZ/28.5 GRM"
F11358 = "11358 HS-CULTIVATE MARIJUANA"
M11357C = "11357(C) HS-POSS MARIJ OVER 28.5 GRMS"
MURDER = "187(A) PC-MURDER"
LEWD = "288(A) PC-LEWD OR LASCIV ACTS W/CHILD UNDER 14"


def _one(conviction: str, sample: str, default: str, why: str) -> tuple[Expected, ...]:
    return (Expected(conviction, sample, default, why),)


def misdemeanor_11357_b(sid: str) -> Scenario:
    person = Person(sid).case(
        "20050301", "20050412", [misdemeanor("11357(B) HS-POSS MARIJ 28.5 GRMS OR LESS")]
    )
    return Scenario(
        "misdemeanor_11357_b",
        "11357(B) misdemeanor, 2005",
        person,
        _one("11357(B) 2005-04-12", DISMISS, DISMISS, "rule 3: misdemeanor"),
    )


def infraction_11357_b_2012(sid: str) -> Scenario:
    person = Person(sid).case(
        "20120210", "20120301", [infraction("11357(B) HS-POSS MARIJ 28.5 GRMS OR LESS")]
    )
    return Scenario(
        "infraction_11357_b_2012",
        "11357(B) infraction, 2012",
        person,
        _one("11357(B) 2012-03-01", DISMISS, DISMISS, "rule 3: infraction"),
    )


def felony_11358_dismissed(sid: str) -> Scenario:
    person = Person(sid).case("19900115", "19900402", [felony(F11358)])
    return Scenario(
        "felony_11358_dismissed",
        "11358 felony, 1990",
        person,
        _one("11358 1990-04-02", DISMISS, DISMISS, "rule 5: policy dismisses 11358"),
    )


def felony_11359_reduced(sid: str) -> Scenario:
    person = Person(sid).case("19950220", "19950601", [felony(F11359)])
    return Scenario(
        "felony_11359_reduced",
        "11359 felony, 1995, no priors",
        person,
        _one("11359 1995-06-01", REDUCE, DISMISS, "rule 7 / rule 5 by policy"),
    )


def felony_11360_a_reduced(sid: str) -> Scenario:
    person = Person(sid).case("19980704", "19981010", [felony(F11360)])
    return Scenario(
        "felony_11360_a_reduced",
        "11360(A) felony, 1998",
        person,
        _one("11360(A) 1998-10-10", REDUCE, DISMISS, "rule 7 / rule 5 by policy"),
    )


def super_strike_prior_before_felony_11359(sid: str) -> Scenario:
    person = Person(sid).case(
        "19850301", "19851120", [felony(MURDER, sentence=(("PRISON", 7, "Y"),))]
    )
    person.case("19950220", "19950601", [felony(F11359)])
    return Scenario(
        "super_strike_prior_before_felony_11359",
        "187(A) PC in 1985, then 11359 felony in 1995",
        person,
        _one(
            "11359 1995-06-01", NOT_ELIGIBLE, NOT_ELIGIBLE, "rule 4: prior super strike 187(A) PC"
        ),
    )


def attempted_murder_prior_664_187(sid: str) -> Scenario:
    person = Person(sid).case("19880301", "19880820", [felony("664/187 PC-ATTEMPTED MURDER")])
    person.case("19960210", "19960501", [felony(F11360)])
    return Scenario(
        "attempted_murder_prior_664_187",
        "664/187 PC in 1988, then 11360(A) felony",
        person,
        _one(
            "11360(A) 1996-05-01",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 4: prior super strike 664/187 PC",
        ),
    )


def super_strike_after_conviction_is_not_prior(sid: str) -> Scenario:
    person = Person(sid).case("19900301", "19900601", [felony(F11359)])
    person.case("20000301", "20001101", [felony(MURDER, sentence=(("PRISON", 25, "Y"),))])
    return Scenario(
        "super_strike_after_conviction_is_not_prior",
        "11359 felony in 1990, 187(A) PC in 2000",
        person,
        _one("11359 1990-06-01", REDUCE, DISMISS, "the later 187 is not a prior"),
    )


def prior_in_same_court_event_is_not_a_prior(sid: str) -> Scenario:
    person = Person(sid).case("19940301", "19940715", [felony(LEWD), felony(F11359)])
    return Scenario(
        "prior_in_same_court_event_is_not_a_prior",
        "288(A) PC and 11359 felony convicted in the same court action",
        person,
        _one("11359 1994-07-15", REDUCE, DISMISS, "same court event: 288(A) is not a prior"),
    )


def prior_in_same_cycle_other_court_event(sid: str) -> Scenario:
    person = Person(sid)
    person.cycles = 1

    def add(step: int, on: str, counts: list[Count], case_number: str = "") -> None:
        court = step % 2 == 0
        person.event(
            cycle=1,
            cycle_date="19850210",
            step=step,
            event_type="COURT ACTION" if court else "ARREST/DETAINED/CITED",
            event_date=on,
            county=MAIN_COUNTY,
            agency="CASC SAN FRANCISCO" if court else "CAPD SAN FRANCISCO",
            counts=counts,
            case_number=case_number,
        )

    add(1, "19850210", [felony(LEWD)])
    add(2, "19850615", [felony(LEWD, sentence=(("PRISON", 6, "Y"),))], "F8500001")
    add(3, "19930301", [felony(F11359)])
    add(4, "19930910", [felony(F11359)], "F9300002")
    return Scenario(
        "prior_in_same_cycle_other_court_event",
        "one cycle holds two court actions: 288(A) PC in 1985, 11359 felony in 1993",
        person,
        _one(
            "11359 1993-09-10",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 4: prior 288(A) PC (super strike and PC 290) from an earlier court event",
        ),
    )


def _three_11359(person: Person, files: tuple[int, int, int]) -> tuple[Expected, ...]:
    person.case("19880110", "19880405", [felony(F11359)], file=files[0])
    person.case("19910110", "19910405", [felony(F11359)], file=files[1])
    person.case("19960110", "19960405", [felony(F11359)], file=files[2])
    return (
        Expected("11359 1988-04-05", REDUCE, DISMISS, "no prior"),
        Expected("11359 1991-04-05", REDUCE, DISMISS, "one prior 11359 is not enough"),
        Expected(
            "11359 1996-04-05", NOT_ELIGIBLE, NOT_ELIGIBLE, "rule 4: two prior 11359 convictions"
        ),
    )


def two_prior_11359_convictions(sid: str) -> Scenario:
    person = Person(sid)
    return Scenario(
        "two_prior_11359_convictions",
        "three 11359 felonies: 1988, 1991, 1996",
        person,
        _three_11359(person, (1, 1, 1)),
    )


def subject_split_across_files(sid: str) -> Scenario:
    person = Person(sid, name="KOVAC,LUCIA", gender="FEMALE", race=("W", "WHITE"))
    return Scenario(
        "subject_split_across_files",
        "three 11359 felonies, the first in part 1 and the others in part 2",
        person,
        _three_11359(person, (1, 2, 2)),
    )


def pc290_offense_prior(sid: str) -> Scenario:
    person = Person(sid).case("19890301", "19890520", [felony("243.4(A) PC-SEXUAL BATTERY")])
    person.case("19940301", "19940520", [felony(F11359)])
    return Scenario(
        "pc290_offense_prior",
        "243.4(A) PC in 1989, then 11359 felony in 1994",
        person,
        _one(
            "11359 1994-05-20", NOT_ELIGIBLE, NOT_ELIGIBLE, "rule 4: prior PC 290 offense 243.4(A)"
        ),
    )


def registration_event_290_before(sid: str) -> Scenario:
    person = Person(sid).registration("19900201")
    person.case("19950301", "19950520", [felony(F11360)])
    return Scenario(
        "registration_event_290_before",
        "290 PC REGISTRATION in 1990, then 11360(A) felony",
        person,
        _one(
            "11360(A) 1995-05-20",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 4: PC 290 registration before the conviction",
        ),
    )


def registration_event_290_after(sid: str) -> Scenario:
    person = Person(sid).case("19950301", "19950520", [felony(F11360)])
    person.registration("20010201")
    return Scenario(
        "registration_event_290_after",
        "11360(A) felony in 1995, 290 REGISTRATION in 2001",
        person,
        _one("11360(A) 1995-05-20", REDUCE, DISMISS, "registration after is not a prior"),
    )


def misdemeanor_with_super_strike_prior(sid: str) -> Scenario:
    person = Person(sid).case(
        "19850301", "19851120", [felony(MURDER, sentence=(("PRISON", 7, "Y"),))]
    )
    person.case("19960301", "19960420", [misdemeanor(M11357C)])
    return Scenario(
        "misdemeanor_with_super_strike_prior",
        "187(A) PC in 1985, 11357(C) misdemeanor in 1996",
        person,
        _one("11357(C) 1996-04-20", DISMISS, DISMISS, "rule 3 comes before rule 4"),
    )


def turned_57_on_as_of_date(sid: str) -> Scenario:
    person = Person(sid, dob="19630701").case("19950220", "19950601", [felony(F11359)])
    return Scenario(
        "turned_57_on_as_of_date",
        "born 1963-07-01, 57 on 2020-07-01; 11359 felony",
        person,
        _one("11359 1995-06-01", DISMISS, DISMISS, "rule 6: 57 or older / rule 5"),
    )


def turns_57_day_after_as_of_date(sid: str) -> Scenario:
    person = Person(sid, dob="19630702").case("19950220", "19950601", [felony(F11359)])
    return Scenario(
        "turns_57_day_after_as_of_date",
        "born 1963-07-02, 56 on 2020-07-01; 11359 felony",
        person,
        _one("11359 1995-06-01", REDUCE, DISMISS, "rule 7: not yet 57 / rule 5"),
    )


def under_21_at_conviction(sid: str) -> Scenario:
    person = Person(sid, dob="19740615").case("19950301", "19950614", [felony(F11360)])
    return Scenario(
        "under_21_at_conviction",
        "born 1974-06-15, convicted 1995-06-14 (age 20)",
        person,
        _one("11360(A) 1995-06-14", DISMISS, DISMISS, "rule 6: under 21 at conviction / rule 5"),
    )


def turned_21_on_conviction_date(sid: str) -> Scenario:
    person = Person(sid, dob="19740615").case("19950301", "19950615", [felony(F11360)])
    return Scenario(
        "turned_21_on_conviction_date",
        "born 1974-06-15, convicted 1995-06-15 (age 21)",
        person,
        _one("11360(A) 1995-06-15", REDUCE, DISMISS, "rule 7: 21 at conviction / rule 5"),
    )


def born_29_february_convicted_1_march(sid: str) -> Scenario:
    person = Person(sid, dob="19720229").case("19921201", "19930301", [felony(F11359)])
    return Scenario(
        "born_29_february_convicted_1_march",
        "born 1972-02-29, convicted 1993-03-01",
        person,
        _one("11359 1993-03-01", REDUCE, DISMISS, "21 under any 29 February rule"),
    )


def born_29_february_convicted_28_february(sid: str) -> Scenario:
    person = Person(sid, dob="19720229").case("19921201", "19930228", [felony(F11359)])
    return Scenario(
        "born_29_february_convicted_28_february",
        "born 1972-02-29, convicted 1993-02-28",
        person,
        _one(
            "11359 1993-02-28",
            DISMISS,
            DISMISS,
            "rule 6: still 20, because a 29 February birthday falls on 1 March in common years",
        ),
    )


def charge_only_in_comment(sid: str) -> Scenario:
    count = felony("SEE COMMENT FOR CHARGE", comment="CHRG 11359 HS", cannabis=True)
    person = Person(sid).case("19960301", "19960520", [count])
    return Scenario(
        "charge_only_in_comment",
        "OFFENSE_DESCR 'SEE COMMENT FOR CHARGE', comment 11359 HS",
        person,
        _one("11359 (comment) 1996-05-20", REDUCE, DISMISS, "charge read from the comment"),
    )


def charge_only_in_comment_blank_offense(sid: str) -> Scenario:
    count = felony("", comment="11358 HS CULTIVATE MARIJUANA", cannabis=True)
    person = Person(sid).case("19920301", "19920520", [count])
    return Scenario(
        "charge_only_in_comment_blank_offense",
        "blank OFFENSE_DESCR, comment 11358 HS",
        person,
        _one("11358 (comment) 1992-05-20", DISMISS, DISMISS, "charge read from the comment"),
    )


def conflicting_comment_charge(sid: str) -> Scenario:
    person = Person(sid).case(
        "19970301", "19970520", [felony(F11359, comment="ORIG CHRG 11360(A) HS")]
    )
    return Scenario(
        "conflicting_comment_charge",
        "11359 felony whose comment names 11360(A) HS",
        person,
        _one(
            "11359 1997-05-20",
            HAND_REVIEW,
            HAND_REVIEW,
            "rule 8: conflicting cannabis charge in COMMENT_TEXT",
        ),
    )


def bare_11357_felony_no_dates(sid: str) -> Scenario:
    person = Person(sid).case("", "", [felony("11357 HS-POSSESS MARIJUANA")])
    return Scenario(
        "bare_11357_felony_no_dates",
        "'11357 HS' felony, no sub-section, no dates",
        person,
        _one("11357 (no date)", HAND_REVIEW, HAND_REVIEW, "rule 8: bare 11357 felony, no date"),
    )


def bare_11357_felony_dated_1990(sid: str) -> Scenario:
    person = Person(sid).case("19900301", "19900520", [felony("11357 HS-POSSESS MARIJUANA")])
    return Scenario(
        "bare_11357_felony_dated_1990",
        "'11357 HS' felony dated 1990",
        person,
        _one("11357 1990-05-20", DISMISS, DISMISS, "rule 5: policy dismisses 11357"),
    )


def offense_after_prop64(sid: str) -> Scenario:
    person = Person(sid).case(
        "20170310", "20170501", [misdemeanor("11359(B) HS-POSS MARIJ FOR SALE")]
    )
    return Scenario(
        "offense_after_prop64",
        "11359(B) misdemeanor, offense 2017-03-10",
        person,
        _one("11359(B) 2017-05-01", NOT_ELIGIBLE, NOT_ELIGIBLE, "rule 2: offense after Prop 64"),
    )


def offense_on_prop64_date(sid: str) -> Scenario:
    person = Person(sid).case("20161109", "20161201", [felony(F11360)])
    return Scenario(
        "offense_on_prop64_date",
        "11360(A) felony, offense 2016-11-09",
        person,
        _one("11360(A) 2016-12-01", NOT_ELIGIBLE, NOT_ELIGIBLE, "rule 2: on or after 9 Nov 2016"),
    )


def offense_day_before_prop64(sid: str) -> Scenario:
    person = Person(sid).case("20161108", "20161108", [felony(F11359)])
    return Scenario(
        "offense_day_before_prop64",
        "11359 felony, offense and disposition 2016-11-08",
        person,
        _one("11359 2016-11-08", REDUCE, DISMISS, "before Prop 64"),
    )


def offense_before_disposition_after_prop64(sid: str) -> Scenario:
    person = Person(sid).case("20161001", "20170115", [felony(F11359)])
    return Scenario(
        "offense_before_disposition_after_prop64",
        "offense 2016-10-01, disposition 2017-01-15",
        person,
        _one(
            "11359 2017-01-15",
            HAND_REVIEW,
            HAND_REVIEW,
            "rule 2: offense before, disposition after Prop 64",
        ),
    )


def no_cycle_date_disposition_after_prop64(sid: str) -> Scenario:
    person = Person(sid).case("", "20170201", [felony(F11359)])
    return Scenario(
        "no_cycle_date_disposition_after_prop64",
        "no cycle date, disposition 2017-02-01",
        person,
        _one("11359 2017-02-01", HAND_REVIEW, HAND_REVIEW, "rule 2: no cycle date"),
    )


def never_eligible_11359_c3(sid: str) -> Scenario:
    person = Person(sid).case(
        "20160301", "20160601", [felony("11359(C)(3) HS-POSS MARIJ FOR SALE TO MINOR")]
    )
    return Scenario(
        "never_eligible_11359_c3",
        "11359(C)(3) felony (sale to a minor)",
        person,
        _one(
            "11359(C)(3) 2016-06-01",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 1: never-eligible sub-section",
        ),
    )


def never_eligible_11360_a3c(sid: str) -> Scenario:
    count = felony("11360(A)(3)(C) HS-SELL/FURNISH MARIJ TO MINOR")
    person = Person(sid).case("20150301", "20150601", [count])
    return Scenario(
        "never_eligible_11360_a3c",
        "11360(A)(3)(C) felony (furnishing to a minor)",
        person,
        _one(
            "11360(A)(3)(C) 2015-06-01",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 1: never-eligible sub-section",
        ),
    )


def partial_disposition_date(sid: str) -> Scenario:
    person = Person(sid).case("19870312", "19870500", [felony(F11358)])
    return Scenario(
        "partial_disposition_date",
        "disposition date 19870500 (day unknown)",
        person,
        _one("11358 1987-05", DISMISS, DISMISS, "partial date, still before Prop 64; flagged"),
    )


def partial_dates_year_only(sid: str) -> Scenario:
    person = Person(sid).case("19880000", "19880000", [felony(F11359)])
    return Scenario(
        "partial_dates_year_only",
        "cycle and disposition dates 19880000",
        person,
        _one("11359 1988", REDUCE, DISMISS, "partial dates, before Prop 64; flagged"),
    )


def unparseable_disposition_date(sid: str) -> Scenario:
    person = Person(sid).case("19900105", "19901345", [felony(F11359)])
    return Scenario(
        "unparseable_disposition_date",
        "disposition date 19901345 (month 13)",
        person,
        _one("11359 (bad date)", HAND_REVIEW, HAND_REVIEW, "rule 8: unparseable date"),
    )


def unknown_dob(sid: str) -> Scenario:
    person = Person(sid, dob="").case("19950220", "19950601", [felony(F11359)])
    return Scenario(
        "unknown_dob",
        "PRI_DOB blank; 11359 felony",
        person,
        _one("11359 1995-06-01", REDUCE, DISMISS, "age relief cannot be checked; flagged"),
    )


def deceased_subject(sid: str) -> Scenario:
    person = Person(sid).case("19920301", "19920601", [felony(F11360)])
    person.deceased("20100415")
    return Scenario(
        "deceased_subject",
        "11360(A) felony in 1992, DECEASED event in 2010",
        person,
        _one("11360(A) 1992-06-01", DISMISS, DISMISS, "rule 6: deceased / rule 5"),
    )


def still_serving_sentence(sid: str) -> Scenario:
    count = felony(
        F11359, disposition="CONVICTED-PRISON", sentence=(("PRISON", 3, "Y"), ("PROBATION", 3, "Y"))
    )
    person = Person(sid).case("20141101", "20150302", [count])
    return Scenario(
        "still_serving_sentence",
        "11359 felony 2015-03-02, PRISON 3 Y + PROBATION 3 Y",
        person,
        _one(
            "11359 2015-03-02",
            REDUCE,
            DISMISS,
            "sentence ends 2021-03-02: remedy is resentencing, HS 11361.8(a)",
        ),
    )


def multi_part_sentence_completed(sid: str) -> Scenario:
    parts = (("JAIL", 6, "M"), ("PROBATION", 3, "Y"), ("JAIL", 10, "D"))
    person = Person(sid).case(
        "20091201", "20100110", [felony(F11358, disposition="CONVICTED-JAIL", sentence=parts)]
    )
    return Scenario(
        "multi_part_sentence_completed",
        "11358 felony with three sentence lines (one count)",
        person,
        _one(
            "11358 2010-01-10",
            DISMISS,
            DISMISS,
            "one conviction on three lines; sentence ended 2013",
        ),
    )


def possible_plea_bargain_32_pc(sid: str) -> Scenario:
    arrested = [felony(F11359), felony(F11360)]
    court = [felony("32 PC-ACCESSORY AFTER THE FACT"), not_convicted(F11359)]
    person = Person(sid).case("19990301", "19990610", court, arrest_counts=arrested)
    return Scenario(
        "possible_plea_bargain_32_pc",
        "arrested for 11359 and 11360(A), convicted of 32 PC only",
        person,
        _one("32 PC 1999-06-10", NONE, NONE, "flag: possible plea bargain"),
    )


def possible_plea_bargain_11364_hs(sid: str) -> Scenario:
    court = [
        misdemeanor("11364 HS-POSSESS CONTROLLED SUBSTANCE PARAPHERNALIA"),
        misdemeanor(M11357C),
    ]
    person = Person(sid).case("20030301", "20030410", court)
    return Scenario(
        "possible_plea_bargain_11364_hs",
        "11364 HS and 11357(C) misdemeanors in one case",
        person,
        (
            Expected("11357(C) 2003-04-10", DISMISS, DISMISS, "rule 3"),
            Expected("11364 HS 2003-04-10", NONE, NONE, "flag: possible plea bargain"),
        ),
    )


def related_charges_with_cannabis(sid: str) -> Scenario:
    court = [
        felony(F11360),
        misdemeanor("647(F) PC-DISORDERLY CONDUCT:INTOX DRUG/ALCOHOL"),
        misdemeanor("4060 BP-POSSESS CONTROLLED SUBSTANCE W/O PRESCRIPTION"),
    ]
    person = Person(sid).case("19970301", "19970501", court)
    return Scenario(
        "related_charges_with_cannabis",
        "11360(A) felony with 647(F) PC and 4060 BP",
        person,
        (
            Expected("11360(A) 1997-05-01", REDUCE, DISMISS, "rule 7 / rule 5"),
            Expected(
                "647(F) PC, 4060 BP", NONE, NONE, "related charges (dismissed in that hypothetical)"
            ),
        ),
    )


def attempt_664_11359(sid: str) -> Scenario:
    person = Person(sid).case(
        "19930301", "19930520", [felony("664/11359 HS-ATTEMPT POSS MARIJ FOR SALE")]
    )
    return Scenario(
        "attempt_664_11359",
        "664/11359 HS attempt, felony",
        person,
        _one("664/11359 1993-05-20", REDUCE, DISMISS, "attempt counts as 11359"),
    )


def hs_11357_5_is_not_prop64(sid: str) -> Scenario:
    person = Person(sid).case(
        "20150301", "20150420", [misdemeanor("11357.5 HS-POSSESS SYNTHETIC CANNABINOID")]
    )
    return Scenario(
        "hs_11357_5_is_not_prop64",
        "11357.5 HS (synthetic cannabinoid) misdemeanor",
        person,
        _one("11357.5 HS 2015-04-20", NONE, NONE, "not HS 11357"),
    )


def pc_11358_is_not_prop64(sid: str) -> Scenario:
    person = Person(sid).case(
        "20010301", "20010420", [misdemeanor("11358 PC-MISCELLANEOUS PENAL CODE OFFENSE")]
    )
    return Scenario(
        "pc_11358_is_not_prop64",
        "11358 PC misdemeanor",
        person,
        _one("11358 PC 2001-04-20", NONE, NONE, "Penal Code, not HS 11358"),
    )


def conviction_in_other_county_counts_as_prior(sid: str) -> Scenario:
    person = Person(sid).case(
        "19860301",
        "19861020",
        [felony(MURDER, sentence=(("PRISON", 7, "Y"),))],
        county="LOS ANGELES",
    )
    person.case("19940301", "19940601", [felony(F11359)])
    return Scenario(
        "conviction_in_other_county_counts_as_prior",
        "187(A) PC in LOS ANGELES, 11359 in SF",
        person,
        _one(
            "11359 1994-06-01",
            NOT_ELIGIBLE,
            NOT_ELIGIBLE,
            "rule 4: prior super strike from another county",
        ),
    )


def cannabis_conviction_in_other_county(sid: str) -> Scenario:
    person = Person(sid).case("19950301", "19950601", [felony(F11359)], county="ALAMEDA")
    person.case("19990301", "19990420", [misdemeanor(M11357C)])
    return Scenario(
        "cannabis_conviction_in_other_county",
        "11359 felony in ALAMEDA, 11357(C) in SF",
        person,
        (
            Expected("11359 ALAMEDA 1995-06-01", NONE, NONE, "court outside the county"),
            Expected("11357(C) 1999-04-20", DISMISS, DISMISS, "rule 3"),
        ),
    )


def two_prior_11360_one_in_other_county(sid: str) -> Scenario:
    person = Person(sid).case("19880301", "19880601", [felony(F11360)], county="ALAMEDA")
    person.case("19900301", "19900601", [felony(F11360)])
    person.case("19970301", "19970601", [felony(F11360)])
    return Scenario(
        "two_prior_11360_one_in_other_county",
        "11360(A) in ALAMEDA 1988, SF 1990, SF 1997",
        person,
        (
            Expected("11360(A) ALAMEDA 1988", NONE, NONE, "court outside the county"),
            Expected("11360(A) 1990-06-01", REDUCE, DISMISS, "one prior"),
            Expected(
                "11360(A) 1997-06-01",
                NOT_ELIGIBLE,
                NOT_ELIGIBLE,
                "rule 4: two prior 11360, one in ALAMEDA",
            ),
        ),
    )


def arrest_without_conviction(sid: str) -> Scenario:
    person = Person(sid).arrest_only("20010301", [felony(F11359)])
    return Scenario(
        "arrest_without_conviction",
        "arrest for 11359, no court action",
        person,
        _one("arrest only", NONE, NONE, "no conviction"),
    )


def dismissed_and_acquitted_counts(sid: str) -> Scenario:
    court = [not_convicted(F11359), not_convicted(F11360, "ACQUITTED")]
    person = Person(sid).case("20020301", "20020601", court)
    return Scenario(
        "dismissed_and_acquitted_counts",
        "11359 DISMISSED and 11360(A) ACQUITTED",
        person,
        _one("no conviction", NONE, NONE, "dispositions are not CONVICTED"),
    )


def conv_stat_blank_uses_offense_toc(sid: str) -> Scenario:
    person = Person(sid).case("19960301", "19960601", [felony(F11360, level="")])
    return Scenario(
        "conv_stat_blank_uses_offense_toc",
        "CONV_STAT_DESCR blank, OFFENSE_TOC F",
        person,
        _one("11360(A) 1996-06-01", REDUCE, DISMISS, "felony from OFFENSE_TOC"),
    )


def felony_charge_convicted_as_misdemeanor(sid: str) -> Scenario:
    person = Person(sid).case("19960301", "19960601", [felony(F11359, level="MISDEMEANOR")])
    return Scenario(
        "felony_charge_convicted_as_misdemeanor",
        "OFFENSE_TOC F, CONV_STAT_DESCR MISDEMEANOR",
        person,
        _one("11359 1996-06-01", DISMISS, DISMISS, "rule 3: misdemeanor conviction"),
    )


def padded_fields(sid: str) -> Scenario:
    count = felony(" 11359 HS-POSS MARIJ FOR SALE ", disposition=" CONVICTED ")
    person = Person(sid).case("19960301", "19960601", [count], county="SAN FRANCISCO   ")
    for row in person.rows:
        row.update({"SUBJECT_STATUS": "NULL", "HEIGHT": "x", "POB_CODE": "#", "WEIGHT": "   "})
    return Scenario(
        "padded_fields",
        "padded OFFENSE_DESCR, DISP_DESCR and county; placeholders",
        person,
        _one("11359 1996-06-01", REDUCE, DISMISS, "padding trimmed"),
    )


def subsections_without_brackets(sid: str) -> Scenario:
    person = Person(sid).case(
        "19940301", "19940601", [felony("11357A HS-POSSESS CONCENTRATED CANNABIS")]
    )
    person.case("20030301", "20030420", [misdemeanor("11357B2 HS-POSS MARIJ OVER 28.5 GRMS")])
    return Scenario(
        "subsections_without_brackets",
        "11357A felony and 11357B2 misdemeanor",
        person,
        (
            Expected("11357A 1994-06-01", DISMISS, DISMISS, "rule 5: policy dismisses 11357"),
            Expected("11357B2 2003-04-20", DISMISS, DISMISS, "rule 3"),
        ),
    )


def case_number_on_first_count_only(sid: str) -> Scenario:
    court = [felony(F11359), felony(F11360, case_number="")]
    person = Person(sid).case("19950301", "19950601", court, case_number="SC9500777")
    return Scenario(
        "case_number_on_first_count_only",
        "two counts, OFN only on the first",
        person,
        (
            Expected("11359 1995-06-01", REDUCE, DISMISS, "case number SC9500777"),
            Expected(
                "11360(A) 1995-06-01", REDUCE, DISMISS, "case number SC9500777, taken from count 1"
            ),
        ),
    )


def repeated_line_within_file(sid: str) -> Scenario:
    person = Person(sid).case("19910301", "19910601", [felony(F11358)], placement="head")
    person.copy_line(1, file=1, placement="tail")
    return Scenario(
        "repeated_line_within_file",
        "the 11358 conviction line appears twice in part 1",
        person,
        _one("11358 1991-06-01", DISMISS, DISMISS, "counted once; the copy is a repeated line"),
    )


def repeated_line_across_files(sid: str) -> Scenario:
    person = Person(sid).case("20040301", "20040420", [misdemeanor(M11357C)])
    person.copy_line(1, file=2, placement="head")
    return Scenario(
        "repeated_line_across_files",
        "the 11357(C) conviction line is in both files",
        person,
        _one("11357(C) 2004-04-20", DISMISS, DISMISS, "counted once; the copy is a repeated line"),
    )


def subject_lines_not_adjacent(sid: str) -> Scenario:
    person = Person(sid).case("19920301", "19920601", [felony(F11359)], placement="head")
    person.case("19960301", "19960601", [felony(F11360)], placement="tail")
    return Scenario(
        "subject_lines_not_adjacent",
        "two cycles far apart in part 1",
        person,
        (
            Expected("11359 1992-06-01", REDUCE, DISMISS, "rule 7 / rule 5"),
            Expected("11360(A) 1996-06-01", REDUCE, DISMISS, "rule 7 / rule 5"),
        ),
    )


def unrecognised_disposition(sid: str) -> Scenario:
    person = Person(sid).case(
        "19960301", "19960601", [not_convicted(F11359, "DISPOSITION UNKNOWN")]
    )
    return Scenario(
        "unrecognised_disposition",
        "11359 count with DISP_DESCR 'DISPOSITION UNKNOWN'",
        person,
        _one("11359 1996-06-01", NONE, NONE, "not a conviction; flag unrecognised disposition"),
    )


def charge_missing_everywhere(sid: str) -> Scenario:
    person = Person(sid).case("19960301", "19960601", [Count("SEE COMMENT FOR CHARGE")])
    return Scenario(
        "charge_missing_everywhere",
        "'SEE COMMENT FOR CHARGE' with an empty comment",
        person,
        _one("unknown charge", NONE, NONE, "flag: charge cannot be read"),
    )


def level_not_recorded(sid: str) -> Scenario:
    person = Person(sid).case("19960101", "19960601", [felony(F11359, level="", toc="")])
    return Scenario(
        "level_not_recorded",
        "CONV_STAT_DESCR and OFFENSE_TOC both blank",
        person,
        _one("11359 1996-06-01", HAND_REVIEW, HAND_REVIEW, "rule 8: level of conviction unknown"),
    )


def super_strike_in_same_month_partial_date(sid: str) -> Scenario:
    person = Person(sid).case("19950101", "19950600", [felony(MURDER)])
    person.case("19950301", "19950615", [felony(F11359)])
    return Scenario(
        "super_strike_in_same_month_partial_date",
        "187(A) PC dated only June 1995, then 11359 felony on 1995-06-15",
        person,
        _one(
            "11359 1995-06-15",
            HAND_REVIEW,
            HAND_REVIEW,
            "rule 8: the super strike may be before or after the conviction",
        ),
    )


ScenarioBuilder = Callable[[str], Scenario]

SCENARIOS: tuple[ScenarioBuilder, ...] = (
    misdemeanor_11357_b, infraction_11357_b_2012, felony_11358_dismissed, felony_11359_reduced,
    felony_11360_a_reduced, super_strike_prior_before_felony_11359, attempted_murder_prior_664_187,
    super_strike_after_conviction_is_not_prior, prior_in_same_court_event_is_not_a_prior,
    prior_in_same_cycle_other_court_event, two_prior_11359_convictions, subject_split_across_files,
    pc290_offense_prior, registration_event_290_before, registration_event_290_after,
    misdemeanor_with_super_strike_prior, turned_57_on_as_of_date, turns_57_day_after_as_of_date,
    under_21_at_conviction, turned_21_on_conviction_date, born_29_february_convicted_1_march,
    born_29_february_convicted_28_february, charge_only_in_comment,
    charge_only_in_comment_blank_offense, conflicting_comment_charge, bare_11357_felony_no_dates,
    bare_11357_felony_dated_1990, offense_after_prop64, offense_on_prop64_date,
    offense_day_before_prop64, offense_before_disposition_after_prop64,
    no_cycle_date_disposition_after_prop64, never_eligible_11359_c3, never_eligible_11360_a3c,
    partial_disposition_date, partial_dates_year_only, unparseable_disposition_date, unknown_dob,
    deceased_subject, still_serving_sentence, multi_part_sentence_completed,
    possible_plea_bargain_32_pc, possible_plea_bargain_11364_hs, related_charges_with_cannabis,
    attempt_664_11359, hs_11357_5_is_not_prop64, pc_11358_is_not_prop64,
    conviction_in_other_county_counts_as_prior, cannabis_conviction_in_other_county,
    two_prior_11360_one_in_other_county, arrest_without_conviction, dismissed_and_acquitted_counts,
    conv_stat_blank_uses_offense_toc, felony_charge_convicted_as_misdemeanor, padded_fields,
    subsections_without_brackets, case_number_on_first_count_only, repeated_line_within_file,
    repeated_line_across_files, subject_lines_not_adjacent, unrecognised_disposition,
    charge_missing_everywhere, level_not_recorded, super_strike_in_same_month_partial_date,
)  # fmt: skip

SCENARIO_FIRST_SUBJECT = 90_000_001


def build_scenarios(first_subject: int = SCENARIO_FIRST_SUBJECT) -> list[Scenario]:
    """Build every scenario, numbering subjects from `first_subject` in SCENARIOS order."""
    return [builder(str(first_subject + i)) for i, builder in enumerate(SCENARIOS)]


def pathological_subject(county: str, subject_id: str = "99999999") -> Person:
    """Build one subject of exactly 5,000 lines whose first cycle has 200 counts."""
    person = Person(subject_id, name="ZAMORA,QUENTIN", dob="19600101")
    many = [felony(catalog.OFFENSES[i % len(catalog.OFFENSES)].descr) for i in range(200)]
    person.case("19800101", "19800601", many, county=county)
    for cycle in range(460):
        year = 1981 + cycle * 41 // 460
        day = f"{year}{cycle % 12 + 1:02d}{cycle % 27 + 1:02d}"
        counts = [
            felony(F11359),
            misdemeanor(M11357C),
            not_convicted(F11360),
            felony(MURDER),
            infraction(M11357C),
        ]
        person.case(day, day, counts, county=county)
    return person


def scenario_frame(people: Sequence[Person]) -> pl.DataFrame:
    """Turn people into a frame of the 95 DOJ string columns plus the writer's private columns."""
    records = []
    for number, person in enumerate(people):
        for row in person.rows:
            record = {column: str(row.get(column, "")) for column in DOJ_COLUMNS}
            record["_subject"] = number  # type: ignore[assignment]
            record["_cannabis_conviction"] = bool(row["_cannabis_conviction"])  # type: ignore[assignment]
            record["_file"] = row["_file"]  # type: ignore[assignment]
            record["_placement"] = str(row["_placement"])
            records.append(record)
    schema: dict[str, pl.DataType] = {column: pl.String() for column in DOJ_COLUMNS}
    schema.update(
        {
            "_subject": pl.Int64(),
            "_cannabis_conviction": pl.Boolean(),
            "_file": pl.Int64(),
            "_placement": pl.String(),
        }
    )
    return pl.DataFrame(records, schema=schema)
