"""What an entry's bytes are, from their magic bytes alone: pirates rename files, the bytes do not lie.

Only binary kinds are sniffed here (images, audio, code); text formats are recognised by their parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

from clonedetect.model import AssetKind

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CGBI_PNG = "image/png; variant=cgbi"  # Apple's Xcode-optimised PNG: BGRA, premultiplied, raw deflate
SNIFF_BYTES = 32  # the head sniff() is given: more than any check looks at


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: AssetKind
    media_type: str


def sniff(head: bytes) -> Sniffed | None:
    """The binary kind of an entry from its first SNIFF_BYTES, or None when it is none we know."""
    for check in (_image, _audio, _code):
        found = check(head)
        if found is not None:
            return found
    return None


def is_cgbi_png(head: bytes) -> bool:
    """A CgBI PNG has Apple's 'CgBI' chunk before IHDR: PNG signature, chunk length, then the chunk type."""
    return head.startswith(PNG_MAGIC) and head[12:16] == b"CgBI"


def _image(head: bytes) -> Sniffed | None:
    media_type = None
    if head.startswith(PNG_MAGIC):
        media_type = CGBI_PNG if is_cgbi_png(head) else "image/png"
    elif head.startswith(b"\xff\xd8\xff"):
        media_type = "image/jpeg"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        media_type = "image/webp"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        media_type = "image/gif"
    elif (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 108, 124)
    ):
        # 'BM' alone is too common a start; the DIB header size after the file header pins it down
        media_type = "image/bmp"
    elif head[:4] == b"\x00\x00\x01\x00" and len(head) >= 6 and 0 < int.from_bytes(head[4:6], "little") <= 64:
        media_type = "image/vnd.microsoft.icon"
    elif head[:4] == b"icns":
        media_type = "image/icns"
    return Sniffed(AssetKind.IMAGE, media_type) if media_type else None


def _audio(head: bytes) -> Sniffed | None:
    media_type = None
    if head[:4] == b"OggS":
        media_type = "audio/ogg"
    elif head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        media_type = "audio/wav"
    elif head[:3] == b"ID3":
        media_type = "audio/mpeg"
    elif head[:4] == b"fLaC":
        media_type = "audio/flac"
    elif head[:4] == b"caff":
        media_type = "audio/x-caf"
    elif head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"M4B", b"M4P"):
        media_type = "audio/mp4"
    elif _mpeg_frame(head):
        # layer bits 00 after a 12-bit sync are the ADTS header of raw AAC
        media_type = "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"
    return Sniffed(AssetKind.AUDIO, media_type) if media_type else None


def _mpeg_frame(head: bytes) -> bool:
    """An MP3 (Layer III/II) or ADTS frame header. Checked field by field: a bare 0xFFEx sync also starts
    UTF-16-LE text (BOM FF FE) and much binary noise."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0x03
    if layer == 0:
        return head[1] & 0xF0 == 0xF0  # ADTS: 12-bit sync
    version = (head[1] >> 3) & 0x03
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0x03
    return layer in (1, 2) and version != 1 and bitrate not in (0, 15) and sample_rate != 3


MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")


def _code(head: bytes) -> Sniffed | None:
    media_type = None
    if head[:4] == b"dex\n":
        media_type = "application/vnd.android.dex"
    elif head[:4] == b"\x7fELF":
        media_type = "application/x-elf"
    elif head[:2] == b"MZ":
        media_type = "application/vnd.microsoft.portable-executable"
    elif head[:4] in MACHO_MAGICS:
        media_type = "application/x-mach-binary"
    elif head[:4] == b"\xca\xfe\xba\xbe":
        # universal Mach-O and Java class files share this magic; both are code
        media_type = (
            "application/x-mach-binary" if int.from_bytes(head[4:8], "big") < 45 else "application/java-vm"
        )
    elif head[:4] == b"\x1bLua" or head[:3] == b"\x1bLJ":
        media_type = "application/x-lua-bytecode"
    return Sniffed(AssetKind.CODE, media_type) if media_type else None
