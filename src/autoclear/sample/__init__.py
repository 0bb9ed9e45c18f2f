"""The bundled synthetic sample: two DOJ files of one delivery, malformed-line examples, a policy.

All of it is invented. `python -m autoclear.generate.build_sample` rebuilds it; README.md in this
folder lists the scenarios and the determinations the rules imply.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SAMPLE_FILE_NAMES = ("doj_part1.dat", "doj_part2.dat")


def _path(name: str) -> Path:
    path = Path(str(files("autoclear.sample").joinpath(name)))
    if not path.is_file():
        raise FileNotFoundError(
            f"Sample file {name} is missing from the installed package. "
            "Reinstall autoclear or run `python -m autoclear.generate.build_sample`."
        )
    return path


def sample_files() -> list[Path]:
    """Return the two DOJ files of the sample delivery, part 1 first."""
    return [_path(name) for name in SAMPLE_FILE_NAMES]


def sample_policy() -> Path:
    """Return the sample policy file (autoclear's TOML format)."""
    return _path("policy.toml")


def sample_bad_lines() -> Path:
    """Return the file of good lines mixed with one malformed line of each kind."""
    return _path("bad_lines.dat")
