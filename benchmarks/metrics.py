"""Plain, dependency-free classification metrics for the accuracy benchmark."""

from __future__ import annotations

from collections.abc import Sequence


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve = P(score of a random positive > score of a random negative), ties count
    half (the Mann-Whitney U statistic). None when either class is empty."""
    positives = [s for s, label in zip(scores, labels, strict=True) if label]
    negatives = [s for s, label in zip(scores, labels, strict=True) if not label]
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def tpr_at_fpr(scores: Sequence[float], labels: Sequence[bool], max_fpr: float) -> float | None:
    """The largest share of positives scored above a threshold that lets at most max_fpr of the negatives
    through (a threshold strictly above the negatives it rejects)."""
    positives = sorted((s for s, label in zip(scores, labels, strict=True) if label), reverse=True)
    negatives = sorted((s for s, label in zip(scores, labels, strict=True) if not label), reverse=True)
    if not positives or not negatives:
        return None
    allowed = int(max_fpr * len(negatives) + 1e-9)  # negatives that may score above the threshold
    threshold = negatives[allowed] if allowed < len(negatives) else float("-inf")
    return sum(1 for s in positives if s > threshold) / len(positives)


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
