"""Text normalisation: the form in which two strings are compared, whatever script variant, width, case,
punctuation or format placeholders a copier used.

normalise_text(s) runs, in this order:
1. NFKC: full-width ASCII and half-width katakana become their ordinary forms, ideographic space a space;
2. literal escapes (a two-character backslash-n), simple markup tags and format placeholders are dropped, so
   "Level %d" and "Level {0}" compare equal (placeholders before punctuation: they are made of punctuation);
3. Traditional -> Simplified Chinese (OpenCC 't2s'), so a zh-Hant copy of a zh-Hans string compares equal;
4. casefold;
5. every punctuation (P*) and symbol (S*) character becomes a space, format/control characters vanish;
6. whitespace collapses to single spaces, and spaces next to a CJK character vanish (Chinese and Japanese do
   not separate words with spaces, and copies are inconsistent about spaces around Latin words).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from opencc import OpenCC

# printf-style (C, Java, Android %1$s, iOS %@), Python %(name)s, Ruby %{name}, then brace templates:
# MessageFormat {0} / {0,number}, str.format {name} / {0:>5}, mustache {{name}}. The space flag is left out of
# printf flags on purpose: with it, "100% done" would lose "% d".
_PLACEHOLDER = re.compile(
    r"%%"
    r"|%(?:\d+\$)?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|z|j|t|q)?[diouxXeEfFgGaAcspn@]"
    r"|%\([A-Za-z_]\w*\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%\{[A-Za-z_]\w*\}"
    r"|\{\{\s*[A-Za-z_][\w.]*\s*\}\}"
    r"|\{\d+(?:,[^{}]{0,40})?\}"
    r"|\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]{0,20})?\}"
    r"|\{\}"
)
# Escapes kept literally by string files (Android XML, iOS .strings, unprocessed .properties).
_LITERAL_ESCAPE = re.compile(r"\\[ntr]")
# Inline markup such as <b>, </font>, <color=#fff> (not "a < b > c": the tag must start with a letter or /).
_MARKUP = re.compile(r"</?[A-Za-z][^<>\n]{0,40}>")
_WHITESPACE = re.compile(r"\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_SPACE_NEAR_CJK = re.compile(rf" (?=[{_CJK}])|(?<=[{_CJK}]) ")
_HAN = re.compile(rf"[{_CJK}]")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    text: str  # the comparable form
    traditional: bool  # True when Traditional -> Simplified conversion changed the string


class _TraditionalToSimplified:
    """OpenCC 't2s' behind a cache and an exact pre-filter.

    The pure-Python converter costs about 0.1 ms per Chinese string (measured on the Shattered Pixel Dungeon
    zh-hant messages: 4,831 strings in 0.47 s). Most strings need no conversion: English ones, and Simplified
    ones. A string can only change if it holds a character that some dictionary entry changes (a character
    that differs between key and value, or any character of a key whose value has another length); strings
    without such a "trigger" character are returned as they are. That leaves 194 of 4,831 Simplified strings
    to convert, and the result is identical to converting everything (tested against the converter).
    """

    def __init__(self, config: str = "t2s") -> None:
        self._converter = OpenCC(config)
        self._triggers: frozenset[str] | None = _trigger_characters(config)

    def needs_conversion(self, text: str) -> bool:
        if self._triggers is None:  # dictionaries not found where expected: convert everything
            return _HAN.search(text) is not None
        return not self._triggers.isdisjoint(text)

    def convert(self, text: str) -> str:
        if not self.needs_conversion(text):
            return text
        return str(self._converter.convert(text))


def _trigger_characters(config: str) -> frozenset[str] | None:
    """Characters that some dictionary of the OpenCC configuration may change; None when unknown."""
    import opencc

    root = Path(opencc.__file__).parent
    try:
        setting = json.loads((root / "config" / f"{config}.json").read_text(encoding="utf-8"))
        files = _dictionary_files(setting["conversion_chain"])
        triggers: set[str] = set()
        for name in files:
            with (root / "dictionary" / name).open(encoding="utf-8") as lines:
                for line in lines:
                    # the converter itself splits on the tab only, so a value holding several
                    # alternatives ("钟 锺") is one longer value: then every key character triggers
                    key, _, value = line.strip().partition("\t")
                    if len(key) != len(value):
                        triggers.update(key)
                    else:
                        triggers.update(k for k, v in zip(key, value, strict=True) if k != v)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return frozenset(triggers)


def _dictionary_files(chain: list[dict[str, object]]) -> list[str]:
    files: list[str] = []
    for link in chain:
        entry = link.get("dict", link)
        if not isinstance(entry, dict):
            raise TypeError("unexpected OpenCC configuration")
        if entry.get("type") == "group":
            files.extend(_dictionary_files(list(entry["dicts"])))
        else:
            files.append(str(entry["file"]))
    return files


@lru_cache(maxsize=1)
def _t2s() -> _TraditionalToSimplified:
    return _TraditionalToSimplified()


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s); other text is returned unchanged. Cached: string
    tables repeat themselves across locales and packages."""
    return _t2s().convert(text)


def strip_placeholders(text: str) -> str:
    """Drop format placeholders (%s, %1$d, %@, %(name)s, {0}, {name}, {{name}}) and the escaped %%."""
    return _PLACEHOLDER.sub(" ", text)


class _PunctuationTable(dict[int, str]):
    """str.translate table filled on first sight of each character: punctuation (P*), symbols (S*),
    separators (Z*) and control characters become a space; format characters (zero-width joiners, BOM)
    vanish; everything else stays. Lazily filled because the table over all of Unicode would be large, and
    str.translate with a warm table is a C loop (the per-character Python loop was 40% of normalise)."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        category = unicodedata.category(char)
        if category[0] in "PSZ" or category == "Cc":
            replacement = " "
        elif category[0] == "C":
            replacement = ""
        else:
            replacement = char
        self[codepoint] = replacement
        return replacement


_PUNCTUATION = _PunctuationTable()


def _strip_punctuation(text: str) -> str:
    return text.translate(_PUNCTUATION)


@lru_cache(maxsize=131072)
def normalise(text: str) -> NormalisedText:
    """The comparable form of one string, and whether Traditional -> Simplified conversion changed it."""
    value = unicodedata.normalize("NFKC", text)
    value = _LITERAL_ESCAPE.sub(" ", value)
    value = _MARKUP.sub(" ", value)
    value = strip_placeholders(value)
    simplified = to_simplified(value)
    traditional = simplified != value
    value = _strip_punctuation(simplified.casefold())
    value = _WHITESPACE.sub(" ", value).strip()
    value = _SPACE_NEAR_CJK.sub("", value)
    return NormalisedText(value, traditional)


def normalise_text(text: str) -> str:
    """The comparable form of one string (see the module docstring for the steps)."""
    return normalise(text).text


def normalise_name(name: str) -> str:
    """A column or field name: camelCase, snake_case, kebab-case and spaced forms compare equal."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return normalise_text(spaced)


def count_cjk(text: str) -> int:
    """Chinese characters and Japanese kana in the text."""
    return len(_HAN.findall(text))
