"""Hostile images: a 65,000 x 65,000 PNG (header only, and complete), corrupt and truncated PNG / JPEG / WebP,
zero-byte images, CgBI PNGs with bad data, and size fields of every format forged past the pixel limit.

Each unreadable image is one warning with its path; an undecodable image still keeps its byte hash, so an
exact copy of it is found; the sample's own images are all still fingerprinted.
"""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from clonedetect.fingerprint.decode import DecodeError, _pil_to_rgba, read_page
from clonedetect.pipeline import analyse
from clonedetect.settings import Limits, Settings
from hostile.builders import (
    build_zip,
    cgbi_png,
    deflate_zeros,
    deflated,
    jpeg_bytes,
    png_bytes,
    png_chunk,
    png_from_samples,
    png_header_only,
    stored,
    webp_bytes,
)
from hostile.cases import (
    APP,
    CORRUPT_IMAGES,
    PACKAGE_ID,
    SAMPLE_ICON,
    SAMPLE_IMAGES,
    SAMPLE_IPA,
    case,
    sample_members,
)
from hostile.runner import Sandbox, assert_usable, inspect, run_cli, warned

LIMITS = Limits()
ONE_GIB_RSS = 1024.0


@pytest.mark.parametrize("name", ["png-65000-header", "png-65000-valid"])
def test_65000_square_png_is_refused_before_decoding(name: str, inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case(name).build(inputs), sandbox)
    report = assert_usable(run)
    assert warned(report, "assets/ui/huge.png", "65000x65000", "over the limit")
    assert report["package"]["package_id"] == PACKAGE_ID
    assert SAMPLE_ICON in report["package"]["icons"]
    assert run.max_rss_mib < ONE_GIB_RSS and run.seconds < 60


def test_corrupt_truncated_and_empty_images_are_one_warning_each(inputs: Path, sandbox: Sandbox) -> None:
    path = case("corrupt-images").build(inputs)
    run = inspect(path, sandbox)
    report = assert_usable(run)
    for name in CORRUPT_IMAGES:
        assert sum(where == name for where, _ in _pairs(report)) == 1, name
    assert report["package"]["package_id"] == PACKAGE_ID
    analysis = analyse(path, Settings())
    decoded = [p for p in analysis.prints if p.value("phash") is not None]
    assert len(decoded) == SAMPLE_IMAGES  # every sample image still fully fingerprinted
    kept = {p.asset.path for p in analysis.prints if p.value("phash") is None and p.value("sha256")}
    assert set(CORRUPT_IMAGES) - kept == {name for name in CORRUPT_IMAGES if "empty" in name}


def _pairs(report: dict[str, object]) -> list[tuple[str, str]]:
    return [(w["path"], w["message"]) for w in report["warnings"]]  # type: ignore[attr-defined,index]


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(jpeg_bytes(16, 16))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def _gif_claiming(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x2c" + bytes(9) + b"\x02\x00;"


def _bmp_claiming(width: int, height: int) -> bytes:
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 32, 0, 0, 0, 0, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(header), 0, 0, 14 + len(header)) + header


def _ico_with_png(width: int, height: int) -> bytes:
    raw = width * (1 + 4 * width)
    idat = b"\x78\xda" + deflate_zeros(raw) + (raw % 65521 << 16 | 1).to_bytes(4, "big")
    png = png_header_only(width, height, idat)
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, len(png), 22) + png


@pytest.mark.parametrize(
    "data",
    [
        png_header_only(65_000, 65_000),
        _jpeg_claiming(65_000, 65_000),
        _webp_vp8x(16_384, 16_384),
        _gif_claiming(65_535, 65_535),
        _bmp_claiming(65_000, 65_000),
        _ico_with_png(20_000, 20_000),  # the ICO directory says 256 x 256; the PNG inside says otherwise
        cgbi_png(60_000, 60_000, b""),
    ],
    ids=["png", "jpeg", "webp", "gif", "bmp", "ico-png", "cgbi"],
)
def test_every_format_is_refused_over_the_pixel_limit_at_once(data: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(DecodeError):
        read_page(data, LIMITS)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        png_bytes()[:40],
        png_bytes()[:-20],
        b"\xff\xd8\xff",
        jpeg_bytes()[:100],
        b"RIFF\x00\x00\x00\x00WEBP",
        webp_bytes()[:-10],
        cgbi_png(8, 8, b"\x00" * 3),
        cgbi_png(0, 0, b""),
        b"GIF89a",
        b"BM" + bytes(10),
        b"\x00\x00\x01\x00\x01\x00" + bytes(16),
    ],
)
def test_truncated_and_corrupt_images_raise_decode_error_only(data: bytes) -> None:
    try:
        page = read_page(data, LIMITS)
    except DecodeError:
        return
    assert page.rgba.ndim == 3 and page.rgba.shape[2] == 4  # a tolerant decoder may recover a partial image


def test_cgbi_with_bad_data_in_an_ipa_keeps_the_rest(inputs: Path) -> None:
    members = [m for m in sample_members(SAMPLE_IPA) if not str(m.name).endswith("AppIcon60x60@2x.png")]
    members.append(stored(APP + "AppIcon60x60@2x.png", cgbi_png(120, 120, b"\x78\x9c garbage")))
    members.append(deflated(APP + "res/ui/cgbi-zero.png", b""))
    path = inputs / "bad-cgbi.ipa"
    path.write_bytes(build_zip(members))
    analysis = analyse(path, Settings())
    messages = {w.path: w.message for w in analysis.warnings}
    assert "CgBI" in messages[APP + "AppIcon60x60@2x.png"]
    assert "empty image file" in messages[APP + "res/ui/cgbi-zero.png"]
    icons = [p for p in analysis.prints if p.asset.category == "icon" and p.value("phash")]
    assert len(icons) >= 2  # the two intact CgBI icons are still decoded


def test_image_over_a_lowered_pixel_limit_keeps_its_byte_hash(tmp_path: Path) -> None:
    picture = png_bytes(300, 300, seed=21)
    path = tmp_path / "pictures.zip"
    path.write_bytes(build_zip([stored("art/big.png", picture), stored("art/small.png", png_bytes(8, 8))]))
    analysis = analyse(path, Settings().with_limits(max_pixels=10_000))
    prints = {p.asset.path: p for p in analysis.prints}
    assert prints["art/big.png"].value("phash") is None and prints["art/big.png"].value("sha256")
    assert prints["art/small.png"].value("phash") is not None
    assert any(w.path == "art/big.png" and "over the limit" in w.message for w in analysis.warnings)


def test_20_byte_webp_does_not_make_the_package_unusable(inputs: Path, sandbox: Sandbox) -> None:
    report = assert_usable(inspect(case("webp-20-bytes").build(inputs), sandbox))
    assert warned(report, "assets/ui/tiny.webp")


@pytest.mark.parametrize("name", ["png-chunk-2.9gb", "png-early-iend-2gb"])
def test_png_chunk_claiming_gigabytes_costs_no_memory(name: str, inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case(name).build(inputs), sandbox)
    report = assert_usable(run)
    assert run.max_rss_mib < ONE_GIB_RSS, f"peak RSS {run.max_rss_mib:.0f} MiB"
    assert report["package"]["package_id"] == PACKAGE_ID


# -- 16-bit PNGs: decoded by Pillow straight to 8 bits, with the pixels the OpenCV route gave --------------


def _samples_16_bit(channels: int, seed: int) -> np.ndarray:
    """Random 16-bit samples with structure (so libpng picks varied row filters) and every alpha extreme."""
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, 65536, (37, 53, channels), dtype=np.uint16)
    samples[::3] //= 7  # smooth bands next to noisy ones
    if channels in (2, 4):
        samples[0, :4, -1] = (0, 1, 65534, 65535)
    return samples


def _expected_rgba(samples: np.ndarray) -> np.ndarray:
    """Each sample's high byte (the `>> 8` OpenCV's route applied), as RGBA, premultiplied by alpha."""
    high = (samples >> 8).astype(np.uint8)
    height, width, channels = high.shape
    if channels in (1, 2):
        grey, alpha = high[..., :1], high[..., 1:] if channels == 2 else None
        high = np.concatenate([grey, grey, grey, *([alpha] if alpha is not None else [])], axis=2)
    if high.shape[2] == 3:
        high = np.concatenate([high, np.full((height, width, 1), 255, np.uint8)], axis=2)
    wide = high.astype(np.uint32)
    wide[..., :3] = (wide[..., :3] * wide[..., 3:] + 127) // 255
    return wide.astype(np.uint8)


def _encoded_by_libpng(samples: np.ndarray) -> bytes:
    order = [2, 1, 0, 3][: samples.shape[2]]  # OpenCV writes BGR(A)
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(samples[..., order]))
    assert ok
    return encoded.tobytes()


@pytest.mark.parametrize(
    ("colour_type", "channels", "writer"),
    [
        (2, 3, "libpng"),
        (6, 4, "libpng"),
        (2, 3, "unfiltered"),
        (4, 2, "unfiltered"),
        (6, 4, "unfiltered"),
        (0, 1, "unfiltered"),  # 16-bit grey stays with OpenCV
    ],
    ids=["rgb-libpng", "rgba-libpng", "rgb", "grey-alpha", "rgba", "grey"],
)
def test_16_bit_png_is_its_8_bit_conversion(colour_type: int, channels: int, writer: str) -> None:
    samples = _samples_16_bit(channels, seed=colour_type + channels)
    data = _encoded_by_libpng(samples) if writer == "libpng" else png_from_samples(samples, colour_type)
    assert data[24:26] == bytes((16, colour_type))
    page = read_page(data, LIMITS)
    assert page.format == "png"
    assert np.array_equal(page.rgba, _expected_rgba(samples))


def _pillow_images() -> dict[str, Image.Image]:
    """One image of every mode Pillow hands over, 23 x 37 (strips of 3 rows leave a short last one)."""
    rng = np.random.default_rng(31)
    rgb = rng.integers(0, 256, (37, 23, 3), dtype=np.uint8)
    rgb[5, :6] = (10, 20, 30)  # the colour key below
    images = {
        "rgb": Image.fromarray(rgb, "RGB"),
        "grey": Image.fromarray(rgb[..., 0], "L"),
        "grey-alpha": Image.fromarray(rgb[..., :2].copy(), "LA"),
        "bilevel": Image.fromarray(rgb[..., 0] > 127),
        "wide-grey": Image.fromarray(rgb[..., 0].astype(np.uint16) * 257),  # mode I;16
        "narrow-wide-grey": Image.fromarray(rgb[..., 0].astype(np.uint16)),  # every value fits a byte
        "cmyk": Image.fromarray(rgb, "RGB").convert("CMYK"),
    }
    palette = images["rgb"].quantize(64)
    saved: dict[str, Image.Image] = {}
    for name, image in images.items():
        out = io.BytesIO()
        image.save(out, format="JPEG" if name == "cmyk" else "PNG")
        saved[name] = Image.open(io.BytesIO(out.getvalue()))
    for name, form, extra in (
        ("palette-gif", "GIF", {"transparency": 3}),
        ("palette-png", "PNG", {"transparency": bytes(range(0, 256, 4))}),
    ):
        out = io.BytesIO()
        palette.save(out, format=form, **extra)
        saved[name] = Image.open(io.BytesIO(out.getvalue()))
    out = io.BytesIO()
    images["rgb"].save(out, format="PNG", transparency=(10, 20, 30))
    saved["rgb-colour-key"] = Image.open(io.BytesIO(out.getvalue()))
    for image in saved.values():
        image.load()
    return saved


def _whole_image_rgba(image: Image.Image) -> np.ndarray:
    """The conversion before strips: the whole image at once (wide grey scaled down when over a byte)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.uint32)
        grey = (wide >> 8 if wide.max(initial=0) > 255 else wide).clip(0, 255).astype(np.uint8)
        return cv2.cvtColor(np.ascontiguousarray(grey), cv2.COLOR_GRAY2RGBA)
    return np.array(image.convert("RGBA"), dtype=np.uint8)


def test_pillow_images_converted_in_strips_equal_the_whole_conversion() -> None:
    images = _pillow_images()
    modes = {image.mode for image in images.values()}
    assert {"RGB", "L", "LA", "1", "I;16", "CMYK", "P"} <= modes
    assert "transparency" in images["rgb-colour-key"].info and "transparency" in images["palette-gif"].info
    for name, image in images.items():
        whole = _whole_image_rgba(image)
        assert whole.shape == (37, 23, 4), name
        for strip_rows in (1, 3, 37, 100):
            strips = _pil_to_rgba(image, strip_bytes=strip_rows * 23 * 4)
            assert np.array_equal(strips, whole), (name, image.mode, strip_rows)
    assert _whole_image_rgba(images["rgb-colour-key"])[5, :6, 3].max() == 0  # the key made pixels clear


# -- OpenCV's own log lines ----------------------------------------------------------------------------


def _images_opencv_logs_about() -> dict[str, bytes]:
    """Corrupt images that pass the header checks and reach OpenCV, which logs about them on its own: a PNG
    without image data ('[ WARN ...] PNG input buffer is incomplete'), a BMP cut inside its pixels and a
    30-byte WebP (several-line '[ERROR ...] imdecode_ ...' reports)."""
    png = png_bytes(16, 16, seed=41)
    ok, bmp = cv2.imencode(".bmp", np.zeros((12, 16, 3), np.uint8))
    assert ok
    return {
        "no-image-data.png": png[:33] + png_chunk(b"IEND", b""),
        "cut.bmp": bmp.tobytes()[:300],
        "short.webp": webp_bytes(16, 16)[:30],
    }


def test_opencv_writes_nothing_on_stderr_for_corrupt_images(inputs: Path, sandbox: Sandbox) -> None:
    """OPENCV_LOG_LEVEL defaults to FATAL (clonedetect/__init__.py): each image is one warning, and OpenCV's
    own lines stay off stderr. A user can still ask for them. libpng's 'libpng error: ...' lines bypass
    OpenCV's logger and are not checked here: no setting silences them."""
    game = inputs / "game"
    game.mkdir()
    (game / "icon.png").write_bytes(png_bytes(48, 48))
    for name, data in _images_opencv_logs_about().items():
        (game / name).write_bytes(data)
    run = inspect(game, sandbox)
    report = assert_usable(run)
    for name in _images_opencv_logs_about():
        assert warned(report, name, "image not decoded"), name
    assert "[ WARN" not in run.stderr and "[ERROR" not in run.stderr, run.stderr[-2000:]
    loud = run_cli(["inspect", str(game), "--json"], sandbox, env={"OPENCV_LOG_LEVEL": "WARNING"})
    assert_usable(loud)
    assert "[ WARN" in loud.stderr and "[ERROR" in loud.stderr, loud.stderr[-2000:]
