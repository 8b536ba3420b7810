"""The one rule table that gives an image its category, and the classifier that applies it.

Order of evidence, strongest first:
1. the package's own facts: the icon files its manifest / Info.plist declares, a store listing's `icon.*` and
   `screenshots/`;
2. the caller's mapping (glob -> category, first match wins), for studios that know their own layout;
3. app-icon file layouts (launcher icons, iOS app icon sets, desktop icon themes), but only when the package
   declared no icon itself: a declared icon is the truth, and an undeclared `ic_launcher_round` must not
   become a second "icon" the suspect is scored against;
4. words of the path (ROLE_WORDS), English and pinyin. Folder names are read first, from the package root
   towards the file, and the file name only when no folder word is known: the folder a studio files art under
   says more than the file name (`ui/monster/hp_bar.png` and `interfaces/hero_icons.png` are UI,
   `sprites/battle/rat-menu01.png` and `items/gold_badge.png` are characters). Within one level the first
   strong word wins; weak words (`sprites`, `items`, `icons`, `frame`, `skin`) are generic game-art words that
   decide only when the level has no strong word. Scenery words (`environment`, `terrain`, `tile`, `effects`)
   name art that is neither a character nor UI, so a `boss` in `environment/custom_tiles/caves_boss.png` does
   not make a level tile a character;
5. otherwise ART.

Icon container formats (.ico, .icns) are app icons by nature and count as layouts under rule 3.

Item art counts as CHARACTERS: the corpus README maps the MANIFEST kind `item` to character art, and in a
clone case item icons are copied together with the monsters and heroes they belong to (they are the game's
own drawn content, not interface chrome).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase

from clonedetect.model import Category, Package, PackageFormat


class Glue(Enum):
    """Whether a word is also found glued into a longer token ('herosprite', 'mainbg', 'citybar')."""

    NONE = "none"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class RoleWord:
    word: str
    category: Category
    strong: bool = True
    glue: Glue = Glue.NONE


def _words(category: Category, spec: str, strong: bool = True) -> tuple[RoleWord, ...]:
    """'hero* hud> bar< ui': '*' also glued at either end, '>' also as a prefix, '<' also as a suffix."""
    marks = {"*": Glue.BOTH, ">": Glue.PREFIX, "<": Glue.SUFFIX}
    return tuple(
        RoleWord(word.rstrip("*<>"), category, strong, marks.get(word[-1], Glue.NONE))
        for word in spec.split()
    )


A, C, U = Category.ART, Category.CHARACTERS, Category.UI
ROLE_WORDS: tuple[RoleWord, ...] = (
    # characters: heroes, monsters, NPCs, units, portraits; pinyin as Chinese studios name their folders
    *_words(
        C,
        "hero* role> char character* npc* monster* enemy* enemies* unit avatar* portrait* boss* pet mob "
        "creature* actor minion* soldier* troop juese* guaiwu* renwu* yingxiong* chongwu* touxiang*",
    ),
    # generic game-art words: decide only when their level of the path has nothing stronger
    *_words(C, "sprite* skin item player", strong=False),
    # ui: chrome, controls, HUD, backgrounds, splash and loading art
    *_words(
        U,
        "ui gui button* btn* panel* pane window> dialog* dlg hud> bg* background* menu* interface* chrome "
        "toolbar* bar< splash* screenshot* loading* theme cursor* arrow border* bubble checkbox* radio "
        "slider scrollbar* tab popup* tooltip* banner* logo title hp status badge buff widget minimap* "
        "joystick* dpad emote overlay* jiemian* anniu* beijing*",
    ),
    *_words(U, "icon> frame", strong=False),
    # scenery and effects: art that is neither a character nor UI
    *_words(A, "environment> terrain* tile map effect> fx particle>"),
)

# Chinese folder and file names have no word boundaries: these are found as substrings.
CJK_WORDS: tuple[tuple[str, Category], ...] = (
    ("角色", C), ("怪物", C), ("人物", C), ("英雄", C), ("宠物", C), ("头像", C), ("武将", C),
    ("界面", U), ("按钮", U), ("背景", U), ("图标", U),
)  # fmt: skip

# Tokens that start or end with a glue word but mean something else.
FALSE_GLUES = frozenset(
    {"unity", "chart", "charge", "charset", "framework", "frameworks", "logout", "bgm", "heroic"}
)

LAUNCHER_STEM = re.compile(
    r"^(ic_launcher\w*|app_?icon\w*|icon(?:[-_]?\d+(?:x\d+)?)?(?:@\d+(?:\.\d+)?x)?|icon-\d+(?:\.\d+)?(?:@\d+x)?"
    r"(?:~ipad)?|appicon[\w@~.-]*)$",
    re.IGNORECASE,
)
ICON_FORMATS = frozenset({"image/vnd.microsoft.icon", "image/icns"})
ICON_THEME_SIZE = re.compile(r"^\d+x\d+$")
TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class Role:
    category: Category
    found_by: str  # the rule that decided: 'package-icon', 'launcher-path', 'path-word:hero', 'default', ...


class RoleClassifier:
    """Gives each image (or atlas frame) of one package its category, with the rule that decided."""

    def __init__(self, package: Package, overrides: Sequence[tuple[str, Category]] = ()) -> None:
        self._declared_icons = frozenset(package.icon_entries)
        self._listing = package.format is PackageFormat.LISTING
        self._overrides = tuple(overrides)
        self._words = {rule.word: rule for rule in ROLE_WORDS}
        self._glued = tuple(rule for rule in ROLE_WORDS if rule.glue is not Glue.NONE)
        # folder names and words repeat across thousands of images and frames: each is looked up once
        self._level_roles: dict[tuple[str, ...], Role | None] = {}
        self._rules: dict[str, RoleWord | None] = {}

    def image_role(self, path: str, is_frame: bool = False, media_type: str = "") -> Role:
        """path: the asset path ('a/b.png' or 'a/page.png#frame/name'); media_type as sniffed."""
        page = path.split("#", 1)[0]
        if not is_frame:
            package_role = self._package_fact(page)
            if package_role is not None:
                return package_role
        for pattern, category in self._overrides:
            if fnmatchcase(path, pattern):
                return Role(category, f"override:{pattern}")
        if not is_frame and not self._declared_icons:
            if _looks_like_app_icon(page):
                return Role(Category.ICON, "launcher-path")
            if media_type in ICON_FORMATS:
                return Role(Category.ICON, "icon-format")
        return self.word_role(path)

    def word_role(self, path: str) -> Role:
        for level in _levels(path):
            key = tuple(level)
            if key not in self._level_roles:
                self._level_roles[key] = self._level_role(level)
            role = self._level_roles[key]
            if role is not None:
                return role
        return Role(Category.ART, "default")

    def _level_role(self, segments: list[str]) -> Role | None:
        weak: Role | None = None
        for segment in segments:
            for cjk, category in CJK_WORDS:
                if cjk in segment:
                    return Role(category, f"path-word:{cjk}")
            tokens = _tokens(segment)
            if len(tokens) > 1:
                tokens.append("".join(tokens))  # 'd-pad' -> 'dpad', 'hero_sprite' -> 'herosprite'
            for token in tokens:
                if token not in self._rules:
                    self._rules[token] = self._match(token)
                rule = self._rules[token]
                if rule is None:
                    continue
                if rule.strong:
                    return Role(rule.category, f"path-word:{rule.word}")
                weak = weak or Role(rule.category, f"path-word:{rule.word}")
        return weak

    def _package_fact(self, entry: str) -> Role | None:
        if entry in self._declared_icons:
            return Role(Category.ICON, "package-icon")
        if self._listing:
            if "/" not in entry and entry.lower().startswith("icon."):
                return Role(Category.ICON, "listing-icon")
            if entry.lower().startswith("screenshots/"):
                return Role(Category.UI, "listing-screenshot")
        return None

    def _match(self, token: str) -> RoleWord | None:
        for form in _singulars(token):
            rule = self._words.get(form)
            if rule is not None:
                return rule
        if token in FALSE_GLUES or len(token) < 5:
            return None
        for rule in self._glued:
            if len(token) <= len(rule.word):
                continue
            if rule.glue in (Glue.PREFIX, Glue.BOTH) and token.startswith(rule.word):
                return rule
            if rule.glue in (Glue.SUFFIX, Glue.BOTH) and any(
                form.endswith(rule.word) for form in _singulars(token)
            ):
                return rule
        return None


def _levels(path: str) -> tuple[list[str], list[str]]:
    """(folder names, file names), root first, extensions dropped. For an atlas frame the frame name's own
    folders join the page's folders, and the frame's file name follows the page's."""
    page, _, frame = path.partition("#")
    page_parts = [part for part in page.split("/") if part]
    frame_parts = [part for part in frame.split("/") if part]
    folders = page_parts[:-1] + frame_parts[:-1]
    names = [_stem(part) for part in (page_parts[-1:] + frame_parts[-1:])]
    return folders, names


def _stem(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return stem if dot and stem and extension.isalnum() and len(extension) <= 5 else name


def _tokens(segment: str) -> list[str]:
    """Words of one segment: split at / _ - . digits and camelCase, lower-cased."""
    return [token.lower() for token in TOKEN.findall(segment)]


def _singulars(token: str) -> tuple[str, ...]:
    forms = [token]
    if token.endswith("ies") and len(token) > 4:
        forms.append(token[:-3] + "y")
    if token.endswith("es") and len(token) > 3:
        forms.append(token[:-2])
    if token.endswith("s") and len(token) > 2:
        forms.append(token[:-1])
    return tuple(forms)


def _looks_like_app_icon(entry: str) -> bool:
    """Launcher icons, iOS app icon sets and desktop icon themes, by their well-known file layouts."""
    parts = entry.split("/")
    if any(part.lower().endswith(".appiconset") for part in parts[:-1]):
        return True
    if LAUNCHER_STEM.match(_stem(parts[-1])):
        return True
    lowered = [part.lower() for part in parts[:-1]]
    # freedesktop icon themes: icons/48x48/app.png, icons/hicolor/48x48/apps/app.png
    return any(
        name == "icons" and any(ICON_THEME_SIZE.match(later) for later in lowered[index + 1 :])
        for index, name in enumerate(lowered)
    )
