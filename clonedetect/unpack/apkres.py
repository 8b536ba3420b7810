"""Resource lookups across the APKs of one app (a base APK and its config splits share resource ids).

Labels per locale, the launcher icon's files for every density and the layers of adaptive icons, and every
string resource, all resolved through the resource tables by id: aapt2's path shortening ('res/a1.png') and
resource-name obfuscation leave ids and the table intact, so this is the only reliable way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clonedetect.errors import EntryError
from clonedetect.model import AnalysisWarning, LocalisedText
from clonedetect.unpack.arsc import ResConfig, ResEntry, ResourceTable, is_reference
from clonedetect.unpack.axml import XmlElement, is_axml, parse_axml
from clonedetect.unpack.binres import ResFormatError, ResValue

ATTR_DRAWABLE = 0x01010199
ATTR_SRC = 0x01010119
MAX_REFERENCE_DEPTH = 8  # alias chains (@mipmap/a -> @drawable/b -> file) are short in real apps
OBFUSCATED_NAME = "0_resource_name_obfuscated"  # what aapt2 --enable-resource-obfuscation writes
PLURAL_QUANTITIES = {
    0x01000004: "other",
    0x01000005: "zero",
    0x01000006: "one",
    0x01000007: "two",
    0x01000008: "few",
    0x01000009: "many",
}


def is_raster(head: bytes) -> bool:
    """PNG (also 9-patch), JPEG, WebP or GIF by magic bytes."""
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or head.startswith(b"GIF8")
    )


@dataclass(frozen=True, slots=True)
class TablePart:
    """One APK's resource table and where its entries live ('' or 'split.apk!/')."""

    prefix: str
    table: ResourceTable


@dataclass(frozen=True, slots=True)
class Resolved:
    part: TablePart
    config: ResConfig
    value: ResValue


class ResourceSet:
    """The resource tables of an app's APKs, with access to entry heads and bytes for drawable XML."""

    def __init__(
        self,
        parts: list[TablePart],
        heads: dict[str, bytes],
        read: Callable[[str], bytes],
        max_depth: int,
    ) -> None:
        self.parts = parts
        self._heads = heads
        self._read = read
        self._max_depth = max_depth
        self.warnings: list[AnalysisWarning] = []

    def _warn(self, path: str, message: str) -> None:
        self.warnings.append(AnalysisWarning(path, message))

    def resolve(self, res_id: int) -> list[Resolved]:
        """Every terminal value of a resource in every config of every APK, following references."""
        found: list[Resolved] = []
        seen: set[int] = set()
        pending: list[tuple[int, int]] = [(res_id, 0)]
        while pending:
            current, depth = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            for part in self.parts:
                for entry in part.table.entries(current):
                    if is_reference(entry.value) and entry.value is not None:
                        if depth < MAX_REFERENCE_DEPTH:
                            pending.append((entry.value.data, depth + 1))
                    elif entry.value is not None:
                        found.append(Resolved(part, entry.config, entry.value))
        return found

    def strings(self, res_id: int) -> list[tuple[str, str]]:
        """(locale, text) of a string resource in every config, sorted, without repeats."""
        texts: set[tuple[str, str]] = set()
        for resolved in self.resolve(res_id):
            text = resolved.part.table.string(resolved.value)
            if text is not None:
                texts.add((resolved.config.locale, text))
        return sorted(texts)

    def default_string(self, res_id: int) -> str:
        """The string a device with no particular locale or other qualifier shows: the value of the
        unqualified config, else of any default-locale config, else of any config (first by text)."""
        ranked: list[tuple[bool, bool, str]] = []
        for resolved in self.resolve(res_id):
            text = resolved.part.table.string(resolved.value)
            if text is not None:
                ranked.append((resolved.config.locale != "", resolved.config.qualifier != "", text))
        return min(ranked)[2] if ranked else ""

    # -- icons ---------------------------------------------------------------------------------------------

    def icon_files(self, res_id: int) -> list[str]:
        """Entry names of the raster images an icon resource resolves to, in every config; adaptive icons
        (and bitmap/inset/layer XML drawables) are followed to the images of their layers."""
        files: set[str] = set()
        visited_xml: set[str] = set()
        pending: list[tuple[int, int]] = [(res_id, 0)]
        seen_ids: set[int] = set()
        while pending:
            current, depth = pending.pop(0)
            if current in seen_ids or depth > MAX_REFERENCE_DEPTH:
                continue
            seen_ids.add(current)
            for resolved in self.resolve(current):
                path = resolved.part.table.string(resolved.value)
                if path is None:
                    continue  # a colour layer or another non-file value
                name = resolved.part.prefix + path
                head = self._heads.get(name)
                if head is None:
                    self._warn(name, f"icon file named by resource 0x{current:08x} is not in the package")
                elif is_raster(head):
                    files.add(name)
                elif is_axml(head) and name not in visited_xml:
                    visited_xml.add(name)
                    pending.extend((ref, depth + 1) for ref in self._drawable_references(name))
        return sorted(files)

    def _drawable_references(self, name: str) -> list[int]:
        try:
            root = parse_axml(self._read(name), self._max_depth)
        except EntryError as error:
            self._warn(name, error.reason)
            return []
        except ResFormatError as error:
            self._warn(name, f"drawable XML unreadable ({error})")
            return []
        if root.name == "adaptive-icon":
            # only the layers that make up the icon; <monochrome> is a themed-icon silhouette
            layers = [child for child in root.children if child.name in ("foreground", "background")]
            return [ref for layer in layers for ref in _references(layer)]
        return _references(root)

    # -- all strings ---------------------------------------------------------------------------------------

    def all_strings(self, max_strings: int) -> list[LocalisedText]:
        """Every string, string-array item and plural of every locale, sorted, without repeats."""
        texts: set[LocalisedText] = set()
        for part in self.parts:
            for kind, read in STRING_TYPES:
                for entry in part.table.entries_of_type(kind):
                    for suffix, value in read(entry):
                        text = part.table.string(value)
                        if text is not None:
                            texts.add(LocalisedText(_key(entry) + suffix, entry.config.locale, text))
                    if len(texts) > max_strings:
                        self._warn("resources.arsc", f"over {max_strings} string resources; the rest skipped")
                        return sorted(texts, key=_text_order)[:max_strings]
        return sorted(texts, key=_text_order)

    def table_warnings(self) -> list[AnalysisWarning]:
        """Problems the tables met while being read (damaged chunks or entries), once each."""
        found = {
            AnalysisWarning(part.prefix + "resources.arsc", message)
            for part in self.parts
            for message in part.table.warnings
        }
        return sorted(found, key=lambda warning: (warning.path, warning.message))


def _text_order(text: LocalisedText) -> tuple[str, str, str]:
    return (text.key, text.locale, text.value)


def _key(entry: ResEntry) -> str:
    # an obfuscated table names every resource alike; the id is what identifies it then
    key = f"0x{entry.res_id:08x}" if entry.key == OBFUSCATED_NAME else entry.key
    return f"{entry.type_name}/{key}"


def _string_items(entry: ResEntry) -> list[tuple[str, ResValue]]:
    return [("", entry.value)] if entry.value is not None else []


def _array_items(entry: ResEntry) -> list[tuple[str, ResValue]]:
    return [(f"/{index}", value) for index, (_, value) in enumerate(entry.bag)]


def _plural_items(entry: ResEntry) -> list[tuple[str, ResValue]]:
    return [(f"/{PLURAL_QUANTITIES[name]}", value) for name, value in entry.bag if name in PLURAL_QUANTITIES]


STRING_TYPES: tuple[tuple[str, Callable[[ResEntry], list[tuple[str, ResValue]]]], ...] = (
    ("string", _string_items),
    ("array", _array_items),
    ("plurals", _plural_items),
)


def _references(element: XmlElement) -> list[int]:
    """Drawable references (android:drawable, android:src) anywhere in an element's subtree."""
    references: list[int] = []
    for node in element.iter():
        for attribute in node.attributes:
            named = attribute.res_id == 0 and attribute.name in ("drawable", "src")
            if (attribute.res_id in (ATTR_DRAWABLE, ATTR_SRC) or named) and is_reference(attribute.value):
                references.append(attribute.value.data)
    return references
