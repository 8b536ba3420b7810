"""Image decoding and fingerprints: bounded decoding of hostile files, atlas frames, hashes, invariants."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import cv2
import imagehash
import numpy as np
import pytest
from corpus import CORPUS
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from imageprints import image_asset
from PIL import Image

from clonedetect.blank import is_blank
from clonedetect.fingerprint import hashes
from clonedetect.fingerprint import image as image_module
from clonedetect.fingerprint.decode import DecodeError, declared_size, decode_image, shrink, sniff_format
from clonedetect.fingerprint.image import ImageFingerprinter
from clonedetect.model import Frame, Print
from clonedetect.settings import Limits, Settings
from clonedetect.unpack.memory import MemorySource

SPRITES = CORPUS / "shattered-pixel-dungeon/core/src/main/assets/sprites"
LIMITS = Limits()


# --- generated images ------------------------------------------------------------------------------------


def sprite(size: int = 48, seed: int = 0) -> np.ndarray:
    """A deterministic RGBA sprite: a coloured blob with an outline, an eye and a transparent background."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    cx, cy, rx, ry = 0.5 + rng.uniform(-0.1, 0.1), 0.55, rng.uniform(0.25, 0.4), rng.uniform(0.25, 0.4)
    inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    body = inside <= 1.0
    rgba[body] = (*rng.integers(40, 220, 3), 255)
    rgba[(inside > 0.75) & body] = (20, 20, 30, 255)
    eye = ((x - cx - 0.1) ** 2 + (y - cy + 0.1) ** 2) < 0.004
    rgba[eye] = (255, 255, 255, 255)
    rgba[: size // 4, : size // 5] = (*rng.integers(0, 255, 3), 255)  # a flag in one corner: not symmetric
    return rgba


def strip(frames: int = 6) -> np.ndarray:
    """A sprite sheet strip: frames of 16 x 16 side by side (96 x 16)."""
    return np.concatenate([sprite(16, seed=seed) for seed in range(frames)], axis=1)


def photo(width: int = 120, height: int = 90) -> np.ndarray:
    """An opaque, smoothly varying picture (an icon or a screenshot)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    red = 128 + 100 * np.sin(x / 13.0)
    green = 128 + 100 * np.cos(y / 9.0)
    blue = 128 + 100 * np.sin((x + y) / 17.0)
    rgb = np.stack([red, green, blue], axis=-1).clip(0, 255).astype(np.uint8)
    return np.concatenate([rgb, np.full((height, width, 1), 255, dtype=np.uint8)], axis=-1)


def encode(rgba: np.ndarray, fmt: str = "PNG", **options: object) -> bytes:
    image = Image.fromarray(rgba)
    if fmt == "JPEG":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_with_ihdr(width: int, height: int, body: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def cgbi(rgba: np.ndarray) -> bytes:
    """What Xcode's pngcrush writes: a CgBI chunk, BGRA premultiplied pixels, raw deflate IDAT."""
    alpha = rgba[..., 3:4].astype(np.uint16)
    premultiplied = ((rgba[..., :3].astype(np.uint16) * alpha + 127) // 255).astype(np.uint8)
    bgra = np.concatenate([premultiplied[..., ::-1], rgba[..., 3:4]], axis=-1)
    rows = b"".join(b"\x00" + row.tobytes() for row in bgra)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(rows) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", rgba.shape[1], rgba.shape[0], 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"CgBI", b"\x50\x00\x20\x02")
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def fingerprint(files: dict[str, bytes], settings: Settings | None = None) -> tuple[list[Print], list]:
    assets = [image_asset(name, data) for name, data in sorted(files.items())]
    return ImageFingerprinter().fingerprint(assets, MemorySource(files), settings or Settings())


def one(data: bytes) -> Print:
    prints, warnings = fingerprint({"a.png": data})
    assert not warnings
    return prints[0]


# --- decoding --------------------------------------------------------------------------------------------


def test_decodes_to_premultiplied_rgba_and_keeps_the_original_size() -> None:
    decoded = decode_image(encode(photo(400, 300)), LIMITS)
    assert (decoded.width, decoded.height) == (400, 300)
    assert decoded.rgba.shape == (192, 256, 4) and decoded.rgba.dtype == np.uint8
    assert decoded.format == "png"


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {"compress_level": 1}), ("PNG", {"optimize": True}), ("WEBP", {"lossless": True})],
)
def test_the_same_pixels_in_another_file_give_the_same_pixel_hash(fmt: str, options: dict) -> None:
    rgba = sprite(40)
    reference = decode_image(encode(rgba), LIMITS).pixels_sha256
    assert decode_image(encode(rgba, fmt, **options), LIMITS).pixels_sha256 == reference


def test_a_palette_gif_and_png_decode_to_the_same_pixels() -> None:
    indices = (sprite(40)[..., 0] // 64).astype(np.uint8)  # four colours, index 0 transparent
    image = Image.frombytes("P", (40, 40), indices.tobytes())
    image.putpalette([0, 0, 0, 200, 30, 30, 30, 200, 30, 30, 30, 200] + [0] * 756)
    gif, png = io.BytesIO(), io.BytesIO()
    image.save(gif, "GIF", transparency=0)
    image.save(png, "PNG", transparency=0)
    from_gif = decode_image(gif.getvalue(), LIMITS)
    assert from_gif.format == "gif" and from_gif.rgba[..., 3].min() == 0
    assert from_gif.pixels_sha256 == decode_image(png.getvalue(), LIMITS).pixels_sha256


def test_hidden_colour_under_transparent_pixels_does_not_change_the_pixel_hash() -> None:
    rgba = sprite(32)
    garbage = rgba.copy()
    garbage[garbage[..., 3] == 0] = (200, 10, 99, 0)
    assert (
        decode_image(encode(rgba), LIMITS).pixels_sha256
        == decode_image(encode(garbage), LIMITS).pixels_sha256
    )


def test_cgbi_png_decodes_to_the_same_pixels_as_the_plain_png() -> None:
    rgba = sprite(40)
    rgba[5:15, 20:30, 3] = 77  # semi-transparent pixels: premultiplication must round-trip
    plain = decode_image(encode(rgba), LIMITS)
    apple = decode_image(cgbi(rgba), LIMITS)
    assert apple.pixels_sha256 == plain.pixels_sha256
    assert one(cgbi(rgba)).value("phash") == one(encode(rgba)).value("phash")


def test_palette_grey_and_16_bit_pngs_keep_their_transparency_and_depth() -> None:
    grey = Image.new("L", (10, 10), 100)
    buffer = io.BytesIO()
    grey.save(buffer, "PNG", transparency=100)
    assert decode_image(buffer.getvalue(), LIMITS).rgba[..., 3].max() == 0  # the colour key is transparent
    deep = Image.fromarray(np.full((10, 10), 40000, dtype=np.uint16))
    buffer = io.BytesIO()
    deep.save(buffer, "PNG")
    assert int(decode_image(buffer.getvalue(), LIMITS).rgba[0, 0, 0]) == 40000 >> 8


def test_declared_sizes_come_from_the_headers() -> None:
    image = photo(37, 23)
    for fmt, options in (("PNG", {}), ("JPEG", {}), ("WEBP", {}), ("WEBP", {"lossless": True}), ("BMP", {})):
        data = encode(image, fmt, **options)
        assert declared_size(data, sniff_format(data) or "") == (37, 23), fmt


HUGE = 65_000


def _huge_files() -> dict[str, bytes]:
    jpeg = bytearray(encode(photo(16, 16), "JPEG"))
    sof = jpeg.find(b"\xff\xc0")
    jpeg[sof + 5 : sof + 9] = struct.pack(">HH", HUGE, HUGE)
    webp = bytearray(encode(photo(16, 16), "WEBP", lossless=True))
    # VP8L keeps width-1 and height-1 in 14 bits each: 16384 x 16384 is its largest (and over the limit)
    (header,) = struct.unpack_from("<I", webp, 21)
    webp[21:25] = struct.pack("<I", (header & 0xF0000000) | 0x3FFF | (0x3FFF << 14))
    gif = bytearray(encode(photo(16, 16), "GIF"))
    gif[6:10] = struct.pack("<HH", HUGE, HUGE)
    bmp = bytearray(encode(photo(16, 16), "BMP"))
    bmp[18:26] = struct.pack("<ii", HUGE, HUGE)
    return {
        "png": png_with_ihdr(HUGE, HUGE),
        "jpeg": bytes(jpeg),
        "webp": bytes(webp),
        "gif": bytes(gif),
        "bmp": bytes(bmp),
    }


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "gif", "bmp"])
def test_a_huge_declared_size_is_refused_before_decoding(fmt: str) -> None:
    data = _huge_files()[fmt]
    start = time.perf_counter()
    with pytest.raises(DecodeError, match="over the limit"):
        decode_image(data, LIMITS)
    assert time.perf_counter() - start < 0.5


def test_opencv_gets_the_pixel_limit_before_it_loads() -> None:
    """OpenCV reads OPENCV_IO_MAX_IMAGE_PIXELS once, when cv2 is imported: importing the fingerprint stage
    must set it first, so OpenCV itself refuses an image just over the limit from its header."""
    over = png_with_ihdr(Limits().max_pixels // 8000 + 1, 8000)
    code = (
        "import sys, clonedetect.pipeline, cv2, numpy as np\n"
        "try:\n"
        "    cv2.imdecode(np.frombuffer(sys.stdin.buffer.read(), np.uint8), cv2.IMREAD_UNCHANGED)\n"
        "    print('decoded')\n"
        "except cv2.error:\n"
        "    print('refused')\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "OPENCV_IO_MAX_IMAGE_PIXELS"}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code], input=over, capture_output=True, env=environment, timeout=60, check=True
    )
    assert result.stdout.decode().strip() == "refused"


def test_the_pixel_limit_is_the_settings_limit() -> None:
    data = encode(photo(100, 100))
    with pytest.raises(DecodeError, match="over the limit"):
        decode_image(data, Limits(max_pixels=9_999))
    assert decode_image(data, Limits(max_pixels=10_000)).width == 100


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a supported"),
        (b"\x89PNG\r\n\x1a\n", "IHDR|truncated"),
        (encode(photo(64, 64))[:200], "corrupt|truncated"),
        (encode(photo(64, 64), "JPEG")[:300], "corrupt|truncated"),
        (b"\xff\xd8\xff" + b"\x00" * 50, "corrupt|truncated|frame"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8X", "truncated|corrupt"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "not a supported"),  # Pillow's EPS plugin would run Ghostscript
    ],
)
def test_broken_images_raise_a_readable_decode_error(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode_image(data, LIMITS)


def test_hostile_entries_become_warnings_and_the_rest_is_fingerprinted() -> None:
    good = encode(sprite())
    files = {
        "good.png": good,
        "empty.png": b"",
        "truncated.png": good[: len(good) // 2],
        "huge.png": png_with_ihdr(HUGE, HUGE),
    }
    start = time.perf_counter()
    prints, warnings = fingerprint(files)
    assert time.perf_counter() - start < 2.0
    by_path = {p.asset.path: p for p in prints}
    assert by_path["good.png"].value("phash") is not None
    # undecodable but non-empty files keep their byte hash (a byte-for-byte copy is still evidence)
    assert [f.algorithm for f in by_path["truncated.png"].fingerprints] == ["sha256"]
    assert [f.algorithm for f in by_path["huge.png"].fingerprints] == ["sha256"]
    assert "empty.png" not in by_path
    messages = {w.path: w.message for w in warnings}
    assert set(messages) == {"empty.png", "truncated.png", "huge.png"}
    assert "over the limit" in messages["huge.png"] and "0 bytes" in messages["empty.png"]


def test_an_unreadable_entry_is_a_warning() -> None:
    data = encode(sprite())
    assets = [image_asset("gone.png", data)]
    prints, warnings = ImageFingerprinter().fingerprint(assets, MemorySource({}), Settings())
    assert prints == [] and warnings[0].path == "gone.png" and "no such entry" in warnings[0].message


# --- atlas frames ----------------------------------------------------------------------------------------


def test_frames_are_cut_rotated_back_and_untrimmed_and_the_page_is_decoded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hero = sprite(30, seed=1)
    page = np.zeros((64, 96, 4), dtype=np.uint8)
    page[2:32, 4:34] = hero  # plain frame
    page[34:64, 40:70] = cv2.rotate(hero, cv2.ROTATE_90_CLOCKWISE)  # stored rotated (square: same box)
    tall = sprite(30, seed=2)[:, 5:25]  # a 20 x 30 sprite ...
    page[2:22, 60:90] = cv2.rotate(tall, cv2.ROTATE_90_CLOCKWISE)  # ... stored as 30 x 20
    visible = hero[6:26, 6:26]  # trimmed: only the middle was packed
    page[36:56, 2:22] = visible
    data = encode(page)
    frames = {
        "atlas.png#plain": Frame(4, 2, 30, 30),
        "atlas.png#rotated": Frame(40, 34, 30, 30, rotated=True),
        "atlas.png#tall": Frame(60, 2, 20, 30, rotated=True),
        "atlas.png#trimmed": Frame(2, 36, 20, 20, offset_x=6, offset_y=6, source_width=30, source_height=30),
        "atlas.png#outside": Frame(90, 60, 30, 30),
    }
    assets = [image_asset(path, data, "atlas.png", frame) for path, frame in frames.items()]
    calls = []
    real = image_module.read_page
    monkeypatch.setattr(image_module, "read_page", lambda *a: calls.append(1) or real(*a))
    prints, warnings = ImageFingerprinter().fingerprint(assets, MemorySource({"atlas.png": data}), Settings())
    assert len(calls) == 1
    by_path = {p.asset.path: p for p in prints}
    hero_pixels = decode_image(encode(hero), LIMITS).pixels_sha256
    assert by_path["atlas.png#plain"].value("pixels") == hero_pixels
    assert by_path["atlas.png#rotated"].value("pixels") == hero_pixels
    assert by_path["atlas.png#tall"].value("pixels") == decode_image(encode(tall), LIMITS).pixels_sha256
    assert (by_path["atlas.png#tall"].width, by_path["atlas.png#tall"].height) == (20, 30)
    untrimmed = np.zeros_like(hero)
    untrimmed[6:26, 6:26] = visible
    assert (
        by_path["atlas.png#trimmed"].value("pixels") == decode_image(encode(untrimmed), LIMITS).pixels_sha256
    )
    # a frame's exact identity is its pixels, not the page's bytes
    assert by_path["atlas.png#plain"].value("sha256") == hero_pixels
    assert [w.path for w in warnings] == ["atlas.png#outside"] and "outside" in warnings[0].message


def test_hostile_frame_source_size_is_bounded() -> None:
    data = encode(sprite(16))
    frame = Frame(0, 0, 16, 16, source_width=60_000, source_height=60_000)
    prints, warnings = ImageFingerprinter().fingerprint(
        [image_asset("a.png#f", data, "a.png", frame)], MemorySource({"a.png": data}), Settings()
    )
    assert prints == [] and "over the limit" in warnings[0].message


# --- fingerprints ----------------------------------------------------------------------------------------


def test_every_image_gets_the_full_set_of_fingerprints_and_a_small_thumbnail() -> None:
    with_alpha = one(encode(sprite(200)))
    names = [f.algorithm for f in with_alpha.fingerprints]
    assert names[:3] == ["sha256", "pixels", "format"]
    for required in ("phash", "phash-mirror", "dhash", "dhash-mirror", "mask", "colour", "edges", "detail"):
        assert required in names
    assert {"phash@white", "phash@black", "phash-trim"} <= set(names)
    opaque = one(encode(photo()))
    assert opaque.value("phash@white") is None and opaque.value("phash-trim") is None
    assert (with_alpha.width, with_alpha.height) == (200, 200)
    assert with_alpha.value("ink") is not None and with_alpha.value("screen") is None
    assert one(encode(photo())).value("screen") is None  # 120 px: too small to search inside
    screen = one(encode(photo(400, 225))).value("screen")  # screen-sized and opaque: kept as a JPEG
    assert screen is not None and bytes.fromhex(screen)[:3] == b"\xff\xd8\xff"
    thumbnail = cv2.imdecode(np.frombuffer(with_alpha.thumbnail, np.uint8), cv2.IMREAD_UNCHANGED)
    assert thumbnail.shape == (128, 128, 4)
    small = cv2.imdecode(np.frombuffer(one(encode(sprite(20))).thumbnail, np.uint8), cv2.IMREAD_UNCHANGED)
    assert small.shape == (20, 20, 4)  # small images keep their size


def test_fingerprints_and_thumbnails_are_deterministic_and_independent_of_workers() -> None:
    files = {f"s{i:02d}.png": encode(sprite(40 + i, seed=i)) for i in range(40)}
    first, _ = fingerprint(files)
    again, _ = fingerprint(files)
    parallel, _ = fingerprint(files, Settings(jobs=2))
    assert first == again == parallel
    assert [p.asset.path for p in first] == sorted(files)


def test_gradient_magnitudes_do_not_depend_on_where_arrays_lie_in_memory() -> None:
    """cv2.magnitude's result depends on its output buffer's alignment (6 different results for 16 offsets
    on random 72 x 72 planes, OpenCV 4.12, AVX2): it flipped edge-hash bits at the median, so two runs of
    one comparison reported different distances and scores. hashes.magnitude must not, and no module may
    go back to cv2.magnitude."""
    rng = np.random.default_rng(1)
    planes = (rng.random((2, 72, 72), dtype=np.float32) - 0.5) * 7
    expected = np.sqrt(planes[0].astype(np.float64) ** 2 + planes[1].astype(np.float64) ** 2)
    results = set()
    for offset in range(0, 64, 4):
        block = np.zeros(2 * 72 * 72 + 32, dtype=np.float32)
        shifted = block[offset // 4 : offset // 4 + 2 * 72 * 72].reshape(2, 72, 72)
        shifted[...] = planes
        result = hashes.magnitude(shifted[0], shifted[1])
        assert np.allclose(result, expected, rtol=1e-6)
        results.add(result.tobytes())
    assert len(results) == 1
    sources = Path(hashes.__file__).resolve().parents[1].rglob("*.py")
    assert not [path.name for path in sources if "cv2.magnitude(" in path.read_text(encoding="utf-8")]


def test_mirror_hashes_are_the_hashes_of_the_mirrored_image() -> None:
    for rgba in (sprite(48), photo(), strip()):
        plain, mirrored = one(encode(rgba)), one(encode(np.ascontiguousarray(rgba[:, ::-1])))
        assert plain.value("phash-mirror") == mirrored.value("phash")
        assert plain.value("dhash-mirror") == mirrored.value("dhash")
        assert plain.value("edges-mirror") == mirrored.value("edges")


def test_a_jpeg_of_a_sprite_matches_the_sprite_flattened_on_the_same_background() -> None:
    rgba = sprite(64)
    on_white = Image.new("RGB", (64, 64), (255, 255, 255))
    on_white.paste(Image.fromarray(rgba), mask=Image.fromarray(rgba[..., 3]))
    buffer = io.BytesIO()
    on_white.save(buffer, "JPEG", quality=85)
    original, copy = one(encode(rgba)), one(buffer.getvalue())
    assert hashes.hamming(original.value("phash@white"), copy.value("phash")) <= 6
    assert hashes.hamming(original.value("phash"), copy.value("phash")) > 6  # grey vs white: far apart


def test_tiny_pixel_art_is_upscaled_by_whole_pixels() -> None:
    small = sprite(16, seed=3)
    doubled = cv2.resize(small, (32, 32), interpolation=cv2.INTER_NEAREST)
    assert one(encode(small)).value("phash") == one(encode(doubled)).value("phash")
    assert one(encode(small)).value("mask") == one(encode(doubled)).value("mask")


def test_hashes_use_a_128_px_copy_but_a_strip_keeps_32_px_across() -> None:
    def side(height: int, width: int) -> tuple[int, ...]:
        return hashes.work_copy(np.zeros((height, width, 4), np.uint8)).shape[:2]

    assert side(256, 200) == (128, 100)
    assert side(100, 60) == (100, 60)  # smaller images keep their size
    assert side(48, 256) == (32, 171)  # 128 x 24 would blur the frames of a strip together
    assert side(16, 256) == (16, 256)  # ... and no copy grows beyond the decoded one
    # the thumbnail is made from that copy: the same 128 px
    thumbnail = one(encode(sprite(200))).thumbnail
    assert cv2.imdecode(np.frombuffer(thumbnail, np.uint8), cv2.IMREAD_UNCHANGED).shape == (128, 128, 4)


def test_a_big_image_shrunk_through_a_whole_factor_is_the_same_picture() -> None:
    """decode.shrink averages a 4096 x 3000 page by 15 first (OpenCV's fast path) and then to 256 x 188:
    within one grey level of averaging it to 256 x 188 in one go."""
    y, x = np.mgrid[0:3000, 0:4096].astype(np.float32)
    rgba = np.dstack([x / 4096 * 255, y / 3000 * 255, (x + y) / 7096 * 255, np.full_like(x, 255)])
    rgba = rgba.astype(np.uint8)
    in_one_go = cv2.resize(rgba, (256, 188), interpolation=cv2.INTER_AREA)
    shrunk = shrink(rgba)
    assert shrunk.shape == in_one_go.shape
    assert int(np.abs(shrunk.astype(int) - in_one_go).max()) <= 1


def test_blank_images_have_no_detail() -> None:
    assert is_blank(one(encode(np.zeros((32, 32, 4), np.uint8))).value("detail"))
    flat = np.full((32, 32, 4), (200, 30, 30, 255), np.uint8)
    assert is_blank(one(encode(flat)).value("detail"))
    assert not is_blank(one(encode(sprite())).value("detail"))


# Pinned values: a change means a library upgrade (OpenCV resizing, numpy) or our code changed the hashes,
# which invalidates stored baselines; bump the fingerprint version when it is deliberate.
def _pinned_images() -> dict[str, np.ndarray]:
    return {"sprite": sprite(48), "photo": photo(), "strip": strip(), "big sprite": sprite(200)}


def test_pinned_screen_copy() -> None:
    """The JPEG copy kept of a screen-sized picture (libjpeg through OpenCV): pinned like the hashes."""
    value = one(encode(photo(400, 225))).value("screen")
    assert value is not None
    assert hashlib.sha256(value.encode()).hexdigest() == (
        "25ee41c763a03c245fdca5a954a4a1835b7ae3d1942f217c8113787b4bb5aa6a"
    )
    decoded = hashes.decode_screen(value)
    assert decoded is not None and decoded.shape == (144, 256, 3)


def test_pinned_hash_values() -> None:
    images = _pinned_images()
    values = {
        name: {a: one(encode(images[name])).value(a) for a in ("phash", "dhash", "mask", "edges", "ink")}
        for name in images
    }
    assert values == EXPECTED_PINNED


EXPECTED_PINNED: dict[str, dict[str, str]] = {
    "photo": {
        "dhash": "8e8e8e8e8e8e8e8e",
        "edges": "d6ad52ad1ea15607",
        "mask": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "phash": "a5e04a9fca1ec81f",
        "ink": "ff",
    },
    "sprite": {
        "dhash": "0000061b0b130e00",
        "edges": "93f06c65339a6c69",
        "mask": "e000e000e000e000000003e007f00ff80ff80ff80ff807f003e0000000000000",
        "phash": "f9dec4689a23658c",
        "ink": "47",
    },
    "big sprite": {  # hashed on its 128 px copy (fingerprint version 3)
        "dhash": "00000e0b0b130e00",
        "edges": "93f06c65339a466d",
        "mask": "e000e000e000e000000003e007f00ff80ff80ff80ff807f003e0000000000000",
        "phash": "f9dac46c1b33254c",
        "ink": "49",
    },
    "strip": {
        "dhash": "292998dbd9d99a17",
        "edges": "817d5c6246e337b8",
        "mask": "000000000000000802484a4b5a4b5a4b5a4b5a4b5a4b5a4b5a4b024a02080000",
        "phash": "c3eefe83881c117c",
        "ink": "62",
    },
}


# --- the fast pHash against the plain one -----------------------------------------------------------------


def test_fast_phash_equals_imagehash_on_a_32_pixel_grey_image() -> None:
    rng = np.random.default_rng(5)
    grey = (rng.random((32, 32)) * 255).astype(np.uint8)
    expected = str(imagehash.phash(Image.fromarray(grey)))
    assert hashes.phash_hex(grey.astype(np.float32)) == expected


@st.composite
def drawings(draw: st.DrawFn) -> np.ndarray:
    """Structured pictures (rectangles and discs on a background), the kind of image games ship."""
    width = draw(st.integers(24, 200))
    height = draw(st.integers(24, 200))
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[...] = (*draw(st.tuples(*[st.integers(0, 255)] * 3)), draw(st.sampled_from([0, 255])))
    y, x = np.mgrid[0:height, 0:width]
    for _ in range(draw(st.integers(2, 6))):
        colour = (*draw(st.tuples(*[st.integers(0, 255)] * 3)), 255)
        cx, cy = draw(st.floats(0, 1)) * width, draw(st.floats(0, 1)) * height
        rx, ry = draw(st.floats(0.1, 0.5)) * width, draw(st.floats(0.1, 0.5)) * height
        if draw(st.booleans()):
            rgba[((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1] = colour
        else:
            rgba[(abs(x - cx) <= rx) & (abs(y - cy) <= ry)] = colour
    return rgba


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawings())
def test_fast_phash_agrees_with_the_reference_implementation(rgba: np.ndarray) -> None:
    work = hashes.prepare(hashes.work_copy(decode_image(encode(rgba), LIMITS).rgba))
    grey = work.grey(hashes.GREY)
    ties = hashes.median_ties(grey)
    # same algorithm and filter; rounding differs, so only bits whose coefficient sits at the median may flip
    assert hashes.hamming(hashes.phash_hex(grey), hashes.reference_phash(work)) <= 2 + ties


def test_fast_phash_agrees_with_the_reference_on_real_sprites() -> None:
    identical = 0
    for path in sorted(SPRITES.glob("*.png"))[:40]:
        work = hashes.prepare(hashes.work_copy(decode_image(path.read_bytes(), LIMITS).rgba))
        grey = work.grey(hashes.GREY)
        distance = hashes.hamming(hashes.phash_hex(grey), hashes.reference_phash(work))
        # the reference rounds the flattened image to bytes first: pixel-art sheets, whose coefficients
        # tie at the median in dozens, may differ in a tied bit or two
        assert distance <= 2 + hashes.median_ties(grey), path.name
        identical += distance == 0
    assert identical >= 30  # 31 of these 40 on the 128 px work copy (fingerprint version 4)
