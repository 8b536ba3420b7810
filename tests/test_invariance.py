"""Invariance of image matching to what pirates do to art (benchmarks/transforms.py), one test per transform:
each asserts that every copy is found, matched to its own original among distractors, and that the match
names what was done. Then atlas repacks, letterboxed screenshots, UI elements inside screenshots, tiny art
that carries no evidence, and property tests of the fast paths against plain reference implementations."""

from __future__ import annotations

import io
import random
from functools import cache

import numpy as np
import pytest
from corpus import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st
from imageprints import image_asset, prints_of
from PIL import Image

from benchmarks import transforms
from clonedetect.fingerprint.image import ImageFingerprinter
from clonedetect.match import verify
from clonedetect.match.images import ImageMatcher, informative
from clonedetect.match.text import DocumentFrequency, learn_document_frequency
from clonedetect.model import Asset, AssetKind, Category, Fingerprint, Frame, Match, Print
from clonedetect.settings import Settings
from clonedetect.unpack.memory import MemorySource
from samples import art as sample_art

SPD = CORPUS / "shattered-pixel-dungeon/core/src/main/assets"
TUX = CORPUS / "tuxemon/mods/tuxemon/gfx"
FC = CORPUS / "freeciv21/data"
# real art of every shape the matcher meets: sprites with alpha, a sheet strip, an opaque splash, an icon
ORIGINALS = {
    "monster.png": TUX / "sprites/battle/agnidon-front.png",
    "item.png": TUX / "items/sledgehammer.png",
    "unit.png": FC / "tilesets/units/knights.png",
    "sheet.png": SPD / "sprites/rat.png",
    "toolbar.png": SPD / "interfaces/toolbar.png",
    "splash.jpg": SPD / "splashes/caves.jpg",
    "icon.png": CORPUS / "shattered-pixel-dungeon/android/src/main/res/mipmap-xxxhdpi/ic_launcher.png",
}
DISTRACTORS = {
    "other/monster.png": TUX / "sprites/battle/apeoro-front.png",
    "other/unit.png": FC / "tilesets/units/musketeers.png",
    "other/sheet.png": SPD / "sprites/gnoll.png",
    "other/splash.jpg": SPD / "splashes/city.jpg",
    "other/icon.png": TUX / "icon_128.png",
}


@cache
def originals() -> dict[str, Image.Image]:
    return {name: Image.open(path).convert("RGBA") for name, path in ORIGINALS.items()}


@cache
def baseline_prints() -> tuple[Print, ...]:
    return tuple(prints_of({name: transforms.png(image) for name, image in originals().items()}))


def distractor_files() -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in DISTRACTORS.items()}


# (transform, original): labels the thumbnails cannot show, with the reason
UNLABELLED = {
    ("watermark", "sheet.png"): "a 256 x 64 strip: in its 128 x 32 thumbnail the word's rim is under a pixel",
}


def symmetric(image: Image.Image) -> bool:
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    return float(np.abs(pixels - pixels[:, ::-1]).mean()) < 0.02


def colour_change(original: Image.Image, copy: bytes, mirrored: bool) -> float:
    """Mean RGB change (0..255) of the visible pixels: a darkened dark sprite hardly changes at all."""
    before = np.asarray(original, dtype=np.float32)
    after = np.asarray(transforms.decode(transforms.Encoded(copy, "png")), dtype=np.float32)
    if mirrored:
        after = after[:, ::-1]
    if before.shape != after.shape:
        return 255.0
    visible = before[..., 3] > 127
    return float(np.abs(before[..., :3] - after[..., :3])[visible].mean()) if visible.any() else 0.0


@pytest.mark.parametrize("name", [t.name for t in transforms.TRANSFORMS])
def test_every_transform_is_matched_to_its_own_original_and_named(name: str) -> None:
    transform = transforms.BY_NAME[name]
    copies: dict[str, str] = {}
    files = distractor_files()
    for original, image in originals().items():
        if transform.applies(image):
            encoded = transform.apply(image, random.Random(f"{name}/{original}"))
            copies[original] = f"copy/{original}.{encoded.extension}"
            files[copies[original]] = encoded.data
    assert copies, f"{name} applies to none of the originals"
    found = {
        m.baseline: m
        for m in ImageMatcher().match(list(baseline_prints()), prints_of(files), Settings()).matches
    }
    for original, copy in copies.items():
        match = found.get(original)
        assert match is not None, f"{name}: {original} not found"
        assert match.suspect == copy, (name, original, match.suspect, match.evidence)
        expected = set(transform.expected)
        if "mirrored" in expected and symmetric(originals()[original]):
            expected.discard("mirrored")  # a mirror-symmetric picture looks the same mirrored
        if (
            "recoloured" in expected
            and colour_change(originals()[original], files[copy], "mirror" in name) < 12
        ):
            expected.discard("recoloured")  # the colours hardly moved: a faithful copy
        if (name, original) in UNLABELLED:
            expected = set()
        assert expected <= set(match.transforms), (name, original, match.transforms, match.evidence)
    unmatched = {m.baseline for m in found.values()} - set(copies)
    assert not unmatched, f"{name}: matched without a copy: {unmatched}"


def test_frames_of_a_repacked_atlas_are_matched_and_named_repacked() -> None:
    sprites = {name: originals()[name] for name in ("monster.png", "item.png", "unit.png")}
    page = sample_art.pack_atlas({n.removesuffix(".png"): i for n, i in sprites.items()}, rotate=["unit"])
    page_bytes = transforms.png(page.image)
    assets = []
    for frame in page.frames:
        rect = Frame(frame.x, frame.y, frame.w, frame.h, frame.rotated, frame.trim_x, frame.trim_y,
                     frame.source_w, frame.source_h)  # fmt: skip
        assets.append(image_asset(f"atlas.png#{frame.name}", page_bytes, "atlas.png", rect))
    suspect, warnings = ImageFingerprinter().fingerprint(
        assets, MemorySource({"atlas.png": page_bytes}), Settings()
    )
    assert not warnings
    baseline = [p for p in baseline_prints() if p.asset.path in sprites]
    found = {m.baseline: m for m in ImageMatcher().match(baseline, suspect, Settings()).matches}
    for name in sprites:
        match = found[name]
        assert match.suspect == f"atlas.png#{name.removesuffix('.png')}"
        assert match.similarity == 1.0 and "repacked" in match.transforms, match


def screenshot(wide: bool, hud: str) -> bytes:
    """A battle screen of real Tuxemon UI at 3x: background, HP tray, d-pad; 19.5:9 pillar-boxed if wide."""
    canvas = Image.new("RGBA", (1280, 720), (20, 22, 30, 255))
    background = Image.open(TUX / "ui/combat/forest_background.png").convert("RGBA")
    canvas.alpha_composite(background.resize((1280, 512), Image.Resampling.NEAREST))
    for path, position in (("ui/combat/hp_player_nohp.png", (840, 360)), ("d-pad.png", (40, 560))):
        element = Image.open(TUX / path).convert("RGBA")
        canvas.alpha_composite(
            element.resize((element.width * 3, element.height * 3), Image.Resampling.NEAREST), position
        )
    from PIL import ImageDraw

    ImageDraw.Draw(canvas).text((880, 380), hud, fill=(255, 255, 255, 255), font=transforms._font(30))
    image = canvas.convert("RGB")
    buffer = io.BytesIO()
    if wide:
        framed = Image.new("RGB", (1560, 720), (0, 0, 0))
        framed.paste(image, (140, 0))
        framed.resize((1170, 540), Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=82)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_letterboxed_screenshot_with_other_hud_numbers_matches_the_original() -> None:
    baseline = prints_of({"screenshots/01.png": screenshot(False, "HP 45/60")}, Category.UI)
    suspect = prints_of({"screenshots/01.jpg": screenshot(True, "HP 99/99")}, Category.UI)
    match = ImageMatcher().match(baseline, suspect, Settings()).matches[0]
    assert match.suspect == "screenshots/01.jpg"
    assert {"letterboxed", "re-encoded"} <= set(match.transforms), match


def test_baseline_ui_elements_are_found_inside_suspect_screenshots() -> None:
    elements = {
        path.rsplit("/", 1)[-1]: (TUX / path).read_bytes()
        for path in ("ui/combat/hp_player_nohp.png", "d-pad.png")
    }
    unrelated = {"banners.png": (SPD / "interfaces/banners.png").read_bytes()}
    baseline = prints_of(elements | unrelated, Category.UI)
    suspect = prints_of({"screenshots/01.jpg": screenshot(True, "HP 99/99")}, Category.UI)
    found = {m.baseline: m for m in ImageMatcher().match(baseline, suspect, Settings()).matches}
    assert set(found) == set(elements)
    for match in found.values():
        assert match.method == "inside-screenshot" and match.transforms == ("inside-screenshot",)
        assert match.category is Category.UI and "found inside the screenshot" in match.evidence
    # nothing of the baseline is found inside another game's splash art
    other = prints_of({"splash.jpg": (SPD / "splashes/halls.jpg").read_bytes()}, Category.UI)
    assert ImageMatcher().match(baseline, other, Settings()).matches == ()


def test_a_few_visible_pixels_are_no_evidence() -> None:
    """Two UI skins share a 5-pixel arrow in other colours: too little drawing to call a copy."""
    classic = prints_of({"arrow.png": (FC / "themes/Classic/combo-arrow.png").read_bytes()}, Category.UI)
    night = prints_of({"arrow.png": (FC / "themes/NightStalker/combo-arrow.png").read_bytes()}, Category.UI)
    assert not informative(classic[0]) and ImageMatcher().match(classic, night, Settings()).matches == ()


# --- property tests of the fast paths against plain references --------------------------------------------


cells = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=16, max_size=16)


@settings(max_examples=100, deadline=None)
@given(
    cells, st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=3, max_size=3), st.integers(0, 2**31)
)
def test_fitted_background_is_the_least_squares_colour(
    alpha: list[float], colour: list[float], seed: int
) -> None:
    """An opaque copy flattened onto a colour: the closed form recovers it like numpy's lstsq."""
    rng = np.random.default_rng(seed)
    base_alpha = np.array(alpha, dtype=np.float64)
    base = np.concatenate([rng.random((16, 3)) * base_alpha[:, None], base_alpha[:, None]], axis=1)
    suspect = base[:, :3] + np.array(colour) * (1.0 - base_alpha[:, None])
    fitted = verify.fitted_background(
        base.astype(np.float32), np.concatenate([suspect, np.ones((16, 1))], axis=1)
    )
    weight = 1.0 - base_alpha
    if float((weight * weight).sum()) < 0.5:
        assert fitted is None
        return
    reference = np.linalg.lstsq(weight[:, None], suspect - base[:, :3], rcond=None)[0][0]
    assert fitted is not None
    assert np.allclose(fitted, np.clip(reference, 0.0, 1.0), atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(st.integers(8, 40), st.integers(8, 40), st.integers(0, 2**31))
def test_a_thumbnail_verified_against_itself_is_an_exact_placement(
    width: int, height: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    rgba = (rng.random((height, width, 4)) * 255).astype(np.uint8)
    rgba[..., 3] = 255
    item = prints_of({"a.png": transforms.png(Image.fromarray(rgba, "RGBA"))})[0]
    first = verify.view(item, verify.grey_colour(0.5), False)
    assert first is not None
    result = verify.verify(first, first, verify.grey_colour(0.5))
    assert result.accepted and result.transforms == () and result.similarity == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(12, 30), st.integers(12, 30), st.integers(0, 2**31))
def test_locate_finds_the_position_brute_force_finds(width: int, height: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    outer = rng.random((height + 9, width + 7)).astype(np.float32)
    top, left = int(rng.integers(0, 10)), int(rng.integers(0, 8))
    inner = outer[top : top + height, left : left + width].copy()
    found = verify.locate(outer, inner, [1.0])
    assert found is not None and (found.left, found.top) == (left, top)

    def ncc(y: int, x: int) -> float:  # the plain normalised cross-correlation
        patch = outer[y : y + height, x : x + width]
        return float(np.corrcoef(patch.ravel(), inner.ravel())[0, 1])

    best = max((ncc(y, x), x, y) for y in range(10) for x in range(8))
    assert (best[1], best[2]) == (left, top) and found.correlation == pytest.approx(best[0], abs=1e-3)


texts = st.lists(
    st.sets(st.sampled_from(["ok", "cancel", "dragon", "火球", "slime", "gold coins"]), max_size=6),
    max_size=5,
)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_learned_document_frequency_counts_each_game_once(games: list[set[str]]) -> None:
    def text_print(game: int, index: int, value: str) -> Print:
        asset = Asset(
            f"g{game}/{index}", "s", AssetKind.TEXT, Category.TEXT, "text/plain", "0" * 64, 1, "t", text=value
        )
        return Print(asset, (Fingerprint("text", 1, value), Fingerprint("traditional", 1, "0")))

    prints = [[text_print(g, i, v) for i, v in enumerate(sorted(game) * 2)] for g, game in enumerate(games)]
    learned = learn_document_frequency(prints)
    assert learned.games == len(games)
    for value in ("dragon", "slime", "gold coins", "火球"):
        assert learned.counts.get(value, 0) == sum(1 for game in games if value in game)
    reference = DocumentFrequency(len(games), learned.counts)
    for value, seen in learned.counts.items():
        share = (min(seen, len(games)) - 1) / (len(games) - 1) if len(games) >= 2 and seen >= 2 else 0.0
        assert reference.factor(value) == pytest.approx(1.0 - 0.9 * share, abs=1e-4)


def test_matches_carry_no_transform_for_an_untouched_copy() -> None:
    original = baseline_prints()
    result = ImageMatcher().match(list(original), list(original), Settings())
    assert all(isinstance(m, Match) and m.method == "sha256" and m.transforms == () for m in result.matches)
