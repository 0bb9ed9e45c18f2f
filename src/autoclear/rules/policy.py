"""County policy: the prosecutor's choices for felony cannabis convictions.

A policy is not statute. It sets, for each of HS 11357-11360, whether the office
asks the court to dismiss or to reduce felony convictions, which additional
conditions turn a reduction into a dismissal, whether it challenges felonies
with a disqualifying prior, and the office details printed on court filings.

Two file formats are accepted: autoclear's own TOML (documented in the README)
and the JSON options format of the older public tool (`baselineEligibility`
and `additionalRelief`).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from autoclear.errors import PolicyError

PROP64_SECTIONS: tuple[str, ...] = ("11357", "11358", "11359", "11360")

Treatment = Literal["dismiss", "reduce"]

AGE_THRESHOLD_RANGE = (40, 65)
YEARS_THRESHOLD_RANGE = (1, 15)


def _zero_or_between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if value != 0 and not low <= value <= high:
            raise ValueError(f"must be 0 (off) or between {low} and {high}")
        return value

    return AfterValidator(check)


AgeThreshold = Annotated[int, _zero_or_between(*AGE_THRESHOLD_RANGE)]
YearsThreshold = Annotated[int, _zero_or_between(*YEARS_THRESHOLD_RANGE)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SectionTreatment(_Strict):
    """Felony treatment per cannabis section of the Health & Safety Code."""

    hs_11357: Treatment = Field("dismiss", alias="11357")
    hs_11358: Treatment = Field("dismiss", alias="11358")
    hs_11359: Treatment = Field("dismiss", alias="11359")
    hs_11360: Treatment = Field("dismiss", alias="11360")

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    def treatment(self, section: str) -> Treatment:
        value: Treatment = getattr(self, f"hs_{section}")
        return value

    def sections_with(self, treatment: Treatment) -> list[str]:
        return [s for s in PROP64_SECTIONS if self.treatment(s) == treatment]


class AdditionalRelief(_Strict):
    """Conditions that turn a felony the policy reduces into a dismissal. 0 turns a threshold off."""

    under_21_at_conviction: bool = False
    min_age: AgeThreshold = 0
    min_years_since_conviction: YearsThreshold = 0
    min_years_crime_free: YearsThreshold = 0
    only_cannabis_convictions: bool = False
    deceased: bool = False

    def enabled(self) -> bool:
        return any(
            (
                self.under_21_at_conviction,
                self.min_age,
                self.min_years_since_conviction,
                self.min_years_crime_free,
                self.only_cannabis_convictions,
                self.deceased,
            )
        )


class OfficeDetails(_Strict):
    """The office that files the motion. Blank details stay blank on the filings."""

    district_attorney: str = Field("", max_length=200)
    deputy: str = Field("", max_length=200)
    bar_number: str = Field("", max_length=20, pattern=r"^[0-9]*$")
    address: str = Field("", max_length=500)
    phone: str = Field("", max_length=40, pattern=r"^[0-9()+\-. xext]*$")
    office_name: str = Field("", max_length=200)


class ReportOptions(_Strict):
    """Options for published figures."""

    min_cell_size: int = Field(11, ge=1, le=1000)


class Policy(_Strict):
    """A county's complete policy for one run."""

    sections: SectionTreatment = SectionTreatment()
    challenge_disqualified: bool = True
    additional_relief: AdditionalRelief = AdditionalRelief()
    report: ReportOptions = ReportOptions()
    office: OfficeDetails = OfficeDetails()

    def describe(self) -> list[str]:
        """Describe the policy in plain sentences for reports and screens."""
        lines = []
        dismissed = self.sections.sections_with("dismiss")
        reduced = self.sections.sections_with("reduce")
        if dismissed:
            lines.append("Felony convictions under HS " + ", ".join(dismissed) + " are dismissed.")
        if reduced:
            lines.append(
                "Felony convictions under HS "
                + ", ".join(reduced)
                + " are reduced to misdemeanors."
            )
        lines.append("Misdemeanor and infraction convictions are dismissed.")
        if self.challenge_disqualified:
            lines.append(
                "Felonies with a disqualifying prior (super strike, PC 290 offense, or two prior "
                "convictions of the same section) are challenged as not eligible."
            )
        else:
            lines.append("Felonies with a disqualifying prior are not challenged.")
        relief = self.additional_relief
        conditions = []
        if relief.under_21_at_conviction:
            conditions.append("the person was under 21 at conviction")
        if relief.min_age:
            conditions.append(f"the person is now {relief.min_age} or older")
        if relief.min_years_since_conviction:
            conditions.append(
                f"the conviction is at least {relief.min_years_since_conviction} years old"
            )
        if relief.min_years_crime_free:
            conditions.append(
                f"the person has no conviction in the last {relief.min_years_crime_free} years"
            )
        if relief.only_cannabis_convictions:
            conditions.append("all of the person's convictions are cannabis convictions")
        if relief.deceased:
            conditions.append("the person is deceased")
        if conditions and reduced:
            lines.append(
                "A felony otherwise reduced is dismissed when " + "; or ".join(conditions) + "."
            )
        return lines

    def to_toml(self) -> str:
        """Serialize the policy in autoclear's TOML format."""
        out = [
            "# autoclear policy",
            f"challenge_disqualified = {_toml_value(self.challenge_disqualified)}",
            "",
        ]
        out.append("[sections]")
        for section in PROP64_SECTIONS:
            out.append(f'"{section}" = "{self.sections.treatment(section)}"')
        for table, model in (
            ("additional_relief", self.additional_relief),
            ("report", self.report),
            ("office", self.office),
        ):
            out.append("")
            out.append(f"[{table}]")
            for key, value in model.model_dump().items():
                out.append(f"{key} = {_toml_value(value)}")
        return "\n".join(out) + "\n"

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump()
        data["sections"] = {s: self.sections.treatment(s) for s in PROP64_SECTIONS}
        return data


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


DEFAULT_POLICY = Policy()


def policy_from_dict(data: dict[str, Any], source: str = "policy") -> Policy:
    """Validate a policy given in autoclear's TOML structure."""
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        raise PolicyError(_explain(error, source)) from None


LEGACY_RELIEF_KEYS = {
    "subjectUnder21AtConviction": "under_21_at_conviction",
    "subjectAgeThreshold": "min_age",
    "yearsSinceConvictionThreshold": "min_years_since_conviction",
    "yearsCrimeFreeThreshold": "min_years_crime_free",
    "subjectHasOnlyProp64Charges": "only_cannabis_convictions",
    "subjectIsDeceased": "deceased",
}


def policy_from_legacy_json(data: Any, source: str = "policy") -> Policy:
    """Translate the older tool's JSON options into a policy, rejecting keys it did not have."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a JSON object with 'baselineEligibility'.")
    unknown = sorted(set(data) - {"baselineEligibility", "additionalRelief"})
    if unknown:
        raise PolicyError(
            f"{source}: unknown key {unknown[0]!r}. "
            "Allowed keys: 'baselineEligibility', 'additionalRelief'."
        )
    baseline = data.get("baselineEligibility")
    if not isinstance(baseline, dict):
        raise PolicyError(f"{source}: 'baselineEligibility' is missing or not an object.")
    unknown = sorted(set(baseline) - {"dismiss", "reduce"})
    if unknown:
        raise PolicyError(
            f"{source}: unknown key 'baselineEligibility.{unknown[0]}'. "
            "Allowed keys: 'dismiss', 'reduce'."
        )
    sections: dict[str, str] = {}
    for treatment in ("dismiss", "reduce"):
        listed = baseline.get(treatment, [])
        if not isinstance(listed, list):
            raise PolicyError(
                f"{source}: 'baselineEligibility.{treatment}' must be a list of sections."
            )
        for section in listed:
            section_text = str(section).strip().upper().removesuffix("HS").strip()
            if section_text not in PROP64_SECTIONS:
                raise PolicyError(
                    f"{source}: invalid section {section!r} in 'baselineEligibility.{treatment}'. "
                    f"Allowed values: {', '.join(PROP64_SECTIONS)}."
                )
            if section_text in sections:
                raise PolicyError(
                    f"{source}: section {section_text} is listed under both 'dismiss' and 'reduce'."
                )
            sections[section_text] = treatment
    missing = [s for s in PROP64_SECTIONS if s not in sections]
    if missing:
        raise PolicyError(
            f"{source}: 'baselineEligibility' does not say whether to dismiss or reduce "
            f"section {', '.join(missing)}. List every section of {', '.join(PROP64_SECTIONS)} "
            "under 'dismiss' or 'reduce'."
        )
    relief_in = data.get("additionalRelief", {})
    if not isinstance(relief_in, dict):
        raise PolicyError(f"{source}: 'additionalRelief' must be an object.")
    relief: dict[str, Any] = {}
    for key, value in relief_in.items():
        if key not in LEGACY_RELIEF_KEYS:
            raise PolicyError(
                f"{source}: unknown key 'additionalRelief.{key}'. "
                f"Allowed keys: {', '.join(repr(k) for k in LEGACY_RELIEF_KEYS)}."
            )
        relief[LEGACY_RELIEF_KEYS[key]] = value
    return policy_from_dict({"sections": sections, "additional_relief": relief}, source)


def load_policy(path: Path) -> Policy:
    """Read a policy file: `.toml` in autoclear's format, `.json` in the older tool's format."""
    source = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(
            f"Policy file not found: {path}. Check the path given to --policy."
        ) from None
    except OSError as error:
        raise PolicyError(f"Cannot read policy file {path}: {error.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError(f"{source}: the policy file is not UTF-8 text.") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise PolicyError(
                f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
            ) from None
        return policy_from_legacy_json(data, source)
    try:
        toml_data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: invalid TOML: {error}.") from None
    return policy_from_dict(toml_data, source)


def _explain(error: ValidationError, source: str) -> str:
    """Turn Pydantic's errors into one message per key, naming the key and the allowed values."""
    messages = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        kind = item["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(item["loc"][:-1])
            messages.append(f"unknown key {key!r}. Allowed keys here: {allowed}.")
        elif kind == "literal_error":
            messages.append(
                f"invalid value {item['input']!r} for {key!r}. Allowed values: 'dismiss', 'reduce'."
            )
        elif key in VALUE_HINTS:
            messages.append(f"invalid value {item['input']!r} for {key!r}: {VALUE_HINTS[key]}.")
        else:
            detail = item["msg"].removeprefix("Value error, ")
            messages.append(f"invalid value {item['input']!r} for {key!r}: {detail}.")
    if len(messages) == 1:
        return f"{source}: {messages[0]}"
    return f"{source} has {len(messages)} problems:\n" + "\n".join(f"- {m}" for m in messages)


# Descriptions of valid values, for keys whose Pydantic message would name a pattern or bound.
VALUE_HINTS = {
    "report.min_cell_size": "use a whole number from 1 to 1000",
    "office.bar_number": "use digits only, as the State Bar number is written",
    "office.phone": "use digits, spaces and ( ) + - . x only",
    "office.district_attorney": "use text of at most 200 characters",
    "office.deputy": "use text of at most 200 characters",
    "office.office_name": "use text of at most 200 characters",
    "office.address": "use text of at most 500 characters",
    "challenge_disqualified": "use true or false",
    "additional_relief.under_21_at_conviction": "use true or false",
    "additional_relief.only_cannabis_convictions": "use true or false",
    "additional_relief.deceased": "use true or false",
}


def _allowed_keys(location: tuple[Any, ...]) -> str:
    model: type[BaseModel] = Policy
    for part in location:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    if model is SectionTreatment:
        return ", ".join(PROP64_SECTIONS)
    return ", ".join(model.model_fields)
