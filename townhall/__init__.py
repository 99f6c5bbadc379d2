"""Townhall: the digital front door and joined-up data back office for UK councils."""

__version__ = "0.1.0"
