"""Fuzz the image decode wrapper: format sniffing, header sizes, the pixel limit, CgBI conversion, OpenCV and
Pillow decoding, premultiplication, atlas frame cutting and the header-only size read of extract. Allowed
errors: DecodeError. The pixel limit is lowered (1 MP) so one input stays quick and small.

    python -m fuzz.fuzz_image -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

import atheris

from fuzz.common import fuzz_main
from fuzz.known import known_issue, skipping
from fuzz.seeds import image

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.extract.images import image_size
    from clonedetect.fingerprint.decode import DecodeError, decode_frame, read_page
    from clonedetect.model import Frame
    from clonedetect.settings import Limits

LIMITS = Limits(max_pixels=1_000_000)
SKIP_KNOWN = skipping()


def _frames(width: int, height: int) -> list[Frame | None]:
    """The whole page, an inner frame, a rotated trimmed one, and one that lies partly outside."""
    half_w, half_h = max(1, width // 2), max(1, height // 2)
    return [
        None,
        Frame(width // 4, height // 4, half_w, half_h),
        Frame(
            0,
            0,
            half_h,
            half_w,
            rotated=True,
            offset_x=1,
            offset_y=-1,
            source_width=half_h + 2,
            source_height=half_w + 2,
        ),
        Frame(width - 1, height - 1, 4, 4),
    ]


def one_input(data: bytes) -> None:
    if SKIP_KNOWN and known_issue("image", data):
        return
    image_size(data)
    try:
        page = read_page(data, LIMITS)
    except DecodeError:
        return
    height, width = page.rgba.shape[:2]
    assert page.rgba.ndim == 3 and page.rgba.shape[2] == 4 and width * height <= LIMITS.max_pixels
    for frame in _frames(width, height):
        try:
            decoded = decode_frame(page, frame, LIMITS)
        except DecodeError:
            continue
        assert max(decoded.rgba.shape[:2]) <= max(256, width, height)


if __name__ == "__main__":
    fuzz_main(one_input, image)
