"""Write the report as a PDF with ReportLab: the same sections, tables and charts as the HTML."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
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
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9, spaceAfter=0),
        "head": ParagraphStyle(
            "head", parent=base, fontName=SANS_BOLD, fontSize=7.5, leading=9, spaceAfter=0
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=7.5, leading=9, spaceAfter=0, alignment=TA_RIGHT
        ),
        "code": ParagraphStyle(
            "code", parent=base, fontName=MONO, fontSize=6, leading=8, spaceAfter=0
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


def _column_widths(table: content.Table) -> list[float]:
    count = len(table.header)
    if table.header and table.header[-1] == "SHA-256":
        return [1.7 * inch, 0.8 * inch, 0.7 * inch, PAGE_WIDTH - 3.2 * inch]
    if count == 2:
        return [PAGE_WIDTH - 1.2 * inch, 1.2 * inch]
    percent_columns = table.header.count("%")
    if percent_columns:
        first = 1.0 * inch
        percent = 0.55 * inch
        other = (PAGE_WIDTH - first - percent * percent_columns) / (count - 1 - percent_columns)
        return [first] + [percent if name == "%" else other for name in table.header[1:]]
    first = 2.2 * inch if count <= 5 else 1.35 * inch
    rest = (PAGE_WIDTH - first) / (count - 1)
    return [first] + [rest] * (count - 1)


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
