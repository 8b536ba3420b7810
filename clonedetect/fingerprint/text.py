"""Text fingerprints: one Print per string asset.

Fingerprints (all strings, all version 1):
- `sha256`: of the raw UTF-8 value. The asset's own sha256 is the hash of the file holding the string, which
  a one-string edit elsewhere in the file changes, so the string itself needs its own hash.
- `text`: the normalised value (fingerprint.normalise): what exact and fuzzy matching compare.
- `traditional`: "1" when Traditional -> Simplified conversion changed the string, else "0", so a match can
  say that a copy was converted to (or from) Traditional Chinese.

No shingle/simhash fingerprint is stored: the matcher builds its candidate index from `text` at match time,
which is cheaper than storing and hashing shingles for every string of every package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from clonedetect import fingerprint_versions as versions
from clonedetect.fingerprint.normalise import normalise
from clonedetect.model import AnalysisWarning, Asset, AssetKind, EntrySource, Fingerprint, Print
from clonedetect.settings import Settings


def text_fingerprints(value: str) -> tuple[Fingerprint, ...]:
    """The fingerprints of one raw string value."""
    normalised = normalise(value)
    return (
        Fingerprint(
            "sha256", versions.TEXT, hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        ),
        Fingerprint("text", versions.TEXT, normalised.text),
        Fingerprint("traditional", versions.TEXT, "1" if normalised.traditional else "0"),
    )


class TextFingerprinter:
    kind = AssetKind.TEXT

    def fingerprint(
        self, assets: Sequence[Asset], source: EntrySource, settings: Settings
    ) -> tuple[list[Print], list[AnalysisWarning]]:
        """Text assets already carry their value (`asset.text`); the entry bytes are not read again."""
        prints: list[Print] = []
        warnings: list[AnalysisWarning] = []
        limit = settings.limits.max_text_bytes
        for asset in assets:
            if asset.kind is not AssetKind.TEXT:
                continue
            value = asset.text
            if len(value) > limit:
                # a string larger than a whole text file we would parse is hostile; compare its head only
                warnings.append(
                    AnalysisWarning(asset.path, f"string longer than {limit} characters, truncated")
                )
                value = value[:limit]
            prints.append(Print(asset, text_fingerprints(value)))
        return prints, warnings
