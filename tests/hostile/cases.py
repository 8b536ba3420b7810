"""The hostile inputs that go through the real command line, one builder per case, grouped by family.

Each builder writes its input into a given folder at test time and returns the path. The family test modules
run them and assert the details; measure.py runs every one under `/usr/bin/time -v` for the issue note.
Most cases start from a real sample game and add the hostile parts, so 'partly usable' can be checked:
the sample's own icons, package id and images must survive next to the warnings.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hostile.builders import (
    DEFLATED,
    FLAG_ENCRYPTED,
    FLAG_UTF8,
    GIB,
    MIB,
    SYMLINK_MODE,
    Member,
    billion_laughs_plist,
    build_zip,
    cgbi_png,
    deep_binary_plist,
    deflate_zeros,
    deflated,
    jpeg_bytes,
    overlapping_bomb,
    plain_zip,
    png_bytes,
    png_header_only,
    stored,
    webp_bytes,
    zip_bomb,
)
from hostile.runner import REPO

SAMPLES = REPO / "samples"
SAMPLE_APK = SAMPLES / "original.apk"
SAMPLE_IPA = SAMPLES / "original.ipa"
PACKAGE_ID = "com.examplegames.legend"
SAMPLE_ICON = "res/mipmap-xxxhdpi-v4/ic_launcher.png"
SAMPLE_IMAGES = 38  # image assets of samples/original.apk
APP = "Payload/Legend.app/"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    family: str
    build: Callable[[Path], Path]
    usable: bool  # outcome (a) partly usable, exit 0/1 with a report; else (b) exit 2, one line
    args: tuple[str, ...] = ()  # extra command-line arguments (limits)


def sample_members(sample: Path = SAMPLE_APK, flags: int = 0) -> list[Member]:
    """The sample's members, re-deflated, as raw members that hostile ones can be added to."""
    with zipfile.ZipFile(sample) as archive:
        return [
            deflated(info.filename, archive.read(info), flags=flags)
            for info in archive.infolist()
            if not info.is_dir()
        ]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _with_sample(folder: Path, name: str, extra: list[Member], sample: Path = SAMPLE_APK) -> Path:
    return _write(folder, name, build_zip([*sample_members(sample), *extra]))


# -- containers ------------------------------------------------------------------------------------------


def not_a_zip(folder: Path) -> Path:
    return _write(folder, "game.apk", b"This is a text file that a pirate renamed to .apk\n" * 20)


def empty(folder: Path) -> Path:
    return _write(folder, "game.apk", b"")


def truncated_half(folder: Path) -> Path:
    data = SAMPLE_APK.read_bytes()
    return _write(folder, "game.apk", data[: len(data) // 2])


def truncated_end_record(folder: Path) -> Path:
    """The last bytes of the end-of-central-directory record are missing."""
    return _write(folder, "game.apk", SAMPLE_APK.read_bytes()[:-10])


def slip_names(folder: Path) -> list[str]:
    """Names that point out of any extraction folder: relative, absolute, backslashed, drive-lettered."""
    absolute = folder.parent / "escaped-absolute.txt"
    return [
        "../../escaped-relative.txt",
        "assets/../../../escaped-deep.txt",
        str(absolute),
        "..\\..\\escaped-backslash.txt",
        "C:\\Windows\\escaped-drive.txt",
        "C:/escaped-drive-slash.txt",
        "\\\\server\\share\\escaped-unc.txt",
        "../",
    ]


def zip_slip(folder: Path) -> Path:
    extra = [stored(name, b"written where the name points?") for name in slip_names(folder)]
    return _with_sample(folder, "slip.apk", extra)


def zip_bomb_true_size(folder: Path) -> Path:
    """5 GiB of zeros, honestly declared, in about 5 MB."""
    bomb = Member("assets/zeros.bin", deflate_zeros(5 * GIB), DEFLATED, size=5 * GIB, crc=0)
    return _with_sample(folder, "bomb.apk", [bomb])


def zip_bomb_lying_size(folder: Path) -> Path:
    """Declares 64 KiB, but its deflate stream goes on for 5 GiB: reads must stop at the declared size."""
    bomb = Member("assets/small.bin", deflate_zeros(5 * GIB), DEFLATED, size=64 * 1024, crc=0)
    return _with_sample(folder, "liar.apk", [bomb])


def overlapping_entries_bomb(folder: Path) -> Path:
    """10,000 directory records share one 1 MiB compressed kernel: 10 GiB declared in under 1 MB."""
    return _write(folder, "overlap.zip", overlapping_bomb(10_000, MIB))


def nested_bomb(folder: Path) -> Path:
    """42.zip-style: a zip of 4 zips of 4 zips of a 256 MiB zero bomb each (4 GiB in all, 4 MB on disk)."""
    bomb = zip_bomb(256 * MIB)
    middle = build_zip([stored(f"bomb{index}.zip", bomb) for index in range(4)])
    top = build_zip([stored(f"layer{index}.zip", middle) for index in range(4)])
    return _write(folder, "nested-bomb.zip", top)


def xapk_obb_nested(folder: Path) -> Path:
    """An XAPK holding the APK holding an OBB holding another zip: one level deeper than max_nesting (2)."""
    inner = plain_zip({"deep/too-deep.png": png_bytes(16, 16, seed=9)})
    obb = plain_zip({"images/obb-art.png": png_bytes(24, 24, seed=8), "inner.zip": inner}, zipfile.ZIP_STORED)
    apk = build_zip([*sample_members(), stored("assets/main.obb", obb)])
    manifest = json.dumps({"package_name": PACKAGE_ID, "name": "Legend", "version_code": "120"}).encode()
    return _write(
        folder,
        "legend.xapk",
        plain_zip({"manifest.json": manifest, f"{PACKAGE_ID}.apk": apk}, zipfile.ZIP_STORED),
    )


def encrypted_flag(folder: Path) -> Path:
    """Every member flagged 'encrypted' but stored plainly, as Android accepts (an anti-unpacker trick)."""
    return _write(folder, "flagged.apk", build_zip(sample_members(flags=FLAG_ENCRYPTED)))


def duplicate_names(folder: Path) -> Path:
    extra = [
        deflated("assets/ui/button.png", png_bytes(20, 20, seed=4)),
        deflated("AndroidManifest.xml", b"\x03\x00\x08\x00 not the manifest Android reads"),
        deflated("assets/ui/button.png", b"third copy, not an image"),
    ]
    return _with_sample(folder, "duplicates.apk", extra)


def ipa_symlinks(folder: Path) -> Path:
    links = [
        stored(APP + "link-passwd.png", b"/etc/passwd", mode=SYMLINK_MODE),
        stored(APP + "res/up.json", b"../../../../../../etc/hostname", mode=SYMLINK_MODE),
        stored(APP + "Frameworks", b"/", mode=SYMLINK_MODE),
        stored(APP + "Info.plist.link", b"Info.plist", mode=SYMLINK_MODE),
    ]
    return _with_sample(folder, "links.ipa", links, SAMPLE_IPA)


def odd_names(folder: Path) -> Path:
    extra = [
        stored(b"assets/legacy-\xb0\xe6\xc8\xa8.txt", b"GBK bytes, no UTF-8 flag"),
        stored(b"assets/flagged-\xff\xfe.txt", b"not UTF-8 although flagged", flags=FLAG_UTF8),
        stored("assets/" + "n" * 10_000 + ".txt", b"a very long name"),
        stored(b"assets/nul\x00hidden.txt", b"a NUL in the name"),
        stored("assets/line\nbreak\x1b[31m.txt", b"control characters in the name"),
    ]
    return _with_sample(folder, "names.apk", extra)


# -- images ----------------------------------------------------------------------------------------------


def png_65000_header(folder: Path) -> Path:
    """A PNG header claiming 65,000 x 65,000 RGBA pixels (16.9 GB decoded) with a few bytes of data."""
    huge = png_header_only(65_000, 65_000, zlib.compress(bytes(1024)))
    return _with_sample(folder, "huge-header.apk", [stored("assets/ui/huge.png", huge)])


def png_65000_valid(folder: Path) -> Path:
    """A complete, valid 65,000 x 65,000 black PNG: 16.9 GB of pixels in a 16 MB file."""
    raw_size = 65_000 * (1 + 4 * 65_000)
    idat = b"\x78\xda" + deflate_zeros(raw_size) + (raw_size % 65521 << 16 | 1).to_bytes(4, "big")
    huge = png_header_only(65_000, 65_000, idat)
    return _with_sample(folder, "huge.apk", [stored("assets/ui/huge.png", huge)])


CORRUPT_IMAGES = (
    "assets/ui/corrupt.png",
    "assets/ui/truncated.png",
    "assets/ui/corrupt.jpg",
    "assets/ui/truncated.jpg",
    "assets/ui/corrupt.webp",
    "assets/ui/truncated.webp",
    "assets/ui/empty.png",
    "assets/ui/empty.jpg",
    "assets/ui/empty.webp",
    "assets/ui/cgbi-garbage.png",
    "assets/ui/cgbi-huge.png",
)


def corrupt_image_bytes() -> dict[str, bytes]:
    png = png_bytes(64, 64, seed=5)
    jpeg = jpeg_bytes(64, 64)
    webp = webp_bytes(64, 64)
    idat = png.find(b"IDAT")
    return {
        CORRUPT_IMAGES[0]: png[: idat + 8] + bytes(range(256)) * 4 + png[-12:],
        CORRUPT_IMAGES[1]: png[: len(png) // 2],
        CORRUPT_IMAGES[2]: jpeg[:200] + b"\x00\xff" * 500,
        CORRUPT_IMAGES[3]: jpeg[: len(jpeg) // 3],
        CORRUPT_IMAGES[4]: webp[:30] + b"\xa5" * 200,
        CORRUPT_IMAGES[5]: webp[:20],
        CORRUPT_IMAGES[6]: b"",
        CORRUPT_IMAGES[7]: b"",
        CORRUPT_IMAGES[8]: b"",
        CORRUPT_IMAGES[9]: cgbi_png(64, 64, b"\x01\x02 definitely not deflate" * 10),
        CORRUPT_IMAGES[10]: cgbi_png(60_000, 60_000, zlib.compressobj(9, zlib.DEFLATED, -15).flush()),
    }


def corrupt_images(folder: Path) -> Path:
    extra = [stored(name, data) for name, data in corrupt_image_bytes().items()]
    return _with_sample(folder, "corrupt-images.apk", extra)


REGRESSIONS = Path(__file__).parent / "regressions"


def png_chunk_claiming_gigabytes(folder: Path) -> Path:
    """A 120-byte PNG (found by fuzz_image) whose second chunk declares 2.9 GB."""
    data = (REGRESSIONS / "image-png-chunk-length-oom.bin").read_bytes()
    return _with_sample(folder, "png-chunk.apk", [stored("assets/ui/chunk.png", data)])


def png_early_iend_claiming_gigabytes(folder: Path) -> Path:
    """A 364-byte PNG with an IEND before its image data and then a chunk declaring 2 GB: OpenCV reads on
    past an IEND that comes before any IDAT, so the chunk walk that sends lying PNGs to Pillow must too."""
    data = (REGRESSIONS / "image-png-early-iend-chunk-oom.bin").read_bytes()
    return _with_sample(folder, "png-early-iend.apk", [stored("assets/ui/early.png", data)])


def webp_truncated_header(folder: Path) -> Path:
    """A 20-byte WebP cut inside its VP8L header (found by fuzz_image)."""
    data = (REGRESSIONS / "image-webp-vp8l-truncated.bin").read_bytes()
    return _with_sample(folder, "webp-20.apk", [stored("assets/ui/tiny.webp", data)])


# -- documents -------------------------------------------------------------------------------------------


def garbage_manifest_and_table(folder: Path) -> Path:
    rng = np.random.default_rng(11)
    garbage = {
        "AndroidManifest.xml": b"\x03\x00\x08\x00" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes(),
        "resources.arsc": b"\x02\x00\x0c\x00" + rng.integers(0, 256, 9000, dtype=np.uint8).tobytes(),
    }
    members = [m for m in sample_members() if m.name not in garbage]
    members += [deflated(name, data) for name, data in garbage.items()]
    return _write(folder, "garbage-res.apk", build_zip(members))


DEEP = 200_000


def deep_documents() -> dict[str, bytes]:
    return {
        "assets/data/deep.json": b"[" * DEEP + b"]" * DEEP,
        "assets/data/deep-object.json": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        "assets/data/deep.xml": b"<a>" * DEEP + b"</a>" * DEEP,
        "assets/data/deep.plist": deep_binary_plist(DEEP),
        "assets/data/deep-xml.plist": b"<plist>" + b"<array>" * DEEP + b"</array>" * DEEP + b"</plist>",
        "assets/scripts/deep.lua": b"return " + b"{" * DEEP + b"}" * DEEP,
    }


def deep_documents_apk(folder: Path) -> Path:
    # stored: deflated, these compress past the 200:1 ratio limit and would never reach a parser
    return _with_sample(folder, "deep.apk", [stored(name, data) for name, data in deep_documents().items()])


THIRTY_MB = 30 * 1000 * 1000


def thirty_mb_text() -> bytes:
    """30 MB of varied lines (numbered, so it deflates well under the ratio limit) naming a server once."""
    numbers = np.random.default_rng(15).integers(0, 10**9, THIRTY_MB // 40)
    words = [f"龙之传说 {number:09d} dialogue" for number in numbers]
    # lines of 40 words: a log or script, not 750,000 separate strings to fingerprint
    lines = [" ".join(words[at : at + 40]) + "\n" for at in range(0, len(words), 40)]
    lines[1000] = "server=https://s9.example.net:9000/api\n"
    return "".join(lines).encode()[:THIRTY_MB]


def text_30mb(folder: Path) -> Path:
    text = thirty_mb_text()
    extra = [deflated("assets/big.txt", text), deflated("assets/data/big.json", b'["' + text[:-4] + b'"]')]
    return _with_sample(folder, "big-text.apk", extra)


def billion_laughs_ipa(folder: Path) -> Path:
    """Info.plist and a .strings plist of the IPA carry the entity-expansion bomb."""
    bomb = billion_laughs_plist()
    members = [m for m in sample_members(SAMPLE_IPA) if m.name != APP + "Info.plist"]
    members += [deflated(APP + "Info.plist", bomb), deflated(APP + "res/atlas/laughs.plist", bomb)]
    members += [deflated(APP + "fr.lproj/InfoPlist.strings", bomb)]
    return _write(folder, "laughs.ipa", build_zip(members))


def deep_binary_plist_ipa(folder: Path) -> Path:
    members = [m for m in sample_members(SAMPLE_IPA) if m.name != APP + "Info.plist"]
    members.append(deflated(APP + "Info.plist", deep_binary_plist(DEEP)))
    return _write(folder, "deep-plist.ipa", build_zip(members))


# -- folders ---------------------------------------------------------------------------------------------


def special_files(game: Path, outside: Path) -> dict[str, str]:
    """Creates the special files in `game`; returns name -> what it is (a device only where allowed)."""
    made: dict[str, str] = {}
    os.mkfifo(game / "pipe")
    made["pipe"] = "fifo"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(game / "control.sock"))
    listener.close()  # the socket file stays on disk
    made["control.sock"] = "socket"
    try:
        os.mknod(game / "zero-device", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
        made["zero-device"] = "device"
    except (PermissionError, OSError):
        pass  # not root, or a container without CAP_MKNOD: the FIFO and the socket stand for it
    (game / "loop-a").symlink_to(game / "loop-b")
    (game / "loop-b").symlink_to(game / "loop-a")
    made["loop-a"] = made["loop-b"] = "link loop"
    (game / "self").symlink_to(game, target_is_directory=True)
    made["self"] = "link to its own folder"
    (game / "outside-file.png").symlink_to(outside / "secret.png")
    made["outside-file.png"] = "link outside"
    (game / "outside-dir").symlink_to(outside, target_is_directory=True)
    made["outside-dir"] = "link outside"
    (game / "passwd.txt").symlink_to("/etc/passwd")
    made["passwd.txt"] = "absolute link"
    (game / "up.json").symlink_to("../outside/secret.json")
    made["up.json"] = "relative link outside"
    return made


def hostile_folder(folder: Path) -> Path:
    outside = folder / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png_bytes(40, 40, seed=12))
    (outside / "secret.json").write_text('{"secret": "not part of the package"}')
    game = folder / "game"
    (game / "sprites").mkdir(parents=True)
    (game / "sprites/hero.png").write_bytes(png_bytes(48, 48, seed=13))
    (game / "strings.json").write_text('{"title": "Legend of Dragons"}')
    special_files(game, outside)
    return game


def only_special_files(folder: Path) -> Path:
    outside = folder / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png_bytes(40, 40, seed=12))
    game = folder / "game"
    game.mkdir()
    special_files(game, outside)
    return game


def sample_apk(folder: Path) -> Path:
    """The sample itself, for runs whose hostility is in the limits they are given."""
    return SAMPLE_APK


# -- memory ----------------------------------------------------------------------------------------------


def _sparse_block(seed: int) -> bytes:
    """1 MiB that deflates about 28:1: random bytes at 1% of the positions (under the 200:1 ratio limit)."""
    rng = np.random.default_rng(seed)
    block = np.zeros(MIB, dtype=np.uint8)
    where = rng.integers(0, MIB, MIB // 100)
    block[where] = rng.integers(1, 256, where.size, dtype=np.uint8)
    return block.tobytes()


def big_entry(folder: Path, mib: int = 500) -> Path:
    """One 500 MiB entry within every default limit, in an 18 MB file: read whole by extract."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    head = b"OggS" + bytes(MIB - 4)  # sniffed as audio: kept by its hash, not scanned for strings
    block = _sparse_block(14)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = first + piece * (mib - 1) + compressor.flush()
    member = Member("assets/audio/theme.ogg", stream, DEFLATED, size=mib * MIB, crc=0)
    return _with_sample(folder, "big-entry.apk", [member])


def max_entries(folder: Path) -> Path:
    """200,000 members (the default max_entries): 50,000 tiny PNGs and 150,000 one-line texts. Measured
    only (about 80 s on two cores): the suite's limit tests use small packages."""
    png = png_bytes(4, 4)
    members = [stored(f"assets/i{index:06d}.png", png) for index in range(50_000)]
    members += [stored(f"assets/t{index:06d}.txt", b"hello %d\n" % index) for index in range(150_000)]
    return _write(folder, "many.zip", build_zip(members))


def big_png(folder: Path, side: int = 8000, bits: int = 8) -> Path:
    """A side x side RGBA PNG at the default pixel limit (64 MP), with some structure so it is not trivial."""
    top = 255 if bits == 8 else 65535
    pixels = np.zeros((side, side, 4), dtype=np.uint8 if bits == 8 else np.uint16)
    pixels[..., 3] = top // 2
    pixels[::7, ::5, 0] = top
    ok, encoded = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok
    return _with_sample(folder, f"png{bits}-{side}.apk", [stored("assets/ui/big.png", encoded.tobytes())])


def big_png16(folder: Path) -> Path:
    return big_png(folder, bits=16)


CASES: tuple[Case, ...] = (
    Case("not-a-zip", "containers", not_a_zip, usable=False),
    Case("empty", "containers", empty, usable=False),
    Case("truncated-half", "containers", truncated_half, usable=False),
    Case("truncated-end-record", "containers", truncated_end_record, usable=False),
    Case("zip-slip", "containers", zip_slip, usable=True),
    Case("zip-bomb-5gib", "containers", zip_bomb_true_size, usable=True),
    Case("zip-bomb-lying-size", "containers", zip_bomb_lying_size, usable=True),
    Case("overlapping-bomb", "containers", overlapping_entries_bomb, usable=True),
    Case("nested-bomb", "containers", nested_bomb, usable=True),
    Case("xapk-apk-obb-zip", "containers", xapk_obb_nested, usable=True),
    Case("encrypted-flag", "containers", encrypted_flag, usable=True),
    Case("duplicate-names", "containers", duplicate_names, usable=True),
    Case("ipa-symlinks", "containers", ipa_symlinks, usable=True),
    Case("odd-names", "containers", odd_names, usable=True),
    Case("png-65000-header", "images", png_65000_header, usable=True),
    Case("png-65000-valid", "images", png_65000_valid, usable=True),
    Case("corrupt-images", "images", corrupt_images, usable=True),
    Case("png-chunk-2.9gb", "images", png_chunk_claiming_gigabytes, usable=True),
    Case("png-early-iend-2gb", "images", png_early_iend_claiming_gigabytes, usable=True),
    Case("webp-20-bytes", "images", webp_truncated_header, usable=True),
    Case("garbage-manifest-arsc", "documents", garbage_manifest_and_table, usable=True),
    Case("deep-200000", "documents", deep_documents_apk, usable=True),
    Case("text-30mb", "documents", text_30mb, usable=True),
    Case("billion-laughs-ipa", "documents", billion_laughs_ipa, usable=True),
    Case("deep-binary-plist-ipa", "documents", deep_binary_plist_ipa, usable=True),
    Case("folder-special-files", "folders", hostile_folder, usable=True),
    Case("folder-only-special", "folders", only_special_files, usable=False),
    Case("time-limit", "limits", sample_apk, usable=True, args=("--limit", "max_seconds=0.001")),
    Case("big-entry-500mib", "memory", big_entry, usable=True),
    Case("png-8000x8000", "memory", big_png, usable=True),
    Case("png16-8000x8000", "memory", big_png16, usable=True),
    Case("max-entries-200000", "memory", max_entries, usable=True),
)


def case(name: str) -> Case:
    return next(item for item in CASES if item.name == name)


def cases(family: str) -> list[Case]:
    return [item for item in CASES if item.family == family]
