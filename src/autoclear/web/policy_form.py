"""The policy page's form: field names, reading a submitted form, and errors per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from autoclear.rules.policy import (
    AGE_THRESHOLD_RANGE,
    PROP64_SECTIONS,
    YEARS_THRESHOLD_RANGE,
    Policy,
)

SECTION_TITLES = {
    "11357": "HS 11357 (possession)",
    "11358": "HS 11358 (cultivation)",
    "11359": "HS 11359 (possession for sale)",
    "11360": "HS 11360 (sale or transport)",
}


@dataclass(frozen=True)
class NumberField:
    """A number field of the additional-relief conditions: 0 turns it off."""

    name: str
    label: str
    low: int
    high: int


NUMBER_FIELDS = (
    NumberField("min_age", "Person is now at least this old (years)", *AGE_THRESHOLD_RANGE),
    NumberField(
        "min_years_since_conviction",
        "Conviction is at least this old (years)",
        *YEARS_THRESHOLD_RANGE,
    ),
    NumberField(
        "min_years_crime_free", "No conviction in at least this many years", *YEARS_THRESHOLD_RANGE
    ),
)

RELIEF_TOGGLES = (
    ("under_21_at_conviction", "Person was under 21 at conviction"),
    ("only_cannabis_convictions", "All of the person's convictions are cannabis convictions"),
    ("deceased", "Person is deceased"),
)

OFFICE_FIELDS = (
    ("office_name", "Office name", "text"),
    ("district_attorney", "District Attorney", "text"),
    ("deputy", "Deputy filing the motion", "text"),
    ("bar_number", "State Bar number (digits only)", "text"),
    ("address", "Office address", "textarea"),
    ("phone", "Phone", "tel"),
)


def form_values(policy_dict: dict[str, Any]) -> dict[str, str]:
    """Flatten a policy dict into the form's field names and text values."""
    values: dict[str, str] = {}
    for section in PROP64_SECTIONS:
        values[f"section_{section}"] = policy_dict["sections"][section]
    values["challenge_disqualified"] = "on" if policy_dict["challenge_disqualified"] else ""
    for key, value in policy_dict["additional_relief"].items():
        if isinstance(value, bool):
            values[key] = "on" if value else ""
        else:
            values[key] = str(value)
    values["min_cell_size"] = str(policy_dict["report"]["min_cell_size"])
    for key, value in policy_dict["office"].items():
        values[key] = value
    return values


def parse_policy_form(form: dict[str, str]) -> tuple[Policy | None, dict[str, str]]:
    """Build a policy from submitted form fields.

    Returns the policy and no errors, or None and a message per form field name. A field
    that cannot be read is validated as its default, so every other error shows at once.
    """
    errors: dict[str, str] = {}
    sections = {}
    for section in PROP64_SECTIONS:
        value = form.get(f"section_{section}", "")
        if value not in ("dismiss", "reduce"):
            errors[f"section_{section}"] = "Choose dismiss or reduce."
            value = "dismiss"
        sections[section] = value
    relief: dict[str, Any] = {key: form.get(key) == "on" for key, _ in RELIEF_TOGGLES}
    for number in NUMBER_FIELDS:
        text = form.get(number.name, "").strip() or "0"
        try:
            relief[number.name] = int(text)
        except ValueError:
            errors[number.name] = f"Enter a whole number: 0 (off) or {number.low} to {number.high}."
            relief[number.name] = 0
    try:
        min_cell_size = int(form.get("min_cell_size", "").strip() or "11")
    except ValueError:
        errors["min_cell_size"] = "Enter a whole number from 1 to 1000."
        min_cell_size = 11
    office = {key: form.get(key, "").strip() for key, _, _ in OFFICE_FIELDS}
    data = {
        "sections": sections,
        "challenge_disqualified": form.get("challenge_disqualified") == "on",
        "additional_relief": relief,
        "report": {"min_cell_size": min_cell_size},
        "office": office,
    }
    try:
        policy = Policy.model_validate(data)
    except ValidationError as error:
        return None, {**_field_errors(error), **errors}
    return (None, errors) if errors else (policy, {})


def _field_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        name = location[-1] if location else "policy"
        if location[:1] == ["sections"]:
            name = f"section_{name}"
        if name in {"bar_number"}:
            message = "Use digits only, at most 20."
        elif name == "phone":
            message = "Use digits, spaces and ( ) + - . x only, at most 40 characters."
        elif item["type"] == "string_too_long":
            message = f"Too long: at most {item['ctx']['max_length']} characters."
        elif item["type"] in ("greater_than_equal", "less_than_equal"):
            message = "Enter a whole number from 1 to 1000."
        else:
            message = item["msg"].removeprefix("Value error, ").capitalize() + "."
        errors.setdefault(name, message)
    return errors
