"""IPA: the app bundle in Payload/<Name>.app/, described by its Info.plist (binary or XML).

Display name (CFBundleDisplayName, else CFBundleName) and its translations from
<lang>.lproj/InfoPlist.strings, bundle id and versions, the icon files the plist names (CFBundleIcons /
CFBundlePrimaryIcon / CFBundleIconFiles / CFBundleIconName, matched as name prefixes the way iOS does:
'AppIcon' -> 'AppIcon60x60@2x.png'), and the developer certificates of the embedded provisioning profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clonedetect.errors import EntryError
from clonedetect.model import AnalysisWarning, LocalisedText, PackageFormat, Signer
from clonedetect.settings import Limits, Settings
from clonedetect.unpack import OpenedPackage
from clonedetect.unpack.apk import AppFacts, package_from
from clonedetect.unpack.apkres import is_raster
from clonedetect.unpack.plist import PlistError, StringsFormatError, parse_plist, parse_strings_file
from clonedetect.unpack.signing import provisioning_signers, unique_signers
from clonedetect.unpack.zipsource import ZipListing, list_zip

APP_PLIST = re.compile(r"^Payload/([^/]+\.app)/Info\.plist$")
NAME_KEYS = ("CFBundleDisplayName", "CFBundleName")
ICON_GROUPS = ("CFBundleIcons", "CFBundleIcons~ipad")
EXTENSION = re.compile(r"\.(png|jpe?g)$", re.IGNORECASE)
STORE_ARTWORK = ("iTunesArtwork", "iTunesArtwork@2x")  # the App Store icon, at the root of the IPA


@dataclass(frozen=True, slots=True)
class _Bundle:
    root: str  # 'Payload/Game.app/'
    info: dict[str, Any]


def _string(info: dict[str, Any], key: str) -> str:
    value = info.get(key)
    return value if isinstance(value, str) else ""


def icon_names(info: dict[str, Any]) -> list[str]:
    """Icon file base names an Info.plist declares ('AppIcon60x60', 'AppIcon'; 'Icon.png' -> 'Icon')."""
    names: list[Any] = []
    for group in ICON_GROUPS:
        icons = info.get(group)
        primary = icons.get("CFBundlePrimaryIcon") if isinstance(icons, dict) else None
        if isinstance(primary, dict):
            files = primary.get("CFBundleIconFiles")
            names.extend(files if isinstance(files, list) else [])
            names.append(primary.get("CFBundleIconName"))
        elif isinstance(primary, str):
            names.append(primary)
    files = info.get("CFBundleIconFiles")
    names.extend(files if isinstance(files, list) else [])
    names.append(info.get("CFBundleIconFile"))
    bases = {
        re.sub(r"\.(png|jpe?g)$", "", name, flags=re.IGNORECASE) for name in names if isinstance(name, str)
    }
    return sorted(base for base in bases if base)


def _icon_entries(listing: ZipListing, bundle: _Bundle) -> list[str]:
    bases = icon_names(bundle.info)
    icons: set[str] = set()
    for name in listing.names():
        head = listing.heads.get(name, b"")
        if not is_raster(head):
            continue
        if name.startswith(bundle.root) and "/" not in name[len(bundle.root) :]:
            file_name = name[len(bundle.root) :]
            if any(file_name.startswith(base) for base in bases):
                icons.add(name)
        elif name in STORE_ARTWORK:
            icons.add(name)
    return sorted(icons)


def _localised(
    listing: ZipListing, bundle: _Bundle, limits: Limits
) -> tuple[list[tuple[str, str]], list[LocalisedText], list[AnalysisWarning]]:
    """Display names per lproj, and every InfoPlist.strings value, from <lang>.lproj/InfoPlist.strings."""
    names: list[tuple[str, str]] = []
    texts: list[LocalisedText] = []
    warnings: list[AnalysisWarning] = []
    pattern = re.compile(re.escape(bundle.root) + r"([^/]+)\.lproj/InfoPlist\.strings$")
    for name in listing.names():
        match = pattern.match(name)
        if match is None:
            continue
        locale = match.group(1)
        try:
            pairs = parse_strings_file(listing.source.read(name), limits)
        except EntryError as error:
            warnings.append(AnalysisWarning(error.name, error.reason))
            continue
        except StringsFormatError as error:
            warnings.append(AnalysisWarning(name, str(error)))
            pairs = error.pairs
        except PlistError as error:
            warnings.append(AnalysisWarning(name, f"InfoPlist.strings unreadable ({error})"))
            continue
        values = dict(pairs)
        label = next((values[key] for key in NAME_KEYS if values.get(key)), "")
        if label:
            names.append((locale, label))
        texts.extend(LocalisedText(f"InfoPlist/{key}", locale, value) for key, value in pairs)
    return names, texts, warnings


def _bundle(listing: ZipListing, limits: Limits) -> tuple[_Bundle | None, list[AnalysisWarning]]:
    plists = sorted(name for name in listing.names() if APP_PLIST.match(name))
    warnings: list[AnalysisWarning] = []
    if len(plists) > 1:
        warnings.append(AnalysisWarning("Payload", f"{len(plists)} app bundles; {plists[0]} analysed"))
    for name in plists:
        try:
            info = parse_plist(listing.source.read(name), limits)
        except EntryError as error:
            warnings.append(AnalysisWarning(error.name, error.reason))
            continue
        except PlistError as error:
            warnings.append(AnalysisWarning(name, f"Info.plist unreadable ({error})"))
            continue
        if not isinstance(info, dict):
            warnings.append(AnalysisWarning(name, "Info.plist is not a dictionary"))
            continue
        return _Bundle(name[: -len("Info.plist")], info), warnings
    return None, warnings


def _signers(
    listing: ZipListing, bundle: _Bundle, limits: Limits
) -> tuple[list[Signer], list[AnalysisWarning]]:
    name = bundle.root + "embedded.mobileprovision"
    if name not in listing.heads:
        return [], [AnalysisWarning(bundle.root.rstrip("/"), "no embedded.mobileprovision: signer unknown")]
    try:
        signers, problems = provisioning_signers(listing.source.read(name), limits)
    except EntryError as error:
        return [], [AnalysisWarning(error.name, error.reason)]
    return signers, [AnalysisWarning(name, problem) for problem in problems]


def ipa_facts(listing: ZipListing, limits: Limits) -> AppFacts:
    bundle, warnings = _bundle(listing, limits)
    if bundle is None:
        warnings.append(AnalysisWarning("Payload", "no readable Info.plist: app metadata unknown"))
        return AppFacts(warnings=tuple(warnings))
    info = bundle.info
    app_name = next((_string(info, key) for key in NAME_KEYS if _string(info, key)), "")
    names, texts, problems = _localised(listing, bundle, limits)
    signers, signer_problems = _signers(listing, bundle, limits)
    icons = _icon_entries(listing, bundle)
    if not icons:
        message = "no icon file the Info.plist names (icons only in Assets.car?)" if icon_names(info) else ""
        problems.append(AnalysisWarning(bundle.root + "Info.plist", message or "Info.plist declares no icon"))
    own = [
        LocalisedText(f"InfoPlist/{key}", "", _string(info, key)) for key in NAME_KEYS if _string(info, key)
    ]
    return AppFacts(
        package_id=_string(info, "CFBundleIdentifier"),
        version_name=_string(info, "CFBundleShortVersionString"),
        version_code=_string(info, "CFBundleVersion"),
        app_name=app_name,
        app_names=tuple(sorted(set(names) | ({("", app_name)} if app_name else set()))),
        icon_entries=tuple(icons),
        resource_strings=tuple(sorted(set(own + texts), key=lambda t: (t.key, t.locale, t.value))),
        signers=unique_signers(signers),
        warnings=(*warnings, *problems, *signer_problems),
    )


class IpaReader:
    """A zip with Payload/<Name>.app/Info.plist."""

    format = PackageFormat.IPA

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        return zip_names is not None and any(APP_PLIST.match(name) for name in zip_names)

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listing = list_zip(path, settings.limits)
        try:
            facts = ipa_facts(listing, settings.limits)
            return OpenedPackage(package_from(path, self.format, listing, facts), listing.source)
        except BaseException:
            listing.source.close()
            raise
