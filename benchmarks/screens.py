"""Store-listing screenshots composed from a game's own art, and the knock-off versions a copycat shows.

A Tuxemon battle screen draws whole UI elements of the game (background, islands, HP trays, touch buttons)
at 4x or 3x, with two monsters and HUD text; a Shattered Pixel Dungeon screen is a level of floor tiles with
sprites on it. The knock-off re-renders the same scene with other HUD numbers and names, at 19.5:9 with the
16:9 picture pillar-boxed, smaller, as JPEG: what the issue calls "a suspect screenshot at another
resolution or aspect, with different HUD numbers and title". Every `Screen` lists the artworks drawn whole
inside it (ground truth for "UI elements found inside suspect screenshots").
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from benchmarks.corpus_games import Art, Content

SCREEN = (1280, 720)
WIDE = (1560, 720)  # 19.5:9
KNOCKOFF_SIZE = (1170, 540)


@dataclass(frozen=True, slots=True)
class Hud:
    """What differs between the original's screenshot and the copycat's: numbers and names."""

    title: str
    level: int
    hp: tuple[int, int]
    gold: int


@dataclass(frozen=True, slots=True)
class Screen:
    identity: str  # 'tux:screen:1'
    data: bytes
    extension: str
    contains: tuple[str, ...]  # identities of the UI artworks drawn whole


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _scaled(art: Art, factor: int) -> Image.Image:
    image = art.image()
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


def _find(content: Content, *patterns: str) -> list[Art]:
    """The content's images whose path contains every pattern, in path order."""
    return [art for path, art in content.images if all(p in path for p in patterns)]


def tuxemon_screen(content: Content, index: int, hud: Hud) -> tuple[Image.Image, tuple[str, ...]]:
    """A battle: background, two islands, an opponent (front) and the player's monster (back), HP trays."""
    canvas = Image.new("RGBA", SCREEN, (24, 26, 34, 255))
    drawn: list[str] = []
    backgrounds = _find(content, "ui/combat/", "_background")
    islands = _find(content, "ui/combat/", "_island")
    if backgrounds:
        art = backgrounds[index % len(backgrounds)]
        canvas.alpha_composite(art.image().resize((1280, 512), Image.Resampling.NEAREST), (0, 0))
        drawn.append(art.identity)
    fronts = _find(content, "sprites/battle/", "-front")
    backs = _find(content, "sprites/battle/", "-back")
    for slot, (x, y) in enumerate(((700, 120), (90, 300))):
        if islands:
            art = islands[(index + slot) % len(islands)]
            canvas.alpha_composite(_scaled(art, 3), (x, y + 130))
            drawn.append(art.identity)
        monsters = fronts if slot == 0 else (backs or fronts)
        if monsters:
            canvas.alpha_composite(_scaled(monsters[(index * 3 + slot) % len(monsters)], 3), (x + 48, y))
    draw = ImageDraw.Draw(canvas)
    for name, position in (("hp_opponent", (40, 40)), ("hp_player", (860, 380))):
        trays = _find(content, "ui/combat/", name)
        if trays:
            art = trays[0]
            canvas.alpha_composite(_scaled(art, 3), position)
            drawn.append(art.identity)
    # HUD text: the numbers a copycat's screenshot shows differently
    draw.text((60, 20), f"{hud.title}  Lv {hud.level}", fill=(255, 255, 255, 255), font=_font(28))
    draw.text((900, 360), f"HP {hud.hp[0]}/{hud.hp[1]}", fill=(255, 255, 255, 255), font=_font(28))
    draw.rectangle([0, 540, 1280, 720], fill=(40, 44, 60, 255))
    draw.text((460, 600), "FIGHT    ITEM    SWAP    RUN", fill=(240, 240, 240, 255), font=_font(36))
    draw.text((40, 560), f"$ {hud.gold}", fill=(255, 220, 90, 255), font=_font(30))
    for name, position in (("d-pad", (40, 600)), ("a-button", (1100, 590)), ("b-button", (1000, 620))):
        pads = [art for path, art in content.images if path.endswith(f"{name}.png")]
        if pads:
            canvas.alpha_composite(_scaled(pads[0], 2), position)
            drawn.append(pads[0].identity)
    return canvas.convert("RGB"), tuple(sorted(set(drawn)))


def shattered_screen(content: Content, index: int, hud: Hud) -> tuple[Image.Image, tuple[str, ...]]:
    """A dungeon floor of 16-pixel tiles at 4x with the first frame of a few sprites, and a HUD line."""
    rng = random.Random(f"spd-screen-{index}")
    canvas = Image.new("RGBA", SCREEN, (0, 0, 0, 255))
    tiles = _find(content, "environment/tiles_")
    if tiles:
        sheet = tiles[index % len(tiles)].image()
        cells = [(x, y) for x in range(0, 64, 16) for y in range(0, 32, 16)]
        for ty in range(0, 720, 64):
            for tx in range(0, 1280, 64):
                cx, cy = rng.choice(cells)
                tile = sheet.crop((cx, cy, cx + 16, cy + 16)).resize((64, 64), Image.Resampling.NEAREST)
                canvas.alpha_composite(tile, (tx, ty))
    sprites = [art for art in _find(content, "sprites/") if art.image().height <= 64]
    for slot in range(min(5, len(sprites))):
        sheet = sprites[(index * 5 + slot) % len(sprites)].image()
        frame = sheet.crop((0, 0, min(16, sheet.width), min(16, sheet.height)))
        canvas.alpha_composite(frame.resize((64, 64), Image.Resampling.NEAREST), (200 + slot * 180, 300))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, 0, 1280, 60], fill=(30, 30, 36, 255))
    draw.text((20, 12), f"{hud.title}   Depth {hud.level}", fill=(255, 255, 255, 255), font=_font(30))
    draw.text(
        (860, 12), f"HP {hud.hp[0]}/{hud.hp[1]}   Gold {hud.gold}", fill=(255, 230, 120, 255), font=_font(30)
    )
    return canvas.convert("RGB"), ()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def original_screens(content: Content, count: int, huds: Sequence[Hud]) -> list[Screen]:
    compose = tuxemon_screen if content.name.startswith("tux") else shattered_screen
    screens = []
    for index in range(count):
        image, drawn = compose(content, index, huds[index % len(huds)])
        screens.append(Screen(f"{content.name}:screen:{index}", _png(image), "png", drawn))
    return screens


def knockoff_screens(content: Content, count: int, huds: Sequence[Hud]) -> list[Screen]:
    """The same scenes with other HUD values, pillar-boxed into 19.5:9, shrunk and saved as JPEG."""
    compose = tuxemon_screen if content.name.startswith("tux") else shattered_screen
    screens = []
    for index in range(count):
        image, drawn = compose(content, index, huds[index % len(huds)])
        wide = Image.new("RGB", WIDE, (0, 0, 0))
        wide.paste(image, ((WIDE[0] - SCREEN[0]) // 2, 0))
        small = wide.resize(KNOCKOFF_SIZE, Image.Resampling.LANCZOS)
        screens.append(Screen(f"{content.name}:screen:{index}", _jpeg(small, 82), "jpg", drawn))
    return screens
