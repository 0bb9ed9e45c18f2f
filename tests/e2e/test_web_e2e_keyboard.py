"""Keyboard use in headless Chromium: focus order on the policy page and a visible focus ring."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, name: el.name || '', tag: el.tagName, type: el.type || '',
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def test_policy_page_tab_order(live_server: Any, page: Any, screenshot: Any) -> None:
    page.goto(live_server.start_url)
    page.get_by_role("button", name="Start a new review").click()
    page.wait_for_url(re.compile(r"/county$"))
    page.get_by_role("link", name="3. Policy").click()
    page.wait_for_url(re.compile(r"/policy$"))
    controls = page.evaluate(
        """() => Array.from(document.querySelectorAll('#policy-form input, #policy-form textarea,'
            + ' #policy-form button')).filter((el) => el.type !== 'hidden' && el.type !== 'radio')
            .map((el) => el.id || el.name)"""
    )
    radio_groups = page.evaluate(
        """() => Array.from(new Set(Array.from(document.querySelectorAll('#policy-form input[type=radio]'))
            .map((el) => el.name)))"""
    )
    seen: list[dict[str, Any]] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if focused["id"] == "policy-submit":
            break
    assert seen[-1]["id"] == "policy-submit", "Tab never reached the Save and continue button"
    screenshot(page, "4-policy-focus")

    reached_ids = [item["id"] or item["name"] for item in seen]
    positions = [reached_ids.index(control) for control in controls if control in reached_ids]
    missing = [control for control in controls if control not in reached_ids]
    # The save-file button has no id; it is named "then" like the submit button.
    assert missing in ([], ["then"])
    assert positions == sorted(positions), "focus order differs from the order on the page"
    reached_radio_groups = {item["name"] for item in seen if item["type"] == "radio"}
    assert reached_radio_groups == set(radio_groups)
    for item in seen:
        assert item["outline"] != "none", item
        assert item["width"] >= 2, item


def test_skip_link_is_first_stop(live_server: Any, page: Any) -> None:
    page.goto(live_server.start_url)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
