"""extract: OpenedPackage -> Extraction (assets with roles + package facts)."""

from __future__ import annotations

from clonedetect.model import Extraction
from clonedetect.settings import Settings
from clonedetect.unpack import OpenedPackage


def extract_assets(opened: OpenedPackage, settings: Settings) -> Extraction:
    raise NotImplementedError  # implemented by the extract work package
