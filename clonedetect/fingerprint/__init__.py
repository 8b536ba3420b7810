"""fingerprint: Assets -> Prints. One fingerprinter per asset kind, registered in FINGERPRINTERS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from clonedetect import fingerprint_versions as versions
from clonedetect.fingerprint.image import ImageFingerprinter
from clonedetect.fingerprint.table import TableFingerprinter
from clonedetect.fingerprint.text import TextFingerprinter
from clonedetect.model import AnalysisWarning, Asset, AssetKind, EntrySource, Fingerprint, Print
from clonedetect.settings import Settings


class Fingerprinter(Protocol):
    kind: AssetKind

    def fingerprint(
        self, assets: Sequence[Asset], source: EntrySource, settings: Settings
    ) -> tuple[list[Print], list[AnalysisWarning]]:
        """Prints for the assets of this kind; an unreadable asset becomes a warning, not an error."""
        ...


FINGERPRINTERS: tuple[Fingerprinter, ...] = (ImageFingerprinter(), TextFingerprinter(), TableFingerprinter())


def fingerprint_assets(
    assets: Sequence[Asset], source: EntrySource, settings: Settings
) -> tuple[list[Print], list[AnalysisWarning]]:
    prints: list[Print] = []
    warnings: list[AnalysisWarning] = []
    handled: set[AssetKind] = set()
    for fingerprinter in FINGERPRINTERS:
        handled.add(fingerprinter.kind)
        own = [asset for asset in assets if asset.kind is fingerprinter.kind]
        if own:
            kind_prints, kind_warnings = fingerprinter.fingerprint(own, source, settings)
            prints.extend(kind_prints)
            warnings.extend(kind_warnings)
    # code, audio: the entry hash is their only fingerprint for now
    prints.extend(
        Print(asset, (Fingerprint("sha256", versions.OTHER, asset.sha256),))
        for asset in assets
        if asset.kind not in handled
    )
    prints.sort(key=lambda p: p.asset.path)
    return prints, warnings
