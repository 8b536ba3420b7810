"""Hostile images: a 65,000 x 65,000 PNG (header only, and complete), corrupt and truncated PNG / JPEG / WebP,
zero-byte images, CgBI PNGs with bad data, and size fields of every format forged past the pixel limit.

Each unreadable image is one warning with its path; an undecodable image still keeps its byte hash, so an
exact copy of it is found; the sample's own images are all still fingerprinted.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

from clonedetect.fingerprint.decode import DecodeError, read_page
from clonedetect.pipeline import analyse
from clonedetect.settings import Limits, Settings
from hostile.builders import (
    build_zip,
    cgbi_png,
    deflate_zeros,
    deflated,
    jpeg_bytes,
    png_bytes,
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
from hostile.runner import Sandbox, assert_usable, inspect, warned

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


def test_png_chunk_claiming_gigabytes_costs_no_memory(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("png-chunk-2.9gb").build(inputs), sandbox)
    assert_usable(run)
    assert run.max_rss_mib < ONE_GIB_RSS, f"peak RSS {run.max_rss_mib:.0f} MiB"
