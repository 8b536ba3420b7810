"""score: matches -> one CategoryScore per category and the overall Verdict.

Category score (baseline-relative, so an icon-only knockoff scores high on icon and low elsewhere):

    score_c = sum(weight_a * similarity_a for baseline assets a of c with a match)
              / sum(weight_a for all baseline assets a of c)

weight_a is 1 unless the matcher said otherwise (common engine/SDK art and generic strings count little);
similarity_a is the best match's similarity (1.0 for an exact copy).

Verdict (calibrated): the chance that the suspect copied at least one category, each category judged on its
own evidence, so a score means the same for a game with 5 images and one with 5,000:

    mass_c     = sum(weight_a * similarity_a over matched baseline assets of c)   (the numerator above)
    strength_c = max(score_c, 1 - exp(-mass_c / N_c))
    p_c        = K_c * clamp((strength_c - F_c) / (1 - F_c), 0, 1)
    verdict    = 1 - prod_c (1 - p_c)            over the categories the baseline has
    clone      = verdict >= Settings.thresholds.clone (0.5)

- strength: the share of the baseline found again, or, for a large baseline of which a suspect copied only a
  part, how many assets were copied (N_c copied assets make 63 %: a flip of 20 characters out of 1,000 is
  still a copy);
- F_c, the floor: strength that unrelated games of one genre reach by chance (generic strings, derived art,
  rule tables of a shared engine); nothing below it counts;
- K_c, what a complete copy of that category alone proves. Icon, characters, UI and text are protected
  expression: a full copy of any one is a clone on its own (an icon-only knockoff is a clone of the icon, and
  the reason says that only the icon was copied). Game rules are not: K_rules = 0.4 < 0.5, so tables alone
  (two rule sets of one engine, like Freeciv21's classic and civ2civ3) never make a clone verdict, but they
  add to other evidence.

Parameters (CALIBRATION below) were set on the development benchmark (benchmarks/accuracy.py, full run: 30
cases built from Shattered Pixel Dungeon, Tuxemon and Freeciv21 - 11 clones of six kinds, 19 negatives of
which 9 hard). Highest strength of a case that did not copy the category: icon 0.00, characters 0.00,
ui 0.08, text 0.09, art 0.00 (rules: 0.00; the related Freeciv21 rulesets, which the benchmark counts as
derived rules, reach 0.91). Lowest strength of a case that copied the whole category: icon 0.92,
characters 0.97, ui 0.88, text 0.99, rules 0.91, art 0.97 (a listing knock-off against the game package shows
only a few UI elements inside its screenshots: ui 0.10, carried by its icon). So F_c sits well above every
negative, and a whole copy of a protected category alone gives p_c >= 0.75. Verdict scores: every negative
<= 0.37 (rules of a related ruleset only), every clone >= 0.81; verdict ROC AUC 1.0, no clone verdict on a
hard negative. A category whose Settings.weights value is 0 is left out (art, audio and code have no weight
by default: they are reported, not judged on).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clonedetect.model import REPORTED_CATEGORIES, Category, CategoryScore, Match, Print, Verdict
from clonedetect.settings import Settings


@dataclass(frozen=True, slots=True)
class Calibration:
    """How one category's score turns into evidence of copying (see the module docstring)."""

    floor: float  # F_c
    proof: float  # K_c
    assets: float  # N_c: copied assets that make a strength of 63 %


CALIBRATION: dict[Category, Calibration] = {
    Category.ICON: Calibration(floor=0.3, proof=0.9, assets=2.0),
    Category.CHARACTERS: Calibration(floor=0.2, proof=0.95, assets=20.0),
    Category.UI: Calibration(floor=0.25, proof=0.9, assets=20.0),
    Category.TEXT: Calibration(floor=0.2, proof=0.95, assets=1000.0),
    Category.RULES: Calibration(floor=0.3, proof=0.4, assets=5.0),
    Category.ART: Calibration(floor=0.2, proof=0.8, assets=20.0),
}
DEFAULT_CALIBRATION = Calibration(floor=0.3, proof=0.5, assets=20.0)  # audio, code: supporting evidence
IDENTICAL = 0.9  # a category score from which the court's word is "identical" (CategoryScore.finding)
PROTECTED = frozenset({Category.ICON, Category.CHARACTERS, Category.UI, Category.TEXT, Category.ART})


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
    masses: dict[Category, float] = {}
    for category in categories:
        prints = by_category.get(category, [])
        total = sum(weight_of.get(p.asset.path, 1.0) for p in prints)
        found = [best[p.asset.path] for p in prints if p.asset.path in best]
        earned = sum(weight_of.get(m.baseline, 1.0) * m.similarity for m in found)
        masses[category] = earned
        scores.append(
            CategoryScore(
                category=category,
                score=round(earned / total, 4) if total > 0 else 0.0,
                baseline_assets=len(prints),
                matched=len(found),
                matches=tuple(sorted(found, key=lambda m: (-m.similarity, m.baseline))),
            )
        )
    return tuple(scores), verdict(scores, masses, settings)


@dataclass(frozen=True, slots=True)
class Evidence:
    category: Category
    score: float
    strength: float
    probability: float  # p_c


def category_evidence(score: CategoryScore, mass: float) -> Evidence:
    calibration = CALIBRATION.get(score.category, DEFAULT_CALIBRATION)
    strength = max(score.score, 1.0 - math.exp(-mass / calibration.assets))
    above = (strength - calibration.floor) / (1.0 - calibration.floor)
    return Evidence(score.category, score.score, strength, calibration.proof * min(1.0, max(0.0, above)))


def verdict(scores: Sequence[CategoryScore], masses: dict[Category, float], settings: Settings) -> Verdict:
    threshold = settings.thresholds.clone
    present = [s for s in scores if s.baseline_assets > 0 and settings.weights.of(s.category) > 0]
    evidence = [category_evidence(s, masses.get(s.category, 0.0)) for s in present]
    remaining = 1.0
    for item in evidence:
        remaining *= 1.0 - item.probability
    score = round(1.0 - remaining, 4)
    clone = bool(present) and score >= threshold
    pattern, identical, similar = _pattern(evidence)
    return Verdict(
        score=score,
        clone=clone,
        threshold=threshold,
        reason=_reason(pattern, identical, similar, score, clone, threshold),
        pattern=pattern,
        identical=identical,
        similar=similar,
    )


def _pattern(evidence: Sequence[Evidence]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The court's pattern of what was copied, and the categories found again identical (90 % or more of
    the category) and similar (less)."""
    if not evidence:
        return "no-assets", (), ()
    copied = [e for e in evidence if e.probability > 0.0]
    identical = tuple(e.category.value for e in copied if e.score >= IDENTICAL)
    similar = tuple(e.category.value for e in copied if e.score < IDENTICAL)
    if not copied:
        return "nothing-copied", identical, similar
    if len(copied) == 1 and copied[0].category is Category.ICON:
        return "icon-only", identical, similar
    if all(e.category not in PROTECTED for e in copied):
        return "rules-only", identical, similar
    return "copied", identical, similar


def _reason(
    pattern: str,
    identical: tuple[str, ...],
    similar: tuple[str, ...],
    score: float,
    clone: bool,
    threshold: float,
) -> str:
    """One sentence: the score against the threshold, then what was copied in the court's words."""
    if pattern == "no-assets":
        return "The baseline has no comparable assets, so nothing could be found again."
    relation = "at or above" if clone else "below"
    head = f"Score {score:.2f} is {relation} the clone threshold {threshold:.2f}"
    if pattern == "nothing-copied":
        return f"{head} (no category of the baseline reappears beyond what unrelated games share)."
    parts = []
    if identical:
        parts.append(f"identical: {', '.join(identical)}")
    if similar:
        parts.append(f"similar: {', '.join(similar)}")
    found = "; ".join(parts)
    if pattern == "icon-only":
        return f"{head}: only the icon was copied ({found}); nothing else of the baseline reappears."
    if pattern == "rules-only":
        return (
            f"{head}: only game rules and data reappear ({found}), which alone are not a copy of the "
            "game's expression."
        )
    return f"{head} ({found})."
