"""An input file is read once per process for its SHA-256, unless it changed (clonedetect/filehash.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from clonedetect import filehash


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files opened for reading, in order; the memo starts empty and files are old enough to trust."""
    monkeypatch.setattr(filehash, "_hashed", {})
    monkeypatch.setattr(filehash, "RACY_SECONDS", 0)
    opened: list[Path] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if args[:1] == ("rb",):
            opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", counting_open)
    return opened


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path: Path, reads: list[Path]) -> None:
    path = tmp_path / "game.apk"
    path.write_bytes(b"original bytes")
    assert filehash.file_sha256(path) == hashlib.sha256(b"original bytes").hexdigest()
    assert filehash.bounded_file_sha256(path, 1000) == filehash.file_sha256(path)
    assert reads == [path]
    path.write_bytes(b"pirate's bytes")  # same size
    # a write within the same timestamp tick may leave mtime and ctime unchanged (the racy case the memo
    # refuses to trust in real use, disabled here): set mtime apart so the identity surely changes
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert filehash.file_sha256(path) == hashlib.sha256(b"pirate's bytes").hexdigest()
    assert reads == [path, path]


def test_a_remembered_file_still_obeys_the_limit(tmp_path: Path, reads: list[Path]) -> None:
    path = tmp_path / "big.apk"
    path.write_bytes(b"x" * 100)
    assert filehash.file_sha256(path) is not None
    assert filehash.bounded_file_sha256(path, 99) is None


def test_a_file_changed_just_now_or_through_a_link_is_not_remembered(
    tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fresh.apk"
    path.write_bytes(b"bytes")
    link = tmp_path / "link.apk"
    link.symlink_to(path)
    filehash.file_sha256(link)
    filehash.file_sha256(link)
    monkeypatch.setattr(filehash, "RACY_SECONDS", 3600)
    os.utime(path)
    filehash.file_sha256(path)
    filehash.file_sha256(path)
    assert reads == [link, link, path, path]


def test_a_hash_the_cache_memo_recalls_is_not_read_again(tmp_path: Path, reads: list[Path]) -> None:
    path = tmp_path / "suspect.apk"
    path.write_bytes(b"suspect")
    identity = filehash.stat_identity(path)
    assert identity is not None
    filehash.remember(identity, "ab" * 32)
    assert filehash.file_sha256(path) == "ab" * 32
    assert reads == []
