"""score: matches -> one CategoryScore per category and the overall Verdict.

Category score (baseline-relative, so an icon-only knockoff scores high on icon and low elsewhere):

    score_c = sum(weight_a * similarity_a for baseline assets a of c with a match)
              / sum(weight_a for all baseline assets a of c)

weight_a is 1 unless the matcher said otherwise (common engine/SDK art and generic strings count little);
similarity_a is the best match's similarity (1.0 for an exact copy).

Verdict score = sum(W_c * score_c) / sum(W_c) over the categories the baseline has (W_c = Settings.weights; a
category with no baseline assets is left out rather than counted as 0), and the suspect is a clone when the
verdict score reaches Settings.thresholds.clone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from clonedetect.model import REPORTED_CATEGORIES, Category, CategoryScore, Match, Print, Verdict
from clonedetect.settings import Settings


def score_matches(
    baseline: Sequence[Print],
    matches: Iterable[Match],
    settings: Settings,
    weights: Iterable[tuple[str, float]] = (),
) -> tuple[tuple[CategoryScore, ...], Verdict]:
    weight_of: dict[str, float] = {}
    for path, weight in weights:  # several sources may weigh one asset: the lowest wins (common -> common)
        weight_of[path] = min(weight, weight_of.get(path, weight))
    best: dict[str, Match] = {}
    for match in matches:
        current = best.get(match.baseline)
        if current is None or (match.similarity, match.suspect) > (current.similarity, current.suspect):
            best[match.baseline] = match

    by_category: dict[Category, list[Print]] = defaultdict(list)
    for item in baseline:
        by_category[item.asset.category].append(item)
    categories = [*REPORTED_CATEGORIES, *sorted(set(by_category) - set(REPORTED_CATEGORIES))]

    scores = []
    for category in categories:
        prints = by_category.get(category, [])
        total = sum(weight_of.get(p.asset.path, 1.0) for p in prints)
        found = [best[p.asset.path] for p in prints if p.asset.path in best]
        earned = sum(weight_of.get(m.baseline, 1.0) * m.similarity for m in found)
        scores.append(
            CategoryScore(
                category=category,
                score=round(earned / total, 4) if total > 0 else 0.0,
                baseline_assets=len(prints),
                matched=len(found),
                matches=tuple(sorted(found, key=lambda m: (-m.similarity, m.baseline))),
            )
        )
    return tuple(scores), _verdict(scores, settings)


def _verdict(scores: Sequence[CategoryScore], settings: Settings) -> Verdict:
    threshold = settings.thresholds.clone
    weighted = [(settings.weights.of(s.category), s) for s in scores if s.baseline_assets > 0]
    weighted = [(w, s) for w, s in weighted if w > 0]
    total = sum(w for w, _ in weighted)
    score = round(sum(w * s.score for w, s in weighted) / total, 4) if total > 0 else 0.0
    clone = total > 0 and score >= threshold
    copied = [s.category.value for _, s in weighted if s.finding == "identical"]
    similar = [s.category.value for _, s in weighted if s.finding == "similar"]
    if not weighted:
        reason = "The baseline has no comparable assets, so nothing could be found again."
    else:
        parts = []
        if copied:
            parts.append(f"identical: {', '.join(copied)}")
        if similar:
            parts.append(f"similar: {', '.join(similar)}")
        found = "; ".join(parts) if parts else "no category of the baseline reappears"
        relation = "at or above" if clone else "below"
        reason = f"Score {score:.2f} is {relation} the clone threshold {threshold:.2f} ({found})."
    return Verdict(score=score, clone=clone, threshold=threshold, reason=reason)
