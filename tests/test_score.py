"""score.py: category scores are baseline-relative; the verdict combines each category's calibrated evidence
(the formula and its calibration are in tests/test_calibration.py)."""

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
    # the same finding as data, for exhibits in other languages
    assert (verdict.pattern, verdict.identical, verdict.similar) == (
        "copied",
        ("icon", "characters", "ui", "text"),
        (),
    )


def test_icon_only_knockoff_is_a_clone_of_the_icon_and_says_only_the_icon_was_copied() -> None:
    categories, verdict = score_matches(BASELINE, [_match("icon.png", Category.ICON, 0.95)], Settings())
    by_name = {c.category.value: c for c in categories}
    assert by_name["icon"].score == 0.95 and by_name["icon"].finding == "identical"
    assert by_name["characters"].score == 0.0 and by_name["characters"].finding == "different"
    # p_icon = K 0.9 * (0.95 - F 0.3) / (1 - 0.3); the other categories add nothing
    assert verdict.score == pytest.approx(0.9 * 0.65 / 0.7, abs=1e-4)
    assert verdict.clone
    assert "only the icon was copied" in verdict.reason and "identical: icon" in verdict.reason
    assert (verdict.pattern, verdict.identical, verdict.similar) == ("icon-only", ("icon",), ())


def test_one_copied_character_of_four_is_similar_but_below_the_floor_of_a_verdict() -> None:
    categories, verdict = score_matches(BASELINE, [_match("hero0.png", Category.CHARACTERS)], Settings())
    characters = next(c for c in categories if c.category is Category.CHARACTERS)
    assert characters.score == 0.25 and characters.finding == "different"
    # strength 0.25 is just over the characters floor 0.2: a little evidence, far from a clone
    assert 0.0 < verdict.score < 0.1 and not verdict.clone
    assert (verdict.pattern, verdict.similar) == ("copied", ("characters",))


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
