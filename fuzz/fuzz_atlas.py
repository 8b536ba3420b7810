"""Fuzz the atlas readers: TexturePacker JSON (hash and array), Cocos2d plist (formats 0-3) and Freeciv .spec
grids, from bytes through our bounded JSON/plist loaders to frames checked against a page size. Allowed
errors: ParseError from loading the description; the atlas readers themselves must never raise.

Input: selector byte (0: JSON, 1: plist, 2: Freeciv .spec), u16 big-endian page width and height, then the
description.

    python -m fuzz.fuzz_atlas -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

import struct

import atheris

from fuzz.common import fuzz_main
from fuzz.seeds import atlas

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.extract import atlas as atlases
    from clonedetect.extract.registry import parse_registry
    from clonedetect.extract.safeparse import ParseError, load_json, load_plist
    from clonedetect.extract.textfiles import decode_text
    from clonedetect.settings import Limits

LIMITS = Limits()
DESCRIPTOR = "assets/atlas/sheet.plist"


def one_input(data: bytes) -> None:
    if len(data) < 5:
        return
    selector = data[0]
    width, height = struct.unpack_from(">HH", data, 1)
    body = data[5:]
    try:
        if selector == 0:
            sheets = atlases.sheets_from_json(
                DESCRIPTOR, load_json(decode_text(body, LIMITS.max_text_bytes).text, LIMITS)
            )
        elif selector == 1:
            sheets = atlases.sheets_from_plist(DESCRIPTOR, load_plist(body, LIMITS))
        else:
            text = decode_text(body, LIMITS.max_text_bytes).text
            sheets = atlases.sheets_from_registry("data/units.spec", parse_registry(text))
    except ParseError:
        return
    for sheet in sheets:
        frames, problems = atlases.frames_in_page(sheet, width, height)
        assert all(isinstance(problem, str) for problem in problems)
        for named in frames:
            frame = named.frame
            stored_width, stored_height = (
                (frame.height, frame.width) if frame.rotated else (frame.width, frame.height)
            )
            # what frames_in_page promises: every kept frame lies inside the page
            assert frame.x >= 0 and frame.y >= 0, named
            assert frame.x + stored_width <= width and frame.y + stored_height <= height, named
        atlases.find_page(sheet, {name: None for name in sheet.page_candidates[:1]})


if __name__ == "__main__":
    fuzz_main(one_input, atlas)
