"""Image matching: exact, near and verified matches, transform labels, no matches between different art."""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from corpus import CORPUS
from hypothesis import given
from hypothesis import strategies as st
from imageprints import prints_of
from PIL import Image, ImageDraw, ImageOps

from clonedetect.match import images as matching
from clonedetect.match import verify as verification
from clonedetect.match.images import ImageMatcher
from clonedetect.match.verify import (
    BEST_CASE,
    MIN_CORRELATION,
    RECOLOUR_MIN_SIDE,
    Verification,
    could_be_accepted,
)
from clonedetect.match.verify import Comparison as Placed
from clonedetect.model import Category, Match, MatchResult, Print
from clonedetect.settings import Settings

TUXEMON = CORPUS / "tuxemon/mods/tuxemon/gfx/sprites/battle"
SHATTERED = CORPUS / "shattered-pixel-dungeon"
SPRITES = SHATTERED / "core/src/main/assets/sprites"
ICON = SHATTERED / "android/src/main/res/mipmap-xxxhdpi/ic_launcher.png"
DEBUG_ICON = SHATTERED / "android/src/debug/res/mipmap-xxxhdpi/ic_launcher.png"

# Shattered Pixel Dungeon draws some sprites on shared bases: the six hero sheets are one body with
# different heads, the gnoll family and skeleton/undead share bodies, fungal core/sentry are one mushroom
# at two sizes. Pairs within these families are derived art, not false matches.
DERIVED_FAMILIES = (
    {"warrior", "mage", "rogue", "huntress", "duelist", "cleric"},
    {"gnoll", "shaman", "brute", "gnoll_geomancer", "gnoll_guard", "gnoll_sapper"},
    {"skeleton", "undead"},
    {"fungal_core", "fungal_sentry"},
    {"spinner", "fungal_spinner"},
)


# --- helpers ---------------------------------------------------------------------------------------------


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> bytes:
    flat = Image.new("RGB", image.size, background)
    flat.paste(image, mask=image.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def hue_shift(image: Image.Image, degrees: int = 120) -> Image.Image:
    alpha = image.getchannel("A")
    hue, saturation, value = image.convert("RGB").convert("HSV").split()
    hue = hue.point(lambda h: (h + degrees * 256 // 360) % 256)
    shifted = Image.merge("HSV", (hue, saturation, value)).convert("RGBA")
    shifted.putalpha(alpha)
    return shifted


def badge(image: Image.Image) -> Image.Image:
    marked = image.copy()
    width, height = marked.size
    radius = max(3, int(min(width, height) * 0.3))
    ImageDraw.Draw(marked).ellipse([width - radius - 1, 0, width - 1, radius], fill=(220, 20, 20, 255))
    return marked


def crop(image: Image.Image, share: float = 0.06) -> Image.Image:
    width, height = image.size
    dx, dy = max(1, round(width * share)), max(1, round(height * share))
    return image.crop((dx, dy, width - dx, height - dy))


def colour_change(image: Image.Image) -> float:
    """Mean RGB change a 120 degree hue shift makes to the visible pixels (0 for a grey sprite)."""
    before = np.asarray(image, dtype=np.float32)
    after = np.asarray(hue_shift(image), dtype=np.float32)
    visible = before[..., 3] > 0
    return float(np.abs(before[..., :3] - after[..., :3])[visible].mean()) if visible.any() else 0.0


def resized(image: Image.Image, factor: float, method: Image.Resampling) -> Image.Image:
    return image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))), method)


TRANSFORMS: dict[str, tuple[Callable[[Image.Image], bytes], str]] = {
    "jpeg": (jpeg, "re-encoded"),
    "jpeg-black": (lambda image: jpeg(image, (0, 0, 0)), "re-encoded"),
    "half": (lambda image: png(resized(image, 0.5, Image.Resampling.LANCZOS)), "scaled"),
    "double": (lambda image: png(resized(image, 2.0, Image.Resampling.NEAREST)), "scaled"),
    "mirror": (lambda image: png(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), "mirrored"),
    "hue": (lambda image: png(hue_shift(image)), "recoloured"),
    "crop": (lambda image: png(crop(image)), "cropped"),
    "badge": (lambda image: png(badge(image)), "overlaid"),
}


def generated_sprite(seed: int, size: int = 64) -> Image.Image:
    """A colourful, asymmetric creature on a transparent background."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    body = tuple(rng.randrange(60, 256) for _ in range(3))
    left, top = rng.randrange(6, 16), rng.randrange(10, 20)
    draw.ellipse(
        [left, top, size - rng.randrange(6, 14), size - 6], fill=(*body, 255), outline=(20, 20, 30, 255)
    )
    draw.rectangle([left, top - 8, left + 12, top + 4], fill=(250, rng.randrange(256), 40, 255))
    draw.ellipse([size // 2, top + 8, size // 2 + 8, top + 16], fill=(255, 255, 255, 255))
    for _ in range(4):
        x, y = rng.randrange(8, size - 8), rng.randrange(top, size - 8)
        draw.line([x, y, x + rng.randrange(-8, 8), y + 8], fill=(30, 30, 120, 255), width=2)
    return image


def by_baseline(result: MatchResult) -> dict[str, Match]:
    return {m.baseline: m for m in result.matches}


def assert_copies_found(originals: dict[str, Image.Image], transform: str) -> dict[str, Match]:
    """Every original finds its own transformed copy among all the copies, labelled with the transform."""
    make, label = TRANSFORMS[transform]
    baseline = prints_of({name: png(image) for name, image in originals.items()})
    suspect = prints_of({f"copy/{name}": make(image) for name, image in originals.items()})
    found = by_baseline(ImageMatcher().match(baseline, suspect, Settings()))
    assert sorted(found) == sorted(originals), f"{transform}: unmatched {sorted(set(originals) - set(found))}"
    for name, match in found.items():
        assert match.suspect == f"copy/{name}", (transform, name, match)
        if transform == "hue" and colour_change(originals[name]) < 8.0:
            # a hue shift leaves a grey sprite as it was: a faithful copy, not a recolour
            assert "recoloured" not in match.transforms, (name, match.evidence)
            continue
        assert label in match.transforms, (transform, name, match.transforms, match.evidence)
        exact = match.method in ("sha256", "pixels")
        assert (match.similarity == 1.0) if exact else (0.5 < match.similarity < 1.0), match
        assert match.category is Category.CHARACTERS and match.evidence
    return found


def real_sprites() -> dict[str, Image.Image]:
    """Every 25th Tuxemon monster (16) and the launcher icon: real art of two styles."""
    monsters = sorted(TUXEMON.glob("*-front.png"))[::25]
    images = {path.name: Image.open(path).convert("RGBA") for path in monsters}
    images["ic_launcher.png"] = Image.open(ICON).convert("RGBA")
    return images


# --- exact -----------------------------------------------------------------------------------------------


def test_identical_bytes_match_by_sha256_and_identical_pixels_as_re_encoded() -> None:
    image = generated_sprite(1)
    data = png(image)
    other = io.BytesIO()
    image.save(other, "PNG", compress_level=1)
    baseline = prints_of({"a.png": data, "b.png": data})
    suspect = prints_of({"x/a.png": data, "x/b.webp": other.getvalue()})
    result = ImageMatcher().match(baseline, suspect, Settings())
    found = by_baseline(result)
    # both baseline files have the same bytes as x/a.png: the exact copy is preferred, then the first path
    assert found["a.png"].method == "sha256" and found["a.png"].similarity == 1.0
    assert found["a.png"].suspect == "x/a.png" and "identical file bytes" in found["a.png"].evidence
    assert result.weights == ()


def test_a_recompressed_png_is_an_exact_pixel_match() -> None:
    image = generated_sprite(2)
    other = io.BytesIO()
    image.save(other, "PNG", compress_level=1)
    found = by_baseline(
        ImageMatcher().match(
            prints_of({"a.png": png(image)}), prints_of({"b.png": other.getvalue()}), Settings()
        )
    )
    assert found["a.png"].method == "pixels" and found["a.png"].transforms == ("re-encoded",)
    assert found["a.png"].similarity == 1.0 and "png -> png" in found["a.png"].evidence


# --- transforms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_transformed_generated_sprites_are_found_with_the_transform(transform: str) -> None:
    assert_copies_found({f"g{seed}.png": generated_sprite(seed) for seed in range(8)}, transform)


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_transformed_real_sprites_are_found_with_the_transform(transform: str) -> None:
    assert_copies_found(real_sprites(), transform)


def test_the_greyscale_debug_icon_is_the_release_icon_recoloured() -> None:
    baseline = prints_of({"ic_launcher.png": ICON.read_bytes()}, Category.ICON)
    suspect = prints_of({"debug.png": DEBUG_ICON.read_bytes()}, Category.ICON)
    match = by_baseline(ImageMatcher().match(baseline, suspect, Settings()))["ic_launcher.png"]
    assert match.transforms == ("recoloured",) and match.category is Category.ICON
    assert match.similarity > 0.9


def test_icons_at_other_densities_are_scaled_copies() -> None:
    densities = {
        p.parent.name: p.read_bytes() for p in (SHATTERED / "android/src/main/res").glob("*/ic_launcher.png")
    }
    baseline = prints_of({"xxxhdpi.png": densities.pop("mipmap-xxxhdpi")}, Category.ICON)
    suspect = prints_of({f"{name}.png": data for name, data in densities.items()}, Category.ICON)
    assert len(suspect) >= 4
    for item in suspect:
        match = by_baseline(ImageMatcher().match(baseline, [item], Settings())).get("xxxhdpi.png")
        assert match is not None and "scaled" in match.transforms, item.asset.path


# --- no false matches ------------------------------------------------------------------------------------


def _sprite_prints(paths: list[Path]) -> list[Print]:
    return prints_of({f"{path.parent.name}/{path.name}": path.read_bytes() for path in paths})


def test_different_tuxemon_monsters_are_not_matched() -> None:
    monsters = sorted(TUXEMON.glob("*-front.png"))[::4][:90]
    first, second = _sprite_prints(monsters[::2]), _sprite_prints(monsters[1::2])
    assert ImageMatcher().match(first, second, Settings()).matches == ()
    assert ImageMatcher().match(second, first, Settings()).matches == ()


def test_different_shattered_sprites_are_not_matched_outside_their_derived_families() -> None:
    sprites = sorted(SPRITES.glob("*.png"))
    prints = _sprite_prints(sprites)
    for index, item in enumerate(prints):
        others = prints[:index] + prints[index + 1 :]
        for match in ImageMatcher().match([item], others, Settings()).matches:
            pair = {Path(match.baseline).stem, Path(match.suspect).stem}
            assert any(pair <= family for family in DERIVED_FAMILIES), match


def test_art_of_different_games_is_not_matched() -> None:
    tuxemon = _sprite_prints(sorted(TUXEMON.glob("*-front.png"))[::5])
    shattered = _sprite_prints(sorted(SPRITES.glob("*.png")))
    assert ImageMatcher().match(tuxemon, shattered, Settings()).matches == ()
    assert ImageMatcher().match(shattered, tuxemon, Settings()).matches == ()


# --- tiny and blank images -------------------------------------------------------------------------------


def test_tiny_and_blank_images_only_match_exactly_and_weigh_little() -> None:
    tiny = Image.new("RGBA", (4, 4), (255, 0, 0, 255))
    blank = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    flat = Image.new("RGBA", (64, 64), (10, 200, 10, 255))
    other_flat = Image.new("RGBA", (64, 64), (10, 190, 10, 255))
    baseline = prints_of({"tiny.png": png(tiny), "blank.png": png(blank), "flat.png": png(flat)})
    suspect = prints_of({"s/tiny.png": png(tiny), "s/flat.png": png(other_flat)})
    result = ImageMatcher().match(baseline, suspect, Settings())
    assert result.weights == (("blank.png", 0.1), ("flat.png", 0.1), ("tiny.png", 0.1))
    found = by_baseline(result)
    assert set(found) == {"tiny.png"}  # the flat green is not matched to a slightly different flat green
    assert found["tiny.png"].method == "sha256" and found["tiny.png"].weight == 0.1


# --- mechanics -------------------------------------------------------------------------------------------


def test_hamming_matrix_counts_bits_like_python_and_the_fallback_agrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    left = rng.integers(0, 2**64, size=37, dtype=np.uint64)
    right = rng.integers(0, 2**64, size=23, dtype=np.uint64)
    expected = np.array([[(int(a) ^ int(b)).bit_count() for b in right] for a in left])
    assert (matching.hamming_matrix(left, right) == expected).all()
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert (matching.hamming_matrix(left, right) == expected).all()


def test_candidate_search_is_vectorised_and_fast() -> None:
    rng = np.random.default_rng(4)

    def side(count: int) -> matching.Hashes:
        words = rng.integers(0, 2**64, size=(3, 2, count), dtype=np.uint64)
        return matching.Hashes(
            prints=tuple(range(count)),  # type: ignore[arg-type]
            traits=(),
            phash=words,
            dhash=rng.integers(0, 2**64, size=(3, 2, count), dtype=np.uint64),
            edges=rng.integers(0, 2**64, size=(3, 2, count), dtype=np.uint64),
            trim_phash=rng.integers(0, 2**64, size=count, dtype=np.uint64),
            trim_dhash=rng.integers(0, 2**64, size=count, dtype=np.uint64),
            has_trim=np.ones(count, dtype=bool),
        )

    base, suspect = side(2000), side(3000)
    suspect.phash[:, 0, 1234] = base.phash[0, 0, 7]  # one planted copy
    suspect.dhash[:, 0, 1234] = base.dhash[0, 0, 7]
    start = time.perf_counter()
    candidates = list(matching.nearest(base, suspect))
    assert time.perf_counter() - start < 10.0
    assert len(candidates) == 2000 and all(1 <= len(row) <= 3 * matching.TOP_CANDIDATES for row in candidates)
    planted = next(c for c in candidates[7] if c.suspect == 1234)
    assert (planted.phash, planted.dhash, planted.mirrored) == (0, 0, False)


def test_results_do_not_depend_on_input_order() -> None:
    originals = {f"g{seed}.png": generated_sprite(seed) for seed in range(6)}
    baseline = prints_of({name: png(image) for name, image in originals.items()})
    suspect = prints_of({f"c/{name}": jpeg(hue_shift(image, 40)) for name, image in originals.items()})
    first = ImageMatcher().match(baseline, suspect, Settings())
    shuffled = ImageMatcher().match(list(reversed(baseline)), suspect[3:] + suspect[:3], Settings())
    assert first == shuffled and len(first.matches) == 6


def test_prints_without_thumbnails_hashes_or_with_malformed_values_are_handled() -> None:
    image = generated_sprite(5)
    (original,) = prints_of({"a.png": png(image)})
    no_thumbnail = Print(original.asset, original.fingerprints, original.width, original.height, b"not a png")
    copies = prints_of({"jpeg.jpg": jpeg(image), "crop.png": png(crop(image, 0.1))})
    # fingerprints alone still find the JPEG copy; the crop needs the thumbnails to be confirmed
    found = by_baseline(ImageMatcher().match([no_thumbnail], copies, Settings()))
    assert found["a.png"].suspect == "jpeg.jpg"
    cropped = [p for p in copies if p.asset.path == "crop.png"]
    assert ImageMatcher().match([no_thumbnail], cropped, Settings()).matches == ()
    assert ImageMatcher().match([original], cropped, Settings()).matches != ()  # with thumbnails it is found
    # an undecodable image keeps only its byte hash: found when copied byte for byte, never approximately
    byte_only = Print(original.asset, original.fingerprints[:1])
    result = ImageMatcher().match([byte_only], [original, *copies], Settings())
    assert [m.method for m in result.matches] == ["sha256"]
    assert ImageMatcher().match([byte_only], copies, Settings()).matches == ()
    # stored values are data too: malformed hashes make an image uninformative, not a crash
    garbled = Print(
        original.asset,
        tuple(type(f)(f.algorithm, f.version, "zz" + f.value[2:]) for f in original.fingerprints),
        original.width,
        original.height,
        original.thumbnail,
    )
    assert not matching.informative(garbled)
    assert ImageMatcher().match([garbled], copies, Settings()).matches == ()
    # ... and so are hashes with spaces inside, which bytes.fromhex reads but int() and the colour layout
    # do not: each such hash counts as absent, whatever else of the print is well formed
    spaced = Print(
        original.asset,
        tuple(
            type(f)(f.algorithm, f.version, f"{f.value[:6]} {f.value[6:8]} {f.value[10:]}")
            if f.algorithm != "phash" and len(f.value) in (16, 128) else f
            for f in original.fingerprints
        ),
        original.width,
        original.height,
        original.thumbnail,
    )  # fmt: skip
    assert matching.informative(spaced)
    ImageMatcher().match([spaced], copies, Settings())


def test_views_laid_out_alike_are_not_searched_unless_a_crop_could_hide_in_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A same-size recolour of a sprite with transparency keeps its silhouette's box: the stretched placement
    is the one the template search would find, so the search is skipped (it used to run for this inverted
    sprite, whose stretched placement is not accepted, and found the same). An opaque picture, or an icon
    whose art reaches its edges, cropped and scaled back to its size has the same box: there the search must
    still run, and find the crop."""
    sprite = generated_sprite(0)
    inverted = ImageOps.invert(sprite.convert("RGB")).convert("RGBA")
    inverted.putalpha(sprite.getchannel("A"))
    calls: list[int] = []
    real_search = verification.search
    monkeypatch.setattr(verification, "search", lambda *views: calls.append(1) or real_search(*views))
    baseline, suspect = prints_of({"a.png": png(sprite)}), prints_of({"b.png": png(inverted)})
    recoloured = by_baseline(ImageMatcher().match(baseline, suspect, Settings()))
    assert recoloured["a.png"].transforms == ("recoloured",) and not calls
    backdrop = Image.new("RGBA", (96, 96), (40, 90, 160, 255))
    backdrop.alpha_composite(generated_sprite(4, 96))
    icon = Image.open(ICON).convert("RGBA")  # round corners: transparent, but the art reaches every edge
    for picture in (backdrop, icon):
        calls.clear()
        width, height = picture.size
        margin = round(width * 0.06)
        cropped = picture.crop((margin, margin, width - margin, height - margin)).resize(
            picture.size, Image.Resampling.LANCZOS
        )
        baseline, suspect = prints_of({"a.png": png(picture)}), prints_of({"b.png": png(cropped)})
        found = by_baseline(ImageMatcher().match(baseline, suspect, Settings())).get("a.png")
        assert calls and found is not None and "cropped" in found.transforms, found


def test_an_edit_passed_on_hashes_is_refused_when_its_thumbnails_show_other_outlines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A close-on-hashes pair whose colours differ is accepted as a recolour on its edge hash - unless its
    aligned thumbnails say the outlines are not the same (look-alike sprites of one smooth art style)."""
    base = matching.pack(prints_of({"a.png": png(generated_sprite(1))}))
    other = matching.pack(prints_of({"b.png": png(hue_shift(generated_sprite(1)))}))
    judge = matching.Judge(base, other, Settings())
    candidate = matching.Candidate(0, 0, False, 6, 4, 6, 30, 6, 60, 60)  # edges 6: within EDGES_RECOLOUR
    colours = matching.Colours(mean=20.0, changed=0.3)
    verdict = matching.HashVerdict(
        candidate, recoloured=False, edited=True, similarity=0.92, colours=colours, mask=0.1
    )

    def aligned(structure: float) -> Verification:
        return Verification(False, 0.0, "thumbnail", (), "thumbnails aligned", structure, 1.0, 0.9)

    monkeypatch.setattr(judge, "verification", lambda row, found: aligned(0.9))
    accepted = judge.confirm(0, verdict)
    assert accepted is not None and "recoloured" in accepted.transforms
    monkeypatch.setattr(judge, "verification", lambda row, found: aligned(0.13))
    assert judge.confirm(0, verdict) is None


def test_only_the_closest_grey_zone_candidates_are_aligned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline image with no copy on hashes aligns at most VERIFY_LIMIT grey-zone candidates, closest
    first: each rejected one costs a placement search, and a suspect that is no copy has them everywhere."""
    base = matching.pack(prints_of({"a.png": png(generated_sprite(1))}))
    other = matching.pack(prints_of({f"s{seed}.png": png(generated_sprite(seed)) for seed in range(2, 7)}))
    judge = matching.Judge(base, other, Settings())
    # pHash 12 (over the threshold) and edges 20 (no recolour): no verdict on hashes, only alignment;
    # dHash sets the closeness (pHash + dHash), the last one is outside the grey zone
    closeness = {0: 40, 1: 20, 2: 30, 3: 26, 4: matching.GREY_ZONE + 1}
    candidates = [
        matching.Candidate(index, 0, False, 12, total - 12, 12, 30, 20, matching.FAR, matching.FAR)
        for index, total in closeness.items()
    ]
    aligned: list[int] = []
    monkeypatch.setattr(judge, "on_thumbnails", lambda row, candidate: aligned.append(candidate.suspect))
    assert judge.best(0, candidates) is None
    assert aligned == [1, 3, 2, 0][: matching.VERIFY_LIMIT]  # never the one outside the grey zone


def test_the_shortlist_of_candidates_is_judged_as_all_of_them() -> None:
    """near_matches ships each row's shortlist to the workers, not every candidate; best() must choose the
    same from it: look-alike sprites of one style (no copy), a recolour, a crop and a faithful copy."""
    sprites = {f"a{seed}.png": generated_sprite(seed) for seed in range(1, 9)}
    copies = {
        "hue.png": hue_shift(sprites["a1.png"]),
        "crop.png": sprites["a2.png"].crop((4, 4, 60, 60)).resize((64, 64), Image.Resampling.LANCZOS),
        "same.png": sprites["a3.png"].resize((48, 48), Image.Resampling.LANCZOS),
        **{f"other{seed}.png": generated_sprite(seed) for seed in range(20, 32)},
    }
    base = matching.pack(prints_of({name: png(image) for name, image in sprites.items()}))
    other = matching.pack(prints_of({name: png(image) for name, image in copies.items()}))
    threshold = Settings().thresholds.phash_distance
    judge = matching.Judge(base, other, Settings())
    shortened = 0
    for row, candidates in enumerate(matching.nearest(base, other)):
        short = matching.shortlist(base, other, row, candidates, threshold)
        shortened += len(candidates) - len(short)
        assert judge.best(row, short) == judge.best(row, candidates)
    assert shortened > 0


@pytest.mark.parametrize(
    ("suspect_name", "structure", "correlation", "kept"),
    [
        ("b.png", 0.13, 0.32, False),  # neither outlines nor tones: look-alike strokes on empty canvases
        ("b.png", 0.42, 0.86, True),  # pixel art resampled by 0.75: the tones still agree
        ("b.png", 0.62, 0.32, True),  # the outlines agree
        ("b.9.png", 0.24, 0.40, True),  # a flat 9-patch panel: outlines are its stretch markers
    ],
)
def test_a_faithful_pass_on_hashes_is_refused_when_its_thumbnails_share_neither_outlines_nor_tones(
    monkeypatch: pytest.MonkeyPatch, suspect_name: str, structure: float, correlation: float, kept: bool
) -> None:
    base = matching.pack(prints_of({"a.png": png(generated_sprite(1))}))
    other = matching.pack(prints_of({suspect_name: png(generated_sprite(1))}))
    judge = matching.Judge(base, other, Settings())
    candidate = matching.Candidate(0, 0, False, 4, 1, 4, 30, 6, 60, 60)
    verdict = matching.HashVerdict(
        candidate,
        recoloured=False,
        edited=False,
        similarity=0.96,
        colours=matching.Colours(0.3, 0.0),
        mask=None,
    )
    rejected = Verification(False, 0.0, "thumbnail", (), "thumbnails aligned", structure, 1.0, correlation)
    monkeypatch.setattr(judge, "verification", lambda row, found: rejected)
    assert (judge.confirm(0, verdict) is not None) is kept


_MEASUREMENTS = {
    field: st.booleans() if isinstance(value, bool) else st.integers(0, 1 << 31) if isinstance(value, int)
    else st.floats(0.0, 1.0) | st.sampled_from((0.0, 0.49, 0.5, 0.55, 0.6, 0.7, 0.85, 0.88, 0.9, 0.95, 1.0))
    for field, value in ((f, getattr(BEST_CASE, f)) for f in Placed.__dataclass_fields__)
}  # fmt: skip


@given(st.fixed_dictionaries(_MEASUREMENTS), st.sampled_from(sorted(_MEASUREMENTS)))
def test_the_best_case_is_at_least_as_accepting_in_every_measurement(
    measurements: dict[str, float | bool | int], field: str
) -> None:
    """Grey-zone alignments stop measuring a placement once it could not be accepted even with every
    measurement not yet taken at BEST_CASE's value (verify's accept_only). That is sound only if moving
    any one measurement to its best-case value never turns an accepted placement into a rejected one."""
    placed = Placed(**measurements)
    if placed.accepted:
        assert replace(placed, **{field: getattr(BEST_CASE, field)}).accepted


def test_the_early_rule_out_is_not_vacuous() -> None:
    assert not could_be_accepted(agreement=0.69, coverage=0.89) and could_be_accepted(
        agreement=0.7, coverage=0.89
    )
    assert not could_be_accepted(coverage=0.49) and could_be_accepted(agreement=0.0, coverage=0.9)
    # a recolour is judged on outlines, but needs a canvas big enough to have some
    assert not could_be_accepted(agreement=0.5, coverage=0.95, side=RECOLOUR_MIN_SIDE - 1)
    assert not could_be_accepted(correlation=MIN_CORRELATION - 0.01)
    assert not could_be_accepted(agreement=0.8, overlay=False, repainted=False, outline_pixels=10)


def test_a_grey_zone_alignment_accepts_exactly_what_a_full_one_accepts() -> None:
    """accept_only only skips measuring placements that cannot be accepted: on copies (cropped, badged,
    recoloured, re-encoded) and on other sprites, it accepts the same pairs with the same verification."""
    sprites = {f"g{seed}.png": generated_sprite(seed) for seed in range(4)} | real_sprites()
    names = sorted(sprites)
    background = verification.grey_colour(0.5)
    outcomes = set()
    for index, name in enumerate(names):
        other = sprites[names[(index + 1) % len(names)]]
        original = sprites[name]
        suspects = [badge(original), crop(original, 0.15), hue_shift(original), other, badge(other)]
        baseline = prints_of({name: png(original)})[0]
        for suspect in prints_of({f"s{i}.png": png(image) for i, image in enumerate(suspects)}):
            first = verification.view(baseline, background, False)
            second = verification.view(suspect, background, False)
            assert first is not None and second is not None
            full = verification.verify(first, second, background)
            grey_zone = verification.verify(first, second, background, accept_only=True)
            assert grey_zone.accepted == full.accepted, (name, suspect.asset.path)
            if full.accepted:
                assert grey_zone == full, (name, suspect.asset.path)
            outcomes.add(full.accepted)
    assert outcomes == {True, False}
