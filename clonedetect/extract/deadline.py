"""The wall-time limit of one package (Limits.max_seconds), checked between entries.

No signal or thread ever interrupts a parser half way: work stops at the next entry boundary, so what was
analysed stays whole and what was not is counted in one warning. The stages that read entries one by one
(extract here, fingerprint through DeadlineSource) check it; unpack is bounded by the byte and entry limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from clonedetect.errors import EntryError
from clonedetect.model import AnalysisWarning, EntrySource

TIME_LIMIT = "time limit reached"


@dataclass(slots=True)
class Deadline:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def expired(self) -> bool:
        return self.clock() - self.started >= self.seconds

    def warning(self, path: str, count: int, what: str) -> AnalysisWarning:
        """The one warning for everything the limit cut off: '... N entries not analysed'."""
        return AnalysisWarning(
            path, f"{TIME_LIMIT} (max_seconds {self.seconds:g}): {count} entries not {what}"
        )


class DeadlineSource:
    """An EntrySource that refuses reads once the deadline has passed, remembering what it refused.

    Stages that read entries one at a time (the image fingerprinter) thereby stop at an entry boundary and
    report each refused entry as unreadable; the pipeline folds those reports into one warning."""

    def __init__(self, source: EntrySource, deadline: Deadline) -> None:
        self._source = source
        self._deadline = deadline
        self.refused: set[str] = set()

    def read(self, name: str) -> bytes:
        self._admit(name)
        return self._source.read(name)

    def head(self, name: str, size: int) -> bytes:
        self._admit(name)
        return self._source.head(name, size)

    def _admit(self, name: str) -> None:
        if self._deadline.expired():
            self.refused.add(name)
            raise EntryError(name, TIME_LIMIT)

    def close(self) -> None:
        self._source.close()

    def fold(self, warnings: list[AnalysisWarning], path: str, what: str) -> list[AnalysisWarning]:
        """The warnings without the per-entry reports of refused reads, and one summary if there were any."""
        if not self.refused:
            return warnings
        # a stage may report a refused read under several paths (entries with the same bytes share one read)
        cut = {w.path for w in warnings if TIME_LIMIT in w.message} | self.refused
        kept = [w for w in warnings if TIME_LIMIT not in w.message]
        return [*kept, self._deadline.warning(path, len(cut), what)]
