"""Fuzz the APK manifest / resource-table adapter: our binary XML (axml) and resource table (arsc) parsers
and what unpack builds from them (package id, versions, labels per locale, icon files through adaptive-icon
XML, every string resource). Allowed errors: ResFormatError (a damaged binary resource file).

Input: selector byte, then 0: binary XML; 1: a resource table (with the sample's manifest);
2: u32 little-endian manifest length, the manifest, then the table.

    python -m fuzz.fuzz_apk -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

import contextlib
import struct
import zipfile

import atheris

from fuzz.common import fuzz_main
from fuzz.seeds import SAMPLES, apk

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.settings import Limits
    from clonedetect.unpack.apk import _manifest_facts
    from clonedetect.unpack.apkres import ResourceSet, TablePart
    from clonedetect.unpack.arsc import ResourceTable, parse_table
    from clonedetect.unpack.axml import XmlElement, parse_axml
    from clonedetect.unpack.binres import ResFormatError
    from clonedetect.unpack.memory import MemorySource

LIMITS = Limits()
MAX_TABLE_ENTRIES = 200_000
with zipfile.ZipFile(SAMPLES / "original.apk") as _archive:
    # the sample's files, so that icon references can resolve to entries and adaptive-icon XML
    FILES = {info.filename: _archive.read(info) for info in _archive.infolist()}
HEADS = {name: data[:16] for name, data in FILES.items()}
SAMPLE_MANIFEST = FILES["AndroidManifest.xml"]
SAMPLE_TABLE = FILES["resources.arsc"]


def _parts(data: bytes) -> tuple[bytes, bytes]:
    selector, body = data[:1], data[1:]
    if selector == b"\x00":
        return body, SAMPLE_TABLE
    if selector == b"\x01":
        return SAMPLE_MANIFEST, body
    if len(body) < 4:
        return body, b""
    (length,) = struct.unpack_from("<I", body)
    return body[4 : 4 + length], body[4 + length :]


def one_input(data: bytes) -> None:
    manifest_bytes, table_bytes = _parts(data)
    manifest: XmlElement | None = None
    table: ResourceTable | None = None
    with contextlib.suppress(ResFormatError):
        manifest = parse_axml(manifest_bytes, LIMITS.max_depth)
    with contextlib.suppress(ResFormatError):
        table = parse_table(table_bytes, MAX_TABLE_ENTRIES)
    parts = [TablePart("", table)] if table is not None else []
    resources = ResourceSet(parts, HEADS, MemorySource(FILES).read, LIMITS.max_depth)
    if manifest is not None:
        _manifest_facts(manifest, resources)
        manifest.iter("activity")
    resources.all_strings(LIMITS.max_strings)
    resources.table_warnings()


if __name__ == "__main__":
    fuzz_main(one_input, apk)
