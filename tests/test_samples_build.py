"""The sample packages are real: Android and Apple formats, checked with the real tools and readers."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import plistlib
import re
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from samples import art, games
from samples.build import (
    SigningKey,
    build_apk,
    build_ipa,
    cgbi_decode,
    cgbi_encode,
    make_key,
    premultiply,
    unpremultiply,
)

pytestmark = pytest.mark.slow
REPO_SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass(frozen=True)
class Built:
    root: Path
    original_apk: Path
    repack_apk: Path
    repack_ec_apk: Path
    original_ipa: Path
    repack_ipa: Path
    listing: Path
    knockoff: Path


def _tool(*args: str) -> str:
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{args[0]} failed: {proc.stderr or proc.stdout}"
    return proc.stdout


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("samples")
    keys = root / "keys"
    apks = {}
    for game in (games.ORIGINAL, games.REPACK, games.REPACK_EC):
        key = make_key(keys, game.key_algorithm, game.key_subject)
        apks[game.key] = games.build_game_apk(game, root / f"{game.key}.apk", key)
    return Built(
        root=root,
        original_apk=apks["original"],
        repack_apk=apks["repack"],
        repack_ec_apk=apks["repack-ec"],
        original_ipa=games.build_game_ipa(games.ORIGINAL, root / "original.ipa"),
        repack_ipa=games.build_game_ipa(games.REPACK, root / "repack.ipa"),
        listing=games.build_game_listing(games.ORIGINAL, root / "listing-original"),
        knockoff=games.build_knockoff_listing(games.ORIGINAL, root / "listing-knockoff"),
    )


def _badging(apk: Path) -> str:
    return _tool("aapt", "dump", "badging", str(apk))


def _verify(apk: Path) -> dict[str, str]:
    out = _tool("apksigner", "verify", "--verbose", "--print-certs", str(apk))
    assert out.splitlines()[0] == "Verifies"
    facts = dict(re.findall(r"^Verified using (v\d) scheme[^:]*: (true|false)$", out, re.M))
    facts["dn"] = re.search(r"^Signer #1 certificate DN: (.*)$", out, re.M).group(1)  # type: ignore[union-attr]
    facts["algorithm"] = re.search(r"^Signer #1 key algorithm: (.*)$", out, re.M).group(1)  # type: ignore[union-attr]
    return facts


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: hashlib.sha256(archive.read(i)).hexdigest() for i in archive.infolist()}


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


# ---------------------------------------------------------------------------------------------------------
# APK


def test_badging_shows_ids_labels_and_versions(built: Built) -> None:
    original = _badging(built.original_apk)
    assert "package: name='com.examplegames.legend' versionCode='120' versionName='1.2.0'" in original
    assert "application-label:'龙之传说'" in original
    assert "application-label-en:'Legend of Dragons'" in original
    assert "application-label-zh-CN:'龙之传说'" in original
    repack = _badging(built.repack_apk)
    assert "package: name='com.pirate.dragon' versionCode='120'" in repack
    assert "application-label:'龙之传说私服'" in repack
    assert "application-label-en:'Dragon Legend Private'" in repack
    assert "launchable-activity: name='android.app.NativeActivity'" in repack


def test_signatures_verify_with_expected_schemes_and_keys(built: Built) -> None:
    original = _verify(built.original_apk)
    assert (original["v1"], original["v2"], original["v3"]) == ("true", "true", "true")
    assert original["dn"] == "CN=Example Games, O=Example Games Ltd, C=CN"
    assert original["algorithm"] == "RSA"
    repack = _verify(built.repack_apk)
    assert (repack["v1"], repack["v2"], repack["v3"]) == ("true", "true", "false")
    assert repack["dn"] == "CN=Android Debug, O=Android, C=US"
    assert _verify(built.repack_ec_apk)["algorithm"] == "EC"


def test_resource_icons_and_assets_keep_their_bytes(built: Built) -> None:
    """--no-crunch: the PNG in the APK is the art we gave, so exact-hash matching has ground truth."""
    assert _read(built.original_apk, "res/mipmap-xxhdpi-v4/ic_launcher.png") == art.icon_png(art.FANTASY, 144)
    foreground, background = art.adaptive_layers(art.FANTASY)
    assert _read(built.original_apk, "res/mipmap-xxxhdpi-v4/ic_launcher_foreground.png") == foreground
    assert _read(built.original_apk, "res/mipmap-xxxhdpi-v4/ic_launcher_background.png") == background
    for path, data in games.asset_files(games.ORIGINAL).items():
        assert _read(built.original_apk, f"assets/{path}") == data


def test_repack_changes_only_what_a_private_server_changes(built: Built) -> None:
    original, repack = _members(built.original_apk), _members(built.repack_apk)
    assert original.keys() == repack.keys()
    changed = {name for name in original if original[name] != repack[name]}
    assert changed == {
        "AndroidManifest.xml",
        "resources.arsc",
        "assets/config/server.json",
        "assets/data/shop.csv",
        "META-INF/MANIFEST.MF",
        "META-INF/RELEASE.SF",
        "META-INF/RELEASE.RSA",
    }
    shop = list(csv.DictReader(io.StringIO(_read(built.repack_apk, "assets/data/shop.csv").decode("utf-8"))))
    prices = {row["name"]: int(row["price"]) for row in shop}
    for name, (_, new) in games.REPACK_PRICE_CHANGES.items():
        assert prices[name] == new
    server = json.loads(_read(built.repack_apk, "assets/config/server.json"))
    assert (server["api"], server["ip"]) == (games.REPACK_ENDPOINT, games.REPACK_IP)
    assert server["zones"][0]["name"] == games.REPACK_ZONE
    original_server = json.loads(_read(built.original_apk, "assets/config/server.json"))
    assert (original_server["api"], original_server["ip"]) == (games.ORIGINAL_ENDPOINT, games.ORIGINAL_IP)
    # The renamed zone is in the repack's string pool, the original's is not.
    assert "String #" in (pool := _tool("aapt", "dump", "strings", str(built.repack_apk)))
    assert games.REPACK_ZONE in pool and games.ORIGINAL_ZONE not in pool


def test_android_string_escaping_round_trips(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys", "EC")
    tricky = 'It\'s "quoted" \\ back & <tag>'
    apk = build_apk(
        tmp_path / "t.apk",
        package_id="org.example.escape",
        version_code=3,
        version_name="0.1",
        label={"": "@Label"},
        strings={"": {"tricky": tricky, "line": "a\nb"}},
        icons={"mdpi": art.icon_png(art.FARM, 48)},
        key=key,
        schemes=("v2",),
    )
    assert "application-label:'@Label'" in _badging(apk)
    pool = _tool("aapt", "dump", "--values", "resources", str(apk))
    assert '(string8) "It\'s \\"quoted\\" \\\\ back & <tag>"' in pool
    facts = _verify(apk)  # v2 only: build_apk raised minSdk to 24 so the APK still verifies
    assert (facts["v1"], facts["v2"]) == ("false", "true")
    assert "sdkVersion:'24'" in _badging(apk)


def test_make_key_gives_a_new_key_each_call(tmp_path: Path) -> None:
    first, second = make_key(tmp_path), make_key(tmp_path)
    assert isinstance(first, SigningKey) and first.keystore != second.keystore
    assert first.keystore.read_bytes() != second.keystore.read_bytes()
    out = _tool("keytool", "-list", "-v", "-keystore", str(first.keystore), "-storepass", first.password)
    assert "Owner: CN=Example Games, O=Example Games Ltd, C=CN" in out
    assert "Valid from: Wed Jan 01 00:00:00" in out and "2020" in out


def test_build_apk_refuses_unsafe_input(tmp_path: Path) -> None:
    key = SigningKey(tmp_path / "none.p12", "a", "b", "RSA")
    common = {
        "package_id": "a.b",
        "version_code": 1,
        "version_name": "1",
        "label": {"": "x"},
        "strings": {},
        "icons": {"mdpi": art.icon_png(art.FARM, 48)},
        "key": key,
    }
    with pytest.raises(ValueError, match="unsafe path"):
        build_apk(tmp_path / "x.apk", assets={"../evil.txt": b"x"}, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="signing schemes"):
        build_apk(tmp_path / "x.apk", schemes=("v9",), **common)  # type: ignore[arg-type]
    assert not (tmp_path / "evil.txt").exists()


# ---------------------------------------------------------------------------------------------------------
# IPA and CgBI


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        out.append((kind, data))
        pos += 12 + length
    return out


def test_ipa_info_plist_is_binary_and_complete(built: Built) -> None:
    raw = _read(built.original_ipa, "Payload/Legend.app/Info.plist")
    assert raw.startswith(b"bplist00")
    info = plistlib.loads(raw)
    assert info["CFBundleIdentifier"] == "com.examplegames.legend"
    assert info["CFBundleDisplayName"] == "龙之传说"
    assert (info["CFBundleShortVersionString"], info["CFBundleVersion"]) == ("1.2.0", "1.2.0")
    primary = info["CFBundleIcons"]["CFBundlePrimaryIcon"]
    assert primary == {"CFBundleIconFiles": ["AppIcon60x60"], "CFBundleIconName": "AppIcon"}
    assert info["CFBundleIcons~ipad"]["CFBundlePrimaryIcon"]["CFBundleIconFiles"] == [
        "AppIcon60x60",
        "AppIcon76x76",
    ]
    repack = plistlib.loads(_read(built.repack_ipa, "Payload/Legend.app/Info.plist"))
    assert (repack["CFBundleIdentifier"], repack["CFBundleDisplayName"]) == (
        "com.pirate.dragon",
        "龙之传说私服",
    )


def test_ipa_strings_use_both_apple_forms(built: Built) -> None:
    app = "Payload/Legend.app/"
    text = _read(built.original_ipa, app + "en.lproj/Localizable.strings")
    assert text.startswith(b"\xff\xfe")  # UTF-16 LE with BOM
    assert '"zone_1" = "Azure Dragon Realm";' in text.decode("utf-16")
    assert 'CFBundleDisplayName" = "Legend of Dragons"' in _read(
        built.original_ipa, app + "en.lproj/InfoPlist.strings"
    ).decode("utf-16")
    compiled = _read(built.original_ipa, app + "zh-Hans.lproj/Localizable.strings")
    assert compiled.startswith(b"bplist00")
    assert plistlib.loads(compiled)["zone_1"] == "青龙区"
    assert plistlib.loads(_read(built.original_ipa, app + "zh-Hans.lproj/InfoPlist.strings")) == {
        "CFBundleDisplayName": "龙之传说"
    }


def test_ipa_icons_are_cgbi_and_decode_back(built: Built) -> None:
    for name, size in games.IOS_ICON_SIZES.items():
        data = _read(built.original_ipa, f"Payload/Legend.app/{name}")
        chunks = _chunks(data)
        assert [k for k, _ in chunks][:2] == [b"CgBI", b"IHDR"]
        with pytest.raises((OSError, SyntaxError)):  # Pillow must not read a CgBI PNG as-is
            Image.open(io.BytesIO(data)).load()
        decoded = np.asarray(cgbi_decode(data))
        source = np.asarray(Image.open(io.BytesIO(art.icon_png(art.FANTASY, size))).convert("RGBA"))
        assert decoded.shape == (size, size, 4)
        assert np.array_equal(decoded, unpremultiply(premultiply(source)))


def test_cgbi_layout_matches_pngcrush_iphone() -> None:
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (23, 41, 4), dtype=np.uint8)
    rgba[0, 0] = (200, 100, 50, 0)  # fully transparent pixel: colour is lost, as on iOS
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    encoded = cgbi_encode(buf.getvalue())
    chunks = dict(_chunks(encoded))
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth, colour_type) == (41, 23, 8, 6)
    idat = chunks[b"IDAT"]
    with pytest.raises(zlib.error):
        zlib.decompress(idat)  # no zlib header / Adler-32
    raw = np.frombuffer(zlib.decompress(idat, -15), dtype=np.uint8).reshape(23, 41 * 4 + 1)
    assert (raw[:, 0] == 0).all()
    bgra = raw[:, 1:].reshape(23, 41, 4)
    alpha = rgba[..., 3].astype(int)
    expected_red = (rgba[..., 0].astype(int) * alpha + 127) // 255
    assert np.array_equal(bgra[..., 2], expected_red)  # red is third: BGRA, premultiplied
    assert np.array_equal(bgra[..., 3], rgba[..., 3])
    decoded = np.asarray(cgbi_decode(encoded)).astype(int)
    visible = alpha > 0
    # Premultiplying to 8 bits loses up to 255 / (2 * alpha) per channel; nothing more may be lost.
    error = np.abs(decoded[..., :3] - rgba[..., :3].astype(int)).max(axis=2)
    assert (error[visible] <= np.ceil(255 / (2 * alpha[visible]))).all()
    assert (decoded[~visible] == 0).all()


def test_ipa_bytes_are_reproducible(built: Built, tmp_path: Path) -> None:
    again = games.build_game_ipa(games.ORIGINAL, tmp_path / "again.ipa")
    assert again.read_bytes() == built.original_ipa.read_bytes()


def test_build_ipa_plain_variant(tmp_path: Path) -> None:
    icon = art.icon_png(art.FARM, 120)
    ipa = build_ipa(
        tmp_path / "p.ipa",
        bundle_id="org.example.plain",
        version="2.0",
        display_name="Plain",
        icons={"AppIcon60x60@2x.png": icon},
        binary_plist=False,
        cgbi=False,
    )
    assert _read(ipa, "Payload/Plain.app/Info.plist").startswith(b"<?xml")
    assert _read(ipa, "Payload/Plain.app/AppIcon60x60@2x.png") == icon


# ---------------------------------------------------------------------------------------------------------
# Art, atlases, listings


def _numbers(value: str) -> list[int]:
    """'{{1,2},{3,4}}' -> [1, 2, 3, 4]: the geometry strings of Cocos plists."""
    return [int(n) for n in re.findall(r"-?\d+", value)]


def test_atlas_frames_rebuild_the_loose_sprites() -> None:
    for theme in (art.FANTASY, art.FARM):
        page = art.character_atlas(theme)
        plist = plistlib.loads(art.cocos_plist(page, "characters.png"))
        assert plist["metadata"]["format"] == 2
        frames = plist["frames"]
        assert any(f["rotated"] for f in frames.values())
        trimmed = [
            n for n, f in frames.items() if _numbers(f["sourceColorRect"])[2:] != _numbers(f["sourceSize"])
        ]
        assert trimmed and len(trimmed) < len(frames)  # some trimmed, at least one full-size frame
        sheet = json.loads(art.texturepacker_json(page, "characters.png"))
        assert set(sheet["frames"]) == set(frames)
        assert {n for n, f in sheet["frames"].items() if f["trimmed"]} == set(trimmed)
        loose = {n: Image.open(io.BytesIO(p)).convert("RGBA") for n, p in art.characters(theme).items()}
        for frame in page.frames:
            restored = np.asarray(art.unpack_frame(page.image, frame))
            original = np.asarray(loose[frame.name])
            # Trimming drops only fully transparent pixels, whose colour does not matter.
            assert np.array_equal(restored[..., 3], original[..., 3])
            opaque = original[..., 3] > 0
            assert np.array_equal(restored[opaque], original[opaque])


def test_art_is_deterministic_and_distinct() -> None:
    assert games.asset_files(games.ORIGINAL) == games.asset_files(games.ORIGINAL)
    assert art.to_png(art.character_image(art.FANTASY.characters[0])) == art.characters(art.FANTASY)["knight"]
    fantasy, farm = (
        set(games.asset_files(games.ORIGINAL).values()),
        set(games.asset_files(games.UNRELATED).values()),
    )
    assert not fantasy & farm
    for theme in (art.FANTASY, art.FARM):
        assert len(theme.characters) == 8
        for spec in theme.characters:
            assert 64 <= max(spec.width, spec.height) <= 128
            alpha = np.asarray(art.character_image(spec))[..., 3]
            assert alpha.max() == 255 and (spec.full_bleed or alpha.min() == 0)
    background = Image.open(io.BytesIO(art.ui_images(art.FANTASY)["background.jpg"]))
    assert (background.format, background.size) == ("JPEG", (1024, 576))


def test_listings_have_the_store_layout(built: Built) -> None:
    listing = built.listing
    assert (listing / "title.txt").read_text(encoding="utf-8") == games.ORIGINAL.listing_title + "\n"
    assert (listing / "description.txt").read_text(encoding="utf-8").startswith("龙之传说")
    shots = sorted((listing / "screenshots").iterdir())
    assert [s.name for s in shots] == ["01.png", "02.png"]
    assert Image.open(shots[0]).size == (1280, 720)
    assert Image.open(listing / "icon.png").size == (512, 512)
    knock = sorted((built.knockoff / "screenshots").iterdir())
    assert [s.name for s in knock] == ["01.jpg", "02.jpg"]
    assert Image.open(knock[0]).size == (960, 540)
    assert (built.knockoff / "title.txt").read_text(encoding="utf-8") == games.KNOCKOFF_TITLE + "\n"
    assert (built.knockoff / "icon.png").read_bytes() != (listing / "icon.png").read_bytes()


def test_committed_samples_are_present_and_valid() -> None:
    """The README's first command runs on the committed samples, without Android tools."""
    for name in (
        "original.apk",
        "repack.apk",
        "repack-ec.apk",
        "unrelated.apk",
        "original.ipa",
        "repack.ipa",
    ):
        path = REPO_SAMPLES / name
        assert path.is_file(), f"missing committed sample {name}: run python samples/build.py"
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    assert "package: name='com.sunnyacres.starfarm'" in _badging(REPO_SAMPLES / "unrelated.apk")
    for listing in ("listing-original", "listing-knockoff"):
        assert (REPO_SAMPLES / listing / "title.txt").is_file()
