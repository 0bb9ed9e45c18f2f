"""Render a filing document as a PDF with ReportLab, with the exhibit header row on every page."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, LongTable, SimpleDocTemplate, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph

from autoclear.outputs.filings.documents import CaseTable, Document, Paragraph
from autoclear.outputs.report.fonts import SERIF, SERIF_BOLD, register_fonts
from autoclear.outputs.report.pdf_pages import numbered_canvas


def _styles(small: bool) -> dict[str, ParagraphStyle]:
    size = 9 if small else 11.5
    base = ParagraphStyle("base", fontName=SERIF, fontSize=size, leading=size * 1.3)
    return {
        "body": ParagraphStyle(
            "body", parent=base, alignment=TA_JUSTIFY, leading=size * 1.8, spaceAfter=6
        ),
        "numbered": ParagraphStyle(
            "numbered",
            parent=base,
            alignment=TA_JUSTIFY,
            leading=size * 1.8,
            spaceAfter=6,
            firstLineIndent=0.5 * inch,
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=SERIF_BOLD,
            alignment=TA_CENTER,
            spaceBefore=12,
            spaceAfter=12,
        ),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=4),
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=size - 1.5, leftIndent=0.5 * inch, spaceAfter=2
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=base, fontName=SERIF_BOLD, fontSize=8, leading=10),
    }


def _markup(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


def _table(block: CaseTable, styles: dict[str, ParagraphStyle]) -> Flowable:
    data = [[PdfParagraph(_markup(name), styles["head"]) for name in block.header]]
    for row in block.rows:
        data.append([PdfParagraph(_markup(value), styles["cell"]) for value in row])
    table = LongTable(data, colWidths=[width * inch for width in block.widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def write_pdf(document: Document, path: Path) -> None:
    register_fonts()
    styles = _styles(small=document.landscape)
    story: list[Flowable] = []
    number = 0
    for block in document.blocks:
        if isinstance(block, CaseTable):
            story.append(_table(block, styles))
            continue
        assert isinstance(block, Paragraph)
        text = _markup(block.text)
        if block.style == "numbered":
            number += 1
            text = f"{number}. {text}"
        if block.bold:
            text = f"<b>{text}</b>"
        story.append(PdfParagraph(text, styles[block.style]))
    page = landscape(LETTER) if document.landscape else LETTER
    margin = 0.5 * inch if document.landscape else 1 * inch
    pdf = SimpleDocTemplate(
        str(path),
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=0.75 * inch,
        bottomMargin=0.8 * inch,
        title=document.title,
        author="autoclear",
    )
    pdf.build(story, canvasmaker=numbered_canvas(document.title, SERIF))
