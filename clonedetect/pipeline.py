"""The six stages wired together: analyse() runs unpack -> extract -> fingerprint for one input,
compare() matches two analyses and scores them. Nothing here analyses anything itself.

The wall-time limit of one package (Limits.max_seconds) starts with its unpacking; extract checks it between
entries, and fingerprinting reads entries through a DeadlineSource that refuses reads once it has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from clonedetect.extract import extract_assets
from clonedetect.extract.deadline import Deadline, DeadlineSource
from clonedetect.fingerprint import fingerprint_assets
from clonedetect.fingerprint.image import start_workers
from clonedetect.fingerprint.known import KnownPrints
from clonedetect.match import match_analyses
from clonedetect.model import Analysis, AssetKind, Comparison, Match, Print
from clonedetect.score import score_matches
from clonedetect.settings import Settings
from clonedetect.unpack import open_package

T = TypeVar("T")


class StageClock:
    """Wall time per stage, for --timings; kept out of the report body so reports stay reproducible."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, stage: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return work()
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    def as_tuple(self) -> tuple[tuple[str, float], ...]:
        return tuple(self.seconds.items())


def analyse(path: Path, settings: Settings, reuse: Sequence[Print] = ()) -> Analysis:
    """Unpack, extract and fingerprint one input, within its wall-time limit.

    reuse: prints of another analysis made with the same settings (the baseline's, when this input is its
    suspect); an image with the same bytes and frame, or a string with the same value, takes its print
    instead of being decoded or normalised again (fingerprint/known.py).
    """
    clock = StageClock()
    deadline = Deadline(settings.limits.max_seconds)
    known = KnownPrints(reuse, settings.limits.max_text_bytes)
    with clock.run("unpack", lambda: open_package(path, settings)) as opened:
        # the workers start up while extract runs, unless every image's bytes were fingerprinted already
        # (a repack of the baseline: nothing to decode, and spawning them would cost about a second)
        start_workers(settings, [e for e in opened.package.entries if not known.knows_image(e.sha256)])
        extraction = clock.run("extract", lambda: extract_assets(opened, settings, deadline=deadline))
        reused, assets = known.split(extraction.assets)
        timed = DeadlineSource(opened.source, deadline)
        prints, fingerprint_warnings = clock.run(
            "fingerprint", lambda: fingerprint_assets(assets, timed, settings)
        )
    fingerprint_warnings = timed.fold(fingerprint_warnings, path.name, "fingerprinted")
    return Analysis(
        package=opened.package,
        facts=extraction.facts,
        prints=tuple(sorted([*reused, *prints], key=lambda p: p.asset.path)),
        warnings=(*opened.package.warnings, *extraction.warnings, *fingerprint_warnings),
        timings=clock.as_tuple(),
    )


def compare(
    baseline: Analysis,
    suspect: Analysis,
    settings: Settings,
    extra_weights: tuple[tuple[str, float], ...] = (),
) -> Comparison:
    """Match a suspect against a baseline and score every category.

    extra_weights: (baseline asset path, weight) from outside the matchers, e.g. the store's common assets;
    where both weigh an asset, the lowest weight wins.
    """
    clock = StageClock()
    result = clock.run("match", lambda: match_analyses(baseline, suspect, settings))
    categories, verdict = clock.run(
        "score",
        lambda: score_matches(baseline.prints, result.matches, settings, (*result.weights, *extra_weights)),
    )
    warnings = sorted(set(baseline.warnings) | set(suspect.warnings), key=lambda w: (w.path, w.message))
    thumbnails, texts = _match_evidence(baseline, suspect, result.matches)
    return Comparison(
        baseline=baseline.package,
        suspect=suspect.package,
        categories=categories,
        verdict=verdict,
        differences=result.differences,
        warnings=tuple(warnings),
        timings=(*_prefixed("baseline", baseline), *_prefixed("suspect", suspect), *clock.as_tuple()),
        baseline_facts=baseline.facts,
        suspect_facts=suspect.facts,
        thumbnails=thumbnails,
        texts=texts,
    )


def _match_evidence(
    baseline: Analysis, suspect: Analysis, matches: Iterable[Match]
) -> tuple[tuple[tuple[str, bytes], ...], tuple[tuple[str, str], ...]]:
    """Thumbnails and string values of both sides of every match, for exhibits."""
    sides = (
        ("baseline", {p.asset.path: p for p in baseline.prints}),
        ("suspect", {p.asset.path: p for p in suspect.prints}),
    )
    thumbnails: dict[str, bytes] = {}
    texts: dict[str, str] = {}
    for match in matches:
        for (side, prints), path in zip(sides, (match.baseline, match.suspect), strict=True):
            item = prints.get(path)
            if item is None:
                continue
            if item.thumbnail:
                thumbnails[f"{side}:{path}"] = item.thumbnail
            elif item.asset.kind is AssetKind.TEXT:
                texts[f"{side}:{path}"] = item.asset.text
    return tuple(sorted(thumbnails.items())), tuple(sorted(texts.items()))


def _prefixed(label: str, analysis: Analysis) -> tuple[tuple[str, float], ...]:
    return tuple((f"{label}.{stage}", seconds) for stage, seconds in analysis.timings)
