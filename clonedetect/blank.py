"""Whether an image print shows anything: its `detail` fingerprint below BLANK_DETAIL means an empty or
flat picture, which proves nothing when it matches. Its own module because the matcher and the baseline
store both ask, and the store must not import the image stack (OpenCV) to read a catalogue."""

from __future__ import annotations

BLANK_DETAIL = 2  # detail below this: nothing to see


def is_blank(detail: str | None) -> bool:
    try:
        return detail is not None and int(detail, 16) < BLANK_DETAIL
    except ValueError:
        return False  # a malformed stored value: not known to be blank
