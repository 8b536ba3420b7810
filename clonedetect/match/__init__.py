"""match: baseline Analysis x suspect Analysis -> MatchResult. One matcher per asset kind, plus the
package-level differences (name, ids, signer, endpoints, SDKs) the court lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from clonedetect.match.differences import package_differences
from clonedetect.match.images import ImageMatcher
from clonedetect.match.tables import TableMatcher
from clonedetect.match.text import TextMatcher
from clonedetect.model import Analysis, AssetKind, MatchResult, Print
from clonedetect.settings import Settings


class Matcher(Protocol):
    kind: AssetKind

    def match(self, baseline: Sequence[Print], suspect: Sequence[Print], settings: Settings) -> MatchResult:
        """Best match in the suspect for each baseline print that reappears there (at most one each)."""
        ...


MATCHERS: tuple[Matcher, ...] = (ImageMatcher(), TextMatcher(), TableMatcher())


def match_analyses(baseline: Analysis, suspect: Analysis, settings: Settings) -> MatchResult:
    matches = []
    differences = list(package_differences(baseline, suspect))
    weights = []
    for matcher in MATCHERS:
        result = matcher.match(
            [p for p in baseline.prints if p.asset.kind is matcher.kind],
            [p for p in suspect.prints if p.asset.kind is matcher.kind],
            settings,
        )
        matches.extend(result.matches)
        differences.extend(result.differences)
        weights.extend(result.weights)
    return MatchResult(
        matches=tuple(sorted(matches, key=lambda m: (m.category, m.baseline, m.suspect))),
        differences=tuple(sorted(set(differences), key=lambda d: (d.field, d.where, d.baseline, d.suspect))),
        weights=tuple(sorted(weights)),
    )
