"""Text matching on the real Shattered Pixel Dungeon strings (en, zh, zh-hant) and on hand-made cases."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from corpus import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq
from textprints import text_asset

from clonedetect.fingerprint.normalise import to_simplified
from clonedetect.fingerprint.text import TextFingerprinter
from clonedetect.match.text import (
    GENERIC_STRINGS,
    PRIOR,
    DocumentFrequency,
    TextMatcher,
    best_fuzzy_matches,
    learn_document_frequency,
    string_weight,
)
from clonedetect.model import Asset, Category, MatchResult, Print
from clonedetect.settings import Settings

MESSAGES = CORPUS / "shattered-pixel-dungeon/core/src/main/assets/messages"
SETTINGS = Settings()


PROPERTY = re.compile(r"((?:\\.|[^=:\s\\])+)\s*[=:\s]?\s*(.*)")


def read_properties(path: Path) -> list[tuple[str, str]]:
    """Enough of java.util.Properties for these files: comments, continuations, \\n and \\uXXXX escapes."""
    pairs = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line or line[0] in "#!":
            continue
        while line.endswith("\\") and index < len(lines):
            line = line[:-1] + lines[index].strip()
            index += 1
        found = PROPERTY.fullmatch(line)
        if found is None:
            continue
        value = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), found.group(2))
        pairs.append((found.group(1), value.replace("\\n", "\n").replace("\\'", "'")))
    return pairs


def fingerprint(assets: list[Asset]) -> list[Print]:
    prints, warnings = TextFingerprinter().fingerprint(assets, None, SETTINGS)  # type: ignore[arg-type]
    assert warnings == []
    return prints


def shattered_assets(locale: str, edit: Callable[[str], str] = lambda v: v) -> list[Asset]:
    """A TEXT asset per string of the Shattered messages in one locale ('' = English), paths as in an APK."""
    suffix = f"_{locale}" if locale else ""
    assets = []
    for group in sorted(p for p in MESSAGES.iterdir() if p.is_dir()):
        path = group / f"{group.name}{suffix}.properties"
        entry = f"assets/messages/{group.name}/{path.name}"
        for key, value in read_properties(path):
            assets.append(text_asset(f"{entry}#{key}", edit(value), key, locale))
    return assets


@cache
def shattered(locale: str) -> tuple[Print, ...]:
    return tuple(fingerprint(shattered_assets(locale)))


def timed_match(
    label: str, baseline: list[Print] | tuple[Print, ...], suspect: list[Print] | tuple[Print, ...]
) -> MatchResult:
    start = time.perf_counter()
    result = TextMatcher().match(baseline, suspect, SETTINGS)
    elapsed = time.perf_counter() - start
    sizes = f"{len(baseline)} x {len(suspect)} strings"
    print(f"\n{label}: {sizes}, {len(result.matches)} matched in {elapsed:.2f} s")
    return result


def weighted_share(baseline: tuple[Print, ...] | list[Print], result: MatchResult) -> float:
    weights = dict(result.weights)
    total = sum(weights.get(p.asset.path, 1.0) for p in baseline)
    found = sum(weights.get(m.baseline, 1.0) * m.similarity for m in result.matches)
    return found / total


# -- the real corpus -------------------------------------------------------------------------------------


def test_english_and_chinese_of_one_game_do_not_match_as_text() -> None:
    english, chinese = shattered(""), shattered("zh")
    assert len(english) > 4500
    result = timed_match("en vs zh", english, chinese)
    # only untranslated bits (names, numbers, symbols) reappear, and they weigh little
    assert len(result.matches) < 0.01 * len(english)
    assert weighted_share(english, result) < 0.01
    assert all(m.method in ("sha256", "normalised-text", "fuzzy") for m in result.matches)


def test_real_traditional_translation_matches_where_it_is_a_conversion() -> None:
    # The zh-hant file is partly its own translation (暴雪 vs 暴风雪), so only part of it is a conversion.
    simplified, traditional = shattered("zh"), shattered("zh-hant")
    result = timed_match("zh vs zh-hant (real)", simplified, traditional)
    assert 0.35 < len(result.matches) / len(simplified) < 0.7
    exact = [m for m in result.matches if m.method != "fuzzy"]
    suspect_text = {p.asset.path: p.asset.text for p in traditional}
    # every exact match is marked "traditional" unless its zh-hant string has no Traditional-only character
    unmarked = [m for m in exact if "traditional" not in m.transforms]
    assert len(unmarked) < 0.3 * len(exact)
    assert all(to_simplified(suspect_text[m.suspect]) == suspect_text[m.suspect] for m in unmarked)
    assert result.differences == ()  # the two tables mostly disagree: changed values are no name edits


def test_converted_copy_matches_nearly_everything_with_traditional_transform() -> None:
    """What a copier does: the Simplified strings run through a converter and shipped as zh-Hant."""
    to_traditional = OpenCC("s2t")
    simplified = shattered("zh")
    copy = fingerprint(
        [
            text_asset(
                p.asset.path.replace("_zh.properties", "_zh-hant.properties"),
                to_traditional.convert(p.asset.text),
                p.asset.key,
                "zh-hant",
            )
            for p in simplified
        ]
    )
    result = timed_match("zh vs zh converted to zh-hant", simplified, copy)
    assert len(result.matches) >= 0.99 * sum(1 for p in simplified if p.value("text"))
    converted = [m for m in result.matches if m.baseline.replace("_zh.", "_zh-hant.") == m.suspect]
    assert len(converted) == len(result.matches)
    changed = {p.asset.path for p in simplified if to_traditional.convert(p.asset.text) != p.asset.text}
    marked = {m.baseline for m in result.matches if "traditional" in m.transforms}
    assert len(changed) > 0.85 * len(result.matches)
    # OpenCC does not round-trip a few variants (s2t 背包 -> 揹包, and t2s keeps 揹): 13 of 4,830 strings
    assert marked <= changed
    assert len(changed - marked) < 0.005 * len(changed)
    assert weighted_share(simplified, result) > 0.99


def test_fuzzy_search_over_fourteen_thousand_edited_strings() -> None:
    """Every string of all three locales edited (so nothing matches exactly): the fuzzy worst case."""
    everything = [*shattered(""), *shattered("zh"), *shattered("zh-hant")]
    edited = fingerprint(
        [
            asset
            for locale in ("", "zh", "zh-hant")
            for asset in shattered_assets(locale, lambda v: v + " 私服" if len(v) > 30 else v)
        ]
    )
    result = timed_match("all locales vs all locales edited", everything, edited)
    fuzzy = [m for m in result.matches if m.method == "fuzzy"]
    assert len(fuzzy) > 3000
    assert all(m.similarity >= 0.9 and "edited" in m.transforms for m in fuzzy)
    assert len(result.matches) > 0.99 * sum(1 for p in everything if p.value("text"))


# -- matching rules --------------------------------------------------------------------------------------


def test_methods_transforms_and_evidence() -> None:
    baseline = fingerprint(
        [
            text_asset("b#title", "Dragon Saga", "title"),
            text_asset("b#welcome", "欢迎来到龙之传说", "welcome", "zh"),
            text_asset("b#level", "Level %d reached!", "level"),
            text_asset("b#story", "The ancient dragon sleeps beneath the mountain of fire.", "story"),
        ]
    )
    suspect = fingerprint(
        [
            text_asset("s#title", "Dragon Saga", "title"),
            text_asset("s#welcome", "歡迎來到龍之傳說私服", "welcome", "zh-Hant"),
            text_asset("s#level", "LEVEL {0} REACHED", "level"),
            text_asset("s#story", "The ancient dragon sleeps beneath the mountain of ice.", "story"),
        ]
    )
    matches = {m.baseline: m for m in TextMatcher().match(baseline, suspect, SETTINGS).matches}
    assert matches["b#title"].method == "sha256"
    assert matches["b#level"].method == "normalised-text"
    welcome = matches["b#welcome"]
    assert (welcome.method, welcome.suspect, welcome.transforms) == (
        "fuzzy",
        "s#welcome",
        ("edited", "traditional"),
    )
    assert welcome.evidence.startswith("fuzzy 100 (contained):")
    story = matches["b#story"]
    assert story.method == "fuzzy" and 0.9 <= story.similarity < 1.0
    assert story.evidence.startswith("fuzzy ") and "(ratio)" in story.evidence
    assert all(m.category is Category.TEXT for m in matches.values())


def test_renamed_name_inside_a_short_string_needs_containment_not_ratio() -> None:
    assert fuzz.ratio("欢迎来到龙之传说", "欢迎来到龙之传说私服") < 90
    hits = best_fuzzy_matches(["欢迎来到龙之传说"], ["欢迎来到龙之传说私服", "欢迎来到别的游戏"], 90.0)
    assert hits["欢迎来到龙之传说"].scorer == "contained"
    assert hits["欢迎来到龙之传说"].choices == (0,)
    # the length guard: a short string inside a much longer one is no copy of it
    assert best_fuzzy_matches(["攻击敌人的怪物"], ["攻击敌人的怪物会掉落更多的金币和经验值奖励"], 90.0) == {}


def test_equally_good_candidates_prefer_the_same_key() -> None:
    baseline = fingerprint([text_asset("b#k2", "Open the door", "k2")])
    suspect = fingerprint(
        [text_asset("s#k1", "Open the door", "k1"), text_asset("s#k2", "Open the door", "k2")]
    )
    (match,) = TextMatcher().match(baseline, suspect, SETTINGS).matches
    assert match.suspect == "s#k2"


def test_matching_is_deterministic() -> None:
    baseline, suspect = shattered("zh")[:800], shattered("zh-hant")[:800]
    first = TextMatcher().match(baseline, suspect, SETTINGS)
    second = TextMatcher().match(list(reversed(baseline)), list(reversed(suspect)), SETTINGS)
    assert first == second


def test_fast_fuzzy_search_agrees_with_brute_force() -> None:
    """Reference first: the blocked search finds the same best score as scoring every pair."""
    rng = random.Random(7)
    pool = sorted(
        {p.value("text") or "" for p in shattered("")} | {p.value("text") or "" for p in shattered("zh")}
    )
    pool = [t for t in pool if len(t) >= 2]
    queries = rng.sample(pool, 300)
    choices = rng.sample(pool, 1500)
    for text in rng.sample(queries, 150):  # plant edited copies: dropped, swapped and inserted characters
        chars = list(text)
        for _ in range(max(1, len(chars) // 25)):
            position = rng.randrange(len(chars))
            operation = rng.choice(("drop", "swap", "insert"))
            if operation == "drop" and len(chars) > 1:
                del chars[position]
            elif operation == "swap":
                chars[position] = rng.choice("abcxyz的了是")
            else:
                chars.insert(position, rng.choice("abcxyz的了是"))
        choices.append("".join(chars))
    fast = best_fuzzy_matches(queries, choices, 90.0)
    for query in queries:
        best_ratio = float(process.cdist([query], choices, scorer=fuzz.ratio)[0].max())
        if best_ratio >= 90:
            assert (fast[query].scorer, fast[query].score) == ("ratio", pytest.approx(best_ratio, abs=0.01))
            continue
        longer = [c for c in choices if len(query) < len(c) <= len(query) / 0.6]
        contained = max((100 * LCSseq.similarity(query, c) / len(query) for c in longer), default=0.0)
        if 6 <= len(query) < 48 and contained >= 90:
            assert (fast[query].scorer, fast[query].score) == (
                "contained",
                pytest.approx(contained, abs=0.01),
            )
        else:
            assert query not in fast


def test_long_string_filter_loses_no_pair_near_the_cutoff() -> None:
    """The pigeonhole filter for long strings is exact: edited copies scoring just above and just below the
    cutoff, among thousands of other long strings, give the same best score as scoring every pair."""
    rng = random.Random(11)
    long_texts = sorted(
        {t for p in (*shattered(""), *shattered("zh")) if len(t := p.value("text") or "") >= 48}
    )
    queries = rng.sample(long_texts, 200)
    choices = [t for t in long_texts if t not in set(queries)]
    for text in queries:
        chars = list(text)
        for _ in range(max(1, rng.choice((8, 16, 24)) * len(chars) // 100)):  # ratio about 96, 92 or 88
            position = rng.randrange(len(chars))
            if rng.random() < 0.5:
                del chars[position]
            else:
                chars.insert(position, rng.choice("xyz的"))
        choices.append("".join(chars))
    fast = best_fuzzy_matches(queries, choices, 90.0)
    reference = process.cdist(queries, choices, scorer=fuzz.ratio, workers=-1)
    expected = {q: float(reference[i].max()) for i, q in enumerate(queries) if reference[i].max() >= 90}
    assert 50 < len(expected) < 200  # both sides of the cutoff are exercised
    assert {q: hit.score for q, hit in fast.items()} == {
        q: pytest.approx(v, abs=0.01) for q, v in expected.items()
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="ab 的了\x00", max_size=90), min_size=1, max_size=8),
    st.lists(st.text(alphabet="ab 的了\x00", max_size=90), min_size=1, max_size=12),
)
def test_fuzzy_search_agrees_with_brute_force_on_repetitive_text(
    queries: list[str], choices: list[str]
) -> None:
    """Repetitive strings over a tiny alphabet (the same trigram in many pieces, NUL inside) are where a
    pigeonhole filter would slip; the best ratio must still be the brute-force best."""
    fast = best_fuzzy_matches(queries, choices, 90.0)
    clean = [c.replace("\x00", " ") for c in choices]
    for query in queries:
        best = max(fuzz.ratio(query.replace("\x00", " "), c) for c in clean)
        hit = fast.get(query)
        if best >= 90:
            assert hit is not None and hit.scorer == "ratio" and hit.score == pytest.approx(best, abs=0.01)
        else:
            assert hit is None or hit.scorer == "contained"


# -- weights ---------------------------------------------------------------------------------------------


def test_generic_short_and_repeated_strings_weigh_little() -> None:
    assert "确定" in GENERIC_STRINGS and "cancel" in GENERIC_STRINGS
    assert string_weight("确定", 1, SETTINGS) == pytest.approx(0.025)  # 4/16 * 0.1
    assert string_weight("ok", 1, SETTINGS) == pytest.approx(0.0125)
    assert string_weight("42", 1, SETTINGS) == 0.0
    assert string_weight("", 1, SETTINGS) == 0.0
    assert string_weight("x", 1, SETTINGS) == 0.05
    assert string_weight("the ancient dragon sleeps", 1, SETTINGS) == 1.0
    assert string_weight("古龙在火山下沉睡", 1, SETTINGS) == 1.0
    assert string_weight("the ancient dragon sleeps", 4, SETTINGS) == 0.25
    assert string_weight("attack", 1, SETTINGS) == pytest.approx(0.375)


def test_weights_are_reported_for_every_string_that_counts_less() -> None:
    baseline = fingerprint(
        [
            text_asset("b#ok", "OK"),
            text_asset("b#ok2", "Ok!"),
            text_asset("b#story", "The ancient dragon sleeps beneath the mountain."),
        ]
    )
    result = TextMatcher().match(baseline, fingerprint([text_asset("s#ok", "OK")]), SETTINGS)
    assert dict(result.weights) == {"b#ok": 0.0063, "b#ok2": 0.0063}
    assert [m.weight for m in result.matches] == [0.0063, 0.0063]


def test_document_frequency_learned_from_baselines_weighs_shared_strings_down() -> None:
    """Strings that several unrelated baseline games use ("Attack", "Level up!") are generic; a string only
    one game has keeps its full weight. Learned from the games' own text prints."""
    games = [
        fingerprint([text_asset(f"g{g}#{i}", value) for i, value in enumerate(values)])
        for g, values in enumerate(
            (
                ["Attack", "Level up!", "The ancient dragon sleeps beneath the mountain."],
                ["Attack", "Level up!", "Plant carrots before the first frost."],
                ["Attack", "Welcome to the space station, commander."],
            )
        )
    ]
    learned = learn_document_frequency(games)
    assert learned.games == 3 and learned.counts["attack"] == 3 and learned.counts["level up"] == 2
    assert learned.factor("attack") == pytest.approx(0.1)  # every game: as generic as OK
    assert learned.factor("level up") == pytest.approx(0.55)  # 2 of 3 games: halfway
    assert learned.factor("the ancient dragon sleeps beneath the mountain") == 1.0
    assert learned.factor("ok") == pytest.approx(0.1)  # the built-in generic words stay generic
    # the matcher built with it weighs the shared strings of a suspect's copy down
    baseline = games[0]
    plain = dict(TextMatcher().match(baseline, baseline, SETTINGS).weights)
    weighted = dict(TextMatcher(learned).match(baseline, baseline, SETTINGS).weights)
    assert plain["g0#0"] == pytest.approx(0.375) and weighted["g0#0"] == pytest.approx(0.0375)  # 6/16 * 0.1
    assert plain["g0#1"] == pytest.approx(0.4375)  # 'level up': 7 effective characters of 16
    assert weighted["g0#1"] == pytest.approx(round(0.4375 * 0.55, 4))
    assert "g0#2" not in weighted  # the game's own sentence counts fully


def test_the_prior_is_the_generic_word_list() -> None:
    assert PRIOR.factor("确定") == pytest.approx(0.1) and PRIOR.factor("dragon") == 1.0
    assert DocumentFrequency(1, {"x": 1}).factor("x") == 1.0  # one game says nothing about genericity


# -- differences -----------------------------------------------------------------------------------------

ZONES = {
    "zone.1": ("青龙区", "至尊一区"),
    "zone.2": ("白虎区", "至尊二区"),
    "intro": ("欢迎来到青龙区，勇士！你的冒险从这里开始。", "欢迎来到至尊一区，勇士！你的冒险从这里开始。"),
}


def _game(names: dict[str, str], prefix: str) -> list[Print]:
    common = {f"ui.{i}": f"这是第{i}条完全相同的界面文字，用于证明复制" for i in range(10)}
    values = {**common, **names}
    return fingerprint(
        [text_asset(f"{prefix}/strings_zh.properties#{k}", v, k, "zh") for k, v in values.items()]
    )


def test_renamed_zones_in_a_copied_string_table_are_differences() -> None:
    baseline = _game({k: b for k, (b, _) in ZONES.items()}, "base")
    suspect = _game({k: s for k, (_, s) in ZONES.items()}, "copy")
    result = TextMatcher().match(baseline, suspect, SETTINGS)
    differences = [(d.field, d.baseline, d.suspect, d.where) for d in result.differences]
    assert differences == [
        (
            "text",
            "欢迎来到青龙区，勇士！你的冒险从这里开始。",
            "欢迎来到至尊一区，勇士！你的冒险从这里开始。",
            "copy/strings_zh.properties#intro",
        ),
        ("text", "青龙区", "至尊一区", "copy/strings_zh.properties#zone.1"),
        ("text", "白虎区", "至尊二区", "copy/strings_zh.properties#zone.2"),
    ]


def test_unrelated_string_tables_report_no_text_differences() -> None:
    baseline = fingerprint(
        [text_asset(f"a#k{i}", f"first game line number {i} about dragons", f"k{i}") for i in range(5)]
    )
    suspect = fingerprint(
        [text_asset(f"b#k{i}", f"second game text {i} about space ships", f"k{i}") for i in range(5)]
    )
    assert TextMatcher().match(baseline, suspect, SETTINGS).differences == ()
