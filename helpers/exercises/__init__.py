"""Self-study exercises against a sandbox of their own: `start(name)` gives a kit and
`check()`, `hint(level)`, `solution()` (see framework.py; the index is exercises/README.md)."""

from helpers.exercises.framework import Exercise, Outcome, ____, start

__all__ = ["____", "Exercise", "Outcome", "start"]
