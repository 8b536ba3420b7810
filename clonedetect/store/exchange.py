"""Export one baseline to a single file and import it into another store.

The file is a zip (read back through unpack.safezip, like any package, because it may come from elsewhere):

    clonedetect-baseline.json    format, tool, metadata (baseline.toml's fields) and every package's analysis,
                                 thumbnails referred to by sha256
    thumbnails/<sha256>.png      each thumbnail once

Entries are sorted and dated 1980-01-01, so exporting the same baseline twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import clonedetect
from clonedetect.errors import EntryError, InputError, UsageError
from clonedetect.model import Analysis
from clonedetect.settings import Limits
from clonedetect.store import serialise
from clonedetect.store.baselines import AddResult, BaselineStore
from clonedetect.store.metadata import BaselineMetadata, metadata_dict, metadata_from_mapping
from clonedetect.store.thumbnails import is_thumbnail
from clonedetect.unpack.safezip import SafeZip

FORMAT = "clonedetect-baseline"
FORMAT_VERSION = 1
MANIFEST = "clonedetect-baseline.json"
THUMBNAILS = "thumbnails/"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def export_baseline(store: BaselineStore, name: str, destination: Path) -> Path:
    """Write baseline `name` to `destination` (atomically) and return it."""
    info = store.get(name)
    packages: list[dict[str, Any]] = []
    thumbnails: dict[str, bytes] = {}
    for package in info.packages:
        analysis = store.load_package(package.row_id, labels=False)  # labels travel in the metadata
        prints = []
        for item in analysis.prints:
            digest = _digest(item.thumbnail)
            if digest:
                thumbnails[digest] = item.thumbnail
            prints.append(serialise.print_to_dict(item, digest))
        packages.append(
            {
                "package": serialise.package_to_dict(analysis.package),
                "facts": serialise.facts_to_dict(analysis.facts),
                "warnings": serialise.warnings_to_list(analysis.warnings),
                "prints": prints,
            }
        )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool": {"name": "clonedetect", "version": clonedetect.__version__},
        "metadata": metadata_dict(info.metadata),
        "packages": packages,
    }
    temporary = destination.with_name(f".{destination.name}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _write(archive, MANIFEST, serialise.dumps(manifest).encode("utf-8", "surrogatepass"))
            for digest in sorted(thumbnails):
                _write(archive, f"{THUMBNAILS}{digest}.png", thumbnails[digest], deflate=False)
        temporary.replace(destination)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {destination}: {error.strerror or error}") from None
    return destination


def _digest(thumbnail: bytes) -> str:
    return hashlib.sha256(thumbnail).hexdigest() if thumbnail else ""


def _write(archive: zipfile.ZipFile, name: str, data: bytes, *, deflate: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = (
        zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    )  # PNGs are compressed already
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def import_baseline(store: BaselineStore, source: Path, limits: Limits, name: str | None = None) -> AddResult:
    """Register the baseline exported in `source`, under its own name or `name`."""
    label = source.name
    try:
        stream = source.open("rb")
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror or error})") from None
    with stream:
        archive = SafeZip(stream, limits, label)
        manifest = serialise.loads(_read(archive, MANIFEST, label))
        metadata, packages = _check_manifest(manifest, label)
        if name:
            metadata = BaselineMetadata(
                name=name,
                owner=metadata.owner,
                rights=metadata.rights,
                contact=metadata.contact,
                common=metadata.common,
                labels=metadata.labels,
            )
        if store.exists(metadata.name):
            raise UsageError(
                f"a baseline named {metadata.name!r} is already registered; "
                "remove it first or import it with --name"
            )
        analyses = [_analysis(item, archive, label) for item in packages]
    return store.add(metadata, analyses)


def _read(archive: SafeZip, name: str, label: str) -> bytes:
    try:
        return archive.read(name)
    except EntryError as error:
        raise InputError(f"{label}: not a clonedetect baseline export ({error})") from None


def _check_manifest(manifest: Any, label: str) -> tuple[BaselineMetadata, list[Any]]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{label}: not a clonedetect baseline export")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(f"{label}: baseline export format {version!r} is not supported (this tool reads 1)")
    metadata = manifest.get("metadata")
    packages = manifest.get("packages")
    if not isinstance(metadata, dict) or not isinstance(packages, list) or not packages:
        raise InputError(f"{label}: the export has no metadata or no packages")
    return metadata_from_mapping(metadata, label), packages


def _analysis(item: Any, archive: SafeZip, label: str) -> Analysis:
    if not isinstance(item, dict) or not isinstance(item.get("prints"), list):
        raise InputError(f"{label}: a package entry is malformed")
    prints = []
    for data in item["prints"]:
        digest = data.get("thumbnail", "") if isinstance(data, dict) else ""
        if not isinstance(digest, str):
            raise InputError(f"{label}: a thumbnail reference is malformed")
        prints.append(serialise.print_from_dict(data, _thumbnail(archive, digest, label)))
    return Analysis(
        package=serialise.package_from_dict(item.get("package")),
        facts=serialise.facts_from_dict(item.get("facts")),
        prints=tuple(prints),
        warnings=serialise.warnings_from_list(item.get("warnings")),
    )


def _thumbnail(archive: SafeZip, digest: str, label: str) -> bytes:
    if not digest:
        return b""
    data = _read(archive, f"{THUMBNAILS}{digest}.png", label) if len(digest) == 64 else b""
    if _digest(data) != digest or not is_thumbnail(data):
        raise InputError(f"{label}: thumbnail {digest[:80]!r} is missing or does not match its name")
    return data
