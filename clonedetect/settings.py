"""All tunable numbers in one frozen place: thresholds, category weights and safety limits.

Limits are what keeps a hostile package from exhausting the machine; thresholds and weights are what the
verdict means. Both are recorded in every report so a result can be reproduced.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from clonedetect.errors import UsageError

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_entries: int = 200_000  # members of one archive
    max_entry_bytes: int = 512 * MIB  # one uncompressed member we are willing to read
    max_total_bytes: int = 8 * 1024 * MIB  # all uncompressed members of one package together
    max_ratio: float = 200.0  # uncompressed / compressed for one member (zip bombs run at 1000:1)
    max_nesting: int = 2  # archives inside archives (XAPK -> APK -> OBB)
    max_pixels: int = 64_000_000  # decoded pixels of one image (8000 x 8000)
    max_text_bytes: int = 16 * MIB  # one text/table file that we parse
    max_depth: int = 64  # nesting of JSON / XML / plist structures
    max_seconds: float = 600.0  # wall time for one package
    max_strings: int = 500_000  # string assets from one package


@dataclass(frozen=True, slots=True)
class Thresholds:
    clone: float = 0.5  # verdict score at or above which the suspect is called a clone
    phash_distance: int = 10  # of 64 bits: perceptual hash distance that counts as a near match
    fuzzy_text: float = 90.0  # rapidfuzz ratio (0..100) for a fuzzy string match
    min_text_length: int = 2  # shorter strings are not evidence
    table_rows: float = 0.5  # share of a baseline table's rows found again for the table to match


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each category counts in the overall verdict (normalised over the categories present)."""

    icon: float = 1.0
    characters: float = 3.0
    ui: float = 2.0
    text: float = 2.0
    rules: float = 2.0

    def of(self, category: str) -> float:
        return float(getattr(self, category, 0.0))


@dataclass(frozen=True, slots=True)
class Settings:
    limits: Limits = field(default_factory=Limits)
    thresholds: Thresholds = field(default_factory=Thresholds)
    weights: Weights = field(default_factory=Weights)
    jobs: int = 1  # worker processes for fingerprinting
    reproducible: bool = False  # pin the one timestamp field so reports are byte-identical

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_limits(self, **changes: Any) -> Settings:
        return replace(self, limits=replace(self.limits, **changes))


ENV_PREFIX = "CLONEDETECT_LIMIT_"


def limits_from_env(base: Limits, environ: dict[str, str] | None = None) -> Limits:
    """Override limits from CLONEDETECT_LIMIT_<NAME> variables, e.g. CLONEDETECT_LIMIT_MAX_PIXELS=1000000."""
    environ = dict(os.environ) if environ is None else environ
    changes: dict[str, Any] = {}
    for limit in fields(Limits):
        raw = environ.get(ENV_PREFIX + limit.name.upper())
        if raw is None:
            continue
        changes[limit.name] = parse_limit(limit.name, raw)
    return replace(base, **changes)


def parse_limit(name: str, raw: str) -> int | float:
    """One 'name=value' limit from the command line or the environment, checked and typed."""
    kinds = {limit.name: limit.type for limit in fields(Limits)}
    if name not in kinds:
        raise UsageError(f"unknown limit {name!r}; known limits: {', '.join(sorted(kinds))}")
    try:
        value: int | float = float(raw) if kinds[name] in ("float", float) else int(raw)
    except ValueError:
        raise UsageError(f"limit {name} needs a number, got {raw!r}") from None
    # NaN compares false with everything, so 'nan' would silently switch a limit off
    if math.isnan(value) or value <= 0:
        raise UsageError(f"limit {name} must be positive, got {raw!r}")
    return value
