"""Package facts: server endpoints from text, tables and code strings; SDKs from dex classes and names."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
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


# The address patterns as first written (a look-behind first, every text searched with every pattern):
# facts.py reorders IPV4 and skips data without a HOST_PORT or IPV6 hint, which must not change what is found.
PLAIN_IPV4 = re.compile(rb"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?::(\d{2,5}))?(?![\w.])")
# whole addresses and the characters around them that decide whether they count (a preceding letter, dot
# or colon; a following port), so that examples put them side by side often
ADDRESS_BYTES = st.sampled_from(
    [b"api.example.com", b"game.cn", b"10.0.0.1", b"203.0.113.7", b"1.2.3", b"fe80::1", b"[2001:db8::1]",
     b"2001:db8:1:2:3:4:5:6", b"2400:cb00:2048:1::6", b"1:2:3:4:5:6:7:8", b"[::1]", b":8080", b":12", b":7",
     b"12", b"a", b"F", b".", b":", b"[", b"]", b"/", b"@", b"-", b"_", b" ", b"\n", b"http://", b"main.lua",
     b"%s"]
)  # fmt: skip


def plain_endpoints(data: bytes) -> tuple[str, ...]:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(facts_module, "IPV4", PLAIN_IPV4)
        patched.setattr(facts_module, "HOST_PORT_HINT", re.compile(b""))  # matches everywhere: no skipping
        patched.setattr(facts_module, "IPV6_HINT", re.compile(b""))
        collector = FactCollector()
        collector.scan_endpoints_in_binary(data)
    return collector.facts().endpoints


@given(st.lists(ADDRESS_BYTES, max_size=12).map(b"".join))
@hypothesis_settings(max_examples=400, deadline=None)
def test_the_fast_address_search_finds_what_the_plain_one_finds(data: bytes) -> None:
    ours = [(m.span(), m.groups()) for m in facts_module.IPV4.finditer(data)]
    assert ours == [(m.span(), m.groups()) for m in PLAIN_IPV4.finditer(data)]
    collector = FactCollector()
    collector.scan_endpoints_in_binary(data)
    assert collector.facts().endpoints == plain_endpoints(data)
