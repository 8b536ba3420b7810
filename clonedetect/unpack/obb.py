"""OBB expansion files and any other zip that is not an app package: its entries, and the archives nested
in it, are all there is to analyse (Unity and Cocos games keep most of their art in these)."""

from __future__ import annotations

from pathlib import Path

from clonedetect.model import PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack import OpenedPackage
from clonedetect.unpack.apk import AppFacts, package_from
from clonedetect.unpack.zipsource import list_zip


class ObbReader:
    """The catch-all for zips: asked after the APK, IPA and split-set readers."""

    format = PackageFormat.OBB

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        return zip_names is not None

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listing = list_zip(path, settings.limits)
        return OpenedPackage(package_from(path, self.format, listing, AppFacts()), listing.source)
