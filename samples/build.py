"""Build real sample packages: signed APKs (aapt, zipalign, apksigner), IPAs with CgBI icons, store listings.

The builders are used by the sample games (``samples/games.py``) and by other engineers' tests, which rebuild
packages with variations. Everything is produced with the same tools a studio or a pirate would use, so the
analysis is tested against real container formats rather than hand-written imitations.

Run ``python samples/build.py [--out samples]`` to regenerate the committed sample packages.
"""

from __future__ import annotations

import argparse
import io
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from PIL import Image

# Android resource includes, best first. Debian bookworm has no android-sdk-platform-* package, but
# android-framework-res ships the platform's framework-res.apk, which aapt accepts as an -I include.
ANDROID_INCLUDES: tuple[str, ...] = (
    "/usr/lib/android-sdk/platforms/*/android.jar",
    "/usr/share/android-framework-res/framework-res.apk",
)
TOOL_TIMEOUT_S = 120
DENSITIES: tuple[str, ...] = ("mdpi", "hdpi", "xhdpi", "xxhdpi", "xxxhdpi")
SIGNING_SCHEMES: tuple[str, ...] = ("v1", "v2", "v3")
# A fixed certificate start date keeps certificates comparable across builds (only the key is random).
KEY_START_DATE = "2020/01/01 00:00:00"
KEY_VALIDITY_DAYS = "10000"
MIN_SDK = 21  # ECDSA v1 (JAR) signatures need API 18+; 21 is a common floor for games
MIN_SDK_WITHOUT_V1 = 24  # APK Signature Scheme v2 arrived in Android 7.0
TARGET_SDK = 29  # matches Debian's framework-res.apk (Android 10)


class ToolError(RuntimeError):
    """An external build tool failed; the message carries its stderr."""


@dataclass(frozen=True)
class SigningKey:
    keystore: Path
    alias: str
    password: str
    algorithm: str  # "RSA" or "EC"


def _run(args: Sequence[str], cwd: Path | None = None) -> str:
    """Run a build tool; fail loudly with its own message, since a silent bad sample poisons every test."""
    proc = subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
    )
    if proc.returncode != 0:
        raise ToolError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def android_include() -> Path:
    """The platform resource table aapt links against (android.jar or framework-res.apk)."""
    for pattern in ANDROID_INCLUDES:
        root, _, glob = pattern.partition("/*/")
        candidates = sorted(Path(root).glob("*/" + glob)) if glob else [Path(pattern)]
        for candidate in reversed(candidates):  # newest platform first
            if candidate.is_file():
                return candidate
    raise ToolError("no android.jar or framework-res.apk found: apt-get install android-framework-res")


# ---------------------------------------------------------------------------------------------------------
# Signing keys


def make_key(
    workdir: Path, algorithm: str = "RSA", subject: str = "CN=Example Games, O=Example Games Ltd, C=CN"
) -> SigningKey:
    """A fresh PKCS#12 keystore holding one self-signed key (RSA 2048 or EC P-256), fixed validity window."""
    algorithm = algorithm.upper()
    if algorithm not in ("RSA", "EC"):
        raise ValueError(f"unsupported key algorithm {algorithm!r}: use 'RSA' or 'EC'")
    workdir.mkdir(parents=True, exist_ok=True)
    alias = "release"
    password = "android-sample"
    # A fresh folder per key: an earlier SigningKey must never end up pointing at a later call's keystore.
    keystore = Path(tempfile.mkdtemp(prefix=f"key-{algorithm.lower()}-", dir=workdir)) / "release.p12"
    size_args = ["-keysize", "2048"] if algorithm == "RSA" else ["-groupname", "secp256r1"]
    _run(
        [
            "keytool", "-genkeypair", "-noprompt",
            "-keystore", str(keystore), "-storetype", "PKCS12",
            "-storepass", password, "-keypass", password,
            "-alias", alias, "-keyalg", algorithm, *size_args,
            "-sigalg", "SHA256withRSA" if algorithm == "RSA" else "SHA256withECDSA",
            "-dname", subject, "-startdate", KEY_START_DATE, "-validity", KEY_VALIDITY_DAYS,
        ]
    )  # fmt: skip
    return SigningKey(keystore=keystore, alias=alias, password=password, algorithm=algorithm)


# ---------------------------------------------------------------------------------------------------------
# APK


def android_string_escape(value: str) -> str:
    """Escape a value for res/values/strings.xml so aapt stores exactly `value` in resources.arsc."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'").replace("\n", "\\n")
    if out.startswith(("@", "?")):
        out = "\\" + out  # otherwise aapt reads it as a resource / attribute reference
    return escape(out)


def _strings_xml(values: Mapping[str, str]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<resources>"]
    for name in sorted(values):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"invalid Android resource name {name!r}")
        lines.append(f'    <string name="{name}">{android_string_escape(values[name])}</string>')
    lines.append("</resources>")
    return "\n".join(lines) + "\n"


def _manifest_xml(package_id: str, version_code: int, version_name: str, min_sdk: int) -> str:
    # hasCode="false": the samples carry no dex, and saying so keeps the manifest truthful for verifiers.
    return f"""<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package={quoteattr(package_id)}
    android:versionCode="{int(version_code)}"
    android:versionName={quoteattr(version_name)}>
    <uses-sdk android:minSdkVersion="{min_sdk}" android:targetSdkVersion="{TARGET_SDK}" />
    <uses-permission android:name="android.permission.INTERNET" />
    <application android:label="@string/app_name" android:icon="@mipmap/ic_launcher"
        android:roundIcon="@mipmap/ic_launcher" android:hasCode="false" android:allowBackup="false">
        <activity android:name="android.app.NativeActivity" android:label="@string/app_name"
            android:screenOrientation="landscape" android:exported="true">
            <meta-data android:name="android.app.lib_name" android:value="game" />
            <intent-filter>
                <action android:name="android.intent.action.MAIN" />
                <category android:name="android.intent.category.LAUNCHER" />
            </intent-filter>
        </activity>
    </application>
</manifest>
"""


ADAPTIVE_ICON_XML = """<?xml version="1.0" encoding="utf-8"?>
<adaptive-icon xmlns:android="http://schemas.android.com/apk/res/android">
    <background android:drawable="@mipmap/ic_launcher_background" />
    <foreground android:drawable="@mipmap/ic_launcher_foreground" />
</adaptive-icon>
"""


def _safe_relpath(path: str) -> Path:
    """A relative path for a file the builder writes; refuse anything that could leave the build tree."""
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"unsafe path {path!r}")
    return Path(*parts)


def _write(root: Path, rel: str, data: bytes | str) -> None:
    target = root / _safe_relpath(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        target.write_text(data, encoding="utf-8")
    else:
        target.write_bytes(data)


def _values_dir(locale: str) -> str:
    return "values" if not locale else f"values-{locale}"


def build_apk(
    out: Path,
    *,
    package_id: str,
    version_code: int,
    version_name: str,
    label: Mapping[str, str],
    strings: Mapping[str, Mapping[str, str]],
    icons: Mapping[str, bytes],
    adaptive_icon: tuple[bytes, bytes] | None = None,
    assets: Mapping[str, bytes] = {},
    key: SigningKey,
    schemes: Sequence[str] = ("v1", "v2"),
) -> Path:
    """Compile a real APK with aapt, align it with zipalign and sign it with apksigner; returns `out`."""
    unknown = sorted(set(schemes) - set(SIGNING_SCHEMES))
    if unknown or not schemes:
        raise ValueError(f"signing schemes must be a non-empty subset of {SIGNING_SCHEMES}, got {schemes!r}")
    if "" not in label:
        raise ValueError("label needs a default-locale entry ('')")
    bad_density = sorted(set(icons) - set(DENSITIES))
    if bad_density or not icons:
        raise ValueError(f"icons need densities from {DENSITIES}, got {sorted(icons)!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="apk-build-") as tmp:
        root = Path(tmp)
        # Without a v1 signature an APK only installs (and verifies) on API 24+, so say so in the manifest.
        min_sdk = MIN_SDK if "v1" in schemes else MIN_SDK_WITHOUT_V1
        _write(root, "AndroidManifest.xml", _manifest_xml(package_id, version_code, version_name, min_sdk))
        for locale in sorted(set(label) | set(strings)):
            values = dict(strings.get(locale, {}))
            if locale in label:
                values["app_name"] = label[locale]
            _write(root, f"res/{_values_dir(locale)}/strings.xml", _strings_xml(values))
        for density in sorted(icons):
            _write(root, f"res/mipmap-{density}/ic_launcher.png", icons[density])
        if adaptive_icon is not None:
            foreground, background = adaptive_icon
            _write(root, "res/mipmap-anydpi-v26/ic_launcher.xml", ADAPTIVE_ICON_XML)
            _write(root, "res/mipmap-xxxhdpi/ic_launcher_foreground.png", foreground)
            _write(root, "res/mipmap-xxxhdpi/ic_launcher_background.png", background)
        (root / "assets").mkdir()
        for name in sorted(assets):
            _write(root / "assets", name, assets[name])
        unsigned = root / "unsigned.apk"
        aligned = root / "aligned.apk"
        # --no-crunch keeps resource PNGs byte-identical to the art given, as a repack keeps them.
        _run(
            [
                "aapt", "package", "-f", "--no-crunch", "-M", str(root / "AndroidManifest.xml"),
                "-S", str(root / "res"), "-A", str(root / "assets"), "-I", str(android_include()),
                "-F", str(unsigned),
            ]
        )  # fmt: skip
        _run(["zipalign", "-p", "-f", "4", str(unsigned), str(aligned)])
        return sign_apk(aligned, out, key, scheme_flags(schemes))


def scheme_flags(schemes: Sequence[str]) -> list[str]:
    """apksigner flags that enable exactly `schemes` of SIGNING_SCHEMES and disable the others."""
    return [
        flag
        for scheme in SIGNING_SCHEMES
        for flag in (f"--{scheme}-signing-enabled", "true" if scheme in schemes else "false")
    ]


def sign_apk(apk: Path, out: Path, key: SigningKey, flags: Sequence[str] = ()) -> Path:
    """Sign `apk` with apksigner into `out` (apksigner's default schemes unless `flags` choose); returns
    `out`. Newer apksigner also writes a v4 sidecar (`out.idsig`): deleted, a package is the APK alone."""
    _run(
        [
            "apksigner", "sign", "--ks", str(key.keystore), "--ks-key-alias", key.alias,
            "--ks-pass", f"pass:{key.password}", "--key-pass", f"pass:{key.password}",
            *flags, "--out", str(out), str(apk),
        ]
    )  # fmt: skip
    out.with_name(out.name + ".idsig").unlink(missing_ok=True)
    return out


# ---------------------------------------------------------------------------------------------------------
# CgBI (Apple's "iPhone-optimised" PNG, as written by Xcode's pngcrush -iphone)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The CgBI chunk payload Xcode writes for RGBA images (flags; the decoders only test for the chunk).
CGBI_PAYLOAD = b"\x50\x00\x20\x02"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _iter_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + length]
        if len(data) != length or pos + 12 + length > len(png):
            raise ValueError(f"truncated {kind!r} chunk")
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        if crc != zlib.crc32(kind + data) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in {kind!r} chunk")
        chunks.append((kind, data))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """RGBA uint8 (h, w, 4) -> premultiplied RGBA, rounding to nearest as Core Graphics does."""
    alpha = rgba[..., 3:4].astype(np.uint32)
    colour = (rgba[..., :3].astype(np.uint32) * alpha + 127) // 255
    return np.concatenate([colour.astype(np.uint8), rgba[..., 3:4]], axis=2)


def unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA -> straight RGBA; fully transparent pixels become (0, 0, 0, 0)."""
    alpha = rgba[..., 3:4].astype(np.uint32)
    safe = np.where(alpha == 0, 1, alpha)
    colour = np.minimum((rgba[..., :3].astype(np.uint32) * 255 + safe // 2) // safe, 255)
    colour = np.where(alpha == 0, 0, colour)
    return np.concatenate([colour.astype(np.uint8), rgba[..., 3:4]], axis=2)


def cgbi_encode(png: bytes) -> bytes:
    """Convert a standard PNG to Apple's CgBI form, as `pngcrush -iphone` does.

    A 'CgBI' chunk precedes IHDR; pixels are 8-bit BGRA with premultiplied alpha; IDAT holds a raw deflate
    stream (no zlib header, no Adler-32); every chunk CRC is correct. Ordinary PNG decoders reject the result.
    """
    with Image.open(io.BytesIO(png)) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
    height, width = rgba.shape[:2]
    bgra = premultiply(rgba)[..., [2, 1, 0, 3]]
    # Filter type 0 on every row: simple, and exactly what a decoder must handle anyway.
    raw = b"".join(b"\x00" + bgra[row].tobytes() for row in range(height))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    idat = compressor.compress(raw) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"CgBI", CGBI_PAYLOAD)
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> np.ndarray:
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int32)
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) & 0xFF
        elif ftype in (1, 3, 4):
            cur = np.zeros(stride, dtype=np.int32)
            for i in range(stride):  # byte-serial filters; only for foreign files, ours use filter 0
                a = int(cur[i - bpp]) if i >= bpp else 0
                b = int(prev[i])
                c = int(prev[i - bpp]) if i >= bpp else 0
                if ftype == 1:
                    pred = a
                elif ftype == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (int(line[i]) + pred) & 0xFF
        else:
            raise ValueError(f"bad PNG filter type {ftype}")
        out[y] = cur.astype(np.uint8)
        prev = cur
    return out


def cgbi_decode(data: bytes) -> Image.Image:
    """Reverse of `cgbi_encode` (and of Xcode's form): raw inflate, BGRA -> RGBA, un-premultiply."""
    chunks = _iter_chunks(data)
    if not chunks or chunks[0][0] != b"CgBI":
        raise ValueError("not a CgBI PNG")
    ihdr = next(d for k, d in chunks if k == b"IHDR")
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
    if depth != 8 or colour_type not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported CgBI layout depth={depth} colour={colour_type} interlace={interlace}")
    bpp = 4 if colour_type == 6 else 3
    inflater = zlib.decompressobj(-15)
    raw = inflater.decompress(b"".join(d for k, d in chunks if k == b"IDAT"), height * (width * bpp + 1))
    if len(raw) != height * (width * bpp + 1):
        raise ValueError("CgBI pixel data has the wrong size")
    pixels = _unfilter(raw, width, height, bpp).reshape(height, width, bpp)
    if bpp == 3:
        return Image.fromarray(pixels[..., [2, 1, 0]].copy(), "RGB")
    return Image.fromarray(unpremultiply(pixels[..., [2, 1, 0, 3]]), "RGBA")


# ---------------------------------------------------------------------------------------------------------
# IPA


def app_bundle_name(bundle_id: str) -> str:
    """The .app folder and executable name: the bundle id's last part, ASCII, capitalised."""
    last = re.sub(r"[^A-Za-z0-9]", "", bundle_id.rsplit(".", 1)[-1]) or "App"
    return last[0].upper() + last[1:]


def _icon_base(name: str) -> str:
    """'AppIcon60x60@2x.png' -> 'AppIcon60x60', the form CFBundleIconFiles lists."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".png")
    return re.sub(r"(@\dx)?(~ipad)?$", "", stem)


def _strings_text(values: Mapping[str, str]) -> bytes:
    """Old-style .strings text, UTF-16 with BOM as Xcode writes when told to keep text."""

    def quote(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    body = "".join(f"{quote(k)} = {quote(values[k])};\n" for k in sorted(values))
    return "\ufeff".encode("utf-16-le") + body.encode("utf-16-le")


def _strings_binary(values: Mapping[str, str]) -> bytes:
    """Compiled .strings: a binary plist dict, Xcode's default output."""
    return plistlib.dumps(dict(sorted(values.items())), fmt=plistlib.FMT_BINARY, sort_keys=True)


def build_ipa(
    out: Path,
    *,
    bundle_id: str,
    version: str,
    display_name: str,
    icons: Mapping[str, bytes],
    localized: Mapping[str, Mapping[str, str]] = {},
    files: Mapping[str, bytes] = {},
    binary_plist: bool = True,
    cgbi: bool = True,
    bundle_name: str = "",
) -> Path:
    """Write an IPA: Payload/<Name>.app with Info.plist, CgBI icons, per-lproj strings and extra files.

    `localized[lproj]` keys starting with 'CFBundle' or 'NS' are Info.plist keys and go to InfoPlist.strings
    (CFBundleDisplayName defaults to `display_name`); the other keys go to Localizable.strings. Sorted lproj
    folders alternate between the two real Apple forms of .strings: UTF-16 text and binary plist.
    `bundle_name` names the .app folder and executable (default: from the bundle id); a re-signed repack
    keeps the original's.
    """
    name = bundle_name or app_bundle_name(bundle_id)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"bundle name must be plain ASCII, got {name!r}")
    app = f"Payload/{name}.app/"
    # Apple lists iPad-only icons (name~ipad.png) under CFBundleIcons~ipad; iPhone ones under CFBundleIcons.
    phone_bases = sorted({_icon_base(n) for n in icons if "~ipad" not in n})
    ipad_bases = sorted({_icon_base(n) for n in icons})
    info = {
        "CFBundleDevelopmentRegion": "en",
        "CFBundleDisplayName": display_name,
        "CFBundleExecutable": name,
        "CFBundleIdentifier": bundle_id,
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleName": name,
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleSupportedPlatforms": ["iPhoneOS"],
        "CFBundleIcons": {
            "CFBundlePrimaryIcon": {"CFBundleIconFiles": phone_bases, "CFBundleIconName": "AppIcon"}
        },
        "CFBundleIcons~ipad": {
            "CFBundlePrimaryIcon": {"CFBundleIconFiles": ipad_bases, "CFBundleIconName": "AppIcon"}
        },
        "LSRequiresIPhoneOS": True,
        "MinimumOSVersion": "12.0",
        "UIDeviceFamily": [1, 2],
        "UIRequiresFullScreen": True,
        "UISupportedInterfaceOrientations": ["UIInterfaceOrientationLandscapeLeft"],
    }
    members: dict[str, bytes] = {
        app + "Info.plist": plistlib.dumps(
            info, fmt=plistlib.FMT_BINARY if binary_plist else plistlib.FMT_XML, sort_keys=True
        ),
        app + "PkgInfo": b"APPL????",
    }
    for icon_name in sorted(icons):
        _safe_relpath(icon_name)
        members[app + icon_name] = cgbi_encode(icons[icon_name]) if cgbi else icons[icon_name]
    for index, lproj in enumerate(sorted(localized)):
        values = localized[lproj]
        plist_keys = {k: v for k, v in values.items() if k.startswith(("CFBundle", "NS"))}
        plist_keys.setdefault("CFBundleDisplayName", display_name)
        other = {k: v for k, v in values.items() if k not in plist_keys}
        encode = _strings_text if index % 2 == 0 else _strings_binary
        folder = f"{app}{_safe_relpath(lproj + '.lproj').as_posix()}/"
        members[folder + "InfoPlist.strings"] = encode(plist_keys)
        if other:
            members[folder + "Localizable.strings"] = encode(other)
    for rel in sorted(files):
        members[app + _safe_relpath(rel).as_posix()] = files[rel]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(members):
            # A fixed timestamp makes IPA bytes reproducible (no signing key involved, unlike APKs).
            info_entry = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
            info_entry.compress_type = zipfile.ZIP_DEFLATED
            info_entry.external_attr = 0o644 << 16
            archive.writestr(info_entry, members[member])
    return out


# ---------------------------------------------------------------------------------------------------------
# Store listing


def build_listing(
    out_dir: Path, *, icon: bytes, screenshots: Sequence[bytes], title: str, description: str
) -> Path:
    """A store listing folder: icon.<ext>, screenshots/01.<ext>..., title.txt, description.txt (UTF-8)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "screenshots").mkdir(parents=True)
    (out_dir / f"icon.{_image_ext(icon)}").write_bytes(icon)
    for index, shot in enumerate(screenshots, start=1):
        (out_dir / "screenshots" / f"{index:02d}.{_image_ext(shot)}").write_bytes(shot)
    (out_dir / "title.txt").write_text(title + "\n", encoding="utf-8")
    (out_dir / "description.txt").write_text(description.rstrip("\n") + "\n", encoding="utf-8")
    return out_dir


def _image_ext(data: bytes) -> str:
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    raise ValueError("listing images must be PNG, JPEG or WebP")


# ---------------------------------------------------------------------------------------------------------
# Command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the clonedetect sample packages.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    # Imported here so the builders stay importable without the sample data (and to avoid an import cycle).
    from samples.games import build_all

    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
