"""The benchmark's games, chosen from the real corpus (../shared/corpus, or $CLONEDETECT_CORPUS).

A `Content` is what one game's packages are made of: images with their origin in the corpus (the ground truth
of the image matching), string files and data tables as bytes. Nothing is copied into the repository: every
file is read from the corpus when a benchmark run builds its packages.

- Shattered Pixel Dungeon: launcher icon at five densities, character sheets, interface art, splash art,
  level tiles, and English + Simplified Chinese `.properties` messages.
- Tuxemon, split in two halves that share no asset ("two different monsters of one game"): half A is the
  baseline game (monsters, items, UI, db tables, en + zh .po), half B a different game of the same style.
- Freeciv21: the classic ruleset with half of the unit sprites and the Classic skin is a baseline; civ2civ3
  and multiplayer (real variants of classic, with changed costs and stats) with the other units and the
  NightStalker skin are hosts for hard negatives and for clones that copy one thing into another game.

`quick` keeps a few of each kind, for the smoke test.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image

from benchmarks.families import split

REPO = Path(__file__).resolve().parents[1]
SPD_ASSETS = "core/src/main/assets"
TUX_MOD = "mods/tuxemon"
DENSITY_SIZES: Mapping[str, int] = {"mdpi": 48, "hdpi": 72, "xhdpi": 96, "xxhdpi": 144, "xxxhdpi": 192}


def corpus_root() -> Path:
    """$CLONEDETECT_CORPUS, else ../shared/corpus beside the repository (as tests/corpus.py)."""
    return Path(os.environ.get("CLONEDETECT_CORPUS", REPO.parent / "shared" / "corpus"))


@dataclass(frozen=True, slots=True)
class Art:
    """One picture from the corpus. `identity` names the artwork: the same icon at five densities is one."""

    origin: str  # 'spd:core/src/main/assets/sprites/rat.png'
    source: Path
    identity: str

    def image(self) -> Image.Image:
        return load_image(self.source)

    def data(self) -> bytes:
        return self.source.read_bytes()


@dataclass(frozen=True, slots=True)
class Content:
    """What one game's packages are made of. Paths are relative to the package's asset folder."""

    name: str  # 'spd', 'tux', 'tux-b', 'fc-classic', ...
    label: Mapping[str, str]  # Android locale ('' default) -> app name
    package_id: str
    icon: Art  # the master launcher icon (scaled to every density)
    images: tuple[tuple[str, Art], ...]
    files: tuple[tuple[str, bytes], ...]  # strings and tables
    description: str = ""

    def image_map(self) -> dict[str, Art]:
        return dict(self.images)


@cache
def load_image(path: Path) -> Image.Image:
    with Image.open(path) as opened:
        opened.load()
        return opened.convert("RGBA")


def icon_sizes(art: Art) -> dict[str, bytes]:
    """The launcher icon at every Android density (Lanczos from the master), as PNG."""
    master = art.image()
    out = {}
    for density, side in DENSITY_SIZES.items():
        buffer = io.BytesIO()
        master.resize((side, side), Image.Resampling.LANCZOS).save(buffer, "PNG")
        out[density] = buffer.getvalue()
    return out


def _art(game: str, root: Path, relative: str, identity: str = "") -> Art:
    origin = f"{game}:{relative}"
    return Art(origin, root / relative, identity or origin)


def _every(items: Sequence[str], count: int) -> list[str]:
    """`count` items spread evenly over the sorted list (all of them when count >= len)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def _relative(root: Path, pattern: str) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.glob(pattern) if path.is_file())


# ---------------------------------------------------------------------------------------------------------
# Shattered Pixel Dungeon

SPD_GROUPS_FULL = ("ui", "windows", "scenes", "levels", "plants", "journal", "misc")
SPD_GROUPS_QUICK = ("ui", "plants")
SPD_DESCRIPTION = (
    "Shattered Pixel Dungeon is a traditional roguelike dungeon crawler: explore procedurally generated "
    "floors, fight monsters, find loot and uncover the secrets of the Yendor amulet."
)


def shattered(quick: bool) -> Content:
    root = corpus_root() / "shattered-pixel-dungeon"
    assets = root / SPD_ASSETS
    icon = _art("spd", root, "android/src/main/res/mipmap-xxxhdpi/ic_launcher.png", "spd:launcher-icon")
    sprites = _every(_relative(assets, "sprites/*.png"), 12 if quick else 75)
    interfaces = _every(_relative(assets, "interfaces/*.png"), 6 if quick else 26)
    splashes = _every(_relative(assets, "splashes/*.jpg"), 1 if quick else 3)
    tiles = _every(_relative(assets, "environment/tiles_*.png"), 1 if quick else 4)
    images = [
        (path, _art("spd", root, f"{SPD_ASSETS}/{path}"))
        for path in (*sprites, *interfaces, *splashes, *tiles)
    ]
    files = []
    for group in SPD_GROUPS_QUICK if quick else SPD_GROUPS_FULL:
        for suffix in ("", "_zh"):
            relative = f"messages/{group}/{group}{suffix}.properties"
            files.append((relative, (assets / relative).read_bytes()))
    return Content(
        name="spd",
        label={"": "Shattered Pixel Dungeon", "zh-rCN": "破碎的像素地牢"},
        package_id="com.shatteredpixel.shatteredpixeldungeon",
        icon=icon,
        images=tuple(sorted(images)),
        files=tuple(sorted(files)),
        description=SPD_DESCRIPTION,
    )


# ---------------------------------------------------------------------------------------------------------
# Tuxemon, in two halves that share no asset

TUX_DESCRIPTION = (
    "Tuxemon is a free, open source monster-fighting RPG: catch monsters, train them and battle your way "
    "across the world."
)


@dataclass(frozen=True, slots=True)
class TuxemonHalves:
    monsters: tuple[tuple[str, ...], tuple[str, ...]]  # slugs of half A, half B
    items: tuple[tuple[str, ...], tuple[str, ...]]  # item image paths
    ui: tuple[tuple[str, ...], tuple[str, ...]]


def tuxemon_halves(quick: bool) -> TuxemonHalves:
    root = corpus_root() / "tuxemon" / TUX_MOD
    fronts = _relative(root, "gfx/sprites/battle/*-front.png")
    slugs = _unique_art(root, [path.rsplit("/", 1)[1].removesuffix("-front.png") for path in fronts])
    slugs = _every(slugs, 12 if quick else 96)
    items = split(
        "tux",
        _every(_unique_paths(root, _relative(root, "gfx/items/*.png")), 8 if quick else 60),
        TUX_MOD + "/",
    )
    ui = split(
        "tux",
        _every(_unique_paths(root, _relative(root, "gfx/ui/**/*.png")), 10 if quick else 100),
        TUX_MOD + "/",
    )
    return TuxemonHalves(
        monsters=(tuple(slugs[0::2]), tuple(slugs[1::2])),
        items=(tuple(items[0]), tuple(items[1])),
        ui=(tuple(ui[0]), tuple(ui[1])),
    )


def _unique_art(root: Path, slugs: list[str]) -> list[str]:
    """Slugs whose front sprite is not byte-identical to another slug's (a few monsters share art)."""
    seen: set[str] = set()
    kept = []
    for slug in slugs:
        digest = hashlib.sha256((root / f"gfx/sprites/battle/{slug}-front.png").read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            kept.append(slug)
    return kept


def _unique_paths(root: Path, paths: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for path in paths:
        digest = hashlib.sha256((root / path).read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            kept.append(path)
    return kept


TUX_CONTROLS = ("gfx/a-button.png", "gfx/b-button.png", "gfx/d-pad.png")


def tuxemon(quick: bool, half: int = 0) -> Content:
    """Half 0 is the baseline game; half 1 is another game of the same style sharing nothing with it."""
    root = corpus_root() / "tuxemon"
    mod = root / TUX_MOD
    halves = tuxemon_halves(quick)
    images: list[tuple[str, Art]] = []
    for slug in halves.monsters[half]:
        for path in _relative(mod, f"gfx/sprites/battle/{slug}-*.png"):
            images.append((path, _art("tux", root, f"{TUX_MOD}/{path}")))
    for path in (*halves.items[half], *halves.ui[half]):
        images.append((path, _art("tux", root, f"{TUX_MOD}/{path}")))
    if half == 0:  # the touch controls: whole UI elements the battle screenshots show
        for path in TUX_CONTROLS:
            images.append((path, _art("tux", root, f"{TUX_MOD}/{path}")))
    files: list[tuple[str, bytes]] = []
    for slug in halves.monsters[half]:
        relative = f"db/monster/{slug}.json"
        if (mod / relative).is_file():
            files.append((relative, (mod / relative).read_bytes()))
    if half == 0:
        for relative in _relative(mod, "db/economy/*.json") + _relative(mod, "db/element/*.json"):
            files.append((relative, (mod / relative).read_bytes()))
        if not quick:
            for relative in _relative(mod, "db/shape/*.json"):
                files.append((relative, (mod / relative).read_bytes()))
    for locale in ("en_US", "zh_CN"):
        relative = f"l18n/{locale}/LC_MESSAGES/base.po"
        files.append((relative, po_half((mod / relative).read_bytes(), half, 300 if quick else 1500)))
    icon = _art("tux", root, f"{TUX_MOD}/gfx/icon_128.png", "tux:launcher-icon")
    if half == 1:  # the other game needs its own icon: its first monster, enlarged
        first = halves.monsters[1][0]
        icon = _art("tux", root, f"{TUX_MOD}/gfx/sprites/battle/{first}-front.png")
    return Content(
        name="tux" if half == 0 else "tux-b",
        label={"": "Tuxemon", "zh-rCN": "Tuxemon 精灵"} if half == 0 else {"": "Monster Tamers"},
        package_id="org.tuxemon.game" if half == 0 else "com.monstertamers.game",
        icon=icon,
        images=tuple(sorted(images)),
        files=tuple(sorted(files)),
        description=TUX_DESCRIPTION,
    )


def po_blocks(data: bytes) -> tuple[str, list[str]]:
    """(header block, entry blocks) of a .po file, split at blank lines (the shipped files are malformed in
    places, so this keeps every block's text as it is rather than parsing it)."""
    text = data.decode("utf-8")
    blocks = [block for block in text.split("\n\n") if block.strip()]
    return blocks[0], blocks[1:]


def po_half(data: bytes, half: int, limit: int) -> bytes:
    """One half of a .po file's entries (by a hash of the block's msgid line), at most `limit` of them."""
    header, blocks = po_blocks(data)
    chosen = [block for block in blocks if _msgid_half(block) == half][:limit]
    return ("\n\n".join([header, *chosen]) + "\n").encode("utf-8")


def _msgid_half(block: str) -> int:
    for line in block.splitlines():
        if line.startswith("msgid "):
            return hashlib.sha256(line.encode("utf-8")).digest()[0] % 2
    return 0


# ---------------------------------------------------------------------------------------------------------
# Freeciv21: a baseline (classic) and hosts (civ2civ3, multiplayer) built on related rulesets

FC_RULESET_FILES = ("buildings", "units", "techs", "governments", "terrain", "cities", "styles", "game")


def freeciv(quick: bool, ruleset: str, half: int, name: str) -> Content:
    root = corpus_root() / "freeciv21"
    units = _every(_relative(root, "data/tilesets/units/*.png"), 12 if quick else 60)
    own_units = split("fc", units)[half]
    skin = "Classic" if half == 0 else "NightStalker"
    skin_images = [p for p in _relative(root, f"data/themes/{skin}/*.png") if "pattern" not in p]
    if not quick and half == 0:
        skin_images.append(f"data/themes/{skin}/pattern.png")
    images = [(path.removeprefix("data/"), _art("fc", root, path)) for path in (*own_units, *skin_images)]
    files = []
    for table in FC_RULESET_FILES[:3] if quick else FC_RULESET_FILES:
        relative = f"data/{ruleset}/{table}.ruleset"
        files.append((relative.removeprefix("data/"), (root / relative).read_bytes()))
    if half == 0:
        header, blocks = po_blocks((root / "translations/core/zh_CN.po").read_bytes())
        translated = [b for b in blocks if 'msgstr ""' not in b.splitlines()[-1] and "#, fuzzy" not in b]
        limit = 200 if quick else 1200
        files.append(("translations/zh_CN.po", ("\n\n".join([header, *translated[:limit]]) + "\n").encode()))
        icon = _art("fc", root, "data/icons/128x128/freeciv21-client.png", "fc:launcher-icon")
    else:  # a host's own icon: one of its own unit sprites
        icon = _art("fc", root, own_units[-1])
    return Content(
        name=name,
        label={
            "": {"classic": "Freeciv21", "civ2civ3": "Civ Legends", "multiplayer": "Empire Online"}[ruleset]
        },
        package_id={
            "classic": "net.longturn.freeciv21",
            "civ2civ3": "com.civlegends.game",
            "multiplayer": "com.empireonline.game",
        }[ruleset],
        icon=icon,
        images=tuple(sorted(images)),
        files=tuple(sorted(files)),
        description="A turn-based strategy game of empires.",
    )
