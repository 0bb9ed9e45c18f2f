"""Accessibility checks that need no browser: labels on every control, focus ring, color contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import autoclear.web
from test_web_support import WebApp, doj_text, make_web_app

CSS = Path(autoclear.web.__file__).with_name("static") / "style.css"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebApp]:
    yield from make_web_app(tmp_path / "data")


# (foreground, background, minimum ratio): WCAG 2.1 AA requires 4.5 for text and 3 for focus
# indicators and other non-text parts the user must see.
COLOR_PAIRS = [
    ("--text", "--background", 4.5),
    ("--text", "--surface", 4.5),
    ("--muted", "--background", 4.5),
    ("--muted", "--surface", 4.5),
    ("--link", "--background", 4.5),
    ("--link", "--surface", 4.5),
    ("--primary-text", "--primary", 4.5),
    ("--primary", "--background", 4.5),
    ("--danger-text", "--danger", 4.5),
    ("--error", "--error-background", 4.5),
    ("--text", "--error-background", 4.5),
    ("--text", "--notice-background", 4.5),
    ("--link", "--notice-background", 4.5),
    ("--success", "--notice-background", 3.0),
    ("--error", "--background", 3.0),
    ("--focus", "--background", 3.0),
    ("--focus", "--surface", 3.0),
    ("--border", "--background", 3.0),
    ("--bar", "--bar-track", 3.0),
    ("--text", "--bar-track", 4.5),
]


def css_variables() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(), re.S)
    assert root, "style.css has no :root block"
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", root.group(1)))


def relative_luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_known_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("foreground", "background", "minimum"), COLOR_PAIRS)
def test_color_pair_meets_wcag_aa(foreground: str, background: str, minimum: float) -> None:
    colors = css_variables()
    ratio = contrast_ratio(colors[foreground], colors[background])
    assert ratio >= minimum, f"{foreground} on {background}: {ratio:.2f} < {minimum}"


def test_every_css_color_is_a_checked_variable() -> None:
    text = CSS.read_text()
    outside_root = re.sub(r":root\s*\{.*?\}", "", text, count=1, flags=re.S)
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", outside_root) == []
    checked = {name for pair in COLOR_PAIRS for name in pair[:2]}
    assert set(css_variables()) <= checked


def test_focus_ring_visible() -> None:
    rule = re.search(r":focus-visible\s*\{([^}]*)\}", CSS.read_text())
    assert rule, "style.css has no :focus-visible rule"
    assert re.search(r"outline:\s*3px solid var\(--focus\)", rule.group(1))


class ControlCollector(HTMLParser):
    """Collect form controls, label targets and whether each control sits inside a label."""

    def __init__(self) -> None:
        super().__init__()
        self.label_depth = 0
        self.label_targets: set[str] = set()
        self.controls: list[tuple[dict[str, str | None], bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_targets.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append((attributes, self.label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def unlabelled_controls(html: str) -> list[str]:
    collector = ControlCollector()
    collector.feed(html)
    missing = []
    for attributes, wrapped in collector.controls:
        control_id = attributes.get("id")
        if wrapped or (control_id and control_id in collector.label_targets):
            continue
        if attributes.get("aria-label"):
            continue
        missing.append(str(attributes.get("name") or control_id))
    return missing


def test_every_control_has_label(web: WebApp) -> None:
    review_id = web.new_review()
    web.upload(review_id, ("a.dat", doj_text().encode()))
    web.client.post(f"/reviews/{review_id}/policy", data={"min_age": "12"})
    pages = ["/", "/reviews", f"/reviews/{review_id}/delete"] + [
        f"/reviews/{review_id}/{step}" for step in ("county", "upload", "policy", "run")
    ]
    for path in pages:
        response = web.client.get(path)
        assert response.status_code == 200, path
        assert unlabelled_controls(response.text) == [], path


def test_errors_linked_to_fields(web: WebApp) -> None:
    review_id = web.new_review()
    response = web.client.post(f"/reviews/{review_id}/policy", data={"min_age": "12"})
    field = re.search(r'<input type="number" id="min_age"[^>]*>', response.text)
    assert field, "min_age field missing"
    assert 'aria-invalid="true"' in field.group(0)
    assert "min_age-error" in field.group(0)
