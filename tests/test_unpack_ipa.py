"""unpack of IPAs (samples/build.py's build_ipa), Apple plists and .strings files, and CgBI icons.

Icons are Shattered Pixel Dungeon's real iOS AppIcon set from the corpus; one gets an alpha gradient so the
premultiplied-alpha round trip of CgBI is exercised on every alpha value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import plistlib
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from corpus import CORPUS
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID
from PIL import Image

from clonedetect.model import LocalisedText, Package, PackageFormat
from clonedetect.settings import Limits, Settings
from clonedetect.unpack import open_package
from clonedetect.unpack.cgbi import CgbiError, cgbi_to_png, is_cgbi
from clonedetect.unpack.plist import PlistError, StringsFormatError, parse_plist, parse_strings_file
from samples.build import build_ipa, cgbi_encode, premultiply, unpremultiply

SPD = CORPUS / "shattered-pixel-dungeon"
APPICON = SPD / "ios/assets/Assets.xcassets/AppIcon.appiconset"
SPRITE = (SPD / "core/src/main/assets/sprites/rat.png").read_bytes()
SETTINGS = Settings()
LIMITS = Limits()
BUNDLE_ID = "com.shatteredpixel.shatteredpixeldungeon"
NAMES = {"en": "Shattered Pixel Dungeon", "zh-Hans": "破碎的像素地牢", "zh-Hant": "破碎的像素地下城"}


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, format="PNG")
    return out.getvalue()


def _with_alpha_gradient(png: bytes) -> bytes:
    """The icon with alpha running 0..255 across it: every premultiplication rounding case appears."""
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGBA")).copy()
    pixels[..., 3] = np.linspace(0, 255, pixels.shape[1]).astype(np.uint8)[None, :]
    return _png(pixels)


ICONS = {
    "AppIcon60x60@2x.png": (APPICON / "Icon-60@2x.png").read_bytes(),
    "AppIcon60x60@3x.png": (APPICON / "Icon-60@3x.png").read_bytes(),
    "AppIcon76x76@2x~ipad.png": _with_alpha_gradient((APPICON / "Icon-76@2x.png").read_bytes()),
}


def _rgba(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"))


def _profile(developer: x509.Certificate) -> bytes:
    """An embedded.mobileprovision: a CMS SignedData whose content is the XML profile plist."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Apple iPhone OS Provisioning Profile Signing")]
    )
    signer = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2040, 1, 1))
        .sign(key, hashes.SHA256())
    )
    profile = plistlib.dumps(
        {"TeamName": "Example Games Ltd", "DeveloperCertificates": [developer.public_bytes(Encoding.DER)]}
    )
    builder = pkcs7.PKCS7SignatureBuilder().set_data(profile).add_signer(signer, key, hashes.SHA256())
    return builder.sign(Encoding.DER, [])


def _developer_certificate() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "iPhone Distribution: Example Games Ltd (ABCDE12345)"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ABCDE12345"),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(42)
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2040, 1, 1))
        .sign(key, hashes.SHA256())
    )


DEVELOPER = _developer_certificate()


def _build(out: Path, binary_plist: bool) -> Path:
    return build_ipa(
        out,
        bundle_id=BUNDLE_ID,
        version="3.3.6",
        display_name=NAMES["en"],
        icons=ICONS,
        localized={
            lproj: {"CFBundleDisplayName": name, "start": name + "!"} for lproj, name in NAMES.items()
        },
        files={"embedded.mobileprovision": _profile(DEVELOPER), "res/sprites/rat.png": SPRITE},
        binary_plist=binary_plist,
        bundle_name="ShatteredPD",
    )


@pytest.fixture(scope="module")
def ipas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ipas")
    return {"binary": _build(root / "binary.ipa", True), "xml": _build(root / "xml.ipa", False)}


@pytest.fixture(scope="module")
def packages(ipas: dict[str, Path]) -> dict[str, Package]:
    found = {}
    for kind, path in ipas.items():
        with open_package(path, SETTINGS) as opened:
            found[kind] = opened.package
    return found


@pytest.mark.parametrize("kind", ["binary", "xml"])
def test_info_plist_metadata(packages: dict[str, Package], ipas: dict[str, Path], kind: str) -> None:
    package = packages[kind]
    assert package.format is PackageFormat.IPA
    assert package.package_id == BUNDLE_ID
    assert package.version_name == "3.3.6" and package.version_code == "3.3.6"
    assert package.app_name == NAMES["en"]
    assert package.sha256 == hashlib.sha256(ipas[kind].read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["binary", "xml"])
def test_display_names_per_lproj(packages: dict[str, Package], kind: str) -> None:
    # build_ipa alternates the two real .strings forms: en and zh-Hant UTF-16 text, zh-Hans a binary plist
    assert packages[kind].app_names == (("", NAMES["en"]), *sorted(NAMES.items()))
    texts = set(packages[kind].resource_strings)
    assert LocalisedText("InfoPlist/CFBundleDisplayName", "zh-Hans", NAMES["zh-Hans"]) in texts
    assert LocalisedText("InfoPlist/CFBundleName", "", "ShatteredPD") in texts


def test_icons_named_by_the_plist(packages: dict[str, Package]) -> None:
    assert packages["binary"].icon_entries == tuple(
        f"Payload/ShatteredPD.app/{name}" for name in sorted(ICONS)
    )


def test_cgbi_icons_decode_to_the_original_pixels(
    ipas: dict[str, Path], packages: dict[str, Package]
) -> None:
    with open_package(ipas["binary"], SETTINGS) as opened:
        stored = {
            name.rsplit("/", 1)[1]: opened.source.read(name) for name in packages["binary"].icon_entries
        }
    for name, original_png in ICONS.items():
        assert is_cgbi(stored[name]) and not is_cgbi(original_png)
        decoded = _rgba(cgbi_to_png(stored[name], LIMITS.max_pixels))
        original = _rgba(original_png)
        # premultiplying loses colour where alpha is small; the round trip is exact up to that rounding
        np.testing.assert_array_equal(decoded, unpremultiply(premultiply(original)))
        opaque = original[..., 3] == 255
        np.testing.assert_array_equal(decoded[opaque], original[opaque])


def test_cgbi_with_png_filters_as_pngcrush_writes() -> None:
    """pngcrush keeps PNG's per-row filters (sub, up, average, paeth): make a CgBI file with them."""
    original = _rgba(ICONS["AppIcon76x76@2x~ipad.png"])
    stored = premultiply(original)[..., [2, 1, 0, 3]].copy()
    filtered = io.BytesIO()
    Image.fromarray(stored, "RGBA").save(
        filtered, format="PNG", optimize=True
    )  # Pillow picks filters per row
    data = filtered.getvalue()
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert set(raw[:: 1 + 4 * original.shape[1]]) - {0}, "the encoder should have used some filters"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = next(body for kind, body in chunks if kind == b"IHDR")
    cgbi = b"".join(
        [
            data[:8],
            chunk(b"CgBI", b"\x50\x00\x20\x02"),
            chunk(b"IHDR", header),
            chunk(b"IDAT", deflate.compress(raw) + deflate.flush()),
            chunk(b"IEND", b""),
        ]
    )
    np.testing.assert_array_equal(
        _rgba(cgbi_to_png(cgbi, LIMITS.max_pixels)), unpremultiply(premultiply(original))
    )


def test_cgbi_pixel_limit_and_bad_input() -> None:
    cgbi = cgbi_encode(ICONS["AppIcon60x60@2x.png"])  # 120 x 120
    with pytest.raises(CgbiError, match="over the limit"):
        cgbi_to_png(cgbi, 120 * 120 - 1)
    with pytest.raises(CgbiError):
        cgbi_to_png(ICONS["AppIcon60x60@2x.png"], LIMITS.max_pixels)
    with pytest.raises(CgbiError):
        cgbi_to_png(cgbi[:60], LIMITS.max_pixels)


def test_provisioning_profile_names_the_developer(packages: dict[str, Package]) -> None:
    expected = hashlib.sha256(DEVELOPER.public_bytes(Encoding.DER)).hexdigest()
    [signer] = packages["binary"].signers
    assert (signer.scheme, signer.sha256, signer.key_algorithm) == ("ios", expected, "EC")
    assert "iPhone Distribution: Example Games Ltd" in signer.subject


def test_symlink_entry_is_not_followed(ipas: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "linked.ipa"
    path.write_bytes(ipas["binary"].read_bytes())
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("Payload/ShatteredPD.app/res/passwd")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with open_package(path, SETTINGS) as opened:
        package = opened.package
    assert "Payload/ShatteredPD.app/res/passwd" not in {entry.name for entry in package.entries}
    assert any(
        w.path == "Payload/ShatteredPD.app/res/passwd" and "symbolic link" in w.message
        for w in package.warnings
    )


# -- .strings ------------------------------------------------------------------------------------------------

STRINGS_TEXT = """/* Title screen */
"play" = "开始";
// a line comment
"quote" = "He said \\"hi\\"\\n";
unquoted_key = "value with \\U263A and \\UD83D\\UDE00";
"alone";
"tab"="a\\tb" ;
"""


def test_strings_utf16_text_with_comments_and_escapes() -> None:
    expected = [
        ("play", "开始"),
        ("quote", 'He said "hi"\n'),
        ("unquoted_key", "value with ☺ and 😀"),
        ("alone", "alone"),
        ("tab", "a\tb"),
    ]
    for data in (
        "\ufeff".encode("utf-16-le") + STRINGS_TEXT.encode("utf-16-le"),
        STRINGS_TEXT.encode("utf-16-be"),  # no BOM
        b"\xef\xbb\xbf" + STRINGS_TEXT.encode(),
        STRINGS_TEXT.encode(),
    ):
        assert parse_strings_file(data, LIMITS) == expected


def test_strings_binary_and_xml_plist_forms() -> None:
    values = {"play": "开始", "rankings": "排行榜"}
    for form in (plistlib.FMT_BINARY, plistlib.FMT_XML):
        assert parse_strings_file(plistlib.dumps(values, fmt=form), LIMITS) == list(values.items())


def test_strings_broken_file_keeps_what_was_read() -> None:
    with pytest.raises(StringsFormatError) as raised:
        parse_strings_file(b'"a" = "1";\n"b" = "2"\n"c" = "3";', LIMITS)
    assert raised.value.pairs == [("a", "1")]


# -- plists --------------------------------------------------------------------------------------------------


def test_binary_plist_matches_plistlib() -> None:
    value = {
        "name": "破碎的像素地牢",
        "ascii": "plain",
        "int": -5,
        "big": 2**40,
        "real": 1.5,
        "flags": [True, False],
        "date": dt.datetime(2024, 1, 2, 3, 4, 5),  # plistlib writes naive UTC; we read it back as aware UTC
        "data": b"\x00\x01",
        "nested": {"list": [1, {"deep": "x"}], "shared": "plain"},
    }
    expected = {**value, "date": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)}
    assert parse_plist(plistlib.dumps(value, fmt=plistlib.FMT_BINARY), LIMITS) == expected
    assert parse_plist(plistlib.dumps(value, fmt=plistlib.FMT_XML), LIMITS) == expected


def test_xml_plist_entities_are_refused() -> None:
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<plist version="1.0"><dict><key>CFBundleName</key><string>&b;</string></dict></plist>"""
    with pytest.raises(PlistError, match=r"entity|DTD"):
        parse_plist(laughs, LIMITS)
    external = b"""<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<plist><string>&x;</string></plist>"""
    with pytest.raises(PlistError):
        parse_plist(external, LIMITS)


def test_xml_plist_depth_limit() -> None:
    deep = b"<plist>" + b"<array>" * 100 + b"</array>" * 100 + b"</plist>"
    with pytest.raises(PlistError, match="deeper"):
        parse_plist(deep, LIMITS)
    expected: list[object] = []
    for _ in range(99):
        expected = [expected]
    assert parse_plist(deep, Limits(max_depth=200)) == expected


def test_binary_plist_cycle_is_refused() -> None:
    # one array (object 0) whose only element is itself
    objects = b"\xa1\x00"
    offsets = bytes([8])
    trailer = struct.pack(">6xBBQQQ", 1, 1, 1, 0, 8 + len(objects))
    with pytest.raises(PlistError, match="cycle"):
        parse_plist(b"bplist00" + objects + offsets + trailer, LIMITS)
