"""Package facts that show who runs a copy: server endpoints and the SDKs (payment, login, analytics, engine).

A private server keeps the art and swaps the server address and the payment account: these facts are where a
clone differs from the original, and the report lists them side by side.

Endpoints: URLs (http/https/ws/wss), host:port, IPv4 and IPv6 literals, from text files and from the printable
bytes of code (dex string pools, native libraries). XML namespace names (`xmlns=`), DTD locations, schema and
licence hosts, loopback and unspecified addresses are not servers and are left out. Documentation ranges
(203.0.113.0/24, `*.example`) are kept: fixtures and redacted evidence use them for real servers.
SDKs: `<kind>:<name>`, e.g. `payment:Alipay`, recognised by Java package prefixes inside dex files (type
descriptors `Lcom/alipay/...;`), by library file names, and by strings of native code.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from clonedetect.model import Facts

MAX_BINARY_SCAN = 64 * 1024 * 1024  # bytes of one code entry searched for strings
MAX_ENDPOINTS = 10_000

URL = re.compile(rb"(?i)\b(?:https?|wss?)://[a-z0-9\-._~%!$&'()*+,;=:@\[\]/?#]{3,300}")
HOST_PORT = re.compile(
    rb"(?i)(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}):(\d{2,5})(?![\w.])"
)
# A pattern that starts with a character class lets the regex engine skip to the next digit in C; one that
# starts with a look-behind tries every position (4x slower on text). So the first digit comes first and the
# look-behind checks what precedes it: the same matches as (?<![\w.])((?:\d{1,3}\.){3}\d{1,3}).
IPV4 = re.compile(rb"(\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3})(?::(\d{2,5}))?(?![\w.])")
IPV6 = re.compile(
    rb"(?i)\[([0-9a-f:.]{2,45})\](?::(\d{2,5}))?|(?<![\w:])((?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4})(?![\w:])"
)
# What every match of HOST_PORT (a letter, ':', two digits) and of IPV6 ('[' and two address characters, or
# hex ':' hex) must contain, found by patterns that start with a literal (a fast scan): data without it is
# not searched with the full pattern, which tries every position. Most text and tables have neither.
HOST_PORT_HINT = re.compile(rb"(?i):(?<=[a-z]:)\d\d")
IPV6_HINT = re.compile(rb"(?i)\[[0-9a-f:.]{2}|:(?<=[0-9a-f]:)[0-9a-f]")

# hosts that appear in files but are namespaces, schemas, DTDs or documentation, not servers
NON_SERVER_HOSTS = frozenset(
    {
        "schemas.android.com", "www.w3.org", "w3.org", "www.apple.com", "apple.com", "ns.adobe.com",
        "purl.org", "xmlns.com", "schemas.microsoft.com", "schemas.xmlsoap.org", "schemas.openxmlformats.org",
        "json-schema.org", "localhost",
        "java.sun.com", "xml.org", "www.xml.org", "relaxng.org", "docbook.org", "www.gnu.org", "gnu.org",
        "www.apache.org", "apache.org", "creativecommons.org", "www.opensource.org", "opensource.org",
    }
)  # fmt: skip
NON_SERVER_SUFFIXES = (".localhost",)
# XML namespace names and DTD locations are identifiers that only look like addresses
XML_IDENTIFIERS = re.compile(rb"""(?i)\bxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')|<!DOCTYPE[^>\[]*""")
# file names that are not hosts although they look like 'name.tld:digits' (e.g. 'main.lua:12' in a traceback)
FILE_TLDS = frozenset(
    {"lua", "js", "java", "kt", "cpp", "cc", "c", "h", "hpp", "py", "cs", "mm", "m", "swift", "png", "json",
     "xml", "so", "dll", "txt", "smali", "class", "jar", "dex", "log", "plist", "ts", "go", "rs", "html",
     "htm", "css"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SdkSignature:
    name: str  # '<kind>:<name>'
    class_prefixes: tuple[bytes, ...] = ()  # dex type descriptors ('Lcom/alipay/')
    file_names: tuple[str, ...] = ()  # base names of entries ('libunity.so')
    binary_strings: tuple[bytes, ...] = ()  # strings of native code / Mach-O ('StoreKit.framework')


# fmt: off
SDK_SIGNATURES: tuple[SdkSignature, ...] = (
    SdkSignature("payment:Alipay", (b"Lcom/alipay/",), binary_strings=(b"AlipaySDK",)),
    SdkSignature("payment:WeChat Pay", (b"Lcom/tencent/mm/opensdk/", b"Lcom/tencent/mm/sdk/"),
                 binary_strings=(b"WXApi", b"PayReq")),
    SdkSignature("payment:UnionPay", (b"Lcom/unionpay/",), binary_strings=(b"UPPaymentControl",)),
    SdkSignature("payment:Google Play Billing",
                 (b"Lcom/android/billingclient/", b"Lcom/android/vending/billing/")),
    SdkSignature("payment:StoreKit", binary_strings=(b"StoreKit.framework", b"SKPaymentQueue")),
    SdkSignature("payment:Huawei IAP", (b"Lcom/huawei/hms/iap/",)),
    SdkSignature("payment:Xiaomi Game Center", (b"Lcom/xiaomi/gamecenter/",)),
    SdkSignature("login:Facebook", (b"Lcom/facebook/",), binary_strings=(b"FBSDKCoreKit",)),
    SdkSignature("analytics:Firebase", (b"Lcom/google/firebase/",), binary_strings=(b"FirebaseCore",)),
    SdkSignature("analytics:Umeng", (b"Lcom/umeng/",), binary_strings=(b"UMCommon",)),
    SdkSignature("analytics:Bugly", (b"Lcom/tencent/bugly/",), binary_strings=(b"Bugly",)),
    SdkSignature("engine:Unity", (b"Lcom/unity3d/",),
                 file_names=("libunity.so", "UnityFramework", "UnityPlayer.dll")),
    SdkSignature("engine:Cocos2d-x", (b"Lorg/cocos2dx/",), file_names=("libcocos2dcpp.so", "libcocos2djs.so",
                                                                       "libcocos2dlua.so", "libcocos.so")),
    SdkSignature("engine:libGDX", (b"Lcom/badlogic/gdx/",), file_names=("libgdx.so",)),
)
# fmt: on


@dataclass(slots=True)
class FactCollector:
    endpoints: set[str] = field(default_factory=set)
    sdks: set[str] = field(default_factory=set)

    def scan_names(self, names: Iterable[str]) -> None:
        """SDKs by the file names of the package's entries (native libraries, frameworks)."""
        for name in names:
            parts = name.split("/")
            for signature in SDK_SIGNATURES:
                if any(part in signature.file_names for part in parts):
                    self.sdks.add(signature.name)

    def scan_text(self, text: str) -> None:
        self._endpoints(text.encode("utf-8", "replace"))

    def scan_endpoints_in_binary(self, data: bytes) -> bool:
        """Endpoints in the printable strings of binary data; False when only its head was searched."""
        self._endpoints(data[:MAX_BINARY_SCAN])
        return len(data) <= MAX_BINARY_SCAN

    def scan_code(self, data: bytes, is_dex: bool) -> bool:
        """Endpoints and SDKs in the strings of a code entry; False when only its head was searched."""
        head = data[:MAX_BINARY_SCAN]
        self._endpoints(head)
        for signature in SDK_SIGNATURES:
            needles = signature.class_prefixes if is_dex else signature.binary_strings
            if any(needle in head for needle in needles):
                self.sdks.add(signature.name)
        return len(data) <= MAX_BINARY_SCAN

    def facts(self) -> Facts:
        return Facts(endpoints=tuple(sorted(self.endpoints)), sdks=tuple(sorted(self.sdks)))

    def _endpoints(self, data: bytes) -> None:
        if b"xmlns" in data or b"<!DOCTYPE" in data:
            data = XML_IDENTIFIERS.sub(b" ", data)
        for match in URL.finditer(data):
            self._add_url(match.group().decode("ascii", "replace"))
        for match in HOST_PORT.finditer(data) if HOST_PORT_HINT.search(data) else ():
            host = match.group(1).decode("ascii").lower()
            if (
                _is_server_host(host)
                and host.rsplit(".", 1)[-1] not in FILE_TLDS
                and _valid_port(match.group(2))
            ):
                self._add(f"{host}:{int(match.group(2))}")
        for match in IPV4.finditer(data):
            address = match.group(1).decode("ascii")
            if _is_server_ip(address):
                port = match.group(2)
                self._add(f"{address}:{int(port)}" if port and _valid_port(port) else address)
        for match in IPV6.finditer(data) if IPV6_HINT.search(data) else ():
            literal = (match.group(1) or match.group(3)).decode("ascii")
            if _is_server_ip(literal):
                port = match.group(2)
                self._add(f"[{literal}]:{int(port)}" if port and _valid_port(port) else literal)

    def _add_url(self, url: str) -> None:
        url = url.rstrip(".,;:)'\"]")
        scheme, _, rest = url.partition("://")
        authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        host = authority.rsplit("@", 1)[-1]
        host = host[1 : host.index("]")] if host.startswith("[") and "]" in host else host.split(":", 1)[0]
        host = host.lower()
        if not host or "%" in host:
            return  # a format string ('http://%s/api'), not an address
        if _looks_like_ip(host):
            if not _is_server_ip(host):
                return
        elif not _is_server_host(host) or "." not in host:
            return
        self._add(f"{scheme.lower()}://{authority.lower()}{rest[len(authority) :]}")

    def _add(self, endpoint: str) -> None:
        if len(self.endpoints) < MAX_ENDPOINTS:
            self.endpoints.add(endpoint)


def _valid_port(port: bytes | str) -> bool:
    return 0 < int(port) <= 65535


def _is_server_host(host: str) -> bool:
    if host in NON_SERVER_HOSTS or host.endswith(NON_SERVER_SUFFIXES):
        return False
    return not any(host.endswith("." + known) for known in NON_SERVER_HOSTS)


def _looks_like_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_server_ip(literal: str) -> bool:
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        return False
    if address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local:
        return False
    if address.is_reserved:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        octets = literal.split(".")
        # 'x.y.z.0' and 'x.y.z.255' are networks and broadcasts; '1.0.0.0'-style strings are version numbers
        return not (
            octets[3] in ("0", "255") or octets[0] == "0" or any(len(o) > 1 and o[0] == "0" for o in octets)
        )
    return address.exploded.count("0000") < 6  # '1:2::3'-like version/hex noise collapses to mostly zeros
