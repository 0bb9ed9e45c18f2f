"""Catalogs of code sections the rules look for, kept as data with their legal source.

Each entry names a code, a section and, where the law lists only some sub-sections, the
sub-section prefix (run together, as `records.codes.compact_subsection` writes it: `D3` for
`(d)(3)`). An entry with an empty prefix covers every sub-section of the section.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class SectionEntry:
    """One code section, or some of its sub-sections, in a catalog."""

    code: str
    section: str
    subsections: tuple[str, ...] = ()
    attempts_count: bool = False
    needs_gang_enhancement: bool = False
    without_subsection_only: bool = False

    def matches(
        self, code: pl.Expr, section: pl.Expr, subsection: pl.Expr, attempt: pl.Expr
    ) -> pl.Expr:
        """Expression: this line's code section is covered by the entry."""
        condition = (code == self.code) & (section == self.section)
        if self.without_subsection_only:
            condition = condition & (subsection == "")
        if self.subsections:
            condition = condition & pl.any_horizontal(
                [subsection.str.starts_with(prefix) for prefix in self.subsections]
            )
        if not self.attempts_count:
            condition = condition & ~attempt
        return condition

    def matches_without_subsection(
        self, code: pl.Expr, section: pl.Expr, subsection: pl.Expr, attempt: pl.Expr
    ) -> pl.Expr:
        """Expression: the section matches but no sub-section is written, where the entry needs one."""
        if not self.subsections:
            return pl.lit(False)
        condition = (code == self.code) & (section == self.section) & (subsection == "")
        if not self.attempts_count:
            condition = condition & ~attempt
        return condition


def _pc(
    section: str,
    *subsections: str,
    attempts: bool = False,
    gang: bool = False,
    bare: bool = False,
) -> SectionEntry:
    return SectionEntry("PC", section, subsections, attempts, gang, bare)


# PC 667(e)(2)(C)(iv): the "super strikes". A prior one keeps a cannabis felony a felony
# (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)).
SUPER_STRIKE_SOURCE = "PC 667(e)(2)(C)(iv)"
SUPER_STRIKES: tuple[SectionEntry, ...] = (
    # (IV) homicide offenses and attempted homicide, PC 187 to 191.5.
    *(
        _pc(section, attempts=True)
        for section in (
            "187", "188", "189", "190", "190.05", "190.1", "190.2", "190.25", "190.3",
            "190.4", "190.5", "191", "191.5",
        )
    ),
    # (V) solicitation to commit murder, PC 653f (read as section 653, sub-section F...).
    _pc("653", "F"),
    # (VI) assault with a machine gun on a peace officer or firefighter.
    _pc("245", "D3"),
    # (VII) possession of a weapon of mass destruction.
    _pc("11418", "A1"),
    # (I)-(III) sexually violent offenses and sex offenses against children under 14.
    # NOTE: the statute limits some of these to force or a victim's age, which the DOJ file does
    # not record; every sub-section is matched, and all of them also require PC 290 registration.
    *(
        _pc(section)
        # 288a (former oral copulation) reads as 288 with sub-section A, so 288 covers it.
        for section in ("261", "262", "264.1", "269", "286", "287", "288", "288.5", "289")
    ),
    # (VIII) any serious or violent felony punishable by life imprisonment or death.
    *(
        _pc(section)
        for section in (
            "37", "128", "205", "207", "209", "209.5", "217.1", "218", "219", "220", "451.5",
            "4500", "12308", "12310", "18745", "18755",
        )
    ),
    SectionEntry("MV", "1672", ("A",)),
    # Life terms that arise only with the criminal street gang enhancement PC 186.22(b)(4).
    *(
        _pc(section, *subs, gang=True)
        for section, subs in (
            ("136.1", ()), ("213", ("A1A",)), ("215", ()), ("246", ()), ("519", ()), ("12022.55", ()),
        )
    ),
)  # fmt: skip

GANG_ENHANCEMENT = _pc("186.22", "B4")

# PC 290(c): offenses that require sex offender registration. A prior one keeps a cannabis
# felony a felony (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)).
SEX_OFFENDER_REGISTRATION_SOURCE = "PC 290(c)"
SEX_OFFENDER_REGISTRATION_OFFENSES: tuple[SectionEntry, ...] = (
    _pc("236.1", "B", "C"),
    _pc("243.4"),
    _pc("261"),
    _pc("262", "A1"),
    _pc("264.1"),
    # PC 266 has no sub-sections; 266c, 266h(b), 266i(b) and 266j read as section 266 with a letter.
    _pc("266", bare=True),
    _pc("266", "C"),
    _pc("266", "HB"),
    _pc("266", "IB"),
    _pc("266", "J"),
    _pc("267"),
    _pc("269"),
    _pc("272"),
    _pc("285"),
    _pc("286"),
    _pc("287"),
    _pc("288"),
    _pc("288.2"),
    _pc("288.3"),
    _pc("288.4"),
    _pc("288.5"),
    _pc("288.7"),
    _pc("289"),
    _pc("311.1"),
    _pc("311.2", "B", "C", "D"),
    _pc("311.3"),
    _pc("311.4"),
    _pc("311.10"),
    _pc("311.11"),
    _pc("314", "1", "2"),
    _pc("451.5"),
    _pc("647.6"),
    # NOTE: former PC 647a (now 647.6) reads like 647(a), which is not registrable, so it is left out.
    _pc("653", "FC"),
)

# A REGISTRATION event under PC 290 is evidence of a prior registrable offense.
REGISTRATION_SECTION = _pc("290")

# Charges commonly dismissed together with cannabis counts, for the "cannabis and related
# convictions" hypothetical.
RELATED_CHARGES: tuple[SectionEntry, ...] = (
    _pc("647", "F"),
    _pc("602"),
    _pc("466"),
    _pc("148.9"),
    _pc("148"),
    _pc("1320"),
    SectionEntry("HS", "11364"),
    SectionEntry("HS", "11550"),
    SectionEntry("BP", "4140"),
    SectionEntry("BP", "4149"),
    SectionEntry("BP", "4060"),
    SectionEntry("VC", "40508"),
)

# Convictions that may stand for a cannabis charge in a plea bargain: accessory after the fact
# (PC 32), paraphernalia (HS 11364) and visiting a place where drugs are used (HS 11366).
PLEA_BARGAIN_SECTIONS: tuple[SectionEntry, ...] = (
    _pc("32"),
    SectionEntry("HS", "11364"),
    SectionEntry("HS", "11366"),
)


def any_entry(
    entries: tuple[SectionEntry, ...],
    code: pl.Expr,
    section: pl.Expr,
    subsection: pl.Expr,
    attempt: pl.Expr,
) -> pl.Expr:
    """Expression: the line's code section is covered by one of the entries."""
    return pl.any_horizontal(
        [entry.matches(code, section, subsection, attempt) for entry in entries]
    )


def any_entry_without_subsection(
    entries: tuple[SectionEntry, ...],
    code: pl.Expr,
    section: pl.Expr,
    subsection: pl.Expr,
    attempt: pl.Expr,
) -> pl.Expr:
    """Expression: the section is in the catalog only for sub-sections that the line does not write."""
    return pl.any_horizontal(
        [entry.matches_without_subsection(code, section, subsection, attempt) for entry in entries]
    )
