"""APK: package id, versions, labels per locale, launcher icon files, string resources and signers.

Everything comes from the binary manifest and the resource table through our own bounded parsers (axml.py,
arsc.py); a garbage manifest or table becomes a warning and the package still opens with its entries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from clonedetect.errors import EntryError
from clonedetect.filehash import file_sha256
from clonedetect.model import AnalysisWarning, LocalisedText, Package, PackageFormat, Signer
from clonedetect.settings import Limits, Settings
from clonedetect.unpack import OpenedPackage, sorted_warnings
from clonedetect.unpack.apkres import ResourceSet, TablePart
from clonedetect.unpack.arsc import ResourceTable, is_reference, parse_table
from clonedetect.unpack.axml import XmlAttribute, XmlElement, parse_axml
from clonedetect.unpack.binres import TYPE_INT_DEC, TYPE_INT_HEX, ResFormatError
from clonedetect.unpack.signing import block_signers, is_v1_signature_block, unique_signers, v1_signers
from clonedetect.unpack.zipsource import ZipListing, list_zip

MANIFEST = "AndroidManifest.xml"
TABLE = "resources.arsc"
ATTR_LABEL = 0x01010001
ATTR_ICON = 0x01010002
ATTR_NAME = 0x01010003
ATTR_VERSION_CODE = 0x0101021B
ATTR_VERSION_NAME = 0x0101021C
ATTR_ROUND_ICON = 0x0101052C
MAX_TABLE_ENTRIES = 8_000_000  # offsets only are kept per entry; values are decoded on demand
MAX_SIGNING_BLOCK = 16 << 20
LAUNCHER = ("android.intent.action.MAIN", "android.intent.category.LAUNCHER")


@dataclass(frozen=True, slots=True)
class ApkPart:
    """One APK of an app: where its entries live, its parsed manifest and resource table (when readable)."""

    prefix: str  # '' for a plain APK, 'base.apk!/' inside a split set
    manifest: XmlElement | None
    table: ResourceTable | None

    @property
    def split(self) -> str:
        """The manifest's split name ('config.xxhdpi'); '' for a base APK."""
        attribute = self.manifest.attribute(0, "split") if self.manifest is not None else None
        return attribute.text if attribute is not None else ""


@dataclass(frozen=True, slots=True)
class AppFacts:
    """What the APKs of one app say about it."""

    package_id: str = ""
    version_name: str = ""
    version_code: str = ""
    app_name: str = ""
    app_names: tuple[tuple[str, str], ...] = ()
    icon_entries: tuple[str, ...] = ()
    resource_strings: tuple[LocalisedText, ...] = ()
    signers: tuple[Signer, ...] = ()
    warnings: tuple[AnalysisWarning, ...] = ()


def load_part(listing: ZipListing, prefix: str, limits: Limits) -> tuple[ApkPart, list[AnalysisWarning]]:
    """Read and parse one APK's manifest and resource table; problems become warnings."""
    warnings: list[AnalysisWarning] = []
    manifest: XmlElement | None = None
    table: ResourceTable | None = None
    names = set(listing.names(prefix))
    if MANIFEST in names:
        try:
            manifest = parse_axml(listing.source.read(prefix + MANIFEST), limits.max_depth)
        except EntryError as error:
            warnings.append(AnalysisWarning(error.name, error.reason))
        except ResFormatError as error:
            warnings.append(AnalysisWarning(prefix + MANIFEST, f"manifest unreadable ({error})"))
    else:
        warnings.append(AnalysisWarning(prefix + MANIFEST, "APK has no readable AndroidManifest.xml"))
    if TABLE in names:
        try:
            table = parse_table(listing.source.read(prefix + TABLE), MAX_TABLE_ENTRIES)
        except EntryError as error:
            warnings.append(AnalysisWarning(error.name, error.reason))
        except ResFormatError as error:
            warnings.append(AnalysisWarning(prefix + TABLE, f"resource table unreadable ({error})"))
    return ApkPart(prefix, manifest, table), warnings


def apk_signers(listing: ZipListing, prefix: str) -> tuple[list[Signer], list[AnalysisWarning]]:
    """v1, v2 and v3 signers of one APK of the listing."""
    warnings: list[AnalysisWarning] = []
    blocks: list[tuple[str, bytes]] = []
    for name in listing.names(prefix):
        if is_v1_signature_block(name):
            try:
                blocks.append((prefix + name, listing.source.read(prefix + name)))
            except EntryError as error:
                warnings.append(AnalysisWarning(error.name, error.reason))
    signers, v1_problems = v1_signers(blocks)
    warnings.extend(v1_problems)
    archive = listing.source.archive(prefix)
    try:
        block = archive.apk_signing_block(MAX_SIGNING_BLOCK)
    except EntryError as error:
        warnings.append(AnalysisWarning(prefix + error.name, error.reason))
        block = None
    if block is not None:
        found, problems = block_signers(block)
        signers.extend(found)
        warnings.extend(AnalysisWarning(prefix + "APK Signing Block", problem) for problem in problems)
    if not signers:
        warnings.append(AnalysisWarning(prefix or "/", "APK carries no readable signing certificate"))
    return signers, warnings


def _launcher_elements(manifest: XmlElement) -> list[XmlElement]:
    """Activities and aliases with a MAIN/LAUNCHER intent filter, in document order."""
    found: list[XmlElement] = []
    for activity in manifest.iter():
        if activity.name not in ("activity", "activity-alias"):
            continue
        for intent_filter in activity.iter("intent-filter"):
            names = {
                attribute.text
                for child in intent_filter.children
                if (attribute := child.attribute(ATTR_NAME, "name")) is not None
            }
            if set(LAUNCHER) <= names:
                found.append(activity)
                break
    return found


def _app_attribute(manifest: XmlElement, res_id: int, name: str) -> XmlAttribute | None:
    """An <application> attribute, else the first launcher activity's (Android's own fallback)."""
    candidates = manifest.iter("application")[:1] + _launcher_elements(manifest)
    for element in candidates:
        attribute = element.attribute(res_id, name)
        if attribute is not None:
            return attribute
    return None


def _version_code(attribute: XmlAttribute | None) -> str:
    if attribute is None:
        return ""
    if attribute.value.type in (TYPE_INT_DEC, TYPE_INT_HEX):
        return str(attribute.value.data)
    return attribute.text


def _text(attribute: XmlAttribute | None, resources: ResourceSet) -> str:
    """A manifest string attribute: literal, or a @string reference resolved for the default locale."""
    if attribute is None:
        return ""
    if is_reference(attribute.value):
        return resources.default_string(attribute.value.data)
    return attribute.text


def _labels(attribute: XmlAttribute | None, resources: ResourceSet) -> list[tuple[str, str]]:
    if attribute is None:
        return []
    if is_reference(attribute.value):
        return resources.strings(attribute.value.data)
    return [("", attribute.text)] if attribute.text else []


def _manifest_facts(manifest: XmlElement, resources: ResourceSet) -> AppFacts:
    """Ids, versions, labels and icon files the base manifest declares."""
    package = manifest.attribute(0, "package")
    label = _app_attribute(manifest, ATTR_LABEL, "label")
    icons: set[str] = set()
    for res_id, name in ((ATTR_ICON, "icon"), (ATTR_ROUND_ICON, "roundIcon")):
        attribute = _app_attribute(manifest, res_id, name)
        if attribute is not None and is_reference(attribute.value):
            icons.update(resources.icon_files(attribute.value.data))
    return AppFacts(
        package_id=package.text if package is not None else "",
        version_name=_text(manifest.attribute(ATTR_VERSION_NAME, "versionName"), resources),
        version_code=_version_code(manifest.attribute(ATTR_VERSION_CODE, "versionCode")),
        app_name=_text(label, resources),
        app_names=tuple(_labels(label, resources)),
        icon_entries=tuple(sorted(icons)),
    )


def app_facts(listing: ZipListing, parts: list[ApkPart], base: ApkPart | None, limits: Limits) -> AppFacts:
    """Metadata from the base APK's manifest, resolved through the tables of all APKs of the app."""
    tables = [TablePart(part.prefix, part.table) for part in parts if part.table is not None]
    resources = ResourceSet(tables, listing.heads, listing.source.read, limits.max_depth)
    manifest = base.manifest if base is not None else None
    facts = _manifest_facts(manifest, resources) if manifest is not None else AppFacts()
    strings = resources.all_strings(limits.max_strings)
    signers: list[Signer] = []
    warnings = list(resources.warnings)
    for part in parts:
        found, problems = apk_signers(listing, part.prefix)
        signers.extend(found)
        warnings.extend(problems)
    warnings.extend(resources.table_warnings())
    return replace(
        facts, resource_strings=tuple(strings), signers=unique_signers(signers), warnings=tuple(warnings)
    )


def package_from(path: Path, package_format: PackageFormat, listing: ZipListing, facts: AppFacts) -> Package:
    return Package(
        source=str(path),
        sha256=file_sha256(path),
        size=path.stat().st_size,
        format=package_format,
        app_name=facts.app_name,
        app_names=facts.app_names,
        package_id=facts.package_id,
        version_name=facts.version_name,
        version_code=facts.version_code,
        signers=facts.signers,
        icon_entries=facts.icon_entries,
        resource_strings=facts.resource_strings,
        entries=tuple(listing.entries),
        warnings=sorted_warnings(listing.warnings, facts.warnings),
    )


class ApkReader:
    """A zip with AndroidManifest.xml at its root."""

    format = PackageFormat.APK

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        return zip_names is not None and MANIFEST in zip_names

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listing = list_zip(path, settings.limits)
        try:
            part, warnings = load_part(listing, "", settings.limits)
            facts = app_facts(listing, [part], part, settings.limits)
            facts = replace(facts, warnings=(*facts.warnings, *warnings))
            return OpenedPackage(package_from(path, self.format, listing, facts), listing.source)
        except BaseException:
            listing.source.close()
            raise
