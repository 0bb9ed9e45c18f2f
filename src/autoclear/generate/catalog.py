"""Lookup tables the synthetic generator draws from: offenses, names, demographics, agencies.

All values are invented or are public statute numbers; none comes from a real record.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from autoclear.doj.counties import COUNTIES


class Kind(IntEnum):
    """Category of an offense, used to choose dispositions and to count convictions."""

    CANNABIS = 0  # HS 11357-11360, including attempts
    LOOK_ALIKE = 1  # reads like a cannabis section but is not one (11357.5 HS, 11358 PC)
    SUPER_STRIKE = 2
    PC290 = 3  # registrable sex offense that is not a super strike
    PLEA = 4  # PC 32, HS 11364, HS 11366: possible plea-bargain counts
    RELATED = 5  # charges often dismissed together with cannabis counts
    OTHER = 6


@dataclass(frozen=True)
class Offense:
    """One OFFENSE_DESCR value with its usual type of charge and relative frequency."""

    descr: str
    toc: str  # F felony, M misdemeanor, I infraction
    kind: Kind
    weight: float


def _cannabis(descr: str, toc: str, weight: float) -> Offense:
    return Offense(descr, toc, Kind.CANNABIS, weight)


OFFENSES: tuple[Offense, ...] = (
    _cannabis("11357 HS-POSSESS MARIJUANA", "M", 3.0),
    _cannabis("11357 HS-POSSESS MARIJUANA", "F", 0.4),
    _cannabis("11357(A) HS-POSSESS CONCENTRATED CANNABIS", "F", 1.5),
    _cannabis("11357A HS-POSSESS CONCENTRATED CANNABIS", "M", 0.6),
    _cannabis("11357(B) HS-POSS MARIJ 28.5 GRMS OR LESS", "M", 4.0),
    _cannabis("11357B HS-POSS MARIJ 28.5 GRMS OR LESS", "I", 1.5),
    _cannabis("11357B2 HS-POSS MARIJ OVER 28.5 GRMS", "M", 0.5),
    _cannabis("11357(C) HS-POSS MARIJ OVER 28.5 GRMS", "M", 1.5),
    _cannabis("11357(D) HS-POSS MARIJ ON SCHOOL GROUNDS", "M", 0.3),
    _cannabis("11358 HS-CULTIVATE MARIJUANA", "F", 2.0),
    _cannabis("11358(C) HS-CULTIVATE MORE THAN 6 MARIJ PLANTS", "M", 0.4),
    _cannabis("11358(D) HS-CULTIVATE MARIJ:ENVIRONMENTAL HARM", "F", 0.1),
    _cannabis("11359 HS-POSS MARIJ FOR SALE", "F", 5.0),
    _cannabis("11359(B) HS-POSS MARIJ FOR SALE", "M", 0.6),
    _cannabis("11359(C)(3) HS-POSS MARIJ FOR SALE TO MINOR", "F", 0.1),
    _cannabis("11359(D) HS-POSS MARIJ FOR SALE:HELPER UNDER 21", "F", 0.1),
    _cannabis("11360(A) HS-GIVE/ETC MARIJ OVER 1 OZ/28.5 GRM", "F", 3.0),
    _cannabis("11360 HS-SELL/TRANSPORT MARIJUANA", "F", 1.0),
    _cannabis("11360(A)(2) HS-SELL/TRANSPORT MARIJUANA", "M", 0.4),
    _cannabis("11360(A)(3)(C) HS-SELL/FURNISH MARIJ TO MINOR", "F", 0.1),
    _cannabis("11360(A)(3)(D) HS-IMPORT/EXPORT MARIJUANA", "F", 0.1),
    _cannabis("11360(B) HS-GIVE/ETC MARIJ 1 OZ/28.5 GRM OR LESS", "M", 1.0),
    _cannabis("664/11359 HS-ATTEMPT POSS MARIJ FOR SALE", "F", 0.3),
    _cannabis("664/11360(A) HS-ATTEMPT SELL/TRANSPORT MARIJUANA", "F", 0.2),
    Offense("11357.5 HS-POSSESS SYNTHETIC CANNABINOID", "M", Kind.LOOK_ALIKE, 0.3),
    Offense("11358 PC-MISCELLANEOUS PENAL CODE OFFENSE", "M", Kind.LOOK_ALIKE, 0.1),
    Offense("187(A) PC-MURDER", "F", Kind.SUPER_STRIKE, 0.15),
    Offense("664/187 PC-ATTEMPTED MURDER", "F", Kind.SUPER_STRIKE, 0.15),
    Offense("288(A) PC-LEWD OR LASCIV ACTS W/CHILD UNDER 14", "F", Kind.SUPER_STRIKE, 0.12),
    Offense("261(A)(2) PC-RAPE BY FORCE/FEAR/ETC", "F", Kind.SUPER_STRIKE, 0.08),
    Offense("243.4(A) PC-SEXUAL BATTERY", "F", Kind.PC290, 0.1),
    Offense("647.6(A) PC-ANNOY/MOLEST CHILD UNDER 18", "M", Kind.PC290, 0.08),
    Offense("314(1) PC-INDECENT EXPOSURE", "M", Kind.PC290, 0.08),
    Offense("32 PC-ACCESSORY AFTER THE FACT", "F", Kind.PLEA, 0.6),
    Offense("11364 HS-POSSESS CONTROLLED SUBSTANCE PARAPHERNALIA", "M", Kind.PLEA, 1.5),
    Offense("11366 HS-OPEN/MAINTAIN PLACE:SELL/USE CNTL SUB", "F", Kind.PLEA, 0.3),
    Offense("647(F) PC-DISORDERLY CONDUCT:INTOX DRUG/ALCOHOL", "M", Kind.RELATED, 2.0),
    Offense("602 PC-TRESPASSING", "M", Kind.RELATED, 0.8),
    Offense("466 PC-POSSESS BURGLARY TOOLS", "M", Kind.RELATED, 0.3),
    Offense("148(A)(1) PC-OBSTRUCT/RESIST PUBLIC OFFICER", "M", Kind.RELATED, 1.0),
    Offense("148.9(A) PC-FALSE IDENTIFICATION TO PEACE OFFICER", "M", Kind.RELATED, 0.4),
    Offense("1320(A) PC-FAIL TO APPEAR:MISDEMEANOR", "M", Kind.RELATED, 0.5),
    Offense("11550(A) HS-UNDER INFLUENCE CONTROLLED SUBSTANCE", "M", Kind.RELATED, 1.2),
    Offense("4140 BP-POSSESS HYPODERMIC NEEDLE/SYRINGE", "M", Kind.RELATED, 0.3),
    Offense("4060 BP-POSSESS CONTROLLED SUBSTANCE W/O PRESCRIPTION", "M", Kind.RELATED, 0.4),
    Offense("40508(A) VC-FAIL TO APPEAR:WRITTEN PROMISE", "M", Kind.RELATED, 0.6),
    Offense("11350(A) HS-POSSESS NARCOTIC CONTROLLED SUBSTANCE", "F", Kind.OTHER, 2.0),
    Offense("11377(A) HS-POSSESS CONTROLLED SUBSTANCE", "F", Kind.OTHER, 1.5),
    Offense("11351 HS-POSSESS/PURCHASE NARCOTIC FOR SALE", "F", Kind.OTHER, 0.7),
    Offense("459 PC-BURGLARY", "F", Kind.OTHER, 1.2),
    Offense("484(A) PC-THEFT OF PERSONAL PROPERTY", "M", Kind.OTHER, 1.5),
    Offense("211 PC-ROBBERY", "F", Kind.OTHER, 0.5),
    Offense("245(A)(1) PC-ASSAULT W/DEADLY WEAPON", "F", Kind.OTHER, 0.7),
    Offense("273.5(A) PC-INFLICT CORPORAL INJ SPOUSE/COHAB", "F", Kind.OTHER, 0.6),
    Offense("23152(A) VC-DUI ALCOHOL/DRUGS", "M", Kind.OTHER, 2.0),
    Offense("10851(A) VC-TAKE VEHICLE W/O OWNER CONSENT", "F", Kind.OTHER, 0.6),
    Offense("12500(A) VC-DRIVE WITHOUT LICENSE", "M", Kind.OTHER, 0.8),
    Offense("14601.1(A) VC-DRIVE WHILE LICENSE SUSPENDED", "M", Kind.OTHER, 0.8),
)

REGISTRATION_OFFENSE = "290 PC-REGISTRATION OF SEX OFFENDER"

# Comment texts. "{code}" is replaced by a cannabis code section.
COMMENT_CHARGE_PREFIXES: tuple[str, ...] = ("CHRG ", "CHARGE: ", "PC/HS ", "")
COMMENT_OTHER_CHARGE_PREFIXES: tuple[str, ...] = ("ORIG CHRG ", "AMENDED FROM ", "ALSO CHRG ")
COMMENT_FILLER: tuple[str, ...] = (
    "FINE $100",
    "SENTENCE STAYED",
    "PROB VIOL",
    "CREDIT TIME SERVED",
    "RESTITUTION ORDERED",
    "COMPLAINT AMENDED",
)

# Courts' dispositions for counts, with relative frequency. Conviction words start with CONVICTED.
CONVICTED_DISPOSITIONS: tuple[str, ...] = (
    "CONVICTED",
    "CONVICTED-JAIL",
    "CONVICTED-PROBATION",
    "CONVICTED-PRISON",
    "CONVICTED-FINE",
)
NOT_CONVICTED_DISPOSITIONS: tuple[str, ...] = (
    "DISMISSED",
    "DISMISSED-FURTHERANCE OF JUSTICE",
    "ACQUITTED",
    "PROSECUTION REJECTED",
    "DIVERSION SUCCESSFULLY COMPLETED",
)
ARREST_DISPOSITIONS: tuple[str, ...] = ("", "", "RELEASED/DETENTION ONLY", "TURNED OVER TO")

LEVELS: dict[str, str] = {"F": "FELONY", "M": "MISDEMEANOR", "I": "INFRACTION"}

SENTENCE_LOCATIONS: tuple[str, ...] = ("JAIL", "PROBATION", "PRISON", "FINE")
TIME_CODES: dict[str, str] = {"D": "DAYS", "M": "MONTHS", "Y": "YEARS"}

LAST_NAMES: tuple[str, ...] = (
    "ALDER", "BRENNAN", "CALLOWAY", "DELACRUZ", "EBERLY", "FONSECA", "GARNETT", "HOLLIS",
    "IBARRA", "JANSEN", "KOVAC", "LINDQVIST", "MADRIGAL", "NAKAMURA", "OKAFOR", "PRUITT",
    "QUINTERO", "RAMSEY", "SOLANO", "TREVINO", "UMBERGER", "VALDIVIA", "WHITLOCK", "XIONG",
    "YARBROUGH", "ZAMORA", "ABERNATHY", "BASCOM", "CHIANG", "DUBOIS", "ESPINOZA", "FAIRWEATHER",
    "GUTIERREZ", "HALVORSEN", "IRWIN", "JEFFERSON", "KIMURA", "LOMBARDI", "MCALISTER", "NGUYEN",
    "ORTEGA", "PEMBERTON", "ROSALES", "SANTOS", "TALBOT", "VILLANUEVA", "WASHBURN", "YOUNGBLOOD",
)  # fmt: skip
FIRST_NAMES: tuple[str, ...] = (
    "AARON", "BEATRIZ", "CALVIN", "DESIREE", "EMILIO", "FRANCINE", "GILBERTO", "HARRIET",
    "ISAAC", "JOLENE", "KENDRICK", "LUCIA", "MARCUS", "NADINE", "OSCAR", "PRISCILLA",
    "QUENTIN", "ROSALIND", "SAMUEL", "TAMARA", "ULYSSES", "VERONICA", "WENDELL", "YOLANDA",
    "ZACHARY", "ANGELA", "BENITO", "CYNTHIA", "DARNELL", "ESTELLE", "FREDERICK", "GLORIA",
)  # fmt: skip
MIDDLE_NAMES: tuple[str, ...] = ("", "", "A", "J", "LEE", "MARIE", "R", "JAMES", "ANN", "T")

GENDERS: tuple[str, ...] = ("MALE", "FEMALE", "UNKNOWN")
GENDER_WEIGHTS: tuple[float, ...] = (0.8, 0.19, 0.01)

RACES: tuple[tuple[str, str], ...] = (
    ("B", "BLACK"),
    ("H", "HISPANIC"),
    ("W", "WHITE"),
    ("A", "ASIAN"),
    ("C", "CHINESE"),
    ("F", "FILIPINO"),
    ("I", "AMERICAN INDIAN"),
    ("O", "OTHER"),
    ("X", "UNKNOWN"),
)
RACE_WEIGHTS: tuple[float, ...] = (0.3, 0.3, 0.25, 0.04, 0.03, 0.02, 0.01, 0.03, 0.02)

EYE_COLORS: tuple[tuple[str, str], ...] = (("BRO", "BROWN"), ("BLU", "BLUE"), ("HAZ", "HAZEL"))
HAIR_COLORS: tuple[tuple[str, str], ...] = (("BLK", "BLACK"), ("BRO", "BROWN"), ("GRY", "GRAY"))
PLACES_OF_BIRTH: tuple[tuple[str, str], ...] = (
    ("CA", "CALIFORNIA"),
    ("TX", "TEXAS"),
    ("MX", "MEXICO"),
    ("NY", "NEW YORK"),
)

# Placeholders seen in unused fields of real extracts.
PLACEHOLDERS: tuple[str, ...] = ("", "x", "#", "NULL", "   ")


def county_code(county: str) -> int:
    """Return the county's number 1-58, in the alphabetical order the DOJ numbers counties."""
    return COUNTIES.index(county) + 1


def courts_of(county: str) -> tuple[str, ...]:
    """Return the 2-4 invented court names used for a county; the first is its superior court."""
    names = [f"CASC {county}", f"CAMC {county}", f"CASC {county} HALL OF JUSTICE"]
    names.append(f"CAMC {county} BRANCH")
    return tuple(names[: 2 + county_code(county) % 3])


def arrest_agencies_of(county: str) -> tuple[str, ...]:
    """Return the invented arresting agencies used for a county."""
    return (f"CASO {county}", f"CAPD {county}", "CAHP")
