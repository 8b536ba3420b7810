"""Package facts: server endpoints from text, tables and code strings; SDKs from dex classes and names."""

from __future__ import annotations

import json

import pytest
from test_extract_support import extract

from clonedetect.extract import facts as facts_module
from clonedetect.extract.facts import FactCollector


def test_endpoints_from_config_text_and_tables() -> None:
    config = (
        "server=https://login.dragon-game.cn:8443/api/v2?zone=1\n"
        "gate = 47.96.12.34:9001\n"
        "chat: wss://chat.dragon-game.cn/ws\n"
        "backup host game2.dragon-game.cn:7000\n"
        "ipv6 [2400:3200::1]:443\n"
        'xmlns:android="http://schemas.android.com/apk/res/android"\n'
        "dtd http://www.apple.com/DTDs/PropertyList-1.0.dtd https://www.w3.org/1999/xhtml\n"
        '<root xmlns="http://example.com/ns" xmlns:x="https://ns.game.cn/x"/> http://%s/api\n'
        "local 127.0.0.1:8080 any 0.0.0.0 redacted https://s1.legend.example:8443/api 203.0.113.10\n"
        "version 1.0.0.0 traceback main.lua:12\n"
    )
    table = json.dumps(
        [{"zone": "s1", "ip": "101.37.8.9", "port": 5000}, {"zone": "s2", "ip": "101.37.8.10"}]
    )
    facts = extract({"assets/config.ini": config.encode(), "assets/zones.json": table.encode()}).facts
    assert facts.endpoints == (
        "101.37.8.10",
        "101.37.8.9",
        "203.0.113.10",
        "47.96.12.34:9001",
        "[2400:3200::1]:443",
        "game2.dragon-game.cn:7000",
        "https://login.dragon-game.cn:8443/api/v2?zone=1",
        "https://s1.legend.example:8443/api",
        "wss://chat.dragon-game.cn/ws",
    )


def test_sdks_from_dex_classes_native_libraries_and_frameworks() -> None:
    dex = (
        b"dex\n035\x00"
        + b"\x00" * 64
        + b"Lcom/alipay/sdk/app/PayTask;\x00Lcom/umeng/analytics/MobclickAgent;\x00"
    )
    dex += b"https://pay.example-server.cn/notify\x00"
    macho = b"\xcf\xfa\xed\xfe" + b"\x00" * 32 + b"/System/Library/Frameworks/StoreKit.framework/StoreKit\x00"
    files = {
        "classes2.dex": dex,
        "lib/arm64-v8a/libunity.so": b"\x7fELF" + b"\x00" * 32,
        "Payload/G.app/G": macho,
        "Payload/G.app/Frameworks/UnityFramework.framework/UnityFramework": macho,
    }
    facts = extract(files).facts
    assert facts.sdks == ("analytics:Umeng", "engine:Unity", "payment:Alipay", "payment:StoreKit")
    assert facts.endpoints == ("https://pay.example-server.cn/notify",)


def test_binary_scan_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_module, "MAX_BINARY_SCAN", 64)
    collector = FactCollector()
    data = b"dex\n" + b"http://a.game.cn/ " + b"\x00" * 100 + b"http://late.game.cn/"
    assert not collector.scan_code(data, is_dex=True)  # only the head was searched
    assert collector.facts().endpoints == ("http://a.game.cn/",)
    extraction = extract({"classes.dex": data})
    assert [w.message for w in extraction.warnings] == [
        "code larger than the string-scan bound; only its head was searched"
    ]
