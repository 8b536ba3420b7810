"""The three sample games as data: the original, a private-server repack of it, and an unrelated game.

A `Game` holds everything that goes into its packages; `build_game_apk` / `build_game_ipa` turn it into real
packages. Tests and benchmarks make variations with `dataclasses.replace` (or `repack_of`) and rebuild.

The repack is what a private server ships: same art, same tables, same code, with a new name and package id,
its own signing key, its own server endpoint, cheaper prices and a renamed zone. Everything it does not change
stays byte-identical to the original.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from samples import art
from samples.build import SigningKey, app_bundle_name, build_apk, build_ipa, build_listing, make_key

DataValue = list[list[str]] | list[dict[str, object]] | dict[str, object]

ORIGINAL_ENDPOINT = "https://s1.legend-dragons.example:8443/api"
ORIGINAL_IP = "203.0.113.10"
REPACK_ENDPOINT = "http://pirate-s1.example.net:9000"
REPACK_IP = "198.51.100.7"
ORIGINAL_ZONE, REPACK_ZONE = "青龙区", "至尊一区"
ORIGINAL_ZONE_EN, REPACK_ZONE_EN = "Azure Dragon Realm", "Supreme Realm One"
# item name -> (original price, repack price), in the shop table's own currency
REPACK_PRICE_CHANGES: Mapping[str, tuple[int, int]] = {"钻石": (6, 3), "钻石礼包": (30, 15), "月卡": (30, 9)}

ANDROID_ICON_SIZES: Mapping[str, int] = {"mdpi": 48, "hdpi": 72, "xhdpi": 96, "xxhdpi": 144, "xxxhdpi": 192}
IOS_ICON_SIZES: Mapping[str, int] = {
    "AppIcon60x60@2x.png": 120,
    "AppIcon60x60@3x.png": 180,
    "AppIcon76x76@2x~ipad.png": 152,
}
IOS_RESOURCE_DIR = "res"  # where game assets sit inside the .app (Cocos-style), vs assets/ in the APK


@dataclass(frozen=True)
class Game:
    key: str  # short name used for output files: 'original', 'repack', 'unrelated'
    package_id: str
    bundle_id: str
    version_code: int
    version_name: str
    label: Mapping[str, str]  # Android locale ('' default) -> app label
    ios_display_name: str
    strings: Mapping[str, Mapping[str, str]]  # Android locale -> resource name -> value
    theme: art.ArtTheme
    data: Mapping[str, DataValue]  # path under assets/ -> table (.csv: rows) or document (.json)
    key_algorithm: str = "RSA"
    key_subject: str = "CN=Example Games, O=Example Games Ltd, C=CN"
    schemes: tuple[str, ...] = ("v1", "v2")
    listing_title: str = ""
    listing_description: str = ""
    ios_bundle_name: str = ""  # the .app folder name; '' derives it from the bundle id
    ios_locales: Mapping[str, str] = field(
        default_factory=lambda: {"zh-Hans": "", "en": "en"}
    )  # lproj -> locale


# ---------------------------------------------------------------------------------------------------------
# Legend of Dragons: text and tables

# (resource name, zh-CN, en)
LEGEND_TEXT: tuple[tuple[str, str, str], ...] = (
    ("menu_start", "开始游戏", "Start Game"),
    ("menu_continue", "继续冒险", "Continue Adventure"),
    ("menu_settings", "设置", "Settings"),
    ("menu_shop", "商城", "Shop"),
    ("menu_bag", "背包", "Bag"),
    ("menu_guild", "公会", "Guild"),
    ("menu_mail", "邮件", "Mail"),
    ("menu_rank", "排行榜", "Leaderboard"),
    ("menu_recharge", "充值", "Top Up"),
    ("menu_logout", "退出登录", "Log Out"),
    ("btn_ok", "确定", "OK"),
    ("btn_cancel", "取消", "Cancel"),
    ("zone_1", ORIGINAL_ZONE, ORIGINAL_ZONE_EN),
    ("zone_2", "白虎区", "White Tiger Realm"),
    ("zone_3", "朱雀区", "Vermilion Bird Realm"),
    ("zone_4", "玄武区", "Black Tortoise Realm"),
    (
        "skill_fireball",
        "火球术：对单个敌人造成150%攻击力的火焰伤害",
        "Fireball: deals 150% ATK fire damage to one enemy",
    ),
    ("skill_dragon_roar", "龙吼：震慑周围敌人2秒", "Dragon Roar: stuns nearby enemies for 2 seconds"),
    ("skill_heal", "治愈之光：恢复全体队友20%生命值", "Healing Light: restores 20% HP to all allies"),
    ("skill_shield_wall", "盾墙：5秒内受到的伤害降低40%", "Shield Wall: take 40% less damage for 5 seconds"),
    (
        "skill_arrow_rain",
        "箭雨：对区域内敌人造成三次伤害",
        "Arrow Rain: hits every enemy in the area three times",
    ),
    (
        "skill_summon",
        "亡灵召唤：召唤两名骷髅战士协助作战",
        "Raise Dead: summons two skeleton warriors to fight",
    ),
    ("item_diamond", "钻石", "Diamond"),
    ("item_gold", "金币", "Gold"),
    ("item_potion_hp", "生命药水", "Health Potion"),
    ("item_potion_mp", "法力药水", "Mana Potion"),
    ("item_revive", "复活石", "Revive Stone"),
    ("item_chest", "龙魂宝箱", "Dragon Soul Chest"),
    ("item_month_card", "月卡", "Monthly Card"),
    ("char_knight", "圣殿骑士", "Templar Knight"),
    ("char_mage", "星辰法师", "Astral Mage"),
    ("char_archer", "林地射手", "Woodland Archer"),
    ("char_skeleton", "骷髅战士", "Skeleton Warrior"),
    ("char_golem", "岩石傀儡", "Stone Golem"),
    ("char_dragon", "赤焰龙", "Crimson Flame Dragon"),
    ("char_fox", "九尾灵狐", "Nine-tailed Spirit Fox"),
    ("char_slime", "翡翠史莱姆", "Jade Slime"),
    ("msg_welcome", "欢迎来到龙之世界，勇士！", "Welcome to the world of dragons, hero!"),
    ("msg_server_busy", "服务器繁忙，请稍后再试", "The server is busy, please try again later"),
    ("msg_daily_reward", "每日签到奖励已发放到邮箱", "Your daily login reward has been sent to your mailbox"),
    ("tip_first_recharge", "首次充值即送VIP3和限定坐骑", "First top-up grants VIP 3 and a limited mount"),
)

LEGEND_SHOP: list[list[str]] = [
    ["item_id", "name", "name_en", "price", "currency", "amount"],
    ["1001", "钻石", "Diamond x60", "6", "CNY", "60"],
    ["1002", "钻石礼包", "Diamond Pack x330", "30", "CNY", "330"],
    ["1003", "月卡", "Monthly Card", "30", "CNY", "1"],
    ["1004", "金币", "Gold x10000", "10", "DIAMOND", "10000"],
    ["1005", "生命药水", "Health Potion x5", "2", "DIAMOND", "5"],
    ["1006", "法力药水", "Mana Potion x5", "2", "DIAMOND", "5"],
    ["1007", "复活石", "Revive Stone", "20", "DIAMOND", "1"],
    ["1008", "龙魂宝箱", "Dragon Soul Chest", "88", "DIAMOND", "1"],
]

_MONSTER_FIELDS = ("id", "name", "name_en", "hp", "atk", "def", "zone", "drop")
LEGEND_MONSTERS: list[dict[str, object]] = [
    dict(zip(_MONSTER_FIELDS, row, strict=True))
    for row in (
        (101, "翡翠史莱姆", "Jade Slime", 320, 18, 6, 1, "item_gold"),
        (102, "骷髅战士", "Skeleton Warrior", 1200, 85, 40, 1, "item_potion_hp"),
        (103, "岩石傀儡", "Stone Golem", 4800, 120, 210, 2, "item_revive"),
        (104, "九尾灵狐", "Nine-tailed Spirit Fox", 3600, 260, 90, 3, "item_potion_mp"),
        (105, "赤焰龙", "Crimson Flame Dragon", 25000, 640, 320, 4, "item_chest"),
        (106, "暗影骷髅王", "Shadow Skeleton King", 18000, 520, 260, 4, "item_diamond"),
    )
]


def _legend_server(endpoint: str, ip: str, zone_1: str, pay_notify: str) -> dict[str, object]:
    zones = [(1, zone_1), (2, "白虎区"), (3, "朱雀区"), (4, "玄武区")]
    return {
        "game": "legend",
        "api": endpoint,
        "ip": ip,
        "zones": [{"id": zid, "name": name, "host": ip} for zid, name in zones],
        "pay": {"channel": "alipay", "notify": pay_notify},
        "cdn": "https://cdn.legend-dragons.example/res/",
    }


def _text(rows: Sequence[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    return {"": {k: zh for k, zh, _ in rows}, "en": {k: en for k, _, en in rows}}


ORIGINAL = Game(
    key="original",
    package_id="com.examplegames.legend",
    bundle_id="com.examplegames.legend",
    version_code=120,
    version_name="1.2.0",
    label={"": "龙之传说", "zh-rCN": "龙之传说", "en": "Legend of Dragons"},
    ios_display_name="龙之传说",
    strings=_text(LEGEND_TEXT),
    theme=art.FANTASY,
    data={
        "data/shop.csv": LEGEND_SHOP,
        "data/monsters.json": LEGEND_MONSTERS,
        "config/server.json": _legend_server(
            ORIGINAL_ENDPOINT, ORIGINAL_IP, ORIGINAL_ZONE, "https://pay.legend-dragons.example/notify"
        ),
    },
    key_algorithm="RSA",
    key_subject="CN=Example Games, O=Example Games Ltd, C=CN",
    schemes=("v1", "v2", "v3"),
    listing_title="龙之传说 - Legend of Dragons",
    listing_description=(
        "龙之传说是一款东方奇幻角色扮演手游。召唤圣殿骑士、星辰法师与九尾灵狐，在青龙区、白虎区、朱雀区与玄武区"
        "挑战赤焰龙！\n\nLegend of Dragons is an eastern-fantasy mobile RPG. Lead a Templar Knight, an "
        "Astral Mage and a Nine-tailed Spirit Fox across four realms and face the Crimson Flame Dragon."
    ),
)


def repack_of(
    game: Game,
    *,
    key: str = "repack",
    package_id: str = "com.pirate.dragon",
    label: Mapping[str, str] | None = None,
    endpoint: str = REPACK_ENDPOINT,
    ip: str = REPACK_IP,
    zone: str = REPACK_ZONE,
    zone_en: str = REPACK_ZONE_EN,
    prices: Mapping[str, tuple[int, int]] = REPACK_PRICE_CHANGES,
    key_algorithm: str = "RSA",
) -> Game:
    """A private-server repack of `game`: new name/id/key/endpoint, cheaper prices, renamed first zone."""
    label = label or {"": "龙之传说私服", "zh-rCN": "龙之传说私服", "en": "Dragon Legend Private"}
    shop = [list(row) for row in game.data["data/shop.csv"]]  # type: ignore[union-attr]
    price_col = shop[0].index("price")
    for row in shop[1:]:
        if row[1] in prices:
            row[price_col] = str(prices[row[1]][1])
    strings = {locale: dict(values) for locale, values in game.strings.items()}
    strings[""]["zone_1"] = zone
    strings["en"]["zone_1"] = zone_en
    data = dict(game.data)
    data["data/shop.csv"] = shop
    data["config/server.json"] = _legend_server(endpoint, ip, zone, endpoint + "/pay/notify")
    return replace(
        game,
        key=key,
        package_id=package_id,
        bundle_id=package_id,
        ios_bundle_name=game.ios_bundle_name
        or app_bundle_name(game.bundle_id),  # a re-signed repack keeps the .app name
        label=label,
        ios_display_name=label[""],
        strings=strings,
        data=data,
        key_algorithm=key_algorithm,
        key_subject="CN=Android Debug, O=Android, C=US",
        schemes=("v1", "v2"),
        listing_title="龙之传说私服 - 满V无限钻石",
        listing_description="龙之传说私服，上线送VIP10，钻石半价！至尊一区火爆开启。",
    )


REPACK = repack_of(ORIGINAL)
REPACK_EC = replace(repack_of(ORIGINAL, key="repack-ec", key_algorithm="EC"), schemes=("v1", "v2", "v3"))


# ---------------------------------------------------------------------------------------------------------
# Star Farm: an unrelated game (other art theme, text and tables)

FARM_TEXT: tuple[tuple[str, str, str], ...] = (
    ("menu_play", "进入农场", "Enter Farm"),
    ("menu_market", "集市", "Market"),
    ("menu_barn", "谷仓", "Barn"),
    ("menu_friends", "好友农场", "Friends' Farms"),
    ("menu_options", "选项", "Options"),
    ("crop_carrot", "胡萝卜", "Carrot"),
    ("crop_sunflower", "向日葵", "Sunflower"),
    ("crop_wheat", "小麦", "Wheat"),
    ("crop_pumpkin", "南瓜", "Pumpkin"),
    ("animal_cow", "奶牛", "Cow"),
    ("animal_pig", "小猪", "Piglet"),
    ("animal_sheep", "绵羊", "Sheep"),
    ("animal_chicken", "母鸡", "Hen"),
    ("task_water", "给五块田地浇水", "Water five fields"),
    ("task_harvest", "收获十根胡萝卜", "Harvest ten carrots"),
    ("task_feed", "喂饱所有动物", "Feed every animal"),
    ("msg_level_up", "农场升级了！解锁新的土地", "Farm level up! New land unlocked"),
    ("msg_rain", "下雨了，作物生长加快", "It is raining: crops grow faster"),
    ("season_spring", "春季", "Spring"),
    ("season_autumn", "秋季", "Autumn"),
)

FARM_CROPS: list[list[str]] = [
    ["crop", "name", "grow_minutes", "seed_cost", "sell_price", "season"],
    ["carrot", "胡萝卜", "30", "5", "12", "spring"],
    ["wheat", "小麦", "60", "8", "20", "summer"],
    ["sunflower", "向日葵", "240", "40", "95", "summer"],
    ["pumpkin", "南瓜", "480", "60", "150", "autumn"],
    ["strawberry", "草莓", "120", "25", "55", "spring"],
]

FARM_ANIMALS: list[dict[str, object]] = [
    {"animal": "cow", "product": "milk", "interval_h": 8, "feed": "wheat", "buy": 1200},
    {"animal": "pig", "product": "truffle", "interval_h": 12, "feed": "carrot", "buy": 900},
    {"animal": "sheep", "product": "wool", "interval_h": 24, "feed": "wheat", "buy": 800},
    {"animal": "chicken", "product": "egg", "interval_h": 4, "feed": "wheat", "buy": 150},
]

UNRELATED = Game(
    key="unrelated",
    package_id="com.sunnyacres.starfarm",
    bundle_id="com.sunnyacres.starfarm",
    version_code=7,
    version_name="0.7.3",
    label={"": "Star Farm", "zh-rCN": "星星农场", "en": "Star Farm"},
    ios_display_name="Star Farm",
    strings={"": {k: en for k, _, en in FARM_TEXT}, "zh-rCN": {k: zh for k, zh, _ in FARM_TEXT}},
    theme=art.FARM,
    data={
        "data/crops.csv": FARM_CROPS,
        "data/animals.json": FARM_ANIMALS,
        "config/server.json": {
            "api": "https://api.starfarm.example/v2",
            "region": "global",
            "saves": "cloud",
        },
    },
    key_algorithm="RSA",
    key_subject="CN=Sunny Acres Studio, O=Sunny Acres, C=US",
    schemes=("v1", "v2"),
    listing_title="Star Farm",
    listing_description="Grow carrots and sunflowers, raise cows and sheep, and trade at the market.",
    ios_locales={"en": "", "zh-Hans": "zh-rCN"},
)

GAMES: Mapping[str, Game] = {g.key: g for g in (ORIGINAL, REPACK, REPACK_EC, UNRELATED)}


# ---------------------------------------------------------------------------------------------------------
# Rendering a game's files


def encode_data(path: str, value: DataValue) -> bytes:
    """Tables as UTF-8 CSV (with '\\n' line ends), documents as pretty UTF-8 JSON, byte-stable."""
    if path.endswith(".csv"):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(value)  # type: ignore[arg-type]
        return buf.getvalue().encode("utf-8")
    if path.endswith(".json"):
        return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    raise ValueError(f"no encoder for {path}")


def asset_files(game: Game) -> dict[str, bytes]:
    """Every game file by path (relative to assets/ in an APK, to res/ in an IPA)."""
    theme = game.theme
    files: dict[str, bytes] = {}
    for name, png in art.characters(theme).items():
        files[f"characters/{name}.png"] = png
    chars, items = art.character_atlas(theme), art.item_atlas(theme)
    files["atlas/characters.png"] = art.to_png(chars.image)
    files["atlas/characters.plist"] = art.cocos_plist(chars, "characters.png")
    files["atlas/items.png"] = art.to_png(items.image)
    files["atlas/items.json"] = art.texturepacker_json(items, "items.png")
    for name, data in art.ui_images(theme).items():
        files[f"ui/{name}"] = data
    for path, value in game.data.items():
        files[path] = encode_data(path, value)
    return dict(sorted(files.items()))


def android_icons(game: Game) -> dict[str, bytes]:
    return {density: art.icon_png(game.theme, size) for density, size in ANDROID_ICON_SIZES.items()}


def ios_icons(game: Game) -> dict[str, bytes]:
    return {name: art.icon_png(game.theme, size) for name, size in IOS_ICON_SIZES.items()}


def build_game_apk(game: Game, out: Path, key: SigningKey) -> Path:
    return build_apk(
        out,
        package_id=game.package_id,
        version_code=game.version_code,
        version_name=game.version_name,
        label=game.label,
        strings=game.strings,
        icons=android_icons(game),
        adaptive_icon=art.adaptive_layers(game.theme),
        assets=asset_files(game),
        key=key,
        schemes=game.schemes,
    )


def build_game_ipa(game: Game, out: Path) -> Path:
    localized: dict[str, dict[str, str]] = {}
    for lproj, locale in game.ios_locales.items():
        values = dict(game.strings.get(locale, {}))
        values["CFBundleDisplayName"] = game.label.get(locale, game.ios_display_name)
        localized[lproj] = values
    files = {f"{IOS_RESOURCE_DIR}/{path}": data for path, data in asset_files(game).items()}
    return build_ipa(
        out,
        bundle_id=game.bundle_id,
        version=game.version_name,
        display_name=game.ios_display_name,
        icons=ios_icons(game),
        localized=localized,
        files=files,
        bundle_name=game.ios_bundle_name,
    )


def build_game_listing(game: Game, out_dir: Path) -> Path:
    return build_listing(
        out_dir,
        icon=art.icon_png(game.theme, 512),
        screenshots=art.screenshots(game.theme),
        title=game.listing_title,
        description=game.listing_description,
    )


KNOCKOFF_TITLE = "龙之传奇：屠龙霸业 - Dragon Legends Reborn"
KNOCKOFF_DESCRIPTION = (
    "全新东方奇幻巨作！驯服九尾灵狐，挑战赤焰龙，称霸四大区服。\n\n"
    "A brand-new eastern fantasy epic: tame the spirit fox, slay the flame dragon, rule all four realms."
)


def build_knockoff_listing(game: Game, out_dir: Path) -> Path:
    """A store page copying `game`'s look: recoloured icon with a badge, smaller re-encoded screenshots."""
    return build_listing(
        out_dir,
        icon=art.knockoff_icon(game.theme, 512),
        screenshots=art.knockoff_screenshots(game.theme),
        title=KNOCKOFF_TITLE,
        description=KNOCKOFF_DESCRIPTION,
    )


def build_all(out_dir: Path) -> list[Path]:
    """Every committed sample. Keys are made in a temporary folder and thrown away (never committed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    built: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="sample-keys-") as tmp:
        for game in (ORIGINAL, REPACK, REPACK_EC, UNRELATED):
            key = make_key(Path(tmp), game.key_algorithm, game.key_subject)
            built.append(build_game_apk(game, out_dir / f"{game.key}.apk", key))
    built.append(build_game_ipa(ORIGINAL, out_dir / "original.ipa"))
    built.append(build_game_ipa(REPACK, out_dir / "repack.ipa"))
    built.append(build_game_listing(ORIGINAL, out_dir / "listing-original"))
    built.append(build_knockoff_listing(ORIGINAL, out_dir / "listing-knockoff"))
    return built
