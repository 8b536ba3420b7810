"""Fuzz the zip reader: SafeZip (central directory, local headers, inflate, limits, APK Signing Block) and
the listing of nested archives (zipsource). Allowed errors: InputError (not a usable zip) and EntryError (one
unreadable member). Limits are small so that one input is quick.

    python -m fuzz.fuzz_safezip -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import tempfile
from pathlib import Path

import atheris

from fuzz.common import fuzz_main
from fuzz.seeds import safezip

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.errors import EntryError, InputError
    from clonedetect.settings import Limits
    from clonedetect.unpack.safezip import SafeZip
    from clonedetect.unpack.zipsource import list_zip

LIMITS = Limits(max_entries=2_000, max_entry_bytes=1 << 20, max_total_bytes=8 << 20, max_nesting=3)
SCRATCH = Path(tempfile.gettempdir()) / f"clonedetect-fuzz-safezip-{os.getpid()}.zip"  # list_zip reads a path
atexit.register(SCRATCH.unlink, missing_ok=True)


def one_input(data: bytes) -> None:
    try:
        archive = SafeZip(io.BytesIO(data), LIMITS, "fuzz.zip")
    except InputError:
        return
    for member in archive.files():
        with contextlib.suppress(EntryError):
            archive.read(member.name)
    archive.entries()
    with contextlib.suppress(EntryError):
        archive.apk_signing_block(1 << 20)
    # the whole listing: hashes, heads, nested archives opened from spooled copies
    SCRATCH.write_bytes(data)
    try:
        listing = list_zip(SCRATCH, LIMITS)
    except InputError:
        return
    for entry in listing.entries:
        with contextlib.suppress(EntryError):
            listing.source.read(entry.name)
    listing.source.close()


if __name__ == "__main__":
    fuzz_main(one_input, safezip)
