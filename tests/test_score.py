"""score.py: category scores are baseline-relative and the verdict is their weighted mean."""

from __future__ import annotations

import pytest

from clonedetect.model import Asset, AssetKind, Category, Match, Print
from clonedetect.score import score_matches
from clonedetect.settings import Settings


def _print(path: str, category: Category, kind: AssetKind = AssetKind.IMAGE) -> Print:
    asset = Asset(path, path, kind, category, "image/png", "0" * 64, 1, "test")
    return Print(asset, ())


def _match(path: str, category: Category, similarity: float = 1.0) -> Match:
    return Match(category, path, "suspect/" + path, similarity, "sha256")


BASELINE = [
    _print("icon.png", Category.ICON),
    *(_print(f"hero{i}.png", Category.CHARACTERS) for i in range(4)),
    *(_print(f"ui{i}.png", Category.UI) for i in range(2)),
    *(_print(f"s{i}", Category.TEXT, AssetKind.TEXT) for i in range(10)),
]


def _scores(matches: list[Match], weights: tuple[tuple[str, float], ...] = ()) -> dict[str, float]:
    categories, verdict = score_matches(BASELINE, matches, Settings(), weights)
    return {c.category.value: c.score for c in categories} | {"verdict": verdict.score}


def test_full_copy_scores_one_everywhere_and_is_a_clone() -> None:
    matches = [_match(p.asset.path, p.asset.category) for p in BASELINE]
    categories, verdict = score_matches(BASELINE, matches, Settings())
    assert {c.category.value: c.score for c in categories} == {
        "icon": 1.0,
        "characters": 1.0,
        "ui": 1.0,
        "text": 1.0,
        "rules": 0.0,
    }
    assert verdict.clone and verdict.score == 1.0
    assert "identical: icon, characters, ui, text" in verdict.reason


def test_icon_only_knockoff_is_high_on_icon_and_not_a_clone() -> None:
    categories, verdict = score_matches(BASELINE, [_match("icon.png", Category.ICON, 0.95)], Settings())
    by_name = {c.category.value: c for c in categories}
    assert by_name["icon"].score == 0.95 and by_name["icon"].finding == "identical"
    assert by_name["characters"].score == 0.0 and by_name["characters"].finding == "different"
    # icon weight 1 of 1 + 3 + 2 + 2 (rules is absent from the baseline and left out)
    assert verdict.score == pytest.approx(0.95 / 8, abs=1e-4)
    assert not verdict.clone
    assert "identical: icon" in verdict.reason


def test_absent_category_is_reported_but_left_out_of_the_verdict() -> None:
    categories, _ = score_matches(BASELINE, [], Settings())
    rules = next(c for c in categories if c.category is Category.RULES)
    assert rules.baseline_assets == 0 and rules.finding == "not present"


def test_weights_make_generic_assets_count_little() -> None:
    half = [_match(f"s{i}", Category.TEXT) for i in range(5)]
    assert _scores(half)["text"] == 0.5
    generic = tuple((f"s{i}", 0.1) for i in range(5))  # the matched five are generic strings
    assert _scores(half, generic)["text"] == pytest.approx(0.5 / 5.5, abs=1e-4)


def test_best_match_per_baseline_asset_counts_once() -> None:
    twice = [_match("hero0.png", Category.CHARACTERS, 0.8), _match("hero0.png", Category.CHARACTERS, 0.9)]
    categories, _ = score_matches(BASELINE, twice, Settings())
    characters = next(c for c in categories if c.category is Category.CHARACTERS)
    assert characters.matched == 1 and characters.score == pytest.approx(0.9 / 4)
