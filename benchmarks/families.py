"""Families of derived art in the corpus: pictures the original artists made from one another.

The corpus games reuse their own drawings: Tuxemon's 29 capture balls are one ball recoloured, its night
battle backgrounds are the day ones darkened, a monster's two menu frames differ by a few pixels;
Freeciv21's fusion and stealth units are the plain units re-detailed, and its scientist, scholar, scribe and
inventor are one figure; Shattered Pixel Dungeon's six heroes share one body. A matcher that pairs two members
of a family has found a real derivation, not a false match, so the benchmark counts such a match as
"derived" (correct for precision) while recall still asks for the very copy. The halves of a game that serve
as hard negatives are split by family, so they share no derived art either.

The rules below come from the corpus file names, checked by looking at the pictures; they are ground truth
of the benchmark, never used by clonedetect.
"""

from __future__ import annotations

import re

# Tuxemon items: the first word names the drawing (tuxeball_fire), or the last one (fire_booster)
TUX_ITEM_FIRST = frozenset({"tuxeball", "tm", "mm", "boost", "raise", "app"})
TUX_ITEM_LAST = frozenset({"booster", "potion", "tea", "pass", "badge", "stone", "fossil"})
TUX_ITEM_SAME = {"cherry": "berry", "poseidon": "neptune", "flintstone": "stone", "thunderstone": "stone"}
# Freeciv21 units drawn from another unit
FREECIV_UNITS = {
    "aengineers": "engineers",
    "fusion_armor": "armor",
    "fusion_battleship": "battleship",
    "fusion_bomber": "bomber",
    "stealth_bomber": "bomber",
    "fusion_fighter": "fighter",
    "stealth_fighter": "fighter",
    "fusion_missile": "missile",
    "cruise_missile": "missile",
    "atorpedo": "missile",
    "missle": "missile",
    "nuclear_submarine": "submarine",
    "nuclear_submarine_ii": "submarine",
    "immigrant": "migrants",
    "inventor": "scholar",
    "scientist": "scholar",
    "scribe": "scholar",
    "operative": "spy",
    "tribal_worker": "worker",
    "legion": "swordsmen",
    "mhorsemen": "horsemen",
    "srcaravel": "caravel",
}
# Shattered Pixel Dungeon sheets drawn on a shared base (as in tests/test_match_images.py)
SPD_FAMILIES = (
    ("hero", {"warrior", "mage", "rogue", "huntress", "duelist", "cleric"}),
    ("gnoll", {"gnoll", "shaman", "brute", "gnoll_geomancer", "gnoll_guard", "gnoll_sapper"}),
    ("skeleton", {"skeleton", "undead"}),
    ("fungal", {"fungal_core", "fungal_sentry"}),
    ("spinner", {"spinner", "fungal_spinner"}),
    ("arcs", {"arcs1", "arcs2"}),
)


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def family(game: str, path: str) -> str:
    """The family of a corpus picture (its own path when it has no relatives)."""
    stem = _stem(path)
    if game == "tux":
        return f"tux:{_tuxemon(path, stem)}"
    if game == "fc" and "/units/" in path:
        return f"fc:unit:{FREECIV_UNITS.get(stem, stem)}"
    if game == "spd":
        if "/environment/tiles_" in path:
            return "spd:tiles"  # the level tilesets share their wall, door and floor tiles
        for name, members in SPD_FAMILIES:
            if stem in members:
                return f"spd:{name}"
    return f"{game}:{path}"


def _tuxemon(path: str, stem: str) -> str:
    if "/sprites/battle/" in path:
        return "monster:" + re.sub(r"-(front|back|menu\d+)$", "", stem)
    if "/items/" in path:
        words = re.split(r"[_-]", stem)
        if words[0] in TUX_ITEM_FIRST:
            return "item:" + words[0]
        if words[-1] in TUX_ITEM_LAST:
            return "item:" + words[-1]
        return "item:" + TUX_ITEM_SAME.get(stem, stem)
    if stem.endswith("_island"):
        return "ui:island"
    if stem.removeprefix("night_").endswith("_background"):
        return "ui:" + stem.removeprefix("night_")  # a night background is its day one darkened
    for prefix in ("gradient_", "player_info", "party_icon", "hp_bar", "borders"):
        if stem.startswith(prefix):
            return "ui:" + prefix.rstrip("_")
    if stem in ("tux_info", "tux_generic"):
        return "ui:player_info"  # the same frame as the player info panels
    if stem in ("a-button", "b-button"):
        return "ui:button"
    slot = re.match(r"(active|empty|filled)_monster_slot_(.*)$", stem)
    if slot:
        return "ui:monster_slot_" + slot.group(2)
    if stem in ("hp_opponent_nohp", "park_hp_opponent"):
        return "ui:hp_opponent"
    if stem in ("hp_player_nohp", "park_hp_player"):
        return "ui:hp_player"
    return "file:" + path


def family_of(identity: str) -> str:
    """The family of an artwork identity ('tux:mods/tuxemon/gfx/items/tm_fire.png')."""
    game, _, path = identity.partition(":")
    return family(game, path)


def split(game: str, paths: list[str], prefix: str = "") -> tuple[list[str], list[str]]:
    """Two halves of the paths with no family in both: families go to the halves in turn (sorted)."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(family(game, prefix + path), []).append(path)
    halves: tuple[list[str], list[str]] = ([], [])
    for index, key in enumerate(sorted(groups)):
        halves[index % 2].extend(groups[key])
    return sorted(halves[0]), sorted(halves[1])
