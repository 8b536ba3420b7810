"""The sample games' own art, drawn procedurally with Pillow/numpy from fixed seeds.

Everything is vector-style shapes (no noise), rendered at 4x and downsampled, so each image is recognisable
to a person and to perceptual hashes, and the same theme always yields the same bytes (for a given Pillow /
zlib / libjpeg). Two themes ship: ``FANTASY`` (Legend of Dragons) and ``FARM`` (Star Farm), which share no
shapes, palettes or seeds, so the unrelated game is a true negative.
"""

from __future__ import annotations

import io
import json
import math
import plistlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]
SS = 4  # supersampling factor: draw big, downsample for smooth edges without randomness
ATLAS_PAGE = 512
ATLAS_PADDING = 2
ICON_MASTER = 1024


# ---------------------------------------------------------------------------------------------------------
# Themes


@dataclass(frozen=True)
class CharacterSpec:
    name: str  # file/frame stem, e.g. 'knight'
    archetype: str  # 'humanoid', 'beast', 'blob', 'plant'
    width: int
    height: int
    body: RGB
    trim: RGB  # secondary colour: armour plates, belly, petals
    detail: str = ""  # archetype variant: hat/beast kind/plant kind
    prop: str = ""  # held item for humanoids: 'sword', 'staff', 'bow', 'pitchfork'
    shield: bool = False
    full_bleed: bool = False  # drawn edge to edge (so its atlas frame is untrimmed)


@dataclass(frozen=True)
class ItemSpec:
    name: str
    shape: str  # 'gem', 'coin', 'potion', 'stone', 'chest', 'card', 'seed', 'milk', 'egg', 'wool'
    colour: RGB


@dataclass(frozen=True)
class ArtTheme:
    name: str
    seed: int
    emblem: str  # icon emblem: 'dragon' or 'star'
    icon_bg: tuple[RGB, RGB]  # icon gradient top, bottom
    icon_fg: RGB
    sky: tuple[RGB, RGB]
    far: RGB  # distant hills/mountains
    near: RGB
    ground: RGB
    ui_main: RGB
    ui_dark: RGB
    ui_light: RGB
    ui_style: str  # 'ornate' (rounded, gilded frames) or 'rustic' (wooden planks, pill buttons)
    characters: tuple[CharacterSpec, ...]
    items: tuple[ItemSpec, ...]
    rotated: tuple[str, ...]  # characters stored rotated in the atlas page


FANTASY = ArtTheme(
    name="fantasy",
    seed=20240611,
    emblem="dragon",
    icon_bg=((142, 18, 28), (52, 6, 16)),
    icon_fg=(250, 200, 60),
    sky=((24, 30, 72), (196, 96, 70)),
    far=(70, 52, 96),
    near=(40, 30, 58),
    ground=(58, 44, 40),
    ui_main=(150, 32, 36),
    ui_dark=(60, 16, 20),
    ui_light=(236, 196, 110),
    ui_style="ornate",
    characters=(
        CharacterSpec(
            "knight", "humanoid", 96, 128, (150, 160, 180), (210, 170, 60), "helmet", "sword", True
        ),
        CharacterSpec("mage", "humanoid", 96, 128, (70, 50, 150), (240, 220, 120), "wizard", "staff"),
        CharacterSpec("archer", "humanoid", 80, 120, (40, 110, 60), (150, 100, 50), "hood", "bow"),
        CharacterSpec("skeleton", "humanoid", 80, 112, (226, 222, 206), (90, 80, 70), "skull", "sword"),
        CharacterSpec("golem", "humanoid", 112, 112, (120, 116, 108), (90, 200, 220), "block"),
        CharacterSpec("dragon", "beast", 128, 96, (180, 40, 40), (250, 190, 80), "dragon"),
        CharacterSpec("fox_spirit", "beast", 112, 88, (236, 120, 40), (250, 240, 230), "fox"),
        CharacterSpec("slime", "blob", 64, 64, (70, 190, 110), (200, 250, 210), full_bleed=True),
    ),
    items=(
        ItemSpec("diamond", "gem", (90, 200, 250)),
        ItemSpec("gold", "coin", (250, 200, 40)),
        ItemSpec("potion_hp", "potion", (220, 40, 50)),
        ItemSpec("potion_mp", "potion", (50, 90, 230)),
        ItemSpec("revive_stone", "stone", (170, 120, 230)),
        ItemSpec("dragon_chest", "chest", (150, 90, 40)),
        ItemSpec("month_card", "card", (240, 180, 60)),
    ),
    rotated=("knight",),
)

FARM = ArtTheme(
    name="farm",
    seed=7770301,
    emblem="star",
    icon_bg=((120, 200, 250), (60, 150, 60)),
    icon_fg=(255, 220, 40),
    sky=((130, 200, 250), (230, 245, 255)),
    far=(140, 200, 110),
    near=(90, 170, 70),
    ground=(150, 110, 70),
    ui_main=(90, 160, 60),
    ui_dark=(110, 70, 40),
    ui_light=(250, 240, 200),
    ui_style="rustic",
    characters=(
        CharacterSpec("farmer", "humanoid", 88, 124, (60, 100, 200), (230, 200, 120), "straw", "pitchfork"),
        CharacterSpec("scarecrow", "humanoid", 96, 120, (200, 150, 80), (170, 60, 50), "straw"),
        CharacterSpec("cow", "beast", 120, 88, (250, 250, 245), (40, 40, 40), "cow"),
        CharacterSpec("pig", "beast", 104, 76, (246, 170, 180), (220, 120, 140), "pig"),
        CharacterSpec("sheep", "beast", 104, 84, (245, 245, 235), (60, 60, 60), "sheep"),
        CharacterSpec("chicken", "beast", 72, 72, (255, 255, 250), (230, 50, 40), "chicken"),
        CharacterSpec("carrot", "plant", 64, 112, (245, 140, 30), (60, 170, 60), "carrot"),
        CharacterSpec(
            "sunflower", "plant", 80, 128, (250, 210, 30), (60, 150, 50), "sunflower", full_bleed=True
        ),
    ),
    items=(
        ItemSpec("star", "star", (255, 220, 40)),
        ItemSpec("coin", "horseshoe", (230, 170, 50)),
        ItemSpec("seed_bag", "seed", (180, 140, 80)),
        ItemSpec("milk", "milk", (240, 240, 250)),
        ItemSpec("egg", "egg", (250, 236, 210)),
        ItemSpec("wool", "wool", (236, 236, 226)),
    ),
    rotated=("cow",),
)


# ---------------------------------------------------------------------------------------------------------
# Drawing helpers


def _shade(colour: RGB, factor: float) -> RGB:
    """Darken (<1) or lighten (>1) a colour, clamped."""
    if factor >= 1:
        return tuple(int(c + (255 - c) * (factor - 1)) for c in colour)  # type: ignore[return-value]
    return tuple(int(c * factor) for c in colour)  # type: ignore[return-value]


def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    t = np.linspace(0.0, 1.0, height, dtype=np.float64)[:, None, None]
    rows = np.array(top, dtype=np.float64) * (1 - t) + np.array(bottom, dtype=np.float64) * t
    return Image.fromarray(np.repeat(rows, width, axis=1).round().astype(np.uint8), "RGB")


def to_png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def to_jpeg(image: Image.Image, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


class Canvas:
    """A supersampled RGBA canvas addressed in output pixels (floats allowed)."""

    def __init__(self, width: int, height: int, background: tuple[int, int, int, int] = (0, 0, 0, 0)) -> None:
        self.width, self.height = width, height
        self.image = Image.new("RGBA", (width * SS, height * SS), background)
        self.draw = ImageDraw.Draw(self.image)

    def _box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * SS, y0 * SS, x1 * SS, y1 * SS]

    def ellipse(
        self, box: Sequence[float], fill: RGB | None, outline: RGB | None = None, width: float = 1.5
    ) -> None:
        self.draw.ellipse(self._box(*box), fill=fill, outline=outline, width=round(width * SS))

    def rect(
        self,
        box: Sequence[float],
        fill: RGB | None,
        radius: float = 0,
        outline: RGB | None = None,
        width: float = 1.5,
    ) -> None:
        self.draw.rounded_rectangle(
            self._box(*box), radius=radius * SS, fill=fill, outline=outline, width=round(width * SS)
        )

    def poly(self, points: Sequence[tuple[float, float]], fill: RGB, outline: RGB | None = None) -> None:
        self.draw.polygon([(x * SS, y * SS) for x, y in points], fill=fill, outline=outline, width=SS)

    def line(self, points: Sequence[tuple[float, float]], fill: RGB, width: float) -> None:
        self.draw.line(
            [(x * SS, y * SS) for x, y in points], fill=fill, width=round(width * SS), joint="curve"
        )

    def arc(self, box: Sequence[float], start: float, end: float, fill: RGB, width: float) -> None:
        self.draw.arc(self._box(*box), start, end, fill=fill, width=round(width * SS))

    def result(self) -> Image.Image:
        return self.image.resize((self.width, self.height), Image.Resampling.LANCZOS)


# ---------------------------------------------------------------------------------------------------------
# Characters


def _eyes(c: Canvas, cx: float, cy: float, gap: float, r: float, colour: RGB = (20, 20, 30)) -> None:
    for ex in (cx - gap, cx + gap):
        c.ellipse((ex - r, cy - r, ex + r, cy + r), (255, 255, 255))
        c.ellipse((ex - r * 0.55, cy - r * 0.4, ex + r * 0.55, cy + r * 0.7), colour)


def _humanoid(c: Canvas, s: CharacterSpec) -> None:
    w, h = s.width, s.height
    cx = w * 0.5
    edge = _shade(s.body, 0.45)
    skin = (236, 196, 160) if s.detail not in ("skull", "block") else s.body
    head_r = w * 0.17
    head_cy = h * 0.2
    # legs
    for lx in (cx - w * 0.1, cx + w * 0.1):
        c.rect((lx - w * 0.06, h * 0.68, lx + w * 0.06, h * 0.95), _shade(s.body, 0.7), 3, edge)
        c.rect((lx - w * 0.08, h * 0.9, lx + w * 0.08, h * 0.97), _shade(s.trim, 0.6), 2)
    # body
    if s.detail == "wizard":
        c.poly([(cx, h * 0.3), (cx + w * 0.3, h * 0.92), (cx - w * 0.3, h * 0.92)], s.body, edge)
        c.rect((cx - w * 0.2, h * 0.55, cx + w * 0.2, h * 0.6), s.trim)
    elif s.detail == "block":
        c.rect((cx - w * 0.34, h * 0.3, cx + w * 0.34, h * 0.72), s.body, 6, edge, 2)
        c.ellipse((cx - w * 0.08, h * 0.42, cx + w * 0.08, h * 0.56), s.trim)
    elif s.detail == "skull":
        for i in range(4):  # rib cage
            y = h * (0.36 + i * 0.07)
            c.line([(cx - w * 0.16, y), (cx + w * 0.16, y)], s.body, 3)
        c.line([(cx, h * 0.3), (cx, h * 0.68)], s.body, 4)
    else:
        c.rect((cx - w * 0.2, h * 0.3, cx + w * 0.2, h * 0.7), s.body, 8, edge, 2)
        c.rect((cx - w * 0.2, h * 0.6, cx + w * 0.2, h * 0.65), s.trim)
    # arms
    arm = skin if s.detail in ("skull", "block") else s.body
    for side in (-1, 1):
        x0 = cx + side * w * 0.24
        c.line([(x0, h * 0.34), (x0 + side * w * 0.08, h * 0.56)], arm, w * 0.08)
    # head and headgear
    c.ellipse((cx - head_r, head_cy - head_r, cx + head_r, head_cy + head_r), skin, _shade(skin, 0.6))
    if s.detail == "block":
        c.rect((cx - head_r, head_cy - head_r, cx + head_r, head_cy + head_r), s.body, 3, edge, 2)
        _eyes(c, cx, head_cy, head_r * 0.45, head_r * 0.22, s.trim)
    elif s.detail == "skull":
        for ex in (cx - head_r * 0.4, cx + head_r * 0.4):
            c.ellipse(
                (ex - head_r * 0.25, head_cy - head_r * 0.2, ex + head_r * 0.25, head_cy + head_r * 0.3),
                s.trim,
            )
        c.poly(
            [
                (cx, head_cy + head_r * 0.3),
                (cx - 2, head_cy + head_r * 0.55),
                (cx + 2, head_cy + head_r * 0.55),
            ],
            s.trim,
        )
    else:
        _eyes(c, cx, head_cy + head_r * 0.1, head_r * 0.4, head_r * 0.2)
    if s.detail == "helmet":
        c.arc(
            (cx - head_r * 1.1, head_cy - head_r * 1.1, cx + head_r * 1.1, head_cy + head_r * 1.1),
            180,
            360,
            s.body,
            6,
        )
        c.poly(
            [
                (cx - 3, head_cy - head_r * 1.1),
                (cx, head_cy - head_r * 1.9),
                (cx + 3, head_cy - head_r * 1.1),
            ],
            s.trim,
        )
    elif s.detail == "wizard":
        c.poly(
            [
                (cx - head_r * 1.5, head_cy - head_r * 0.5),
                (cx + head_r * 1.5, head_cy - head_r * 0.5),
                (cx + head_r * 0.6, 1),
            ],
            s.body,
            edge,
        )
        c.ellipse((cx + head_r * 0.4, 0, cx + head_r * 0.9, head_r * 0.5), s.trim)
    elif s.detail == "hood":
        c.arc(
            (cx - head_r * 1.2, head_cy - head_r * 1.2, cx + head_r * 1.2, head_cy + head_r * 1.2),
            150,
            390,
            s.body,
            7,
        )
    elif s.detail == "straw":
        c.ellipse(
            (cx - head_r * 2, head_cy - head_r * 0.9, cx + head_r * 2, head_cy - head_r * 0.3),
            s.trim,
            _shade(s.trim, 0.6),
        )
        c.ellipse(
            (cx - head_r, head_cy - head_r * 1.6, cx + head_r, head_cy - head_r * 0.5),
            s.trim,
            _shade(s.trim, 0.6),
        )
    # props
    hand_r = (cx + w * 0.32, h * 0.56)
    hand_l = (cx - w * 0.32, h * 0.56)
    if s.prop == "sword":
        c.line([(hand_r[0], hand_r[1]), (hand_r[0] + w * 0.08, h * 0.12)], (220, 226, 236), 4)
        c.line([(hand_r[0] - 6, hand_r[1] - 4), (hand_r[0] + 6, hand_r[1] - 6)], s.trim, 3)
    elif s.prop == "staff":
        c.line([(hand_r[0], h * 0.95), (hand_r[0], h * 0.2)], (120, 80, 40), 4)
        c.ellipse((hand_r[0] - 7, h * 0.12, hand_r[0] + 7, h * 0.12 + 14), (120, 230, 250), (40, 120, 200))
    elif s.prop == "bow":
        c.arc((hand_l[0] - w * 0.15, h * 0.25, hand_l[0] + w * 0.05, h * 0.85), 100, 260, (120, 80, 40), 4)
        c.line([(hand_l[0] - w * 0.03, h * 0.27), (hand_l[0] - w * 0.03, h * 0.83)], (230, 230, 230), 1)
    elif s.prop == "pitchfork":
        c.line([(hand_r[0], h * 0.95), (hand_r[0], h * 0.18)], (140, 100, 60), 3)
        for dx in (-5, 0, 5):
            c.line([(hand_r[0] + dx, h * 0.18), (hand_r[0] + dx, h * 0.08)], (160, 160, 170), 2)
        c.line([(hand_r[0] - 5, h * 0.18), (hand_r[0] + 5, h * 0.18)], (160, 160, 170), 2)
    if s.shield:
        c.ellipse(
            (hand_l[0] - w * 0.14, h * 0.4, hand_l[0] + w * 0.12, h * 0.68), s.trim, _shade(s.trim, 0.5), 2
        )
        c.poly(
            [
                (hand_l[0] - 1, h * 0.45),
                (hand_l[0] + 5, h * 0.54),
                (hand_l[0] - 1, h * 0.63),
                (hand_l[0] - 7, h * 0.54),
            ],
            s.body,
        )


def _beast(c: Canvas, s: CharacterSpec) -> None:
    w, h = s.width, s.height
    edge = _shade(s.body, 0.5)
    body_box = (w * 0.18, h * 0.35, w * 0.78, h * 0.78)
    kind = s.detail
    if kind == "chicken":
        body_box = (w * 0.15, h * 0.35, w * 0.8, h * 0.85)
    # tail first so the body overlaps it
    if kind == "dragon":
        c.poly([(w * 0.2, h * 0.6), (w * 0.02, h * 0.4), (w * 0.06, h * 0.7)], s.body, edge)
        c.poly([(w * 0.4, h * 0.45), (w * 0.3, h * 0.02), (w * 0.62, h * 0.4)], s.trim, _shade(s.trim, 0.6))
        c.poly([(w * 0.5, h * 0.45), (w * 0.55, h * 0.05), (w * 0.72, h * 0.42)], _shade(s.trim, 0.85))
    elif kind == "fox":
        for i, ty in enumerate((0.3, 0.45, 0.6)):  # three spirit tails
            c.ellipse(
                (w * 0.0, h * ty - 8, w * 0.35, h * ty + 10), s.body if i % 2 else _shade(s.body, 1.2), edge
            )
            c.ellipse((w * 0.0, h * ty - 4, w * 0.1, h * ty + 6), s.trim)
    elif kind in ("cow", "pig", "sheep"):
        c.line([(w * 0.18, h * 0.5), (w * 0.08, h * 0.62)], edge, 2)
    # legs
    if kind == "chicken":
        for lx in (w * 0.42, w * 0.55):
            c.line([(lx, h * 0.8), (lx, h * 0.96)], (240, 170, 40), 3)
    else:
        for lx in (0.25, 0.38, 0.58, 0.7):
            c.rect((w * lx - 4, h * 0.65, w * lx + 4, h * 0.96), _shade(s.body, 0.8), 2, edge, 1)
    # body
    if kind == "sheep":
        for bx in range(5):
            for by in range(2):
                x = w * (0.2 + bx * 0.12)
                y = h * (0.36 + by * 0.18)
                c.ellipse((x - 10, y - 10, x + 12, y + 12), s.body, _shade(s.body, 0.8))
    else:
        c.ellipse(body_box, s.body, edge, 2)
    if kind == "cow":
        c.ellipse((w * 0.3, h * 0.42, w * 0.45, h * 0.58), s.trim)
        c.ellipse((w * 0.55, h * 0.5, w * 0.66, h * 0.66), s.trim)
    elif kind in ("dragon", "fox"):
        c.ellipse((w * 0.35, h * 0.55, w * 0.7, h * 0.76), s.trim)
    # head
    hx0, hy0, hx1, hy1 = w * 0.64, h * 0.14, w * 0.96, h * 0.5
    if kind == "chicken":
        hx0, hy0, hx1, hy1 = w * 0.55, h * 0.08, w * 0.88, h * 0.42
        c.ellipse((w * 0.62, h * 0.0, w * 0.74, h * 0.12), s.trim)
        c.ellipse((w * 0.7, h * 0.02, w * 0.82, h * 0.14), s.trim)
        c.poly([(hx1 - 2, h * 0.22), (w * 0.99, h * 0.28), (hx1 - 2, h * 0.32)], (240, 170, 40))
    c.ellipse((hx0, hy0, hx1, hy1), s.body if kind != "sheep" else s.trim, edge, 2)
    if kind == "dragon":
        c.poly([(hx0 + 6, hy0 + 4), (hx0 + 2, hy0 - h * 0.12), (hx0 + 14, hy0 + 2)], s.trim)
        c.poly([(hx1 - 12, hy0 + 2), (hx1 - 4, hy0 - h * 0.12), (hx1 - 2, hy0 + 6)], s.trim)
        c.poly([(hx1 - 4, hy1 - 10), (w, hy1 - 14), (hx1 - 4, hy1 - 4)], (255, 140, 40))
    elif kind == "fox":
        c.poly([(hx0 + 2, hy0 + 8), (hx0 + 6, hy0 - h * 0.14), (hx0 + 16, hy0 + 2)], s.body, edge)
        c.poly([(hx1 - 14, hy0 + 2), (hx1 - 4, hy0 - h * 0.14), (hx1, hy0 + 8)], s.body, edge)
        c.ellipse(((hx0 + hx1) / 2 - 5, hy1 - 12, hx1 + 2, hy1 - 2), s.trim)
    elif kind == "cow":
        c.line([(hx0 + 4, hy0 + 2), (hx0 - 2, hy0 - 8)], (230, 220, 190), 3)
        c.line([(hx1 - 4, hy0 + 2), (hx1 + 1, hy0 - 8)], (230, 220, 190), 3)
        c.ellipse((hx0 + 4, hy1 - 14, hx1 - 2, hy1 + 2), (246, 190, 190))
    elif kind == "pig":
        c.ellipse(((hx0 + hx1) / 2 - 2, hy1 - 18, hx1 + 4, hy1 - 4), s.trim, edge)
        c.poly([(hx0 + 2, hy0 + 6), (hx0 + 4, hy0 - 6), (hx0 + 14, hy0 + 2)], s.trim)
    _eyes(c, (hx0 + hx1) / 2, (hy0 + hy1) / 2 - 2, (hx1 - hx0) * 0.18, (hx1 - hx0) * 0.09)


def _blob(c: Canvas, s: CharacterSpec) -> None:
    w, h = s.width, s.height
    c.poly(
        [
            (0, h),
            (0, h * 0.45),
            (w * 0.15, h * 0.12),
            (w * 0.5, 0),
            (w * 0.85, h * 0.12),
            (w, h * 0.45),
            (w, h),
        ],
        s.body,
        _shade(s.body, 0.5),
    )
    c.ellipse((w * 0.18, h * 0.16, w * 0.42, h * 0.34), s.trim)
    _eyes(c, w * 0.5, h * 0.52, w * 0.16, w * 0.09)
    c.arc((w * 0.35, h * 0.55, w * 0.65, h * 0.8), 20, 160, (30, 60, 30), 2)


def _plant(c: Canvas, s: CharacterSpec) -> None:
    w, h = s.width, s.height
    if s.detail == "carrot":
        for dx in (-10, 0, 10):
            c.poly([(w * 0.5, h * 0.3), (w * 0.5 + dx - 6, h * 0.02), (w * 0.5 + dx + 6, h * 0.05)], s.trim)
        c.poly([(w * 0.2, h * 0.28), (w * 0.8, h * 0.28), (w * 0.5, h * 0.98)], s.body, _shade(s.body, 0.6))
        for y in (0.4, 0.55, 0.7):
            c.line([(w * 0.36, h * y), (w * 0.5, h * y + 3)], _shade(s.body, 0.7), 2)
        _eyes(c, w * 0.5, h * 0.38, w * 0.1, w * 0.06)
    else:  # sunflower, drawn edge to edge
        c.rect((w * 0.46, h * 0.4, w * 0.54, h), s.trim)
        c.ellipse((w * 0.5, h * 0.6, w, h * 0.75), s.trim)
        c.ellipse((0, h * 0.68, w * 0.5, h * 0.82), s.trim)
        petal_r = w * 0.5
        cy = h * 0.32
        for i in range(14):
            angle = i / 14 * 2 * np.pi
            px, py = w * 0.5 + np.cos(angle) * petal_r * 0.72, cy + np.sin(angle) * petal_r * 0.72
            c.ellipse(
                (px - w * 0.13, py - w * 0.13, px + w * 0.13, py + w * 0.13), s.body, _shade(s.body, 0.7)
            )
        c.ellipse((w * 0.25, cy - w * 0.25, w * 0.75, cy + w * 0.25), (120, 70, 30))
        c.ellipse((0, 0, 1, 1), s.body)  # touch the corners so the frame is full size
        c.ellipse((w - 1, 0, w, 1), s.body)
        _eyes(c, w * 0.5, cy - 2, w * 0.1, w * 0.06)


ARCHETYPES: Mapping[str, Callable[[Canvas, CharacterSpec], None]] = {
    "humanoid": _humanoid,
    "beast": _beast,
    "blob": _blob,
    "plant": _plant,
}


def character_image(spec: CharacterSpec) -> Image.Image:
    """One character sprite (RGBA, transparent around the figure unless `full_bleed`)."""
    canvas = Canvas(spec.width, spec.height)
    ARCHETYPES[spec.archetype](canvas, spec)
    image = canvas.result()
    if spec.full_bleed:
        # Fill the outermost ring opaque so the frame cannot be trimmed: an untrimmed atlas frame on purpose.
        pixels = np.asarray(image).copy()
        ring = np.zeros(pixels.shape[:2], dtype=bool)
        ring[0, :] = ring[-1, :] = ring[:, 0] = ring[:, -1] = True
        pixels[ring & (pixels[..., 3] < 255)] = (*spec.trim, 255)
        image = Image.fromarray(pixels, "RGBA")
    return image


@lru_cache(maxsize=8)
def characters(theme: ArtTheme) -> dict[str, bytes]:
    """Character sprites of the theme as PNG, by name."""
    return {spec.name: to_png(character_image(spec)) for spec in theme.characters}


# ---------------------------------------------------------------------------------------------------------
# Items


def item_image(spec: ItemSpec, size: int = 48) -> Image.Image:
    c = Canvas(size, size)
    col, dark, light = spec.colour, _shade(spec.colour, 0.5), _shade(spec.colour, 1.5)
    s = size
    if spec.shape == "gem":
        c.poly(
            [(s * 0.5, s * 0.05), (s * 0.92, s * 0.38), (s * 0.5, s * 0.95), (s * 0.08, s * 0.38)], col, dark
        )
        c.poly([(s * 0.5, s * 0.05), (s * 0.7, s * 0.38), (s * 0.3, s * 0.38)], light)
    elif spec.shape == "coin":
        c.ellipse((s * 0.08, s * 0.08, s * 0.92, s * 0.92), col, dark, 2)
        c.ellipse((s * 0.25, s * 0.25, s * 0.75, s * 0.75), None, dark, 2)
        c.rect((s * 0.46, s * 0.32, s * 0.54, s * 0.68), dark)
    elif spec.shape == "potion":
        c.rect((s * 0.4, s * 0.05, s * 0.6, s * 0.35), (200, 220, 230), 2, (90, 100, 110))
        c.ellipse((s * 0.15, s * 0.3, s * 0.85, s * 0.95), col, dark, 2)
        c.ellipse((s * 0.3, s * 0.42, s * 0.45, s * 0.57), light)
    elif spec.shape == "stone":
        c.poly(
            [
                (s * 0.2, s * 0.3),
                (s * 0.5, s * 0.08),
                (s * 0.85, s * 0.35),
                (s * 0.75, s * 0.9),
                (s * 0.25, s * 0.85),
            ],
            col,
            dark,
        )
        c.line([(s * 0.35, s * 0.4), (s * 0.5, s * 0.6), (s * 0.65, s * 0.45)], light, 2)
    elif spec.shape == "chest":
        c.rect((s * 0.1, s * 0.35, s * 0.9, s * 0.9), col, 3, dark, 2)
        c.rect((s * 0.1, s * 0.2, s * 0.9, s * 0.45), _shade(col, 1.2), 6, dark, 2)
        c.rect((s * 0.43, s * 0.4, s * 0.57, s * 0.58), (250, 210, 60), 1, dark)
    elif spec.shape == "card":
        c.rect((s * 0.15, s * 0.08, s * 0.85, s * 0.92), col, 5, dark, 2)
        c.ellipse((s * 0.3, s * 0.3, s * 0.7, s * 0.7), light)
    elif spec.shape == "seed":
        c.poly(
            [(s * 0.2, s * 0.25), (s * 0.8, s * 0.25), (s * 0.9, s * 0.92), (s * 0.1, s * 0.92)], col, dark
        )
        c.rect((s * 0.25, s * 0.12, s * 0.75, s * 0.28), _shade(col, 0.8), 3)
        c.ellipse((s * 0.4, s * 0.5, s * 0.6, s * 0.7), (90, 160, 60))
    elif spec.shape == "milk":
        c.rect((s * 0.25, s * 0.25, s * 0.75, s * 0.95), col, 4, (120, 140, 170), 2)
        c.poly([(s * 0.25, s * 0.27), (s * 0.5, s * 0.05), (s * 0.75, s * 0.27)], (80, 140, 220))
    elif spec.shape == "egg":
        c.ellipse((s * 0.2, s * 0.08, s * 0.8, s * 0.95), col, dark, 2)
        c.ellipse((s * 0.32, s * 0.22, s * 0.44, s * 0.38), light)
    elif spec.shape == "star":
        points = []
        for k in range(10):  # a five-pointed star: outer and inner radius alternate
            radius = s * (0.46 if k % 2 == 0 else 0.2)
            angle = math.pi * (k / 5 - 0.5)
            points.append((s * 0.5 + radius * math.cos(angle), s * 0.52 + radius * math.sin(angle)))
        c.poly(points, col, dark)
    elif spec.shape == "horseshoe":
        c.arc((s * 0.12, s * 0.1, s * 0.88, s * 0.86), 160, 380, col, s * 0.16)
        for x in (0.22, 0.5, 0.78):
            c.ellipse((s * x - s * 0.04, s * 0.16, s * x + s * 0.04, s * 0.24), dark)
    elif spec.shape == "wool":
        for x, y in ((0.35, 0.4), (0.62, 0.38), (0.5, 0.62), (0.3, 0.66), (0.7, 0.64)):
            c.ellipse((s * x - s * 0.18, s * y - s * 0.18, s * x + s * 0.18, s * y + s * 0.18), col, dark)
    else:
        raise ValueError(f"unknown item shape {spec.shape!r}")
    return c.result()


# ---------------------------------------------------------------------------------------------------------
# Atlases


@dataclass(frozen=True)
class PackedFrame:
    """A sprite in an atlas page. x, y, w, h: the trimmed sprite's size in its upright orientation; when
    `rotated`, it occupies h x w pixels at (x, y) of the page, turned 90 degrees clockwise (TexturePacker)."""

    name: str
    x: int
    y: int
    w: int
    h: int
    rotated: bool
    trim_x: int  # where the trimmed rectangle starts in the original sprite
    trim_y: int
    source_w: int
    source_h: int

    @property
    def trimmed(self) -> bool:
        return (self.w, self.h) != (self.source_w, self.source_h)


@dataclass(frozen=True)
class AtlasPage:
    image: Image.Image
    frames: tuple[PackedFrame, ...]


def pack_atlas(
    sprites: Mapping[str, Image.Image], rotate: Sequence[str] = (), size: int = ATLAS_PAGE
) -> AtlasPage:
    """Trim transparent borders, rotate the named sprites, shelf-pack tallest first into one page."""
    pieces: list[tuple[str, Image.Image, tuple[int, int, int, int], tuple[int, int], bool]] = []
    for name in sorted(sprites):
        sprite = sprites[name].convert("RGBA")
        bbox = sprite.getchannel("A").getbbox() or (0, 0, 1, 1)
        trimmed = sprite.crop(bbox)
        rotated = name in rotate
        stored = trimmed.transpose(Image.Transpose.ROTATE_270) if rotated else trimmed  # 90 deg clockwise
        pieces.append((name, stored, bbox, sprite.size, rotated))
    pieces.sort(key=lambda p: (-p[1].height, p[0]))
    page = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    frames: list[PackedFrame] = []
    x = y = shelf = ATLAS_PADDING
    for name, stored, bbox, source, rotated in pieces:
        if x + stored.width + ATLAS_PADDING > size:
            x, y = ATLAS_PADDING, y + shelf + ATLAS_PADDING
            shelf = 0
        if y + stored.height + ATLAS_PADDING > size:
            raise ValueError(f"atlas page {size}px too small for {name}")
        page.paste(stored, (x, y))
        tw, th = bbox[2] - bbox[0], bbox[3] - bbox[1]
        frames.append(PackedFrame(name, x, y, tw, th, rotated, bbox[0], bbox[1], source[0], source[1]))
        x += stored.width + ATLAS_PADDING
        shelf = max(shelf, stored.height)
    return AtlasPage(page, tuple(sorted(frames, key=lambda f: f.name)))


def _num(value: float) -> str:
    return f"{value:g}"


def cocos_plist(atlas: AtlasPage, texture: str, suffix: str = ".png") -> bytes:
    """Cocos2d / TexturePacker 'cocos2d' plist, format 2 (XML), frame names `<name><suffix>`."""
    frames: dict[str, dict[str, object]] = {}
    for f in atlas.frames:
        # Cocos offsets: trimmed-rect centre minus source centre, in a y-up coordinate system.
        off_x = (f.trim_x + f.w / 2) - f.source_w / 2
        off_y = f.source_h / 2 - (f.trim_y + f.h / 2)
        frames[f.name + suffix] = {
            "frame": f"{{{{{f.x},{f.y}}},{{{f.w},{f.h}}}}}",
            "offset": f"{{{_num(off_x)},{_num(off_y)}}}",
            "rotated": f.rotated,
            "sourceColorRect": f"{{{{{f.trim_x},{f.trim_y}}},{{{f.w},{f.h}}}}}",
            "sourceSize": f"{{{f.source_w},{f.source_h}}}",
        }
    doc = {
        "frames": frames,
        "metadata": {
            "format": 2,
            "realTextureFileName": texture,
            "size": f"{{{atlas.image.width},{atlas.image.height}}}",
            "textureFileName": texture,
        },
    }
    return plistlib.dumps(doc, fmt=plistlib.FMT_XML, sort_keys=True)


def texturepacker_json(atlas: AtlasPage, texture: str, suffix: str = ".png") -> bytes:
    """TexturePacker 'JSON (Hash)' data file."""
    frames = {
        f.name + suffix: {
            "frame": {"x": f.x, "y": f.y, "w": f.w, "h": f.h},
            "rotated": f.rotated,
            "trimmed": f.trimmed,
            "spriteSourceSize": {"x": f.trim_x, "y": f.trim_y, "w": f.w, "h": f.h},
            "sourceSize": {"w": f.source_w, "h": f.source_h},
            "pivot": {"x": 0.5, "y": 0.5},
        }
        for f in atlas.frames
    }
    meta = {
        "app": "https://www.codeandweb.com/texturepacker",
        "version": "1.0",
        "image": texture,
        "format": "RGBA8888",
        "size": {"w": atlas.image.width, "h": atlas.image.height},
        "scale": "1",
    }
    return (json.dumps({"frames": frames, "meta": meta}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def unpack_frame(page: Image.Image, frame: PackedFrame) -> Image.Image:
    """The original sprite back from its atlas frame (for checks): un-rotate and re-pad the trim."""
    pw, ph = (frame.h, frame.w) if frame.rotated else (frame.w, frame.h)
    stored = page.crop((frame.x, frame.y, frame.x + pw, frame.y + ph))
    upright = stored.transpose(Image.Transpose.ROTATE_90) if frame.rotated else stored
    out = Image.new("RGBA", (frame.source_w, frame.source_h), (0, 0, 0, 0))
    out.paste(upright, (frame.trim_x, frame.trim_y))
    return out


@lru_cache(maxsize=8)
def character_atlas(theme: ArtTheme) -> AtlasPage:
    return pack_atlas({s.name: character_image(s) for s in theme.characters}, rotate=theme.rotated)


@lru_cache(maxsize=8)
def item_atlas(theme: ArtTheme) -> AtlasPage:
    return pack_atlas({s.name: item_image(s) for s in theme.items}, size=256)


# ---------------------------------------------------------------------------------------------------------
# Icon


def _emblem(c: Canvas, theme: ArtTheme, size: float, cx: float, cy: float) -> None:
    fg, dark = theme.icon_fg, _shade(theme.icon_fg, 0.55)
    r = size * 0.36
    if theme.emblem == "dragon":
        c.ellipse((cx - r, cy - r, cx + r, cy + r), None, fg, size * 0.035)
        # A dragon head in profile: snout right, horns back, open jaw.
        u = size / 100
        head = [
            (cx - 22 * u, cy + 20 * u), (cx - 24 * u, cy - 6 * u), (cx - 10 * u, cy - 20 * u),
            (cx + 8 * u, cy - 18 * u), (cx + 26 * u, cy - 8 * u), (cx + 27 * u, cy + 1 * u),
            (cx + 8 * u, cy + 2 * u), (cx + 22 * u, cy + 10 * u), (cx + 4 * u, cy + 12 * u),
            (cx - 6 * u, cy + 24 * u),
        ]  # fmt: skip
        c.poly(head, fg, dark)
        c.poly([(cx - 10 * u, cy - 18 * u), (cx - 30 * u, cy - 34 * u), (cx - 4 * u, cy - 20 * u)], fg, dark)
        c.poly([(cx - 2 * u, cy - 19 * u), (cx - 14 * u, cy - 38 * u), (cx + 4 * u, cy - 19 * u)], fg, dark)
        c.ellipse((cx + 2 * u, cy - 12 * u, cx + 9 * u, cy - 5 * u), theme.icon_bg[0])
        for i in range(3):  # flame from the jaw
            c.poly(
                [
                    (cx + 24 * u, cy + 5 * u),
                    (cx + (38 + i * 3) * u, cy + (-6 + i * 9) * u),
                    (cx + 30 * u, cy + 8 * u),
                ],
                (255, 120 + i * 40, 30),
            )
    else:
        points = []
        for i in range(10):
            angle = -np.pi / 2 + i * np.pi / 5
            rr = r if i % 2 == 0 else r * 0.45
            points.append((cx + np.cos(angle) * rr, cy + np.sin(angle) * rr))
        c.poly(points, fg, dark)
        c.ellipse(
            (cx - r * 0.12 - r * 0.2, cy - r * 0.1, cx - r * 0.2 + r * 0.08, cy + r * 0.12), (40, 40, 40)
        )
        c.ellipse((cx + r * 0.12, cy - r * 0.1, cx + r * 0.32, cy + r * 0.12), (40, 40, 40))
        c.arc((cx - r * 0.25, cy, cx + r * 0.25, cy + r * 0.3), 20, 160, (40, 40, 40), size * 0.015)


@lru_cache(maxsize=8)
def icon_master(theme: ArtTheme) -> Image.Image:
    """The launcher icon at 1024 px (rounded square, gradient, emblem); smaller sizes are downscales."""
    size = ICON_MASTER // SS  # Canvas multiplies by SS
    c = Canvas(size, size)
    bg = _gradient(size * SS, size * SS, *theme.icon_bg).convert("RGBA")
    mask = Image.new("L", bg.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, bg.width - 1, bg.height - 1), radius=size * SS * 0.18, fill=255
    )
    c.image.paste(bg, (0, 0), mask)
    if theme.emblem == "star":
        c.ellipse((-size * 0.2, size * 0.7, size * 1.2, size * 1.3), theme.near)
    _emblem(c, theme, size, size / 2, size / 2)
    return c.image  # already 1024 px


def icon_png(theme: ArtTheme, size: int) -> bytes:
    return to_png(icon_master(theme).resize((size, size), Image.Resampling.LANCZOS))


def adaptive_layers(theme: ArtTheme, size: int = 432) -> tuple[bytes, bytes]:
    """Android adaptive icon (foreground emblem on transparency, background gradient), 108 dp at xxxhdpi."""
    unit = size // SS
    c = Canvas(unit, unit)
    _emblem(c, theme, unit * 0.66, unit / 2, unit / 2)  # the emblem must sit in the 66 dp safe zone
    foreground = c.result()
    background = _gradient(size, size, *theme.icon_bg)
    return to_png(foreground), to_png(background)


def knockoff_icon(theme: ArtTheme, size: int, hue_shift: float = 0.33) -> bytes:
    """The icon recoloured (hue rotated) with a 'HOT' style badge in the corner: a typical knock-off."""
    image = icon_master(theme).resize((size, size), Image.Resampling.LANCZOS)
    hsv = np.asarray(image.convert("RGB").convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(hue_shift * 256)) % 256
    recoloured = Image.fromarray(hsv, "HSV").convert("RGBA")
    recoloured.putalpha(image.getchannel("A"))
    badge = Canvas(size, size)
    br = size * 0.17
    bx, by = size - br * 1.15, br * 1.15
    badge.ellipse((bx - br, by - br, bx + br, by + br), (230, 30, 30), (255, 255, 255), size * 0.02)
    badge.poly(
        [(bx - br * 0.2, by - br * 0.6), (bx + br * 0.35, by - br * 0.6), (bx + br * 0.1, by + br * 0.6)],
        (255, 255, 255),
    )
    recoloured.alpha_composite(badge.result())
    return to_png(recoloured)


# ---------------------------------------------------------------------------------------------------------
# UI


def _button(theme: ArtTheme, pressed: bool) -> Image.Image:
    w, h = 240, 72
    top, bottom = (theme.ui_main, _shade(theme.ui_main, 0.6))
    if pressed:
        top, bottom = bottom, top
    c = Canvas(w, h)
    c.rect((1, 1, w - 1, h - 1), theme.ui_dark, 16)
    grad = _gradient((w - 8) * SS, (h - 8) * SS, top, bottom).convert("RGBA")
    mask = Image.new("L", grad.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, grad.width - 1, grad.height - 1), radius=12 * SS, fill=255)
    c.image.paste(grad, (4 * SS, 4 * SS), mask)
    c.rect((12, 8, w - 12, h * 0.4), _shade(top, 1.3), 8)
    c.rect((1, 1, w - 1, h - 1), None, 16, theme.ui_light, 2.5)
    return c.result()


def _panel(theme: ArtTheme) -> Image.Image:
    w, h = 320, 240
    c = Canvas(w, h)
    c.rect((0, 0, w, h), theme.ui_dark, 14)
    c.rect((6, 6, w - 6, h - 6), theme.ui_light, 10, _shade(theme.ui_dark, 1.3), 2)
    for y in range(40, h - 20, 36):  # ruled lines like a parchment list
        c.line([(24, y), (w - 24, y)], _shade(theme.ui_light, 0.85), 1.5)
    return c.result()


def _window_frame(theme: ArtTheme) -> Image.Image:
    """A frame with a transparent window, ornamented corners (a nine-patch style source)."""
    w, h = 400, 300
    c = Canvas(w, h)
    c.rect((0, 0, w, h), theme.ui_dark, 20)
    c.rect((10, 10, w - 10, h - 10), theme.ui_main, 14, theme.ui_light, 3)
    c.draw.rounded_rectangle(
        [34 * SS, 34 * SS, (w - 34) * SS, (h - 34) * SS], radius=8 * SS, fill=(0, 0, 0, 0)
    )
    for cx, cy in ((20, 20), (w - 20, 20), (20, h - 20), (w - 20, h - 20)):
        c.poly([(cx, cy - 16), (cx + 16, cy), (cx, cy + 16), (cx - 16, cy)], theme.ui_light, theme.ui_dark)
        c.ellipse((cx - 5, cy - 5, cx + 5, cy + 5), theme.ui_main)
    return c.result()


def _hud_bar(theme: ArtTheme) -> Image.Image:
    w, h = 512, 64
    c = Canvas(w, h)
    c.rect((0, 0, w, h), _shade(theme.ui_dark, 0.8), 12, theme.ui_light, 2)
    c.ellipse((6, 6, 58, 58), theme.ui_main, theme.ui_light, 2)
    bars = ((14, (220, 50, 50), 0.8), (38, (60, 110, 230), 0.55))
    for y, colour, fill in bars:
        c.rect((70, y, w - 16, y + 14), (30, 30, 30), 6)
        c.rect((72, y + 2, 72 + (w - 92) * fill, y + 12), colour, 5)
    return c.result()


def _scenery(theme: ArtTheme, w: int, h: int) -> Image.Image:
    """Layered landscape: sky gradient, sun, far and near ridges, ground; theme-specific details."""
    rng = random.Random(theme.seed)
    base = _gradient(w, h, *theme.sky).convert("RGBA")
    c = Canvas(w // SS, h // SS)
    c.image = base
    c.draw = ImageDraw.Draw(base)
    u_w, u_h = w / SS, h / SS
    sun = (250, 230, 160) if theme.emblem == "dragon" else (255, 240, 120)
    c.ellipse((u_w * 0.72, u_h * 0.12, u_w * 0.84, u_h * 0.33), sun)
    for layer, colour, top in ((0, theme.far, 0.42), (1, theme.near, 0.58)):
        points = [(0.0, u_h)]
        x = 0.0
        while x <= u_w:
            peak = (
                top + rng.uniform(-0.1, 0.08) if theme.emblem == "dragon" else top + rng.uniform(-0.03, 0.03)
            )
            points.append((x, u_h * peak))
            x += u_w * (0.07 if theme.emblem == "dragon" else 0.18) + layer * 4
        points += [(u_w, u_h * top), (u_w, u_h)]
        c.poly(points, colour)
    c.rect((0, u_h * 0.78, u_w, u_h), theme.ground)
    if theme.emblem == "dragon":
        tower = _shade(theme.near, 0.7)
        c.rect((u_w * 0.12, u_h * 0.36, u_w * 0.18, u_h * 0.78), tower)
        c.poly([(u_w * 0.11, u_h * 0.36), (u_w * 0.15, u_h * 0.26), (u_w * 0.19, u_h * 0.36)], tower)
    else:
        c.rect((u_w * 0.08, u_h * 0.5, u_w * 0.22, u_h * 0.78), (190, 50, 40))
        c.poly([(u_w * 0.06, u_h * 0.5), (u_w * 0.15, u_h * 0.38), (u_w * 0.24, u_h * 0.5)], (140, 40, 30))
        for row in range(3):
            y = u_h * (0.82 + row * 0.06)
            c.line([(u_w * 0.35, y), (u_w * 0.95, y)], _shade(theme.ground, 0.75), 3)
    return base.resize((w // SS, h // SS), Image.Resampling.LANCZOS).convert("RGB")


@lru_cache(maxsize=8)
def background(theme: ArtTheme) -> Image.Image:
    return _scenery(theme, 1024 * SS, 576 * SS)


def _rustic_button(theme: ArtTheme, pressed: bool) -> Image.Image:
    """A pill-shaped wooden sign with a leaf: another game's button, not a recolour of the ornate one."""
    w, h = 200, 88
    c = Canvas(w, h)
    c.rect((2, 10, w - 2, h - 10), theme.ui_dark, 34)
    c.rect((8, 16, w - 8, h - 16), _shade(theme.ui_main, 0.8 if pressed else 1.0), 28)
    for x in range(30, w - 20, 28):  # wood grain
        c.line([(x, 22), (x + 10, h - 22)], _shade(theme.ui_dark, 1.2), 2)
    c.ellipse((w - 46, 0, w - 14, 30), (120, 200, 80), (60, 120, 40), 2)
    return c.result()


def _rustic_panel(theme: ArtTheme) -> Image.Image:
    """Vertical boards with nail heads."""
    w, h = 360, 200
    c = Canvas(w, h)
    for i, x in enumerate(range(0, w, 45)):
        top, bottom = (0, h - 8) if i % 2 else (8, h)
        c.rect((x + 1, top, x + 44, bottom), _shade(theme.ui_dark, 1 + 0.1 * (i % 3)))
        for y in (18, h - 22):
            c.ellipse((x + 18, y, x + 26, y + 8), theme.ui_light)
    return c.result()


def _rustic_window_frame(theme: ArtTheme) -> Image.Image:
    """A square rope frame with round corner knots around a transparent window."""
    w = h = 320
    c = Canvas(w, h)
    c.rect((0, 0, w, h), theme.ui_main, 4)
    c.draw.rectangle([28 * SS, 28 * SS, (w - 28) * SS, (h - 28) * SS], fill=(0, 0, 0, 0))
    for t in range(0, w, 16):  # rope twists along each edge
        for x, y in ((t, 6), (t, h - 18), (6, t), (w - 18, t)):
            c.ellipse((x, y, x + 12, y + 12), theme.ui_light, theme.ui_dark, 1)
    for cx, cy in ((14, 14), (w - 14, 14), (14, h - 14), (w - 14, h - 14)):
        c.ellipse((cx - 14, cy - 14, cx + 14, cy + 14), theme.ui_dark)
    return c.result()


def _rustic_hud_bar(theme: ArtTheme) -> Image.Image:
    """A vertical sidebar of three round resource slots."""
    w, h = 96, 360
    c = Canvas(w, h)
    c.rect((8, 0, w - 8, h), theme.ui_dark, 40)
    for i, colour in enumerate(((250, 210, 60), (90, 170, 240), (120, 200, 80))):
        y = 20 + i * 115
        c.ellipse((16, y, w - 16, y + 64), theme.ui_light, _shade(theme.ui_dark, 0.6), 3)
        c.ellipse((32, y + 16, w - 32, y + 48), colour)
    return c.result()


@lru_cache(maxsize=8)
def ui_images(theme: ArtTheme) -> dict[str, bytes]:
    """UI art by file name: buttons, panel, window frame, HUD bar (PNG) and the background (JPEG)."""
    rustic = theme.ui_style == "rustic"
    button = _rustic_button if rustic else _button
    return {
        "button.png": to_png(button(theme, pressed=False)),
        "button_pressed.png": to_png(button(theme, pressed=True)),
        "panel.png": to_png(_rustic_panel(theme) if rustic else _panel(theme)),
        "window_frame.png": to_png(_rustic_window_frame(theme) if rustic else _window_frame(theme)),
        "hud_bar.png": to_png(_rustic_hud_bar(theme) if rustic else _hud_bar(theme)),
        "background.jpg": to_jpeg(background(theme)),
    }


# ---------------------------------------------------------------------------------------------------------
# Screenshots


def _place(
    canvas: Image.Image, sprite: Image.Image, x: int, y: int, scale: float, mirror: bool = False
) -> None:
    scaled = sprite.resize(
        (round(sprite.width * scale), round(sprite.height * scale)), Image.Resampling.LANCZOS
    )
    if mirror:
        scaled = scaled.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    canvas.alpha_composite(scaled, (x, y - scaled.height))


@lru_cache(maxsize=8)
def screenshot_images(theme: ArtTheme) -> tuple[Image.Image, Image.Image]:
    """Two 1280x720 in-game screens: a field scene with the cast and HUD, and a shop/menu screen."""
    sprites = {s.name: character_image(s) for s in theme.characters}
    names = [s.name for s in theme.characters]
    ui = {name: Image.open(io.BytesIO(data)).convert("RGBA") for name, data in ui_images(theme).items()}
    field = background(theme).resize((1280, 720), Image.Resampling.LANCZOS).convert("RGBA")
    for i, name in enumerate(names[:4]):
        _place(field, sprites[name], 120 + i * 150, 640, 1.6)
    for i, name in enumerate(names[4:]):
        _place(field, sprites[name], 760 + i * 125, 620 + (i % 2) * 30, 1.4, mirror=True)
    field.alpha_composite(ui["hud_bar.png"], (24, 20))
    for i in range(2):  # top right, clear of the cast
        field.alpha_composite(ui["button.png"], (1280 - 264, 20 + i * 84))
    menu = background(theme).resize((1280, 720), Image.Resampling.LANCZOS).convert("RGBA")
    menu.alpha_composite(ui["window_frame.png"].resize((800, 600), Image.Resampling.LANCZOS), (240, 60))
    menu.alpha_composite(ui["panel.png"].resize((680, 480), Image.Resampling.LANCZOS), (300, 120))
    items = item_atlas(theme)
    for i, frame in enumerate(items.frames):
        icon = unpack_frame(items.image, frame).resize((72, 72), Image.Resampling.LANCZOS)
        menu.alpha_composite(icon, (340 + (i % 4) * 150, 160 + (i // 4) * 150))
    _place(menu, sprites[names[0]], 60, 680, 2.0)
    menu.alpha_composite(ui["button_pressed.png"], (520, 540))
    return field.convert("RGB"), menu.convert("RGB")


def screenshots(theme: ArtTheme) -> tuple[bytes, ...]:
    return tuple(to_png(shot) for shot in screenshot_images(theme))


def knockoff_screenshots(
    theme: ArtTheme, size: tuple[int, int] = (960, 540), quality: int = 80
) -> tuple[bytes, ...]:
    """The screenshots rescaled and re-encoded as JPEG, as a knock-off store page shows them."""
    return tuple(
        to_jpeg(shot.resize(size, Image.Resampling.LANCZOS).filter(ImageFilter.SHARPEN), quality)
        for shot in screenshot_images(theme)
    )
