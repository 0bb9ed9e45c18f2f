"""Write the report as a PDF with ReportLab: the same sections, tables and charts as the HTML."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tables import TableStyle as TableStyleType

from autoclear.outputs.report import content
from autoclear.outputs.report.charts import PNG_DPI
from autoclear.outputs.report.fonts import MONO, SANS, SANS_BOLD, register_fonts
from autoclear.outputs.report.pdf_pages import numbered_canvas

PAGE_WIDTH = LETTER[0] - 1.5 * inch
# Left and right padding of every table cell, in points.
CELL_PADDING = 4
CELL_FONT_SIZE = 7.5
CODE_FONT_SIZE = 6
# Shortest width given to a hash or other code, in characters. Longer codes wrap anywhere.
CODE_MIN_CHARACTERS = 16
# Slack for rounding, so that a word exactly as wide as its column is not wrapped.
WIDTH_SLACK = 1


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=SANS, fontSize=9.5, leading=12.5, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=SANS_BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            textColor=colors.HexColor("#1f5fa8"),
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=SANS_BOLD, fontSize=10, spaceBefore=6, keepWithNext=1
        ),
        "cell": ParagraphStyle(
            "cell", parent=base, fontSize=CELL_FONT_SIZE, leading=9, spaceAfter=0
        ),
        "head": ParagraphStyle(
            "head",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=CELL_FONT_SIZE,
            leading=9,
            spaceAfter=0,
        ),
        "number": ParagraphStyle(
            "number",
            parent=base,
            fontSize=CELL_FONT_SIZE,
            leading=9,
            spaceAfter=0,
            alignment=TA_RIGHT,
        ),
        "code": ParagraphStyle(
            "code", parent=base, fontName=MONO, fontSize=CODE_FONT_SIZE, leading=8, spaceAfter=0
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=base,
            fontName=SANS_BOLD,
            textColor=colors.HexColor("#a81f1f"),
            borderColor=colors.HexColor("#a81f1f"),
            borderWidth=2,
            borderPadding=6,
            spaceAfter=12,
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_width(text: str, font: str, size: float = CELL_FONT_SIZE) -> float:
    return stringWidth(text, font, size) + 2 * CELL_PADDING + WIDTH_SLACK


def _longest_word_width(text: str, font: str) -> float:
    return max((_text_width(word, font) for word in text.split()), default=2 * CELL_PADDING)


def _column_limits(table: content.Table) -> list[tuple[float, float]]:
    """Return the minimum and natural width of each column, in points.

    The minimum fits the longest header word and the longest word of each text cell, and whole
    numbers and percentages, which must never wrap. The natural width fits every cell on one line.
    """
    limits = []
    for index, name in enumerate(table.header):
        minimum = _longest_word_width(name, SANS_BOLD)
        natural = _text_width(name, SANS_BOLD)
        for row in table.rows:
            cell = row[index]
            if cell.kind == "code":
                width = _text_width(cell.text, MONO, CODE_FONT_SIZE)
                shortest = _text_width("0" * CODE_MIN_CHARACTERS, MONO, CODE_FONT_SIZE)
                minimum = max(minimum, min(width, shortest))
            elif cell.kind == "text":
                width = _text_width(cell.text, SANS)
                minimum = max(minimum, _longest_word_width(cell.text, SANS))
            else:
                width = _text_width(cell.text, SANS)
                minimum = max(minimum, width)
            natural = max(natural, width)
        limits.append((minimum, natural))
    return limits


def _column_widths(table: content.Table) -> list[float]:
    """Share the text width among the columns so that no header word or number is broken.

    Columns get their natural width when all fit, and the first column, the labels, takes the
    rest. Otherwise each column gets its minimum, the labels get their natural width if it fits,
    and the space left goes to the other columns in proportion to what they need on one line.
    """
    limits = _column_limits(table)
    minimums = [minimum for minimum, _natural in limits]
    naturals = [natural for _minimum, natural in limits]
    if sum(naturals) <= PAGE_WIDTH:
        widths = list(naturals)
        widths[0] += PAGE_WIDTH - sum(naturals)
        return widths
    if sum(minimums) > PAGE_WIDTH:
        # NOTE: the words do not fit even at their minimum width, so the columns shrink alike and
        # ReportLab breaks the longest words. No table of the report is that wide today.
        return [width * PAGE_WIDTH / sum(minimums) for width in minimums]
    widths = list(minimums)
    if sum(minimums) - minimums[0] + naturals[0] <= PAGE_WIDTH:
        widths[0] = naturals[0]
    spare = PAGE_WIDTH - sum(widths)
    shortfalls = [natural - width for width, natural in zip(widths, naturals, strict=True)]
    return [
        width + spare * shortfall / sum(shortfalls)
        for width, shortfall in zip(widths, shortfalls, strict=True)
    ]


def _table(table: content.Table, styles: dict[str, ParagraphStyle]) -> Flowable:
    cell_style = {
        "text": "cell",
        "count": "number",
        "number": "number",
        "percent": "number",
        "code": "code",
    }
    data = [[Paragraph(_escape(name), styles["head"]) for name in table.header]]
    for row in table.rows:
        data.append([Paragraph(_escape(cell.text), styles[cell_style[cell.kind]]) for cell in row])
    flowable = Table(data, colWidths=_column_widths(table), repeatRows=1)
    style: TableStyleType = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8ccd0")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    flowable.setStyle(style)
    return flowable


def _chart(chart: content.Chart, styles: dict[str, ParagraphStyle]) -> Flowable:
    image = Image(io.BytesIO(chart.png))
    # Print the chart at the size matplotlib drew it (PNG_DPI pixels an inch), at most the text width.
    natural_width = image.imageWidth / PNG_DPI * inch
    scale = min(natural_width, PAGE_WIDTH) / image.imageWidth
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    return KeepTogether([image, Paragraph(_escape(chart.title), styles["note"])])


def write_pdf(report: content.Report, path: Path) -> None:
    register_fonts()
    styles = _styles()
    story: list[Flowable] = []
    if report.internal_use:
        story.append(
            Paragraph(
                "INTERNAL USE ONLY: small-cell suppression is off, so this report shows small "
                "counts that could identify people. Do not publish it.",
                styles["banner"],
            )
        )
    story.append(Paragraph(_escape(report.title), styles["title"]))
    for label, value in report.facts:
        story.append(Paragraph(f"<b>{_escape(label)}:</b> {_escape(value)}", styles["body"]))
    for section in report.sections:
        # The section heading and its first short table stay on one page.
        opening: list[Flowable] = [Paragraph(_escape(section.title), styles["h2"])]
        opening += [
            Paragraph(_escape(paragraph), styles["body"]) for paragraph in section.paragraphs
        ]
        for table in section.tables:
            block: list[Flowable] = [
                Paragraph(_escape(table.title), styles["h3"]),
                _table(table, styles),
            ]
            if table.note:
                block.append(Paragraph(_escape(table.note), styles["note"]))
            if len(table.rows) < 25:
                story.append(KeepTogether(opening + block))
            else:
                story.extend(opening + block)
            opening = []
            story.append(Spacer(1, 4))
        story.extend(opening)
        for chart in section.charts:
            story.append(_chart(chart, styles))
    story.append(Paragraph("Notes", styles["h2"]))
    for number, note in enumerate(report.footnotes, start=1):
        story.append(Paragraph(f"{number}. {_escape(note)}", styles["body"]))
    document = SimpleDocTemplate(
        str(path),
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.75 * inch,
        bottomMargin=0.8 * inch,
        title=f"{report.title} – {report.county}",
        author="autoclear",
    )
    footer = f"{report.title} – {report.county} – as of {report.as_of}"
    if report.internal_use:
        footer += " – INTERNAL USE ONLY"
    document.build(story, canvasmaker=numbered_canvas(footer, SANS))
