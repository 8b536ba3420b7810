"""Seed corpora, generated at run time from the sample games (samples/) plus a few small hand-made files for
the shapes the samples lack. Harnesses that fuzz several parsers take a one-byte selector first (see each
harness's docstring); their seeds carry it.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
import zlib
from functools import cache

import numpy as np
from PIL import Image

from fuzz.common import REPO

SAMPLES = REPO / "samples"
APP = "Payload/Legend.app/"


@cache
def _sample(name: str) -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLES / name) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def _zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED, zip64: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            with archive.open(name, "w", force_zip64=zip64) as member:
                member.write(data)
    return buffer.getvalue()


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo(APP + "link.png")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr(APP + "Info.plist", _sample("original.ipa")[APP + "Info.plist"])
    return buffer.getvalue()


def _duplicates() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate we want
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("classes.dex", b"dex\n035\x00first")
            archive.writestr("classes.dex", b"dex\n035\x00second")
    return buffer.getvalue()


def _declared_smaller(data: bytes, size: int) -> bytes:
    """The archive with its first member's declared size (local and central header) cut to `size`: its
    data then run on past the declared size, which safezip reads to that size with a warning."""
    patched = bytearray(data)
    for magic, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        struct.pack_into("<I", patched, patched.find(magic) + size_offset, size)
    return bytes(patched)


def _flag_encrypted(data: bytes) -> bytes:
    patched = bytearray(data)
    for magic, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(magic)
        while at >= 0:
            patched[at + flags_at] |= 1
            at = patched.find(magic, at + 4)
    return bytes(patched)


def safezip() -> dict[str, bytes]:
    apk = _sample("original.apk")
    small = {
        "AndroidManifest.xml": apk["AndroidManifest.xml"],
        "res/mipmap-mdpi-v4/ic_launcher.png": apk["res/mipmap-mdpi-v4/ic_launcher.png"],
        "assets/data/shop.csv": apk["assets/data/shop.csv"],
    }
    deflated = _zip(small)
    return {
        "deflated.zip": deflated,
        "stored.zip": _zip(small, zipfile.ZIP_STORED),
        "zip64.zip": _zip({"assets/config/server.json": apk["assets/config/server.json"]}, zip64=True),
        "nested.zip": _zip(
            {"base.apk": deflated, "assets/main.obb": _zip({"a.txt": b"inner"})}, zipfile.ZIP_STORED
        ),
        "symlink.ipa": _symlink_zip(),
        "encrypted-flag.zip": _flag_encrypted(deflated),
        "duplicates.zip": _duplicates(),
        "longer-than-declared.zip": _declared_smaller(deflated, 100),
        "stored-longer-than-declared.zip": _declared_smaller(_zip(small, zipfile.ZIP_STORED), 100),
    }


def apk() -> dict[str, bytes]:
    """Selector 0: binary XML alone; 1: a resource table alone; 2: u32 length + manifest + table."""
    seeds: dict[str, bytes] = {}
    for sample in ("original.apk", "repack.apk", "unrelated.apk"):
        files = _sample(sample)
        manifest, table = files["AndroidManifest.xml"], files["resources.arsc"]
        stem = sample.removesuffix(".apk")
        seeds[f"{stem}-manifest"] = b"\x00" + manifest
        seeds[f"{stem}-table"] = b"\x01" + table
        seeds[f"{stem}-both"] = b"\x02" + struct.pack("<I", len(manifest)) + manifest + table
    seeds["adaptive-icon"] = b"\x00" + _sample("original.apk")["res/mipmap-anydpi-v26/ic_launcher.xml"]
    return seeds


XML_PLIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>name</key><string>Legend</string><key>n</key><integer>0x1F</integer>
<key>r</key><real>1.5</real><key>ok</key><true/><key>d</key><date>2020-01-02T03:04:05Z</date>
<key>b</key><data>AAEC</data><key>list</key><array><string>a</string><dict/></array></dict></plist>"""
STRINGS_TEXT = (
    b'/* comment */\n"greeting" = "Hello \\"you\\"\\n";\n// line\nunquoted = value;\n'
    b'"emoji" = "\\Ud83d\\Ude00";\n"octal" = "\\101";\n"self";\n'
)


def plist() -> dict[str, bytes]:
    """Selector 0: parse_plist; 1: parse_strings_file."""
    ipa = _sample("original.ipa")
    apk = _sample("original.apk")
    return {
        "info-binary": b"\x00" + ipa[APP + "Info.plist"],
        "atlas-xml": b"\x00" + apk["assets/atlas/characters.plist"],
        "hand-xml": b"\x00" + XML_PLIST,
        "strings-utf16": b"\x01" + ipa[APP + "en.lproj/Localizable.strings"],
        "strings-binary": b"\x01" + ipa[APP + "zh-Hans.lproj/Localizable.strings"],
        "infoplist-strings": b"\x01" + ipa[APP + "en.lproj/InfoPlist.strings"],
        "strings-utf8": b"\x01" + STRINGS_TEXT,
    }


SPEC = b"""[spec]
name = "fuzz"
[file]
gfx = "units"
[grid_main]
x_top_left = 1
y_top_left = 2
dx = 30
dy = 20
pixel_border = 1
tiles = { "row", "column", "tag"
  0, 0, "u.warriors"
  0, 1, "u.settlers"
}
"""
COCOS_FORMAT3 = b"""<?xml version="1.0"?><plist version="1.0"><dict><key>frames</key><dict>
<key>hero.png</key><dict><key>textureRect</key><string>{{2,3},{40,50}}</string><key>textureRotated</key><true/>
<key>spriteOffset</key><string>{1,-1}</string><key>spriteSourceSize</key><string>{44,54}</string></dict></dict>
<key>metadata</key><dict><key>format</key><integer>3</integer><key>textureFileName</key><string>p.png</string>
</dict></dict></plist>"""


def _atlas_seed(mode: int, payload: bytes, width: int = 512, height: int = 512) -> bytes:
    return bytes([mode]) + struct.pack(">HH", width, height) + payload


def atlas() -> dict[str, bytes]:
    """Selector 0: JSON; 1: plist; 2: Freeciv .spec; then u16 page width and height; then the description."""
    apk = _sample("original.apk")
    items = json.loads(apk["assets/atlas/items.json"])
    as_array = {"frames": [{"filename": name, **spec} for name, spec in items["frames"].items()], "meta": {}}
    return {
        "texturepacker-hash": _atlas_seed(0, apk["assets/atlas/items.json"]),
        "texturepacker-array": _atlas_seed(0, json.dumps(as_array).encode()),
        "cocos-format2": _atlas_seed(1, apk["assets/atlas/characters.plist"]),
        "cocos-format3": _atlas_seed(1, COCOS_FORMAT3, 64, 64),
        "freeciv-spec": _atlas_seed(2, SPEC, 100, 50),
    }


LUA = b"""-- items
local ItemConfig = {
  [1001] = {id = 1001, name = "\\u{5251}", price = 100, tags = {"melee", 'sharp'}},
  [1002] = {id = 1002, name = [[long
string]], price = -5.5e1, hidden = true, extra = nil},
}
return { {id = 1, name = "a"}, {id = 2, name = "b"} }
"""
RULESET = b"""[datafile]
description = "units"
[unit_warriors]
name = _("Warriors")
build_cost = 10
roles = "DefendOk", "FirstBuild"
[unit_settlers]
name = _("Settlers")
build_cost = 30
flags = "Cities",
  "NonMil"
"""
PO = b"""msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
msgctxt "menu"
msgid "Start"
msgstr "\\u5f00\\u59cb"

msgid "one apple"
msgid_plural "%d apples"
msgstr[0] "%d pomme"
msgstr[1] "%d pommes"
"""
PROPERTIES = b"title=Legend\\u00e9\nmulti = one \\\n   two\n! comment\nkey\\:with\\=seps : value\n"
XML_RECORDS = (
    b'<monsters><monster id="1" name="slime"><hp>10</hp></monster>'
    b'<monster id="2"><hp>20</hp></monster></monsters>'
)


def tables() -> dict[str, bytes]:
    """Selector: 0 CSV, 1 JSON, 2 XML, 3 Lua, 4 Freeciv registry, 5 gettext .po, 6 .properties, 7 raw text."""
    apk = _sample("original.apk")
    return {
        "shop-csv": b"\x00" + apk["assets/data/shop.csv"],
        "monsters-json": b"\x01" + apk["assets/data/monsters.json"],
        "server-json": b"\x01" + apk["assets/config/server.json"],
        "records-xml": b"\x02" + XML_RECORDS,
        "items-lua": b"\x03" + LUA,
        "units-ruleset": b"\x04" + RULESET,
        "messages-po": b"\x05" + PO,
        "strings-properties": b"\x06" + PROPERTIES,
        "utf16-text": b"\x07" + "龙之传说 text".encode("utf-16"),
        "gb18030-text": b"\x07" + "龙之传说".encode("gb18030"),
    }


def _encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def _png16(samples: np.ndarray) -> bytes:
    """A 16-bit RGB or RGBA PNG with unfiltered rows, written by hand: Pillow cannot write one, and cv2 must
    not be imported here, before clonedetect has set OpenCV's pixel limit and log level."""
    height, width, channels = samples.shape
    raw = b"".join(b"\0" + row.tobytes() for row in samples.astype(">u2").reshape(height, -1))
    header = struct.pack(">IIBBBBB", width, height, 16, 6 if channels == 4 else 2, 0, 0, 0)
    chunks = [(b"IHDR", header), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in chunks
    )


def image() -> dict[str, bytes]:
    apk = _sample("original.apk")
    ipa = _sample("original.ipa")
    rng = np.random.default_rng(3)
    rgba = Image.fromarray(rng.integers(0, 256, (12, 16, 4), dtype=np.uint8), "RGBA")
    rgb = rgba.convert("RGB")
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    frames = [rgb, rgb.rotate(90)]
    return {
        "icon.png": apk["res/mipmap-mdpi-v4/ic_launcher.png"],
        "button.png": apk["assets/ui/button.png"],
        "cgbi.png": ipa[APP + "AppIcon60x60@2x.png"],
        "small.jpg": _encoded(rgb, "JPEG", quality=80),
        "progressive.jpg": _encoded(rgb, "JPEG", progressive=True),
        "lossy.webp": _encoded(rgb, "WEBP", quality=50),
        "lossless.webp": _encoded(rgba, "WEBP", lossless=True),
        "animated.gif": _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "image.bmp": _encoded(rgb, "BMP"),
        "icon.ico": _encoded(rgba.resize((16, 16)), "ICO", sizes=[(16, 16)]),
        "grey16.png": _encoded(Image.fromarray(rng.integers(0, 65535, (8, 8), dtype=np.uint16)), "PNG"),
        # 16-bit colour goes to Pillow, not OpenCV (decode.py)
        "rgba16.png": _png16(rng.integers(0, 65535, (8, 12, 4), dtype=np.uint16)),
        "rgb16.png": _png16(rng.integers(0, 65535, (8, 12, 3), dtype=np.uint16)),
        "palette-trns.png": _encoded(palette, "PNG", transparency=0),
        "grey-trns.png": _encoded(rgb.convert("L"), "PNG", transparency=7),
    }


SEEDS = {
    "safezip": safezip,
    "apk": apk,
    "plist": plist,
    "atlas": atlas,
    "tables": tables,
    "image": image,
}
