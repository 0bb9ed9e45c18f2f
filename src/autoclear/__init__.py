"""autoclear: automatic review of California cannabis convictions for Proposition 64 relief."""

__version__ = "0.1.0"
