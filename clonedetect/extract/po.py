"""A tolerant gettext `.po` reader: keeps every entry that parses, reports the lines that do not.

Real `.po` files break strict readers (the Tuxemon corpus files fail both msgfmt and polib: invalid escapes
such as `\\,`, comments without a space after `#`). Here an unknown escape keeps its character, an unknown
line is reported and skipped, and the entry around it survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(\".*)$")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
MAX_PROBLEMS = 20


@dataclass(slots=True)
class PoEntry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


@dataclass(frozen=True, slots=True)
class PoFile:
    entries: tuple[PoEntry, ...]  # active entries only: obsolete (#~) ones are dropped
    problems: tuple[str, ...]  # 'line N: reason', at most MAX_PROBLEMS
    problem_count: int


class _Reader:
    def __init__(self) -> None:
        self.entries: list[PoEntry] = []
        self.problems: list[str] = []
        self.problem_count = 0
        self.current: PoEntry | None = None
        self.field: tuple[str, int] | None = None  # the field continuation strings append to
        self.fuzzy_pending = False

    def problem(self, line: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"line {line}: {reason}")

    def finish(self) -> None:
        entry = self.current
        if entry is not None and (entry.msgstr or entry.msgid):
            translated = entry.msgstr.get(0, "")
            if (
                not entry.fuzzy
                and entry.msgid
                and translated
                and entry.msgid.endswith("\n") != translated.endswith("\n")
            ):
                # msgfmt -c rejects this; the text is still usable, so it is kept and reported
                self.problem(entry.line, "msgid and msgstr differ in ending with a newline")
            self.entries.append(entry)
        self.current = None
        self.field = None

    def keyword(self, number: int, name: str, plural_index: str | None, rest: str) -> None:
        value = self.string(number, rest)
        if name in ("msgctxt", "msgid") and self.current is not None and self.current.msgstr:
            self.finish()  # a new entry without a blank line before it
        if self.current is None:
            self.current = PoEntry(line=number, fuzzy=self.fuzzy_pending)
            self.fuzzy_pending = False
        entry = self.current
        if name == "msgctxt":
            entry.msgctxt = value
            self.field = ("msgctxt", 0)
        elif name == "msgid":
            entry.msgid = value
            self.field = ("msgid", 0)
        elif name == "msgid_plural":
            entry.msgid_plural = value
            self.field = ("msgid_plural", 0)
        else:
            index = int(plural_index) if plural_index is not None else 0
            entry.msgstr[index] = value
            self.field = ("msgstr", index)

    def continuation(self, number: int, text: str) -> None:
        if self.current is None or self.field is None:
            self.problem(number, "string outside any entry")
            return
        value = self.string(number, text)
        entry = self.current
        name, index = self.field
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        else:
            entry.msgid_plural = (entry.msgid_plural or "") + value

    def string(self, number: int, text: str) -> str:
        """The content of one quoted string; a missing closing quote or bad escape is reported, not fatal."""
        text = text.strip()
        if len(text) < 2 or not text.endswith('"') or (text.endswith('\\"') and not text.endswith('\\\\"')):
            self.problem(number, "string without closing quote")
            body = text[1:]
        else:
            body = text[1:-1]
        out: list[str] = []
        position = 0
        while position < len(body):
            char = body[position]
            if char == "\\" and position + 1 < len(body):
                escaped = body[position + 1]
                if escaped in ESCAPES:
                    out.append(ESCAPES[escaped])
                else:
                    self.problem(number, f"invalid escape \\{escaped}")
                    out.append(escaped)
                position += 2
                continue
            out.append(char)
            position += 1
        return "".join(out)


def parse_po(text: str) -> PoFile:
    reader = _Reader()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            reader.finish()
        elif line.startswith("#"):
            if reader.current is not None and reader.current.msgstr:
                reader.finish()  # a comment opens the next entry
            if line.startswith("#~"):
                reader.field = None  # obsolete entries are not in use: not evidence of shipped text
            elif line.startswith("#,") and "fuzzy" in line:
                reader.fuzzy_pending = True
        elif line.startswith('"'):
            reader.continuation(number, line)
        else:
            match = KEYWORD.match(line)
            if match:
                reader.keyword(number, match.group(1).split("[")[0], match.group(2), match.group(3))
            else:
                reader.problem(number, f"unrecognised line {line[:40]!r}")
    reader.finish()
    return PoFile(tuple(reader.entries), tuple(reader.problems), reader.problem_count)


def po_strings(po: PoFile) -> list[tuple[str, str]]:
    """(key, text) of every translated, non-fuzzy entry, as gettext would use them at run time.

    The key is the msgid (with its context as 'context|msgid'); plural forms after the first get '[n]'.
    """
    result: list[tuple[str, str]] = []
    for entry in po.entries:
        if entry.fuzzy or (entry.msgid == "" and entry.msgctxt is None):
            continue  # fuzzy translations are not shown by gettext; msgid "" is the header
        key = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        for index, value in sorted(entry.msgstr.items()):
            if value:
                result.append((key if index == 0 else f"{key}[{index}]", value))
    return result
