"""Errors: fatal ones stop the run with exit code 2; everything else becomes an AnalysisWarning."""

from __future__ import annotations


class ClonedetectError(Exception):
    """Base of every error clonedetect raises on purpose."""


class InputError(ClonedetectError):
    """The input cannot be analysed at all (not a package, empty, truncated): exit code 2."""


class UsageError(ClonedetectError):
    """A bad command line or option value: exit code 2."""


class EntryError(ClonedetectError):
    """One entry of a package is unreadable or over a limit; the rest of the analysis goes on."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
