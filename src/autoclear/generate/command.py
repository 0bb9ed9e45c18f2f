"""The `autoclear generate` command: write a synthetic DOJ research file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from autoclear.errors import AutoclearError, UsageError
from autoclear.generate.writer import write_synthetic_file


def generate_command(
    county: Annotated[
        str, typer.Option("--county", help="County whose courts most convictions come from.")
    ] = "SAN FRANCISCO",
    lines: Annotated[
        int, typer.Option("--lines", min=0, help="Number of lines to write.")
    ] = 100_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed writes the same bytes.")
    ] = 1,
    out: Annotated[Path, typer.Option("--out", help="File to write.")] = Path("synthetic.dat"),
    bad_lines: Annotated[
        float,
        typer.Option(
            "--bad-lines", min=0.0, max=1.0, help="Fraction of lines to write malformed (0 to 1)."
        ),
    ] = 0.0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the --out file if it exists.")
    ] = False,
) -> None:
    """Write a synthetic DOJ research file. Every name, number and date in it is invented."""
    console = Console(stderr=True)
    # A mistyped --out must not replace a real delivery with invented lines.
    if out.exists() and not overwrite:
        console.print(
            f"[red]Error:[/red] {out} already exists. Choose another --out, or add --overwrite "
            "to replace it."
        )
        raise typer.Exit(UsageError.exit_code)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Writing lines", total=lines)
            stats = write_synthetic_file(
                out,
                county=county,
                lines=lines,
                seed=seed,
                bad_line_rate=bad_lines,
                progress=lambda done, _total: progress.update(task, completed=done),
            )
    except AutoclearError as error:
        console.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(error.exit_code) from None
    console.print(
        f"Wrote {stats.lines:,} lines for {stats.subjects:,} subjects to {out}: "
        f"{stats.cannabis_convictions:,} cannabis convictions, {stats.bad_lines:,} malformed lines."
    )
