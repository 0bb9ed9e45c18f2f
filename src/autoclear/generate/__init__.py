"""Synthetic California DOJ research files for tests, demos and benchmarks.

Every name, number and date is invented; no real record is used.
"""

from autoclear.generate.writer import GenerateStats, synthetic_frames, write_synthetic_file

__all__ = ["GenerateStats", "synthetic_frames", "write_synthetic_file"]
