"""County policy files: autoclear's TOML, the older tool's JSON options, and their errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoclear.rules.policy import (
    DEFAULT_POLICY,
    PROP64_SECTIONS,
    Policy,
    PolicyError,
    load_policy,
    policy_from_dict,
)

LEGACY = {
    "baselineEligibility": {"dismiss": ["11357", "11358"], "reduce": ["11359", "11360"]},
    "additionalRelief": {
        "subjectUnder21AtConviction": True,
        "subjectAgeThreshold": 57,
        "yearsSinceConvictionThreshold": 10,
        "yearsCrimeFreeThreshold": 0,
        "subjectIsDeceased": True,
        "subjectHasOnlyProp64Charges": True,
    },
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_policy_dismisses_every_section() -> None:
    assert DEFAULT_POLICY.sections.sections_with("dismiss") == list(PROP64_SECTIONS)
    assert not DEFAULT_POLICY.additional_relief.enabled()
    assert DEFAULT_POLICY.challenge_disqualified is True


def test_legacy_json_maps_every_option(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "options.json", json.dumps(LEGACY)))

    assert policy.sections.sections_with("reduce") == ["11359", "11360"]
    relief = policy.additional_relief
    assert relief.under_21_at_conviction is True
    assert relief.min_age == 57
    assert relief.min_years_since_conviction == 10
    assert relief.min_years_crime_free == 0
    assert relief.deceased is True
    assert relief.only_cannabis_convictions is True


def test_legacy_section_in_both_lists(tmp_path: Path) -> None:
    data = {
        "baselineEligibility": {
            "dismiss": ["11357", "11358", "11359", "11360"],
            "reduce": ["11359"],
        }
    }

    with pytest.raises(PolicyError, match="listed under both"):
        load_policy(write(tmp_path, "options.json", json.dumps(data)))


def test_legacy_section_missing(tmp_path: Path) -> None:
    data = {"baselineEligibility": {"dismiss": ["11357"], "reduce": ["11359"]}}

    with pytest.raises(PolicyError, match="section 11358, 11360"):
        load_policy(write(tmp_path, "options.json", json.dumps(data)))


def test_legacy_unknown_relief_key(tmp_path: Path) -> None:
    data = json.loads(json.dumps(LEGACY))
    data["additionalRelief"]["subjectAgeTreshold"] = 50

    with pytest.raises(PolicyError, match="unknown key 'additionalRelief.subjectAgeTreshold'"):
        load_policy(write(tmp_path, "options.json", json.dumps(data)))


def test_legacy_age_out_of_range(tmp_path: Path) -> None:
    data = json.loads(json.dumps(LEGACY))
    data["additionalRelief"]["subjectAgeThreshold"] = 70

    with pytest.raises(PolicyError, match="between 40 and 65"):
        load_policy(write(tmp_path, "options.json", json.dumps(data)))


def test_invalid_json_names_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="invalid JSON at line 2"):
        load_policy(write(tmp_path, "options.json", '{"baselineEligibility":\n {,}}'))


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="invalid TOML"):
        load_policy(write(tmp_path, "policy.toml", "[sections\n"))


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="Policy file not found"):
        load_policy(tmp_path / "nowhere.toml")


def test_policy_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"[office]\ndeputy = '\xe9'\n")

    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(path)


def test_unknown_treatment_lists_allowed_values() -> None:
    with pytest.raises(PolicyError, match="Allowed values: 'dismiss', 'reduce'"):
        policy_from_dict({"sections": {"11359": "expunge"}})


def test_years_threshold_bounds() -> None:
    assert policy_from_dict({"additional_relief": {"min_years_crime_free": 15}})
    assert policy_from_dict({"additional_relief": {"min_years_crime_free": 1}})
    with pytest.raises(PolicyError, match="between 1 and 15"):
        policy_from_dict({"additional_relief": {"min_years_crime_free": 16}})


def test_age_threshold_bounds() -> None:
    assert policy_from_dict({"additional_relief": {"min_age": 40}})
    assert policy_from_dict({"additional_relief": {"min_age": 65}})
    with pytest.raises(PolicyError, match="between 40 and 65"):
        policy_from_dict({"additional_relief": {"min_age": 39}})


def test_several_problems_listed_one_per_line() -> None:
    with pytest.raises(PolicyError) as raised:
        policy_from_dict({"additional_relief": {"min_age": 30}, "office": {"bar_number": "12-3"}})

    lines = str(raised.value).splitlines()
    assert lines[0] == "policy has 2 problems:"
    assert "min_age" in lines[1]
    assert "digits only" in lines[2]


def test_describe_names_reduced_sections_and_relief() -> None:
    policy = policy_from_dict(
        {"sections": {"11359": "reduce"}, "additional_relief": {"min_age": 57}}
    )

    described = policy.describe()

    assert "Felony convictions under HS 11359 are reduced to misdemeanors." in described
    assert (
        "A felony otherwise reduced is dismissed when the person is now 57 or older." in described
    )


policies = st.builds(
    lambda sections, under_21, age, years, crime_free, only, deceased, challenge, cell: {
        "sections": dict(zip(PROP64_SECTIONS, sections, strict=True)),
        "challenge_disqualified": challenge,
        "additional_relief": {
            "under_21_at_conviction": under_21,
            "min_age": age,
            "min_years_since_conviction": years,
            "min_years_crime_free": crime_free,
            "only_cannabis_convictions": only,
            "deceased": deceased,
        },
        "report": {"min_cell_size": cell},
    },
    st.lists(st.sampled_from(["dismiss", "reduce"]), min_size=4, max_size=4),
    st.booleans(),
    st.sampled_from([0, *range(40, 66)]),
    st.sampled_from([0, *range(1, 16)]),
    st.sampled_from([0, *range(1, 16)]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.integers(1, 1000),
)


@given(policies)
def test_toml_round_trip(data: dict[str, object]) -> None:
    policy = policy_from_dict(data)

    assert policy_from_dict(tomllib.loads(policy.to_toml())) == policy
    assert isinstance(policy, Policy)
