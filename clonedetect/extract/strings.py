"""String assets: one TEXT asset per string, path `<entry>#<key>` (or `<entry>#<n>` when keyless).

The text is kept raw; normalisation (NFKC, case, Traditional/Simplified) is the fingerprint stage's job. What
is not evidence of copied writing is dropped here: empty strings, numbers, bare placeholders, resource paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from clonedetect.extract.locales import normalise_locale
from clonedetect.model import AnalysisWarning, Asset, AssetKind, Category, Entry, LocalisedText

PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:l{0,2}|h)[a-zA-Z@]|%%"  # printf: %s %1$d %.2f %lld %@
    r"|\{\d*\}|\{[A-Za-z_][\w.]*\}|\$\{[^}]*\}|\$\w+\$"  # {0} {name} ${name} $name$
)
RESOURCE_PATH = re.compile(
    r"^[\w./\\-]+\.(?:png|jpe?g|webp|gif|bmp|ogg|mp3|wav|m4a|json|xml|plist|atlas|lua|txt|ttf|otf|csv|tmx|tsx)$",
    re.IGNORECASE,
)


def is_text_evidence(text: str) -> bool:
    """A string worth comparing: it has a letter (any script) outside placeholders and is no file path."""
    if RESOURCE_PATH.match(text.strip()):
        return False
    return any(char.isalpha() for char in PLACEHOLDER.sub("", text))


class StringCollector:
    """Collects string assets of one package up to max_strings; later strings are counted, not kept."""

    def __init__(self, max_strings: int) -> None:
        self._max = max_strings
        self._assets: dict[str, Asset] = {}
        self._dropped = 0
        self._first_dropped = ""

    def add(self, entry: Entry, pairs: Iterable[tuple[str, str]], locale: str, found_by: str) -> None:
        for index, (key, text) in enumerate(pairs, start=1):
            if not is_text_evidence(text):
                continue
            path = f"{entry.name}#{key if key else index}"
            self._keep(
                Asset(
                    path=path,
                    entry=entry.name,
                    kind=AssetKind.TEXT,
                    category=Category.TEXT,
                    media_type="text/plain",
                    sha256=entry.sha256,
                    size=entry.size,
                    found_by=found_by,
                    key=key,
                    locale=locale,
                    text=text,
                )
            )

    def add_resource_strings(self, entry: Entry, strings: Iterable[LocalisedText]) -> None:
        """The package's own string resources (resources.arsc, Info.plist): `<entry>#string/name@locale`."""
        for resource in strings:
            if not is_text_evidence(resource.value):
                continue
            key = (
                resource.key
                if "/" in resource.key or not entry.name.endswith(".arsc")
                else f"string/{resource.key}"
            )
            locale = normalise_locale(resource.locale) if resource.locale else ""
            path = f"{entry.name}#{key}@{locale}" if locale else f"{entry.name}#{key}"
            self._keep(
                Asset(
                    path=path,
                    entry=entry.name,
                    kind=AssetKind.TEXT,
                    category=Category.TEXT,
                    media_type="text/plain",
                    sha256=entry.sha256,
                    size=entry.size,
                    found_by="strings:package-resources",
                    key=key,
                    locale=locale,
                    text=resource.value,
                )
            )

    def _keep(self, asset: Asset) -> None:
        # a key given twice in one file: the later value is the one the game sees (Java properties, JSON)
        if asset.path in self._assets or len(self._assets) < self._max:
            self._assets[asset.path] = asset
            return
        if not self._dropped:
            self._first_dropped = asset.entry
        self._dropped += 1

    def assets(self) -> list[Asset]:
        return list(self._assets.values())

    def warnings(self) -> list[AnalysisWarning]:
        if not self._dropped:
            return []
        message = f"more than max_strings ({self._max}) strings; {self._dropped} further strings were skipped"
        return [AnalysisWarning(self._first_dropped, message)]
