"""clonedetect: tell, with evidence, whether a suspect mobile game is a clone of your own."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

from clonedetect.settings import Limits

# OpenCV reads its decode-bomb limit once, when cv2 is first imported: set it before any module can import
# cv2, so the limit holds whatever the import order (Pillow's is set per decode in fingerprint/decode.py).
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(Limits().max_pixels))
# A corrupt image is one AnalysisWarning, not OpenCV's own log lines on stderr: '[ WARN:0@0.1] global
# grfmt_png.cpp:793 ... PNG input buffer is incomplete', and at level ERROR still several-line
# '[ERROR:0@0.1] ... imdecode_(''): can't read header ...' reports for a truncated BMP or a 30-byte WebP,
# failures decode.py already turns into warnings. FATAL keeps only what precedes an abort. Read at the same
# first import of cv2, so set here too; a user who wants OpenCV's messages sets the variable himself. libpng's
# own 'libpng error: ...' lines bypass OpenCV's logger and are not silenced by this.
os.environ.setdefault("OPENCV_LOG_LEVEL", "FATAL")

try:
    __version__ = version("clonedetect")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
