"""extract: OpenedPackage -> Extraction (assets with roles + package facts).

Every entry's head is read and handed to the first extractor that recognises it (extractors.EXTRACTORS),
with as much of the entry as that extractor uses (Extractor.wanted_bytes: a sound is only listed). Work
that needs the whole package waits until all entries are seen: atlas descriptions are matched to their page
images, lone JSON/Lua records are grouped into one table per folder, and the package's own string resources
are added. One bad entry becomes a warning with its path; the rest of the package is still extracted. Past
the package's deadline (Limits.max_seconds) the remaining entries are left out, counted in one warning.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from pathlib import PurePath

from clonedetect.errors import EntryError
from clonedetect.extract import atlas
from clonedetect.extract.context import ExtractionContext, group_entry
from clonedetect.extract.deadline import Deadline
from clonedetect.extract.extractors import Extractor, extractor_for
from clonedetect.extract.folders import resolve_folder
from clonedetect.extract.images import frame_asset
from clonedetect.extract.locales import locale_from_path
from clonedetect.extract.safeparse import ParseError
from clonedetect.extract.stringfiles import json_strings
from clonedetect.model import Category, Entry, EntrySource, Extraction, Package
from clonedetect.settings import Settings
from clonedetect.unpack import OpenedPackage

HEAD_BYTES = 4096


def extract_assets(
    opened: OpenedPackage,
    settings: Settings,
    overrides: Sequence[tuple[str, Category]] = (),
    deadline: Deadline | None = None,
) -> Extraction:
    """Assets (sorted by path), facts and warnings of one package.

    overrides: (glob, category) pairs matched against image asset paths before the path-word rules; the
    first match wins. The package's declared icons still come first.
    deadline: checked before each entry; once it has passed, the remaining entries are not read.
    """
    package = opened.package
    context = ExtractionContext.create(package, settings, overrides)
    context.facts.scan_names(entry.name for entry in package.entries)
    entries = sorted(package.entries, key=lambda e: e.name)
    for index, entry in enumerate(entries):
        if deadline is not None and deadline.expired():
            label = PurePath(package.source).name
            context.warnings.append(deadline.warning(label, len(entries) - index, "analysed"))
            break
        _extract_entry(entry, opened.source, context)
    _add_resource_strings(package, context)
    _cut_atlases(context)
    _group_records(context)
    assets = sorted([*context.assets, *context.strings.assets()], key=lambda a: (a.path, a.kind, a.found_by))
    warnings = sorted({*context.warnings, *context.strings.warnings()}, key=lambda w: (w.path, w.message))
    return Extraction(assets=tuple(assets), facts=context.facts.facts(), warnings=tuple(warnings))


def _extract_entry(entry: Entry, source: EntrySource, context: ExtractionContext) -> None:
    if entry.name.endswith("/"):
        return
    if entry.size == 0:
        # empty placeholders are common and say nothing; an empty *image* is an unreadable picture
        if entry.name.lower().endswith(atlas.PAGE_EXTENSIONS):
            context.warn(entry.name, "empty image file (0 bytes); nothing to compare")
        return
    try:
        head = source.head(entry.name, HEAD_BYTES)
        extractor = extractor_for(entry, head)
        if extractor is None:
            return
        data = _wanted(entry, head, extractor, source)
    except EntryError as error:
        context.warn(entry.name, f"not read: {error.reason}")
        return
    try:
        extractor.extract(entry, data, context)
    except ParseError as error:
        context.warn(entry.name, f"{extractor.name}: {error}")
    except Exception as error:  # hostile bytes can trip any parser; one entry must not stop the package
        context.warn(entry.name, f"{extractor.name} extractor failed: {type(error).__name__}: {error}")


def _wanted(entry: Entry, head: bytes, extractor: Extractor, source: EntrySource) -> bytes:
    """As much of the entry as the extractor uses. Reading every entry whole held a 391 MB sound file in
    memory only to list it: the largest entry, not the images in flight, set the peak of a 1 GB game."""
    wanted = extractor.wanted_bytes(entry, head)
    if len(head) >= entry.size or (wanted is not None and wanted <= len(head)):
        return head[:wanted]
    return source.read(entry.name) if wanted is None else source.head(entry.name, wanted)


def _add_resource_strings(package: Package, context: ExtractionContext) -> None:
    if not package.resource_strings:
        return
    context.strings.add_resource_strings(_resource_entry(package), package.resource_strings)


def _resource_entry(package: Package) -> Entry:
    """The entry that holds the package's own strings: resources.arsc (APK) or Info.plist (IPA)."""
    names = {entry.name: entry for entry in package.entries}
    for wanted in ("resources.arsc", "Info.plist"):
        found = sorted(
            (name for name in names if posixpath.basename(name) == wanted), key=lambda name: (len(name), name)
        )
        if found:
            return names[found[0]]
    return Entry(name="resources", size=0, compressed_size=0, sha256=hashlib.sha256(b"").hexdigest())


def _cut_atlases(context: ExtractionContext) -> None:
    """Frames of every atlas description whose page image is in the package, inside the page bounds."""
    seen: set[str] = set()
    for sheet in sorted(context.sheets, key=lambda s: (s.descriptor, s.page_candidates)):
        context.warn_problems(sheet.descriptor, sheet.format, list(sheet.problems))
        page_name = atlas.find_page(sheet, context.images)
        if page_name is None:
            shown = ", ".join(sheet.page_candidates[:3])
            context.warn(sheet.descriptor, f"{sheet.format}: page image not found (looked for {shown})")
            continue
        page = context.images[page_name]
        if page.size is None:
            context.warn(sheet.descriptor, f"{sheet.format}: page {page_name} has an unreadable image header")
            continue
        frames, problems = atlas.frames_in_page(sheet, *page.size)
        context.warn_problems(sheet.descriptor, f"{sheet.format} frames of {page_name}", problems)
        for named in frames:
            path = f"{page_name}#{named.name}"
            if path in seen:
                continue  # two descriptions cut the same frame name from one page: the first one is kept
            seen.add(path)
            role = context.roles.image_role(path, is_frame=True)
            context.assets.append(
                frame_asset(page.entry, page.media_type, named.name, named.frame, role, sheet.format)
            )


def _group_records(context: ExtractionContext) -> None:
    """Records of one folder become one table (`db/economy/*.json` -> table `db/economy`); a list file of
    another kind keeps a table of its own; a lone record with no siblings keeps its strings instead."""
    for (folder, extension), records in sorted(context.folders.items()):
        result = resolve_folder(records)
        for folder_table in result.tables:
            if folder_table.grouped:
                pattern = f"{folder}/*{extension}" if folder else f"*{extension}"
                entry = group_entry(folder_table.members, pattern)
                found_by = f"tables:{extension[1:]}-folder"
                context.add_table(entry, folder or "*", folder_table.table, found_by, path=pattern)
            else:
                context.add_table(folder_table.members[0], "", folder_table.table, f"tables:{extension[1:]}")
        for entry, record in result.leftover:
            context.strings.add(
                entry, json_strings(record), locale_from_path(entry.name), f"strings:{extension[1:]}"
            )


__all__ = ["extract_assets"]
