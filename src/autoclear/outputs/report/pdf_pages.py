"""A ReportLab canvas that prints "Page x of y" on every page, shared by the report and the filings."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas


def numbered_canvas(footer: str, font: str, size: float = 8) -> type[Canvas]:
    """Return a Canvas class that holds pages back until the total is known, then numbers them.

    `footer` is printed at the bottom left of every page, the page number at the bottom right.
    """

    class PageNumberCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's method name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _draw_footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(font, size)
            self.drawString(0.75 * inch, 0.45 * inch, footer)
            self.drawRightString(width - 0.75 * inch, 0.45 * inch, f"Page {number} of {total}")
            self.restoreState()

    return PageNumberCanvas
