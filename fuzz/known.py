"""Known, reported bugs below code this project owns, which a harness would otherwise hit again and again.

With CLONEDETECT_FUZZ_SKIP_KNOWN=1 (`python -m fuzz.run --skip-known`) a harness returns early on inputs of
a known class, so a run can go on to find other bugs; each class is pinned by a strict-xfail regression test
(tests/hostile/regressions/) that fails as soon as the bug is fixed, the signal to delete it here.
"""

from __future__ import annotations

import os

SKIP_ENV = "CLONEDETECT_FUZZ_SKIP_KNOWN"


# Every bug listed here so far has been fixed in clonedetect/fingerprint/decode.py; their inputs stay in
# tests/hostile/regressions/ and replay cleanly. Add a class here when a new bug is found and reported.
KNOWN: dict[str, tuple[tuple[str, object], ...]] = {}


def known_issue(harness: str, data: bytes) -> str | None:
    """The description of the known bug this input of `harness` hits, or None."""
    for description, matches in KNOWN.get(harness, ()):
        if matches(data):  # type: ignore[operator]
            return description
    return None


def skipping() -> bool:
    return os.environ.get(SKIP_ENV) == "1"
