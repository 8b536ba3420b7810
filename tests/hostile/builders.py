"""Hostile inputs built at test time: a raw zip writer that can lie, zip bombs, broken images and documents.

Python's zipfile refuses to write most of what pirates send (names that are not UTF-8 under the UTF-8 flag,
declared sizes that disagree with the data, the 'encrypted' bit on plain data, symlink members), so the
archives here are assembled byte by byte: local headers, data, central directory, end record. Nothing large is
ever committed: a multi-gigabyte bomb is a few megabytes of repeated deflate blocks.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

STORED = 0
DEFLATED = 8
FLAG_ENCRYPTED = 0x1
FLAG_UTF8 = 0x800
UNIX = 3
SYMLINK_MODE = 0o120777
FILE_MODE = 0o100644
ZIP64_MARK = 0xFFFFFFFF
MIB = 1 << 20
GIB = 1 << 30


@dataclass(frozen=True, slots=True)
class Member:
    """One archive member as written; every field a pirate can forge is explicit."""

    name: bytes | str
    data: bytes  # the bytes stored in the archive (already deflated when method is DEFLATED)
    method: int = STORED
    size: int | None = None  # declared uncompressed size; None: len(data) for stored, required for deflated
    crc: int | None = None  # None: crc32 of data when stored (a lying member may keep any value)
    flags: int = 0
    mode: int = FILE_MODE  # unix mode in the external attributes (SYMLINK_MODE for a link)
    local_name: bytes | str | None = None  # a local header name that disagrees with the central one


def _raw(name: bytes | str) -> bytes:
    return name.encode("utf-8") if isinstance(name, str) else name


def _sizes_extra(size: int, compressed: int) -> tuple[int, int, bytes]:
    """(size field, compressed field, zip64 extra) for one header: zip64 when either does not fit 32 bits."""
    if size < ZIP64_MARK and compressed < ZIP64_MARK:
        return size, compressed, b""
    return ZIP64_MARK, ZIP64_MARK, struct.pack("<HHQQ", 0x0001, 16, size, compressed)


def build_zip(members: Sequence[Member], comment: bytes = b"") -> bytes:
    """A zip archive with exactly these members, in order; sizes and flags as declared, not as true."""
    out = io.BytesIO()
    central = io.BytesIO()
    for member in members:
        name = _raw(member.name)
        local_name = _raw(member.local_name) if member.local_name is not None else name
        if member.size is None and member.method != STORED:
            raise ValueError("a deflated member needs its declared size")
        size = len(member.data) if member.size is None else member.size
        crc = zlib.crc32(member.data) if member.crc is None else member.crc
        size_field, compressed_field, extra = _sizes_extra(size, len(member.data))
        version = 45 if extra else 20
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                version,
                member.flags,
                member.method,
                0,
                0x21,
                crc,
                compressed_field,
                size_field,
                len(local_name),
                len(extra),
            )
        )
        out.write(local_name + extra + member.data)
        central.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                (UNIX << 8) | version,
                version,
                member.flags,
                member.method,
                0,
                0x21,
                crc,
                compressed_field,
                size_field,
                len(name),
                len(extra),
                0,
                0,
                0,
                member.mode << 16,
                offset,
            )
        )
        central.write(name + extra)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    _end_records(out, len(members), len(directory), start, comment)
    return out.getvalue()


def _end_records(out: io.BytesIO, count: int, directory_size: int, start: int, comment: bytes) -> None:
    """The end of central directory record, preceded by the zip64 pair when a field does not fit."""
    if count < 0xFFFF and directory_size < ZIP64_MARK and start < ZIP64_MARK:
        out.write(
            struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, directory_size, start, len(comment))
        )
        out.write(comment)
        return
    record = out.tell()
    out.write(
        struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, directory_size, start)
    )
    out.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, record, 1))
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, ZIP64_MARK, ZIP64_MARK, len(comment))
    )
    out.write(comment)


def plain_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An honest archive through Python's own writer."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored(name: bytes | str, data: bytes, **fields: object) -> Member:
    return Member(name=name, data=data, **fields)  # type: ignore[arg-type]


def deflated(name: bytes | str, data: bytes, **fields: object) -> Member:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    size = fields.pop("size", len(data))
    crc = fields.pop("crc", zlib.crc32(data))
    return Member(name=name, data=body, method=DEFLATED, size=size, crc=crc, **fields)  # type: ignore[arg-type]


def deflate_zeros(total: int, block: int = 16 * MIB) -> bytes:
    """A raw deflate stream that inflates to `total` zero bytes, in about total / 1000 bytes, built in
    milliseconds: after a full flush the compressor starts afresh, so one block's output can be repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats, rest = divmod(total, block)
    tail_compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = tail_compressor.compress(bytes(rest)) + tail_compressor.flush()
    return piece * repeats + tail


def zip_bomb(total: int, name: str = "assets/zeros.bin", declared: int | None = None) -> bytes:
    """One member whose data inflates to `total` zero bytes; `declared` lies about the size when given."""
    return build_zip(
        [Member(name=name, data=deflate_zeros(total), method=DEFLATED, size=declared or total, crc=0)]
    )


def overlapping_bomb(copies: int, kernel_bytes: int) -> bytes:
    """Fifield's 'better zip bomb' shape: many central-directory records sharing one local member, so a
    small file declares copies x kernel_bytes of content. Each record's ratio looks modest."""
    data = bytes(np.random.default_rng(7).integers(0, 4, kernel_bytes, dtype=np.uint8))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    crc = zlib.crc32(data)
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, DEFLATED, 0, 0x21, crc, len(body), len(data), 8, 0
    )
    out = io.BytesIO()
    out.write(local + b"k/kernel" + body)
    central = io.BytesIO()
    for index in range(copies):
        name = f"copy/{index:06d}.bin".encode()
        central.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                (UNIX << 8) | 20,
                20,
                0,
                DEFLATED,
                0,
                0x21,
                crc,
                len(body),
                len(data),
                len(name),
                0,
                0,
                0,
                0,
                FILE_MODE << 16,
                0,
            )
            + name
        )
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    _end_records(out, copies, len(directory), start, b"")
    return out.getvalue()


# -- images ----------------------------------------------------------------------------------------------


def png_bytes(width: int = 32, height: int = 32, seed: int = 1) -> bytes:
    """A small, real, varied RGBA PNG."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 32, height: int = 32, seed: int = 2) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB").save(out, format="JPEG")
    return out.getvalue()


def webp_bytes(width: int = 32, height: int = 32, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB").save(out, format="WEBP")
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header_only(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG whose IHDR claims width x height RGBA pixels, followed by whatever IDAT data is given."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunks = png_chunk(b"IHDR", header)
    if idat:
        chunks += png_chunk(b"IDAT", idat)
    return PNG_SIGNATURE + chunks + png_chunk(b"IEND", b"")


def png_from_samples(samples: np.ndarray, colour_type: int) -> bytes:
    """A PNG of these samples (H x W x channels, uint8 or uint16) written by hand, every row unfiltered:
    the colour types and bit depths OpenCV cannot write (grey+alpha, 16-bit grey+alpha)."""
    height, width, _ = samples.shape
    depth = 16 if samples.dtype == np.uint16 else 8
    rows = samples.astype(">u2" if depth == 16 else np.uint8).reshape(height, -1)
    raw = b"".join(b"\0" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    chunks = png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    return PNG_SIGNATURE + chunks


def giant_png(width: int, height: int) -> bytes:
    """A valid PNG of width x height opaque black RGBA pixels, streamed through zlib row by row (the file
    is small: every row compresses to almost nothing)."""
    compressor = zlib.compressobj(9)
    row = bytes(1 + 4 * width)  # filter byte 0 + zero pixels
    parts: list[bytes] = []
    block_rows = max(1, (16 * MIB) // len(row))
    block = row * block_rows
    full, rest = divmod(height, block_rows)
    piece = compressor.compress(block)
    parts.append(piece)
    for _ in range(full - 1):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(row * rest))
    parts.append(compressor.flush())
    return png_header_only(width, height, b"".join(parts))


def cgbi_png(width: int, height: int, idat: bytes) -> bytes:
    """Apple's CgBI variant: a 'CgBI' chunk before IHDR, then the given (raw deflate) image data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"CgBI", b"\x50\x00\x20\x06")
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# -- documents -------------------------------------------------------------------------------------------


def billion_laughs_plist(levels: int = 10) -> bytes:
    """An XML plist whose internal DTD defines entities that expand 10^levels times."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        entities.append(f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * 10}">')
    body = "\n".join(entities)
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE plist [\n{body}\n]>\n'
        f'<plist version="1.0"><dict><key>CFBundleName</key><string>&lol{levels - 1};</string></dict></plist>'
    ).encode()


def deep_binary_plist(depth: int) -> bytes:
    """A binary plist of `depth` arrays nested one in another (object i holds a reference to i + 1)."""
    objects = [b"\xa1" + struct.pack(">I", index + 1) for index in range(depth)]
    objects.append(b"\x10\x2a")  # the innermost value: the integer 42
    body = io.BytesIO()
    body.write(b"bplist00")
    offsets: list[int] = []
    for item in objects:
        offsets.append(body.tell())
        body.write(item)
    table = body.tell()
    for offset in offsets:
        body.write(struct.pack(">Q", offset))
    body.write(struct.pack(">6xBBQQQ", 8, 4, len(objects), 0, table))
    return body.getvalue()


def forged_offset_zip(offset: int, name: bytes = b"a.txt", data: bytes = b"hello") -> bytes:
    """One stored member whose central record says its local header is at `offset` (a zip64 extra field
    carries it, so it may be anything up to 2**64 - 1)."""
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, STORED, 0, 0x21, 0, len(data), len(data), len(name), 0
    )
    extra = struct.pack("<HHQ", 0x0001, 8, offset)
    record = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        (UNIX << 8) | 45,
        45,
        0,
        STORED,
        0,
        0x21,
        0,
        len(data),
        len(data),
        len(name),
        len(extra),
        0,
        0,
        0,
        FILE_MODE << 16,
        ZIP64_MARK,
    )
    body = local + name + data
    directory = record + name + extra
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end
