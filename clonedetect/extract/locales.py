"""The locale of a string file, from the naming conventions of each platform, as a BCP 47-style tag.

    res/values-zh-rCN/strings.xml      -> zh-CN       (Android resource qualifier)
    res/values-b+zh+Hant/strings.xml   -> zh-Hant     (Android BCP 47 qualifier)
    zh-Hans.lproj/Localizable.strings  -> zh-Hans     (iOS)
    messages/ui/ui_zh-hant.properties  -> zh-Hant     (Java / libGDX bundles)
    l18n/zh_CN/LC_MESSAGES/base.po     -> zh-CN       (gettext)
    translations/core/zh_CN.po         -> zh-CN

One spelling for every platform lets the text stage pair `values-zh-rCN` strings with `zh_CN.po` strings.
"""

from __future__ import annotations

import re

# language [script] [region], separated by '-' or '_'; aapt writes the region as 'rCN'
TAG = re.compile(
    r"^(?P<language>[a-z]{2,3})(?:[-_](?P<script>[a-z]{4}))?(?:[-_]r?(?P<region>[a-z]{2}|\d{3}))?$",
    re.IGNORECASE,
)
ANDROID_BCP47 = re.compile(r"^b\+([a-z]{2,3})((?:\+[a-z0-9]+)*)$", re.IGNORECASE)
# ISO 639-1 codes used by games, to tell a locale suffix ('_zh') from an ordinary word ('_ui', '_bg')
LANGUAGES = frozenset(
    {
        "af", "am", "ar", "as", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
        "es", "et", "eu", "fa", "fi", "fil", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id",
        "in", "is", "it", "iw", "ja", "ka", "kk", "km", "kn", "ko", "ky", "lo", "lt", "lv", "mk", "ml",
        "mn", "mr", "ms", "my", "nb", "ne", "nl", "no", "or", "pa", "pl", "pt", "ro", "ru", "si", "sk",
        "sl", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi", "zh", "zu",
    }
)  # fmt: skip


def normalise_locale(raw: str) -> str:
    """'zh-rCN', 'zh_CN', 'b+zh+Hant', 'zh-hant' -> 'zh-CN', 'zh-CN', 'zh-Hant', 'zh-Hant'; others kept."""
    raw = raw.strip()
    bcp47 = ANDROID_BCP47.match(raw)
    if bcp47:
        raw = "-".join([bcp47.group(1), *[part for part in bcp47.group(2).split("+") if part]])
    match = TAG.match(raw)
    if not match or match.group("language").lower() not in LANGUAGES:
        return raw
    parts = [match.group("language").lower()]
    if match.group("script"):
        parts.append(match.group("script").title())
    if match.group("region"):
        parts.append(match.group("region").upper())
    return "-".join(parts)


def locale_from_path(path: str) -> str:
    """The locale a string file's path names, or '' for the default / unknown locale."""
    parts = path.split("/")
    for folder in reversed(parts[:-1]):
        found = _folder_locale(folder)
        if found is not None:
            return found
    return _file_locale(parts[-1])


def _folder_locale(folder: str) -> str | None:
    lowered = folder.lower()
    if lowered.endswith(".lproj"):
        name = folder[: -len(".lproj")]
        return "" if name.lower() == "base" else normalise_locale(name)
    if lowered.startswith("values-"):
        qualifier = folder[len("values-") :].split("-")
        if qualifier[0].startswith("b+"):
            return normalise_locale(qualifier[0])
        if qualifier[0].lower() in LANGUAGES:
            region = (
                qualifier[1] if len(qualifier) > 1 and re.fullmatch(r"r[A-Za-z]{2}", qualifier[1]) else ""
            )
            return normalise_locale(f"{qualifier[0]}-{region}" if region else qualifier[0])
        return None
    if _is_tag(folder):
        return normalise_locale(folder)
    return None


def _file_locale(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    if _is_tag(stem):  # zh_CN.po, zh-Hans.json
        return normalise_locale(stem)
    # bundle suffixes, longest first: ui_zh-hant.properties, strings_zh_TW.json, actors_zh.properties
    for separator in re.finditer(r"[_-]", stem):
        candidate = stem[separator.end() :]
        if separator.start() > 0 and _is_tag(candidate):
            return normalise_locale(candidate)
    return ""


def _is_tag(text: str) -> bool:
    match = TAG.match(text)
    return bool(match) and match.group("language").lower() in LANGUAGES
