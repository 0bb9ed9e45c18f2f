"""Errors a user can cause, each with the exit code the command line returns for it."""

from __future__ import annotations

from pathlib import Path


class AutoclearError(Exception):
    """An error caused by input, options or the environment, shown to the user without a traceback."""

    exit_code = 1


class UsageError(AutoclearError):
    """An invalid option value: unknown county, bad date, unusable output folder."""

    exit_code = 2


class PolicyError(AutoclearError):
    """A policy file that cannot be read or does not validate."""

    exit_code = 2


class InputFileError(AutoclearError):
    """An input file that is not a DOJ research file at all (empty, binary, wrong field count)."""

    exit_code = 2


class MalformedLinesError(AutoclearError):
    """A DOJ file with malformed lines, when the run was not told to skip them."""

    exit_code = 3
    # The quality.csv that lists the lines, once a run has written it.
    quality_file: Path | None = None


class RunCancelled(AutoclearError):
    """A run stopped by the user; its partial outputs were removed."""

    exit_code = 130
