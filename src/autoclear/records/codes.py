"""Code sections read from DOJ offense text, as Polars expressions.

`OFFENSE_DESCR` reads `SECTION CODE-DESCRIPTION`, for example `11357(A) HS-POSSESS CONCENTRATED
CANNABIS`, `11357B2 HS-...` or `664/11359 HS-...` (an attempt under PC 664). A code section is
parsed into four parts:

- `code`: the code abbreviation (`HS` Health & Safety, `PC` Penal, `VC` Vehicle, `BP` Business &
  Professions, ...), null when none is written;
- `section`: the section number, `11357`, `187`, `11357.5`;
- `subsection`: sub-section letters and numbers run together, upper case, `A`, `B2`, `A3C`, or an
  empty string when there is none. A letter that belongs to the section number (PC 653f, 266h)
  cannot be distinguished from a sub-section written without brackets, so it lands here too:
  `653F(C) PC` is section `653`, sub-section `FC`;
- `attempt`: true when written as an attempt under PC 664.
"""

from __future__ import annotations

import polars as pl

CODES = r"HSC|HS|H&S|PC|VC|BP|B&P|WI|W&I|MV|GC|FG|HN|CC|EC|UI|RT|CCR|USC"

# Sub-sections written without brackets (`B2`, `A3C`), or with them (`(A)(3)(C)`), or a letter
# that is part of the section number followed by bracketed ones (`653F(C)`, `266H(B)`).
_SUBSECTION = r"(?:[A-Z](?:[0-9][A-Z0-9]?)?)?(?:\([A-Z0-9]{1,4}\))*"
_ATTEMPT_PREFIX = r"664\s*(?:PC)?\s*[/\-]\s*"

# A code section at the start of an offense field.
OFFENSE_PATTERN = (
    rf"^\s*(?P<attempt>{_ATTEMPT_PREFIX})?(?P<section>\d{{1,6}}(?:\.\d{{1,3}})?)"
    rf"\s*(?P<subsection>{_SUBSECTION})?\s*(?P<code>{CODES})?(?:[\s\-/,;.]|$)"
)

# A code section anywhere in free text; the code is required so that other numbers do not match.
# The code may follow the section without a space (`11359HS`), as in offense fields.
COMMENT_PATTERN = (
    rf"(?:^|[^0-9A-Z.])(?P<attempt>{_ATTEMPT_PREFIX})?(?P<section>\d{{1,6}}(?:\.\d{{1,3}})?)"
    rf"\s*(?P<subsection>{_SUBSECTION})?\s*(?P<code>{CODES})(?:[^A-Z&]|$)"
)

# Cannabis sections anywhere in free text, for charges named in COMMENT_TEXT.
COMMENT_CANNABIS_PATTERN = rf"(?:{_ATTEMPT_PREFIX})?(?:11357|11358|11359|11360)(?:\s*(?:{_SUBSECTION}))?\s*(?:HSC|HS|H&S)\b"

PROP64_SECTIONS = ("11357", "11358", "11359", "11360")

_CODE_SYNONYMS = {"H&S": "HS", "HSC": "HS", "B&P": "BP", "W&I": "WI"}


def _parts(struct: pl.Expr) -> dict[str, pl.Expr]:
    code = struct.struct.field("code")
    return {
        "code": code.replace(_CODE_SYNONYMS),
        "section": struct.struct.field("section"),
        "subsection": compact_subsection(struct.struct.field("subsection")),
        "attempt": struct.struct.field("attempt").is_not_null(),
    }


def compact_subsection(subsection: pl.Expr) -> pl.Expr:
    """Run sub-section parts together without brackets: `(A)(3)(C)` becomes `A3C`."""
    return subsection.str.replace_all(r"[()\s]", "").fill_null("")


def parse_offense(text: pl.Expr) -> dict[str, pl.Expr]:
    """Parse the code section at the start of an offense field (upper-cased, trimmed text)."""
    return _parts(text.str.extract_groups(OFFENSE_PATTERN))


def parse_first_in_comment(text: pl.Expr) -> dict[str, pl.Expr]:
    """Parse the first code section written anywhere in a comment."""
    return _parts(text.str.extract_groups(COMMENT_PATTERN))


def cannabis_charges_in_comment(text: pl.Expr) -> pl.Expr:
    """List the cannabis code sections a comment names, normalized like `11359 HS` or `11360(A) HS`."""
    found = text.str.extract_all(COMMENT_CANNABIS_PATTERN)
    return found.list.eval(
        display_section(**_parts(pl.element().str.extract_groups(OFFENSE_PATTERN)))
    ).list.unique(maintain_order=True)


def display_section(
    code: pl.Expr, section: pl.Expr, subsection: pl.Expr, attempt: pl.Expr
) -> pl.Expr:
    """Format a parsed code section the way court papers write it: `664/11360(A)(3) HS`."""
    bracketed = subsection.str.replace_all(r"([A-Z]|[0-9]+)", "($1)")
    return pl.concat_str(
        [
            pl.when(attempt).then(pl.lit("664/")).otherwise(pl.lit("")),
            section,
            bracketed,
            pl.when(code.is_not_null()).then(pl.lit(" ") + code).otherwise(pl.lit("")),
        ]
    )


def is_prop64_section(code: pl.Expr, section: pl.Expr) -> pl.Expr:
    """Whether a code section is one Prop 64 changed: HS 11357-11360, any sub-section or attempt.

    Only the Health & Safety Code counts: `11357.5 HS` (synthetic cannabinoids) and `11358 PC`
    are different offenses.
    """
    return (code == "HS") & section.is_in(PROP64_SECTIONS)
