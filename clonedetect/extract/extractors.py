"""The registry of extractors: each recognises some entries and adds assets, tables, frames or facts.

The first extractor whose `applies` is true handles an entry, given the bytes its `wanted_bytes` asks for
(all of them unless it says less). Binary kinds (images, audio, code) are sniffed from magic bytes first, so
a PNG renamed `.json` is still an image; text formats are chosen by extension, with the content deciding
within (a `.json` may be an atlas, a table, a record or plain strings).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any, Protocol

from clonedetect.extract import atlas, lua, stringfiles, tablefiles
from clonedetect.extract.context import ExtractionContext, PageImage
from clonedetect.extract.facts import MAX_BINARY_SCAN
from clonedetect.extract.folders import FolderRecords
from clonedetect.extract.images import image_asset, image_size
from clonedetect.extract.locales import locale_from_path
from clonedetect.extract.po import parse_po, po_strings
from clonedetect.extract.registry import parse_registry
from clonedetect.extract.safeparse import ParseError, load_json, load_plist, parse_xml
from clonedetect.extract.sniff import PNG_MAGIC, SNIFF_BYTES, sniff
from clonedetect.extract.tables import build_table, shape_value
from clonedetect.extract.textfiles import decode_text, looks_like_text
from clonedetect.model import Asset, AssetKind, Category, Entry
from clonedetect.unpack.plist import PlistError, StringsFormatError, parse_strings_file

AXML_MAGIC = b"\x03\x00\x08\x00"  # compiled Android XML: read by unpack, not here
# Licence and credit files are shared word for word by unrelated games under the same licence: not evidence.
NOT_TEXT_EVIDENCE = frozenset(
    {"license", "licence", "copying", "notice", "authors", "contributors", "credits", "attributions",
     "changelog",
     "readme", "third_party_licenses", "third-party-licenses"}
)  # fmt: skip
# Android resource folders whose XML is layout or drawing, not data
ANDROID_NON_DATA = ("layout", "drawable", "mipmap", "anim", "animator", "color", "menu", "font", "navigation")


class Extractor(Protocol):
    name: str

    def applies(self, entry: Entry, head: bytes) -> bool: ...

    def wanted_bytes(self, entry: Entry, head: bytes) -> int | None:
        """How much of the entry extract() uses: None for all of it (the default)."""
        return None

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None: ...


def _extension(entry: Entry) -> str:
    return posixpath.splitext(entry.name.lower())[1]


def _read_text(entry: Entry, data: bytes, context: ExtractionContext, whole: bool) -> str | None:
    """Decoded text (facts scanned); over max_text_bytes a file to parse whole is skipped, others are cut."""
    limit = context.settings.limits.max_text_bytes
    if whole and len(data) > limit:
        context.warn(entry.name, f"larger than max_text_bytes ({limit}); not parsed")
        return None
    decoded = decode_text(data, limit)
    if decoded.truncated:
        context.warn(
            entry.name, f"larger than max_text_bytes ({limit}); only the first {limit} bytes were read"
        )
    if _may_name_servers(entry):
        context.facts.scan_text(decoded.text)
    return decoded.text


def _may_name_servers(entry: Entry) -> bool:
    """Licence and credit files link to people and licences; SVG path data is full of '20.73.95.67'."""
    return _is_text_evidence_file(entry) and _extension(entry) != ".svg"


def _is_text_evidence_file(entry: Entry) -> bool:
    base = posixpath.basename(entry.name).lower()
    return not (base.endswith(".license") or posixpath.splitext(base)[0] in NOT_TEXT_EVIDENCE)


class BinaryAssets(Extractor):
    """Images, audio and code, by magic bytes."""

    name = "binary"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return sniff(head) is not None

    def wanted_bytes(self, entry: Entry, head: bytes) -> int | None:
        found = sniff(head)
        if found is not None and found.kind is AssetKind.AUDIO:
            return SNIFF_BYTES  # a sound is listed, not read
        if found is not None and found.kind is AssetKind.IMAGE and head.startswith(PNG_MAGIC):
            # the size is all extraction reads of an image, and a PNG's IHDR opens it (after Apple's CgBI
            # chunk, if any): fingerprinting reads the file for its pixels, extraction need not read it too
            return len(head)
        if found is not None and found.kind is AssetKind.CODE:
            return MAX_BINARY_SCAN + 1  # one byte more says the scan was cut short
        return None

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        found = sniff(data[:SNIFF_BYTES])
        assert found is not None  # applies() said so
        if found.kind is AssetKind.IMAGE:
            context.assets.append(
                image_asset(
                    entry, found.media_type, context.roles.image_role(entry.name, media_type=found.media_type)
                )
            )
            context.images[entry.name] = PageImage(entry, found.media_type, image_size(data))
            return
        category = Category.AUDIO if found.kind is AssetKind.AUDIO else Category.CODE
        context.assets.append(
            Asset(
                path=entry.name,
                entry=entry.name,
                kind=found.kind,
                category=category,
                media_type=found.media_type,
                sha256=entry.sha256,
                size=entry.size,
                found_by=str(found.kind),
            )
        )
        if found.kind is AssetKind.CODE and not context.facts.scan_code(data, is_dex=data[:4] == b"dex\n"):
            context.warn(entry.name, "code larger than the string-scan bound; only its head was searched")


class PropertiesStrings(Extractor):
    name = "properties"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".properties"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=False)
        if text is None:
            return
        pairs, problems = stringfiles.parse_properties(text)
        context.warn_problems(entry.name, "properties", problems)
        context.strings.add(entry, pairs, locale_from_path(entry.name), "strings:properties")


class PoStrings(Extractor):
    name = "po"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".po"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=False)
        if text is None:
            return
        po = parse_po(text)
        context.warn_problems(entry.name, "gettext .po", list(po.problems), po.problem_count)
        context.strings.add(entry, po_strings(po), locale_from_path(entry.name), "strings:po")


class AppleStrings(Extractor):
    """iOS `.strings` (UTF-16/UTF-8 text or plist), read by the project's one reader (unpack/plist.py)."""

    name = "apple-strings"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".strings"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        try:
            pairs = parse_strings_file(data, context.settings.limits)
        except StringsFormatError as error:
            context.warn(entry.name, f"apple-strings: {error}; kept the {len(error.pairs)} entries before it")
            pairs = error.pairs
        except PlistError as error:
            raise ParseError(str(error)) from None
        context.facts.scan_text("\n".join(value for _, value in pairs))
        context.strings.add(entry, pairs, locale_from_path(entry.name), "strings:apple-strings")


class TextLines(Extractor):
    name = "txt"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".txt"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=False)
        if text is not None and _is_text_evidence_file(entry):
            context.strings.add(
                entry, stringfiles.text_lines(text), locale_from_path(entry.name), "strings:txt"
            )


class JsonData(Extractor):
    """A JSON file is an atlas, a table, one record of a folder of records, or else plain strings."""

    name = "json"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".json"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=True)
        if text is None:
            return
        value = load_json(text, context.settings.limits)
        if _is_asset_catalog(value):
            return  # Xcode asset catalog description: metadata, not game data
        sheets = atlas.sheets_from_json(entry.name, value)
        if sheets:
            context.sheets.extend(sheets)
            return
        if _add_shaped(entry, value, context, "tables:json", ".json"):
            return
        context.strings.add(
            entry, stringfiles.json_strings(value), locale_from_path(entry.name), "strings:json"
        )


class PlistData(Extractor):
    """Property lists: Cocos/TexturePacker atlases, else their strings (Info.plist's come from unpack)."""

    name = "plist"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".plist" or head.startswith(b"bplist00")

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        value = load_plist(data, context.settings.limits)
        sheets = atlas.sheets_from_plist(entry.name, value)
        if sheets:
            context.sheets.extend(sheets)
            return
        pairs = stringfiles.json_strings(value)
        context.facts.scan_text("\n".join(text for _, text in pairs))
        if posixpath.basename(entry.name) != "Info.plist":
            context.strings.add(entry, pairs, locale_from_path(entry.name), "strings:plist")


class XmlData(Extractor):
    """Android string resources and other string XML; XML of repeated records as a table."""

    name = "xml"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".xml" and not head.startswith(AXML_MAGIC)

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        if _read_text(entry, data, context, whole=True) is None:
            return
        folders = entry.name.split("/")[:-1]
        if any(folder.split("-")[0] in ANDROID_NON_DATA for folder in folders):
            return  # layouts and drawables: searched for endpoints above, no strings or records
        root = parse_xml(data, context.settings.limits)
        if root.tag != "resources":
            table = tablefiles.xml_table(root)
            if table is not None:
                context.add_table(entry, "", table, "tables:xml")
                return
        context.strings.add(entry, stringfiles.xml_strings(root), locale_from_path(entry.name), "strings:xml")


class LuaData(Extractor):
    """Literal Lua tables as tables; otherwise the file's string literals."""

    name = "lua"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) == ".lua"

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=True)
        if text is None:
            return
        tokens = lua.tokenise(text)
        found = False
        for name, value in sorted(lua.lua_tables(tokens, context.settings.limits.max_depth).items()):
            found |= _add_shaped(
                entry, value, context, "tables:lua", ".lua", name="" if name == "return" else name
            )
        if not found:
            strings = lua.lua_strings(tokens, context.settings.limits.max_depth)
            context.strings.add(entry, strings, locale_from_path(entry.name), "strings:lua")


class CsvTable(Extractor):
    name = "csv"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) in (".csv", ".tsv")

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=True)
        problems: list[str] = []
        table = tablefiles.csv_table(text, problems) if text is not None else None
        context.warn_problems(entry.name, "csv", problems)
        if table is not None:
            context.add_table(entry, "", table, "tables:csv")


class FreecivRegistry(Extractor):
    """Freeciv `.ruleset` (rules tables per section prefix) and `.spec`/`.tilespec` (atlas grids)."""

    name = "freeciv"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return _extension(entry) in (".ruleset", ".spec", ".tilespec")

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        text = _read_text(entry, data, context, whole=True)
        if text is None:
            return
        registry = parse_registry(text)
        context.warn_problems(entry.name, "Freeciv registry", list(registry.problems))
        if _extension(entry) == ".ruleset":
            for prefix, table in tablefiles.ruleset_tables(registry):
                context.add_table(entry, prefix, table, "tables:freeciv-ruleset")
        else:
            context.sheets.extend(atlas.sheets_from_registry(entry.name, registry))


class OtherText(Extractor):
    """Any other text (configs, scripts, markup): searched for server endpoints only."""

    name = "text"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return looks_like_text(head)

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        _read_text(entry, data, context, whole=False)


class OtherBinary(Extractor):
    """Unknown binary data (Unity metadata, packed resources): its printable strings may name servers."""

    name = "binary-strings"

    def applies(self, entry: Entry, head: bytes) -> bool:
        return True

    def wanted_bytes(self, entry: Entry, head: bytes) -> int | None:
        return MAX_BINARY_SCAN

    def extract(self, entry: Entry, data: bytes, context: ExtractionContext) -> None:
        # Bounded silently: most unknown binaries are art or sound packs where a cut-off scan loses nothing.
        context.facts.scan_endpoints_in_binary(data)


EXTRACTORS: tuple[Extractor, ...] = (
    BinaryAssets(),
    PropertiesStrings(),
    PoStrings(),
    AppleStrings(),
    TextLines(),
    JsonData(),
    PlistData(),
    XmlData(),
    LuaData(),
    CsvTable(),
    FreecivRegistry(),
    OtherText(),
    OtherBinary(),
)


def _add_shaped(
    entry: Entry, value: Any, context: ExtractionContext, found_by: str, extension: str, name: str = ""
) -> bool:
    """Rows keyed by object keys, or of a named Lua table, become a table now; a file's list of records or
    lone record waits to be grouped with its folder (folders.py). True when the value is table data."""
    shaped = shape_value(value)
    if shaped.records and (name or shaped.key_hint):
        table = build_table(shaped.records, shaped.key_hint)
        if table is not None:
            context.add_table(entry, name, table, found_by)
            return True
        return False
    if name or not (shaped.records or shaped.record is not None):
        return False
    folder = context.folders.setdefault((posixpath.dirname(entry.name), extension), FolderRecords())
    if shaped.records:
        folder.lists.append((entry, shaped.records))
    elif shaped.record is not None:
        folder.lone.append((entry, shaped.record))
    return True


def _is_asset_catalog(value: Any) -> bool:
    info = value.get("info") if isinstance(value, dict) else None
    return isinstance(info, dict) and info.get("author") == "xcode"


def extractor_for(
    entry: Entry, head: bytes, extractors: Iterable[Extractor] = EXTRACTORS
) -> Extractor | None:
    return next((extractor for extractor in extractors if extractor.applies(entry, head)), None)


__all__ = ["EXTRACTORS", "Extractor", "extractor_for"]
