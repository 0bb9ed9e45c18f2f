"""The summary and equity report: report.html (self-contained) and report.pdf.

The report's modules load matplotlib and reportlab, so they are imported only when a report is
written: commands that never write one start faster.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoclear.outputs.report.run_folder import RunFolder
    from autoclear.outputs.report.suppression import Suppression
    from autoclear.rules.policy import Policy

__all__ = ["write_report"]


def write_report(
    run: RunFolder, policy: Policy, suppression: Suppression, html_path: Path, pdf_path: Path
) -> None:
    """Write the report as HTML and PDF to the given paths."""
    from autoclear.outputs.report.content import build_report
    from autoclear.outputs.report.html import write_html
    from autoclear.outputs.report.pdf import write_pdf

    report = build_report(run, policy, suppression)
    write_html(report, html_path)
    write_pdf(report, pdf_path)
