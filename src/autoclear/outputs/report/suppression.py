"""Small-cell suppression of published counts.

A published count from 1 to min_cell_size - 1 could point at a few people, so it is
shown as a marker ("<11"), and every percentage computed from it is hidden too.
Zero is shown: it names no one.

NOTE: there is no complementary suppression. When a breakdown hides exactly one cell
and shows its total, the hidden count can be worked out by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass

HIDDEN_PERCENT = "–"


@dataclass(frozen=True)
class Suppression:
    """How counts are published: with small cells hidden (enabled) or in full (internal use)."""

    min_cell_size: int = 11
    enabled: bool = True

    @property
    def marker(self) -> str:
        return f"<{self.min_cell_size}"

    def hides(self, count: int) -> bool:
        return self.enabled and 0 < count < self.min_cell_size

    def count(self, count: int) -> str:
        """Format a count, or return the marker when the count is hidden."""
        return self.marker if self.hides(count) else f"{count:,}"

    def percent(self, part: int, whole: int) -> str:
        """Format part/whole as a percentage, hidden when either count is hidden or whole is 0."""
        if whole <= 0 or self.hides(part) or self.hides(whole):
            return HIDDEN_PERCENT
        return f"{100 * part / whole:.1f}%"

    def share(self, part: int, whole: int) -> float | None:
        """Return part/whole in percent for charts, or None where the table hides it."""
        if whole <= 0 or self.hides(part) or self.hides(whole):
            return None
        return 100 * part / whole

    def footnote(self) -> str:
        if not self.enabled:
            return (
                "Small-cell suppression is off: every count is shown in full. "
                "This report is for internal use only and must not be published."
            )
        return (
            f"Counts from 1 to {self.min_cell_size - 1} are shown as {self.marker} so that no "
            f"small group of people can be singled out, and percentages computed from them are "
            f"shown as {HIDDEN_PERCENT}. Totals may still include the hidden counts."
        )
