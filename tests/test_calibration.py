"""The calibrated verdict (clonedetect/score.py): the documented formula, checked against a plain reference
implementation, and the properties that make a score mean the same across games."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clonedetect.model import Asset, AssetKind, Category, CategoryScore, Match, Print
from clonedetect.score import CALIBRATION, DEFAULT_CALIBRATION, category_evidence, score_matches, verdict
from clonedetect.settings import Settings, Weights

CATEGORIES = (Category.ICON, Category.CHARACTERS, Category.UI, Category.TEXT, Category.RULES, Category.ART)
KIND = {Category.TEXT: AssetKind.TEXT, Category.RULES: AssetKind.TABLE}


def reference_verdict(shares: dict[Category, float], masses: dict[Category, float]) -> float:
    """The formula exactly as score.py's docstring writes it, with the constants spelled out."""
    table = {  # category: (F, K, N)
        Category.ICON: (0.3, 0.9, 2.0),
        Category.CHARACTERS: (0.2, 0.95, 20.0),
        Category.UI: (0.25, 0.9, 20.0),
        Category.TEXT: (0.2, 0.95, 1000.0),
        Category.RULES: (0.3, 0.4, 5.0),
        Category.ART: (0.2, 0.8, 20.0),
    }
    remaining = 1.0
    for category, share in shares.items():
        if category is Category.ART:
            continue  # Settings.weights gives art no weight by default: left out of the verdict
        floor, proof, assets = table[category]
        strength = max(share, 1.0 - math.exp(-masses.get(category, 0.0) / assets))
        remaining *= 1.0 - proof * min(1.0, max(0.0, (strength - floor) / (1.0 - floor)))
    return 1.0 - remaining


def _scores(shares: dict[Category, float]) -> list[CategoryScore]:
    return [CategoryScore(category, share, 10, 1) for category, share in shares.items()]


def test_the_calibration_table_is_the_documented_one() -> None:
    assert set(CALIBRATION) == set(CATEGORIES)
    # game rules alone can never reach the clone threshold; every protected category alone can
    assert CALIBRATION[Category.RULES].proof < Settings().thresholds.clone
    for category in CATEGORIES:
        if category is not Category.RULES:
            assert CALIBRATION[category].proof > Settings().thresholds.clone
    assert DEFAULT_CALIBRATION.proof <= 0.5


shares_strategy = st.dictionaries(
    st.sampled_from(CATEGORIES), st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1
)
masses_strategy = st.dictionaries(st.sampled_from(CATEGORIES), st.floats(min_value=0.0, max_value=5000.0))


@settings(max_examples=200, deadline=None)
@given(shares_strategy, masses_strategy)
def test_verdict_follows_the_documented_formula(shares: dict[Category, float], masses: dict) -> None:
    result = verdict(_scores(shares), masses, Settings())
    assert result.score == pytest.approx(reference_verdict(shares, masses), abs=1e-4)
    assert result.clone is (result.score >= 0.5)


@settings(max_examples=200, deadline=None)
@given(shares_strategy, st.sampled_from(CATEGORIES), st.floats(min_value=0.0, max_value=1.0))
def test_more_of_any_category_never_lowers_the_verdict(
    shares: dict[Category, float], category: Category, extra: float
) -> None:
    before = verdict(_scores(shares), {}, Settings()).score
    raised = dict(shares)
    raised[category] = min(1.0, raised.get(category, 0.0) + extra)
    assert verdict(_scores(raised), {}, Settings()).score >= before - 1e-9


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=1e6))
def test_game_rules_alone_never_make_a_clone(share: float, mass: float) -> None:
    result = verdict(_scores({Category.RULES: share}), {Category.RULES: mass}, Settings())
    assert not result.clone and result.score <= CALIBRATION[Category.RULES].proof + 1e-9


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c not in (Category.RULES, Category.ART)])
def test_a_whole_protected_category_alone_is_a_clone(category: Category) -> None:
    shares = dict.fromkeys(CATEGORIES, 0.0) | {category: 0.95}
    assert verdict(_scores(shares), {}, Settings()).clone


def test_art_counts_only_when_the_settings_weigh_it() -> None:
    """Settings.weights has no 'art' weight: level tiles and effects are reported, not judged on."""
    shares = {Category.ART: 0.95, Category.TEXT: 0.0}
    assert not verdict(_scores(shares), {}, Settings()).clone


def test_nothing_below_the_floors_counts() -> None:
    """What unrelated games share by chance (generic strings, a derived sprite or two) scores zero."""
    shares = {c: CALIBRATION[c].floor - 0.01 for c in CATEGORIES}
    result = verdict(_scores(shares), {}, Settings())
    assert result.score == 0.0 and not result.clone
    assert "no category of the baseline reappears" in result.reason


def test_copied_assets_count_even_when_they_are_a_small_share_of_a_big_baseline() -> None:
    """A flip of 40 characters out of 2,000 is 2 % of the baseline, but 40 copies are a copy."""
    small_share = CategoryScore(Category.CHARACTERS, 0.02, 2000, 40)
    evidence = category_evidence(small_share, 40 * 0.97)
    assert evidence.strength == pytest.approx(1.0 - math.exp(-40 * 0.97 / 20.0))
    assert verdict([small_share], {Category.CHARACTERS: 40 * 0.97}, Settings()).clone


def test_rules_add_to_other_evidence() -> None:
    """Tables alone are no clone; tables plus half the text are."""
    text_only = verdict(_scores({Category.TEXT: 0.45, Category.RULES: 0.0}), {}, Settings())
    both = verdict(_scores({Category.TEXT: 0.45, Category.RULES: 0.95}), {}, Settings())
    assert not text_only.clone and both.clone and both.score > text_only.score


def test_a_category_weighted_zero_is_left_out() -> None:
    shares = {Category.ICON: 1.0, Category.TEXT: 0.0}
    off = Settings(weights=replace(Weights(), icon=0.0))
    result = verdict(_scores(shares), {}, off)
    assert result.score == 0.0 and not result.clone


def test_rules_only_reason_says_rules_alone_are_not_a_copy() -> None:
    result = verdict(_scores({Category.RULES: 0.9, Category.TEXT: 0.0}), {}, Settings())
    assert not result.clone and "only game rules and data reappear" in result.reason


def _print(path: str, category: Category) -> Print:
    kind = KIND.get(category, AssetKind.IMAGE)
    return Print(Asset(path, path, kind, category, "image/png", "0" * 64, 1, "test"), ())


def test_score_matches_uses_the_weighted_matched_mass() -> None:
    """The mass is the category score's numerator: low-weight (common) assets add little to it."""
    baseline = [_print(f"hero{i}.png", Category.CHARACTERS) for i in range(100)]
    matches = [Match(Category.CHARACTERS, f"hero{i}.png", f"s{i}.png", 1.0, "sha256") for i in range(30)]
    common = tuple((f"hero{i}.png", 0.1) for i in range(30))
    _, full = score_matches(baseline, matches, Settings())
    _, weighted = score_matches(baseline, matches, Settings(), common)
    assert full.clone and not weighted.clone and weighted.score < full.score
