"""Render a filing document as an editable Word file with python-docx."""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Inches, Length, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from autoclear.outputs.filings.documents import CaseTable, Document, Paragraph

BODY_FONT = "Times New Roman"


def write_docx(document: Document, path: Path) -> None:
    docx = new_docx()
    _set_up_page(docx, document)
    number = 0
    for block in document.blocks:
        if isinstance(block, CaseTable):
            _add_table(docx, block)
            continue
        if block.style == "numbered":
            number += 1
        _add_paragraph(docx, block, number)
    _add_footer(docx, document.title)
    docx.save(str(path))


def _set_up_page(docx: DocxDocument, document: Document) -> None:
    normal = docx.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(9 if document.landscape else 12)
    section = docx.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Inches(11), Inches(8.5)
    margin = Inches(0.5) if document.landscape else Inches(1)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Inches(0.75)


def _add_paragraph(docx: DocxDocument, block: Paragraph, number: int) -> None:
    text = f"{number}. {block.text}" if block.style == "numbered" else block.text
    paragraph = docx.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = block.bold
    form = paragraph.paragraph_format
    if block.style in ("title", "center"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        form.space_before = Pt(12 if block.style == "title" else 0)
        form.space_after = Pt(12 if block.style == "title" else 4)
    elif block.style == "left":
        form.space_after = Pt(0)
    elif block.style == "small":
        run.font.size = Pt(10)
        form.left_indent = Inches(0.5)
        form.space_after = Pt(2)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        form.line_spacing = 1.5
        form.space_after = Pt(6)
        if block.style == "numbered":
            form.first_line_indent = Inches(0.5)


def _add_table(docx: DocxDocument, block: CaseTable) -> None:
    table = docx.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths: list[Length] = [Inches(width) for width in block.widths]
    for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_column.w = width
    header = table.rows[0]
    _repeat_as_header(header._tr)
    for tc, text, width in zip(header._tr.tc_lst, block.header, widths, strict=True):
        cell = _Cell(tc, table)
        cell.width = width
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in block.rows:
        _add_row(table, values, widths)


def _add_row(table: Table, values: list[str], widths: list[Length]) -> None:
    # Work on the row's XML directly: table.rows[i].cells recomputes the grid and is slow on long exhibits.
    row = table.add_row()
    _keep_row_on_one_page(row._tr)
    for tc, text, width in zip(row._tr.tc_lst, values, widths, strict=True):
        cell = _Cell(tc, table)
        cell.width = width
        cell.text = text


def _repeat_as_header(tr: CT_Row) -> None:
    properties = tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _keep_row_on_one_page(tr: CT_Row) -> None:
    properties = tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _add_footer(docx: DocxDocument, title: str) -> None:
    footer = docx.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{title}    Page ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _add_field(paragraph, "NUMPAGES")
    for run in paragraph.runs:
        run.font.size = Pt(8)


def _add_field(paragraph: DocxParagraph, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out pages."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, placeholder, end):
        paragraph.add_run()._r.append(element)
