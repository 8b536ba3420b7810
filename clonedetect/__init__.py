"""clonedetect: tell, with evidence, whether a suspect mobile game is a clone of your own."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

from clonedetect.settings import Limits

# OpenCV reads its decode-bomb limit once, when cv2 is first imported: set it before any module can import
# cv2, so the limit holds whatever the import order (Pillow's is set per decode in fingerprint/decode.py).
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(Limits().max_pixels))

try:
    __version__ = version("clonedetect")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
