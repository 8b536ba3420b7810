"""Baseline thumbnails as content-addressed PNG files: <baseline folder>/thumbnails/<sha256>.png.

Files rather than catalogue blobs so an exhibit (HTML) can show the original next to the copy by linking
the file, and so the catalogue stays small enough to scan quickly. The name is the hash of the bytes, which
deduplicates repeated art and lets a reader check that a file is the one the catalogue means.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from clonedetect.errors import InputError

THUMBNAILS_DIR = "thumbnails"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_THUMBNAIL_BYTES = 1024 * 1024  # a <= 128 px PNG is a few KB; anything this big is not one of ours
_NAME = re.compile(r"^[0-9a-f]{64}$")


def thumbnail_path(folder: Path, digest: str) -> Path:
    if not _NAME.match(digest):
        raise InputError(f"not a thumbnail name: {digest!r}")
    return folder / THUMBNAILS_DIR / f"{digest}.png"


def is_thumbnail(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE) and len(data) <= MAX_THUMBNAIL_BYTES


def save_thumbnail(folder: Path, data: bytes) -> str:
    """Store `data` once and return its name ('' when there is no thumbnail or it is not a small PNG)."""
    if not data or not is_thumbnail(data):
        return ""
    digest = hashlib.sha256(data).hexdigest()
    path = thumbnail_path(folder, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{digest}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    return digest


def load_thumbnail(folder: Path, digest: str) -> bytes:
    """The thumbnail's bytes, or b'' when it is missing or no longer matches its name (edited by hand)."""
    if not digest:
        return b""
    try:
        data = thumbnail_path(folder, digest).read_bytes()
    except OSError:
        return b""
    return data if hashlib.sha256(data).hexdigest() == digest else b""
