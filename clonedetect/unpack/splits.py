"""Split APK sets: XAPK (APKPure: manifest.json + APKs + OBBs), APKS (bundletool: toc.pb, splits/*.apk) and
APKM (APKMirror: info.json + APKs). One app spread over a base APK and config splits (densities, ABIs,
languages): metadata comes from the base manifest, labels, icons and strings from the tables of all of them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from clonedetect.errors import EntryError
from clonedetect.model import AnalysisWarning, PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack import OpenedPackage
from clonedetect.unpack.apk import MANIFEST, ApkPart, AppFacts, app_facts, load_part, package_from
from clonedetect.unpack.zipsource import NESTED_SEPARATOR, ZipListing, list_zip

# The store's own description of the set: only used when the base APK's manifest cannot be read.
SET_DESCRIPTIONS = {
    "manifest.json": {
        "package_id": "package_name",
        "version_code": "version_code",
        "version_name": "version_name",
    },
    "info.json": {"package_id": "pname", "version_code": "versioncode", "version_name": "release_version"},
}
NAME_KEYS = {"manifest.json": "name", "info.json": "app_name"}


def _apk_members(zip_names: frozenset[str]) -> list[str]:
    return [name for name in zip_names if name.lower().endswith(".apk")]


def _apk_prefixes(listing: ZipListing) -> list[str]:
    """Nested archives directly in the set that are APKs (hold a manifest), by content, sorted."""
    prefixes = {
        entry.name[: -len(MANIFEST)]
        for entry in listing.entries
        if entry.name.endswith(NESTED_SEPARATOR + MANIFEST) and entry.name.count(NESTED_SEPARATOR) == 1
    }
    return sorted(prefixes)


def _choose_base(parts: list[ApkPart]) -> ApkPart | None:
    """The APK without a split name; bundletool's standalone APKs (pre-Lollipop copies) come last."""
    bases = [part for part in parts if part.manifest is not None and not part.split]
    bases.sort(key=lambda part: ("standalone" in part.prefix, len(part.prefix), part.prefix))
    return bases[0] if bases else None


def _set_description(listing: ZipListing, max_bytes: int) -> tuple[str, dict[str, Any]]:
    for name in SET_DESCRIPTIONS:
        if name not in listing.heads:
            continue
        entry = next(entry for entry in listing.entries if entry.name == name)
        if entry.size > max_bytes:
            continue
        try:
            data = json.loads(listing.source.read(name))
        except (EntryError, ValueError, RecursionError):
            continue
        if isinstance(data, dict):
            return name, data
    return "", {}


def _with_description(facts: AppFacts, listing: ZipListing, max_bytes: int) -> AppFacts:
    """Fill what the base manifest did not give from manifest.json / info.json."""
    name, description = _set_description(listing, max_bytes)
    if not description:
        return facts
    keys = SET_DESCRIPTIONS[name]

    def pick(field: str) -> str:
        current: str = getattr(facts, field)
        raw = description.get(keys[field])
        return current or (str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else "")

    label = description.get(NAME_KEYS[name])
    use_label = not facts.app_name and isinstance(label, str) and bool(label)
    return replace(
        facts,
        package_id=pick("package_id"),
        version_code=pick("version_code"),
        version_name=pick("version_name"),
        app_name=str(label) if use_label else facts.app_name,
        app_names=(("", str(label)),) if use_label else facts.app_names,
    )


class _SplitSetReader:
    format: PackageFormat

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listing = list_zip(path, settings.limits)
        try:
            parts: list[ApkPart] = []
            warnings: list[AnalysisWarning] = []
            for prefix in _apk_prefixes(listing):
                part, problems = load_part(listing, prefix, settings.limits)
                parts.append(part)
                warnings.extend(problems)
            base = _choose_base(parts)
            if base is None:
                warnings.append(AnalysisWarning(path.name, "no readable base APK in the split set"))
            facts = app_facts(listing, parts, base, settings.limits)
            facts = _with_description(facts, listing, settings.limits.max_text_bytes)
            facts = replace(facts, warnings=(*facts.warnings, *warnings))
            return OpenedPackage(package_from(path, self.format, listing, facts), listing.source)
        except BaseException:
            listing.source.close()
            raise


class XapkReader(_SplitSetReader):
    """APKPure's XAPK: manifest.json next to the APKs."""

    format = PackageFormat.XAPK

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        return zip_names is not None and "manifest.json" in zip_names and bool(_apk_members(zip_names))


class SplitsReader(_SplitSetReader):
    """bundletool's APKS (toc.pb) and APKMirror's APKM (info.json), or any zip of several APKs."""

    format = PackageFormat.APKS

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        if zip_names is None:
            return False
        apks = _apk_members(zip_names)
        described = "toc.pb" in zip_names or "info.json" in zip_names
        return len(apks) >= 2 or (described and bool(apks))
