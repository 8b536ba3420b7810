"""Shared builders for the extract tests (packages in memory, corpus folders, tiny images), and the tests of
the small helpers every extractor relies on: text decoding and locale names."""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Mapping
from functools import cache

from corpus import CORPUS
from PIL import Image

from clonedetect.extract import extract_assets
from clonedetect.extract.locales import locale_from_path, normalise_locale
from clonedetect.extract.textfiles import decode_text, looks_like_text
from clonedetect.model import Entry, Extraction, LocalisedText, Package, PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack import OpenedPackage
from clonedetect.unpack.memory import MemorySource


def opened_package(
    files: Mapping[str, bytes],
    format: PackageFormat = PackageFormat.FOLDER,
    icon_entries: tuple[str, ...] = (),
    resource_strings: tuple[LocalisedText, ...] = (),
) -> OpenedPackage:
    entries = tuple(
        Entry(name, len(data), len(data), hashlib.sha256(data).hexdigest())
        for name, data in sorted(files.items())
    )
    package = Package(
        source="test",
        sha256="0" * 64,
        size=sum(len(data) for data in files.values()),
        format=format,
        icon_entries=icon_entries,
        resource_strings=resource_strings,
        entries=entries,
    )
    return OpenedPackage(package, MemorySource(files))


def extract(files: Mapping[str, bytes], settings: Settings | None = None, **package: object) -> Extraction:
    return extract_assets(opened_package(files, **package), settings or Settings())  # type: ignore[arg-type]


@cache
def corpus_files(game: str) -> dict[str, bytes]:
    """Every file of one corpus game, read from the shared folder (never copied)."""
    root = CORPUS / game
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@cache
def corpus_extraction(game: str) -> Extraction:
    return extract(corpus_files(game))


def image_bytes(
    format: str = "PNG", size: tuple[int, int] = (8, 8), colour: tuple[int, ...] = (200, 30, 30)
) -> bytes:
    buffer = io.BytesIO()
    mode = "RGB" if format in ("JPEG", "BMP") else "RGBA"
    Image.new(mode, size, colour[:3] if mode == "RGB" else (*colour[:3], 255)).save(buffer, format=format)
    return buffer.getvalue()


def test_decode_text_boms_and_sniffing() -> None:
    assert decode_text(codecs.BOM_UTF8 + "角色".encode(), 100).encoding == "utf-8"
    assert decode_text(codecs.BOM_UTF16_LE + "key".encode("utf-16-le"), 100).text == "key"
    assert decode_text('"a" = "b";'.encode("utf-16-be"), 100).text == '"a" = "b";'
    gbk = decode_text("界面按钮".encode("gb18030"), 100)
    assert (gbk.encoding, gbk.text) == ("gb18030", "界面按钮")
    assert decode_text(b"\xff\xfe\xfd", 100).text  # never fails


def test_decode_text_truncates_without_breaking_a_character() -> None:
    decoded = decode_text(("宠物" * 10 + "end").encode(), 7)
    assert decoded.truncated
    assert decoded.text == "宠物"


def test_looks_like_text() -> None:
    assert looks_like_text(b"name=value\n")
    assert looks_like_text("文本".encode("utf-16"))
    assert not looks_like_text(b"\x00\x01\x02\x03binary\x00")


def test_locales_from_every_platform_convention() -> None:
    assert locale_from_path("res/values-zh-rCN/strings.xml") == "zh-CN"
    assert locale_from_path("res/values-b+zh+Hant/strings.xml") == "zh-Hant"
    assert locale_from_path("res/values-v21/styles.xml") == ""
    assert locale_from_path("Payload/A.app/zh-Hans.lproj/Localizable.strings") == "zh-Hans"
    assert locale_from_path("Payload/A.app/Base.lproj/Main.strings") == ""
    assert locale_from_path("messages/ui/ui_zh-hant.properties") == "zh-Hant"
    assert locale_from_path("messages/ui/ui.properties") == ""
    assert locale_from_path("l18n/zh_CN/LC_MESSAGES/base.po") == "zh-CN"
    assert locale_from_path("translations/core/zh_CN.po") == "zh-CN"
    assert normalise_locale("zh-rTW") == "zh-TW"
    assert normalise_locale("b+sr+Latn") == "sr-Latn"
