"""Fuzz the property-list reader (binary 'bplist00' and XML, with the entity and depth guards) and the Apple
.strings reader (UTF-16/UTF-8 text with comments and escapes, or a plist). Allowed errors: PlistError and
StringsFormatError (which keeps the pairs read before the problem).

Input: selector byte (0: parse_plist, 1: parse_strings_file), then the file.

    python -m fuzz.fuzz_plist -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

import contextlib

import atheris

from fuzz.common import fuzz_main
from fuzz.seeds import plist

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.extract.safeparse import ParseError, check_depth
    from clonedetect.settings import Limits
    from clonedetect.unpack.plist import PlistError, StringsFormatError, parse_plist, parse_strings_file

LIMITS = Limits()


def one_input(data: bytes) -> None:
    selector, body = data[:1], data[1:]
    if selector == b"\x01":
        try:
            pairs = parse_strings_file(body, LIMITS)
        except StringsFormatError as error:
            pairs = error.pairs
        except PlistError:
            return
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in pairs)
        return
    try:
        value = parse_plist(body, LIMITS)
    except PlistError:
        return
    with contextlib.suppress(ParseError):
        # what extract does next with a plist: a bounded walk (shared references must not explode it)
        check_depth(value, LIMITS.max_depth, "plist", max_nodes=len(body) + 16)


if __name__ == "__main__":
    fuzz_main(one_input, plist)
