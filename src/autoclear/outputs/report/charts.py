"""Bar charts for the equity section, drawn with matplotlib as SVG (HTML) and PNG (PDF)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

RELIEF_COLOR = "#1f5fa8"
EVERYONE_COLOR = "#b0b7c0"
PNG_DPI = 200


@dataclass(frozen=True)
class Chart:
    """One chart in both formats, with a text description for readers who cannot see it."""

    title: str
    description: str
    svg: str
    png: bytes


def share_chart(
    title: str,
    groups: list[str],
    relief: list[float | None],
    everyone: list[float | None],
    *,
    relief_label: str,
    everyone_label: str,
    marker: str,
) -> Chart:
    """Draw paired horizontal bars: each group's share of people with relief beside its share of everyone.

    A share of None (hidden by suppression) draws no bar and prints the marker instead.
    """
    height = max(1.6, 0.42 * len(groups) + 0.9)
    figure = plt.figure(figsize=(6.5, height))
    try:
        _draw(figure, groups, relief, everyone, relief_label, everyone_label, marker)
        svg_buffer = io.StringIO()
        figure.savefig(svg_buffer, format="svg", bbox_inches="tight")
        png_buffer = io.BytesIO()
        figure.savefig(png_buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
    finally:
        plt.close(figure)
    svg = svg_buffer.getvalue()
    # Keep only the <svg> element so the chart can sit inline in HTML.
    svg = svg[svg.index("<svg") :]
    description = "; ".join(
        f"{group}: {_describe(r, marker)} of {relief_label.lower()}, "
        f"{_describe(e, marker)} of {everyone_label.lower()}"
        for group, r, e in zip(groups, relief, everyone, strict=True)
    )
    return Chart(title=title, description=description, svg=svg, png=png_buffer.getvalue())


def _draw(
    figure: Figure,
    groups: list[str],
    relief: list[float | None],
    everyone: list[float | None],
    relief_label: str,
    everyone_label: str,
    marker: str,
) -> None:
    axes = figure.add_subplot(1, 1, 1)
    bar_height = 0.38
    positions = list(range(len(groups)))
    top = max([value for value in relief + everyone if value is not None] + [1.0])
    for offset, values, color, label in (
        (-bar_height / 2, relief, RELIEF_COLOR, relief_label),
        (bar_height / 2, everyone, EVERYONE_COLOR, everyone_label),
    ):
        ys = [position + offset for position in positions]
        widths = [value or 0.0 for value in values]
        axes.barh(ys, widths, height=bar_height, color=color, label=label)
        for y, value in zip(ys, values, strict=True):
            text = marker if value is None else f"{value:.1f}%"
            x = 0.0 if value is None else value
            axes.text(x + top * 0.01, y, text, va="center", fontsize=8)
    axes.set_yticks(positions)
    axes.set_yticklabels(groups, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.18)
    axes.set_xlabel("percent of the column total", fontsize=9)
    axes.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False)


def _describe(value: float | None, marker: str) -> str:
    return f"hidden ({marker})" if value is None else f"{value:.1f}%"
