"""SafeZip, the only zip reader: the tricks pirates and protectors use, and the bombs they could send."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from clonedetect.errors import EntryError, InputError
from clonedetect.settings import Limits
from clonedetect.unpack.safezip import SafeZip

LIMITS = Limits()
SPRITE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # PNG-looking bytes, content does not matter here
EOCD = b"PK\x05\x06"


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate names we want
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def _open(data: bytes, limits: Limits = LIMITS) -> SafeZip:
    return SafeZip(io.BytesIO(data), limits, "test.zip")


def _set_encrypted_flag(data: bytes) -> bytes:
    """Set general-purpose bit 0 ('encrypted') in every local and central header, leaving the data plain."""
    patched = bytearray(data)
    for magic, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(magic)
        while at >= 0:
            (flags,) = struct.unpack_from("<H", patched, at + flag_offset)
            struct.pack_into("<H", patched, at + flag_offset, flags | 1)
            at = patched.find(magic, at + 4)
    return bytes(patched)


def test_encrypted_flag_on_plain_entry_is_read() -> None:
    data = _set_encrypted_flag(_zip([("assets/data.json", b'{"price": 6}'), ("res/icon.png", SPRITE)]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive, pytest.raises(RuntimeError, match="encrypted"):
        archive.read("assets/data.json")  # the trick works on Python's own reader
    safe = _open(data)
    assert safe.read("assets/data.json") == b'{"price": 6}'
    assert safe.read("res/icon.png") == SPRITE


def test_duplicate_names_are_all_kept() -> None:
    safe = _open(_zip([("classes.dex", b"first"), ("classes.dex", b"second"), ("classes.dex", b"third")]))
    assert safe.read("classes.dex") == b"first"
    assert safe.read("classes.dex~dup2") == b"second"
    assert safe.read("classes.dex~dup3") == b"third"
    assert sum("duplicate entry name" in warning.message for warning in safe.warnings) == 2


def test_zip_slip_names_are_normalised() -> None:
    members = [
        ("../../etc/cron.d/evil", b"1"),
        ("/absolute/path.txt", b"2"),
        ("C:\\Windows\\system.dll", b"3"),
        ("a/./b/../c.txt", b"4"),
    ]
    safe = _open(_zip(members))
    assert sorted(safe.members) == ["Windows/system.dll", "a/b/c.txt", "absolute/path.txt", "etc/cron.d/evil"]
    assert safe.read("etc/cron.d/evil") == b"1"
    assert len([w for w in safe.warnings if "unsafe entry name" in w.message]) == 4


def _bomb(size: int) -> bytes:
    """A zip with one member of `size` zero bytes, streamed (never held in memory) and one normal member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("assets/bomb.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(size >> 20):
                member.write(block)
        archive.writestr("assets/ok.txt", b"fine")
    return buffer.getvalue()


def test_ratio_bomb_entry_is_skipped_with_a_warning() -> None:
    data = _bomb(200 << 20)
    assert len(data) < 1 << 20  # 200 MB of zeros in well under 1 MB: a ratio above 200:1
    safe = _open(data)
    entries, problems = safe.entries()
    assert [entry.name for entry in entries] == ["assets/ok.txt"]
    assert len(problems) == 1 and problems[0].path == "assets/bomb.bin"
    assert "compression ratio" in problems[0].message
    with pytest.raises(EntryError, match="zip bomb"):
        safe.read("assets/bomb.bin")


def test_reads_stop_at_the_declared_size() -> None:
    """A member that lies about its size (declares 1000 bytes, inflates to 4 MB) yields 1000 bytes only."""
    data = bytearray(_zip([("payload.bin", bytes(4 << 20))]))
    for magic, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        struct.pack_into("<I", data, data.find(magic) + size_offset, 1000)
    safe = _open(bytes(data))
    assert safe.read("payload.bin") == bytes(1000)


def test_a_head_is_read_without_reading_the_rest() -> None:
    """head() gives a member's first bytes, stored or deflated, after the same checks as read(), and reads
    about a head's worth of the file: telling what a 400 MB entry is must not read 400 MB."""

    class Counted(io.BytesIO):
        bytes_read = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.bytes_read += len(data)
            return data

    payload = bytes(range(256)) * 4096  # 1 MiB
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        file = Counted(_zip([("audio.ogg", payload), ("tiny.txt", b"ab")], method))
        safe = SafeZip(file, LIMITS, "test.zip")
        file.bytes_read = 0
        assert safe.head("audio.ogg", 4096) == payload[:4096]
        assert file.bytes_read <= 2 * 4096 + 64, method  # the local header, then a head or two
        assert safe.head("tiny.txt", 4096) == b"ab"
        assert safe.read("audio.ogg") == payload
    with pytest.raises(EntryError, match="zip bomb"):
        _open(_bomb(200 << 20)).head("assets/bomb.bin", 4096)


def test_truncated_zip_is_an_input_error() -> None:
    data = _zip([("a.txt", b"a" * 1000), ("b.txt", b"b" * 1000)])
    with pytest.raises(InputError, match="not a readable zip"):
        _open(data[: len(data) - 30])  # the end of central directory record is gone


def test_not_a_zip_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a readable zip"):
        _open(b"MZ\x90\x00 this is a Windows executable, not a package" * 20)
    with pytest.raises(InputError, match="no entries"):
        _open(_zip([]))


def test_entry_count_and_total_size_limits() -> None:
    data = _zip([(f"f{index}.txt", b"x" * 100) for index in range(5)])
    few = _open(data, Limits(max_entries=3))
    assert len(few.files()) == 3
    assert any("over the limit of 3" in warning.message for warning in few.warnings)
    small = _open(data, Limits(max_total_bytes=250))
    assert len(small.files()) == 2
    assert any("total uncompressed size" in warning.message for warning in small.warnings)


def test_oversized_central_directory_is_refused_before_parsing() -> None:
    data = _zip([("long/" * 40 + f"{index}.txt", b"") for index in range(5)])
    with pytest.raises(InputError, match="central directory"):
        _open(data, Limits(max_entries=1))


def test_per_entry_limit_and_unsupported_method() -> None:
    data = _zip([("big.bin", b"y" * 5000), ("small.txt", b"ok")], zipfile.ZIP_STORED)
    patched = bytearray(data)
    # mark 'small.txt' as bzip2 (method 12) in the central directory
    central = patched.find(b"PK\x01\x02", patched.find(b"PK\x01\x02") + 4)
    struct.pack_into("<H", patched, central + 10, 12)
    safe = _open(bytes(patched), Limits(max_entry_bytes=4000))
    entries, problems = safe.entries()
    assert entries == []
    assert {problem.path: problem.message.split(" ")[1] for problem in problems} == {
        "big.bin": "bytes,",
        "small.txt": "compression",
    }


def test_symlink_member_is_listed_as_a_warning_only() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("Payload/Game.app/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("Payload/Game.app/Info.plist", b"<plist/>")
    safe = _open(buffer.getvalue())
    assert [member.name for member in safe.files()] == ["Payload/Game.app/Info.plist"]
    entries, problems = safe.entries()
    assert [entry.name for entry in entries] == ["Payload/Game.app/Info.plist"]
    assert [problem.path for problem in problems] == ["Payload/Game.app/link"]
    with pytest.raises(EntryError, match="symbolic link"):
        safe.read("Payload/Game.app/link")


def test_utf8_names_without_the_utf8_flag() -> None:
    """Mac and Java zip tools write UTF-8 names without the UTF-8 flag; zipfile alone shows cp437 mojibake."""
    name = "图标/龙.png"
    placeholder = "ab/cdefghi.png"  # same length in bytes, ASCII so zipfile leaves the flag unset
    assert len(placeholder.encode()) == len(name.encode())
    data = _zip([(placeholder, SPRITE)]).replace(placeholder.encode(), name.encode())
    safe = _open(data)
    assert list(safe.members) == [name]
    assert safe.read(name) == SPRITE


def test_damaged_local_header_is_an_entry_problem() -> None:
    data = bytearray(_zip([("a.txt", b"aaaa"), ("b.txt", b"bbbb")]))
    data[0:4] = b"XXXX"  # the local header of a.txt
    entries, problems = _open(bytes(data)).entries()
    assert [entry.name for entry in entries] == ["b.txt"]
    assert problems[0].path == "a.txt" and "local file header" in problems[0].message


def _with_signing_block(data: bytes, block: bytes) -> bytes:
    """Insert an APK Signing Block before the central directory and move the directory offset."""
    eocd = data.rfind(EOCD)
    (offset,) = struct.unpack_from("<I", data, eocd + 16)
    patched = bytearray(data[:offset] + block + data[offset:])
    struct.pack_into("<I", patched, eocd + len(block) + 16, offset + len(block))
    return bytes(patched)


def test_apk_signing_block() -> None:
    plain = _zip([("AndroidManifest.xml", b"\x03\x00\x08\x00")])
    assert _open(plain).apk_signing_block(1 << 20) is None
    pairs = struct.pack("<QI", 4 + 5, 0x7109871A) + b"hello"
    size = len(pairs) + 8 + 16
    block = struct.pack("<Q", size) + pairs + struct.pack("<Q", size) + b"APK Sig Block 42"
    signed = _open(_with_signing_block(plain, block))
    assert signed.apk_signing_block(1 << 20) == pairs
    assert signed.read("AndroidManifest.xml") == b"\x03\x00\x08\x00"
    damaged = struct.pack("<Q", size + 8) + block[8:]
    with pytest.raises(EntryError, match="sizes disagree"):
        _open(_with_signing_block(plain, damaged)).apk_signing_block(1 << 20)
