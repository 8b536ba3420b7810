"""Where the development corpus of real game data is: ../shared/corpus beside the repository (as CI lays it
out), or $CLONEDETECT_CORPUS. Tests read it in place; nothing from it is ever copied into the repository."""

from __future__ import annotations

import os
from pathlib import Path

CORPUS = Path(os.environ.get("CLONEDETECT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
