"""The words of the exhibit and the notice, in Chinese and English.

One table per language with the same keys (a test checks that), so a template never holds a sentence of its
own and a missing translation is a test failure rather than a blank cell in a court document. Values that come
from a report (category names, match methods, transforms, difference fields) are looked up with a fallback to
the raw token: a newer analysis may emit a token this table does not know yet, and showing it verbatim is
better than hiding evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


# The court compared icon, character images, interface, rules and in-game text, in that order; the summary
# table follows it, then whatever further categories the analysis reported.
COURT_ORDER: tuple[str, ...] = ("icon", "characters", "ui", "rules", "text", "art", "audio", "code")

# The court's list of what differed: name, ids, version, signer, prices, zones, payment, servers.
DIFFERENCE_ORDER: tuple[str, ...] = (
    "app_name",
    "package_id",
    "version",
    "version_code",
    "signer",
    "price",
    "zone",
    "payment_sdk",
    "sdk",
    "endpoint",
)

_CATEGORIES: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "icon": "Icon",
        "characters": "Characters",
        "ui": "Interface",
        "rules": "Rules",
        "text": "Text",
        "art": "Other art",
        "audio": "Audio",
        "code": "Code",
    },
    Lang.ZH: {
        "icon": "图标",
        "characters": "角色",
        "ui": "界面",
        "rules": "规则",
        "text": "文本",
        "art": "其他美术",
        "audio": "音频",
        "code": "代码",
    },
}

_FINDINGS: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "identical": "identical",
        "similar": "similar",
        "different": "different",
        "not present": "not present",
    },
    Lang.ZH: {"identical": "相同", "similar": "近似", "different": "不同", "not present": "无此项"},
}

_METHODS: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "sha256": "identical bytes (SHA-256)",
        "pixels": "identical pixels",
        "phash": "perceptual hash",
        "dhash": "difference hash",
        "pdq": "PDQ hash",
        "colour": "colour layout",
        "orb": "local features (ORB)",
        "normalised-text": "same text after normalisation",
        "exact-text": "identical text",
        "fuzzy": "fuzzy text match",
        "table": "table rows",
        "edges": "edge hash (same outlines)",
        "thumbnail": "aligned thumbnails",
        "inside-screenshot": "found inside a screenshot",
    },
    Lang.ZH: {
        "sha256": "字节完全相同 (SHA-256)",
        "pixels": "像素完全相同",
        "phash": "感知哈希",
        "dhash": "差异哈希",
        "pdq": "PDQ 哈希",
        "colour": "颜色布局",
        "orb": "局部特征 (ORB)",
        "normalised-text": "规范化后文本相同",
        "exact-text": "文本完全相同",
        "fuzzy": "模糊文本匹配",
        "table": "表格行比对",
        "edges": "边缘哈希（轮廓相同）",
        "thumbnail": "缩略图对齐比对",
        "inside-screenshot": "在截图中找到",
    },
}

_TRANSFORMS: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "mirrored": "mirrored",
        "flipped": "flipped",
        "recoloured": "recoloured",
        "scaled": "rescaled",
        "cropped": "cropped",
        "re-encoded": "re-encoded",
        "re-encoded-jpeg": "re-encoded as JPEG",
        "re-encoded-webp": "re-encoded as WebP",
        "watermarked": "badge or text added",
        "traditional": "Traditional Chinese",
        "simplified": "Simplified Chinese",
        "case": "letter case changed",
        "whitespace": "spacing changed",
        "renamed": "game name replaced",
        "reordered": "rows reordered",
        "values-changed": "values changed",
        "overlaid": "badge, caption or watermark added",
        "letterboxed": "shown between black bars",
        "flattened": "transparency filled with a colour",
        "nine-patch": "Android nine-patch border added or removed",
        "repacked": "moved into or out of a texture atlas",
        "inside-screenshot": "drawn inside a screenshot",
        "converted": "converted to another file format",
        "edited": "edited",
    },
    Lang.ZH: {
        "mirrored": "镜像",
        "flipped": "翻转",
        "recoloured": "改色",
        "scaled": "缩放",
        "cropped": "裁剪",
        "re-encoded": "重新编码",
        "re-encoded-jpeg": "重新编码为 JPEG",
        "re-encoded-webp": "重新编码为 WebP",
        "watermarked": "加角标或文字",
        "traditional": "繁体",
        "simplified": "简体",
        "case": "大小写改变",
        "whitespace": "空白改变",
        "renamed": "游戏名称被替换",
        "reordered": "行顺序改变",
        "values-changed": "数值改变",
        "overlaid": "加角标、文字或水印",
        "letterboxed": "加黑边显示",
        "flattened": "透明背景被填色",
        "nine-patch": "增删 Android 九宫格（.9）边框",
        "repacked": "移入或移出纹理图集",
        "inside-screenshot": "出现在截图中",
        "converted": "转换为其他文件格式",
        "edited": "有改动",
    },
}

_FIELDS: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "app_name": "App name",
        "package_id": "Package id",
        "version": "Version",
        "version_code": "Version code",
        "signer": "Signing certificate",
        "price": "Virtual currency price",
        "zone": "Zone / server name",
        "payment_sdk": "Payment SDK",
        "sdk": "SDK",
        "endpoint": "Server endpoint / IP",
        "value": "Table value",
        "stat": "Game statistic",
        "text": "Text",
        "label": "App label",
    },
    Lang.ZH: {
        "app_name": "应用名称",
        "package_id": "包名",
        "version": "版本",
        "version_code": "版本号",
        "signer": "签名证书",
        "price": "虚拟货币价格",
        "zone": "区服名称",
        "payment_sdk": "支付 SDK",
        "sdk": "SDK",
        "endpoint": "服务器地址 / IP",
        "value": "数据表数值",
        "stat": "游戏数值",
        "text": "文本",
        "label": "应用标签",
    },
}

_FORMATS: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "apk": "Android APK",
        "apks": "Android split APK set",
        "xapk": "XAPK bundle",
        "obb": "Android OBB expansion",
        "ipa": "iOS IPA",
        "folder": "folder",
        "listing": "store listing",
    },
    Lang.ZH: {
        "apk": "安卓 APK",
        "apks": "安卓拆分 APK 集",
        "xapk": "XAPK 安装包",
        "obb": "安卓 OBB 扩展包",
        "ipa": "iOS IPA",
        "folder": "文件夹",
        "listing": "应用商店页面",
    },
}

# Sentences and headings. {placeholders} are filled with str.format by the view builders, never by templates.
_TEXT: Mapping[Lang, Mapping[str, str]] = {
    Lang.EN: {
        "exhibit_title": "Software comparison exhibit",
        "exhibit_subtitle": "{original} (original) compared with {suspect} (suspect)",
        "exhibit_id": "Exhibit",
        "page_before": "Page ",
        "page_between": " of ",
        "page_after": "",
        "original": "Original",
        "suspect": "Suspect",
        "category": "Category",
        "finding": "Finding",
        "score": "Score",
        "similarity": "Similarity",
        "method": "Method",
        "transforms": "Transforms",
        "field": "Field",
        "where": "Where",
        "path": "Path",
        "message": "Message",
        "more_not_shown": "{count} more not shown.",
        "none": "none",
        "absent": "(absent)",
        "no_image": "no image",
        "verdict": "Verdict",
        "verdict_clone": "Clone: the suspect reproduces the original",
        "verdict_not_clone": "Not a clone by the configured threshold",
        "verdict_line": "overall score {score} (threshold {threshold})",
        "reason_no-assets": "The original has no comparable assets, so nothing could be found again.",
        "reason_nothing-copied": "No category of the original reappears beyond what unrelated games share.",
        "reason_icon-only": "Only the icon was copied ({found}); nothing else of the original reappears.",
        "reason_rules-only": (
            "Only game rules and data reappear ({found}), which alone are not a copy of the game's "
            "expression."
        ),
        "reason_copied": "Found again in the suspect: {found}.",
        "reason_identical": "identical: {categories}",
        "reason_similar": "similar: {categories}",
        "reason_join": "; ",
        "list_join": ", ",
        "assets_count": "{count} assets",
        "found_count": "{count} found again",
        "section_summary": "1. Comparison summary",
        "section_differences": "Differences",
        "no_differences": "No differing fields were recorded.",
        "section_pairs": "2. Side-by-side comparison",
        "section_text_rules": "3. Text and rules",
        "section_evidence": "4. Evidence",
        "section_warnings": "Analysis warnings",
        "no_matches": "No matches in this category.",
        "shown_counts": (
            "Shown: {shown} of {matched} matches, most significant first; {not_shown} not shown; "
            "{not_found} of {total} original assets were not found in the suspect."
        ),
        "text_pairs": "Matched strings",
        "rules_pairs": "Matched data tables",
        "changed_values": "Changed values",
        "no_changed_values": "No table values differ.",
        "marked_note": (
            "Characters that differ are highlighted; Traditional/Simplified conversions are labelled."
        ),
        "file_name": "File name",
        "size": "Size",
        "sha256": "SHA-256",
        "format": "Format",
        "app_name": "App name",
        "app_id": "App id",
        "version": "Version",
        "signers": "Signer certificates (SHA-256)",
        "tool": "Tool",
        "settings": "Settings",
        "command": "Command line",
        "report_sha256": "Report SHA-256",
        "report_sha256_note": (
            "SHA-256 of the report as `--json` writes it (UTF-8, sorted keys, 2-space indent), "
            "without the `thumbnails` field"
        ),
        "report_file_sha256": "Report file SHA-256",
        "generated_at": "Generated at (UTC)",
        "schema_version": "Report schema version",
        "warnings_counts": "{shown} of {total} warnings shown.",
        "bytes": "{value} bytes",
        # the notice
        "notice_title": "Notice of copyright infringement and request for removal",
        "notice_to": "To",
        "colon": ": ",
        "notice_default_recipient": "Hosting / network service provider",
        "notice_reference": "Reference",
        "notice_app": "Game",
        "notice_file": "File",
        "notice_summary_intro": "Differences found (the suspect changed only these):",
        "notice_location_none": "none given",
        "notice_from": "From",
        "notice_date": "Date",
        "notice_intro": (
            "We are the rights holder of the game identified below. A package distributed or operated "
            "through your service reproduces it without licence. This notice identifies the rights holder, "
            "the original work, the infringing work and where it is, and asks you to act."
        ),
        "notice_holder_heading": "1. Rights holder",
        "notice_holder": "Rights holder",
        "notice_contact": "Contact",
        "notice_ownership": "Proof of ownership",
        "notice_original_heading": "2. The original work",
        "notice_infringing_heading": "3. The infringing work",
        "notice_location_heading": "4. Where the infringing work is",
        "notice_urls": "Download addresses",
        "notice_endpoints": "Server endpoints and IP addresses found in the infringing package",
        "notice_ip": "IP address",
        "notice_host": "host name",
        "notice_evidence_heading": "5. Evidence of infringement",
        "notice_evidence_text": (
            "A technical comparison by {tool} {version} found the following (full exhibit attached):"
        ),
        "notice_request_heading": "6. Request",
        "notice_request_remove": (
            "Remove the infringing package, or disable access to it, and disconnect the servers listed above "
            "from your network service without delay."
        ),
        "notice_request_forward": "Forward this notice to the customer who uploaded or operates it.",
        "notice_request_preserve": (
            "Preserve the records that identify that customer (account, contract, payment and connection "
            "records) and disclose the customer's identity to us, as the applicable law allows (for example "
            "Article 1195 of the Civil Code of the People's Republic of China)."
        ),
        "notice_request_confirm": "Confirm in writing to the contact above what action you have taken.",
        "notice_statement_heading": "7. Statement",
        "notice_statement": (
            "We state in good faith that the use of the work described above is not authorised by the rights "
            "holder, its agent or the law, and that the information in this notice is accurate. We accept "
            "responsibility for the accuracy of this notice."
        ),
        "notice_attachments_heading": "8. Attachments",
        "notice_attachment_exhibit": "Comparison exhibit",
        "notice_attachment_report": "Comparison report (JSON) SHA-256",
        "notice_signature": "Signed for the rights holder",
    },
    Lang.ZH: {
        "exhibit_title": "软件比对证据",
        "exhibit_subtitle": "权利作品《{original}》与被诉作品《{suspect}》比对",
        "exhibit_id": "证据编号",
        "page_before": "第 ",
        "page_between": " 页，共 ",
        "page_after": " 页",
        "original": "权利作品",
        "suspect": "被诉作品",
        "category": "类别",
        "finding": "比对结论",
        "score": "相似度",
        "similarity": "相似度",
        "method": "比对方法",
        "transforms": "改动方式",
        "field": "项目",
        "where": "位置",
        "path": "路径",
        "message": "说明",
        "more_not_shown": "另有 {count} 项未列出。",
        "none": "无",
        "absent": "（无）",
        "no_image": "无图像",
        "verdict": "结论",
        "verdict_clone": "构成仿冒：被诉作品再现了权利作品",
        "verdict_not_clone": "按设定阈值不构成仿冒",
        "verdict_line": "总体相似度 {score}（阈值 {threshold}）",
        "reason_no-assets": "权利作品没有可比对的素材，无从比对。",
        "reason_nothing-copied": "除无关游戏之间常见的共用素材外，权利作品的各类内容均未在被诉作品中重现。",
        "reason_icon-only": "仅图标被复制（{found}）；权利作品的其他内容均未在被诉作品中重现。",
        "reason_rules-only": "仅游戏规则和数据重现（{found}），这本身并不构成对游戏表达的复制。",
        "reason_copied": "在被诉作品中重现：{found}。",
        "reason_identical": "相同：{categories}",
        "reason_similar": "近似：{categories}",
        "reason_join": "；",
        "list_join": "、",
        "assets_count": "{count} 项",
        "found_count": "再现 {count} 项",
        "section_summary": "一、比对汇总",
        "section_differences": "差异",
        "no_differences": "未记录到不同之处。",
        "section_pairs": "二、逐项对照",
        "section_text_rules": "三、文本与规则",
        "section_evidence": "四、证据信息",
        "section_warnings": "分析警告",
        "no_matches": "此类别无匹配项。",
        "shown_counts": (
            "按重要性列出 {matched} 项匹配中的 {shown} 项，另有 {not_shown} 项未列出；"
            "权利作品 {total} 项中有 {not_found} 项未在被诉作品中发现。"
        ),
        "text_pairs": "匹配的文本",
        "rules_pairs": "匹配的数据表",
        "changed_values": "改动的数值",
        "no_changed_values": "数据表数值无改动。",
        "marked_note": "不同的字符以底色标出；繁简转换另行注明。",
        "file_name": "文件名",
        "size": "大小",
        "sha256": "SHA-256",
        "format": "格式",
        "app_name": "应用名称",
        "app_id": "应用标识",
        "version": "版本",
        "signers": "签名证书 (SHA-256)",
        "tool": "工具",
        "settings": "设置",
        "command": "命令行",
        "report_sha256": "报告 SHA-256",
        "report_sha256_note": "按 `--json` 输出格式（UTF-8、键排序、两空格缩进）且不含 `thumbnails` 字段计算",
        "report_file_sha256": "报告文件 SHA-256",
        "generated_at": "生成时间 (UTC)",
        "schema_version": "报告格式版本",
        "warnings_counts": "共 {total} 条警告，列出 {shown} 条。",
        "bytes": "{value} 字节",
        # the notice
        "notice_title": "侵权通知及删除、断开链接请求",
        "notice_to": "致",
        "colon": "：",
        "notice_default_recipient": "网络服务提供者",
        "notice_reference": "编号",
        "notice_app": "游戏",
        "notice_file": "文件",
        "notice_summary_intro": "发现的差异（被诉作品仅改动了以下内容）：",
        "notice_location_none": "未提供",
        "notice_from": "发件人",
        "notice_date": "日期",
        "notice_intro": (
            "我方是下列游戏作品的权利人。经由贵方服务传播或运营的一个安装包未经许可复制了该作品。"
            "本通知载明权利人身份、权利作品、侵权作品及其所在位置，并请求贵方采取必要措施。"
        ),
        "notice_holder_heading": "一、权利人",
        "notice_holder": "权利人",
        "notice_contact": "联系方式",
        "notice_ownership": "权属证明",
        "notice_original_heading": "二、权利作品",
        "notice_infringing_heading": "三、侵权作品",
        "notice_location_heading": "四、侵权作品所在位置",
        "notice_urls": "下载地址",
        "notice_endpoints": "侵权安装包中发现的服务器地址及 IP 地址",
        "notice_ip": "IP 地址",
        "notice_host": "主机名",
        "notice_evidence_heading": "五、侵权初步证据",
        "notice_evidence_text": "经 {tool} {version} 技术比对，结果如下（完整比对证据见附件）：",
        "notice_request_heading": "六、请求事项",
        "notice_request_remove": "立即删除或屏蔽上述侵权安装包，并断开上列服务器与贵方网络服务的连接。",
        "notice_request_forward": "将本通知转送上传或运营该侵权作品的用户。",
        "notice_request_preserve": (
            "在法律允许的范围内（例如《中华人民共和国民法典》第一千一百九十五条），保存能够识别该用户的记录"
            "（账户、合同、付款及连接记录），并向我方披露该用户的身份信息。"
        ),
        "notice_request_confirm": "请将所采取的措施以书面形式告知上述联系方式。",
        "notice_statement_heading": "七、声明",
        "notice_statement": (
            "我方善意地声明：上述对作品的使用未经权利人、其代理人或法律许可；本通知所载信息真实、准确。"
            "我方对本通知内容的真实性承担责任。"
        ),
        "notice_attachments_heading": "八、附件",
        "notice_attachment_exhibit": "比对证据",
        "notice_attachment_report": "比对报告 (JSON) SHA-256",
        "notice_signature": "权利人签章",
    },
}


@dataclass(frozen=True, slots=True)
class Labels:
    """Every word of one language. Templates get an instance and never see the other language."""

    lang: Lang
    text: Mapping[str, str]
    categories: Mapping[str, str]
    findings: Mapping[str, str]
    methods: Mapping[str, str]
    transforms: Mapping[str, str]
    fields: Mapping[str, str]
    formats: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        """A sentence or heading; a missing key is a programming error, so it raises."""
        return self.text[key]

    def category(self, name: str) -> str:
        return self.categories.get(name, name)

    def finding(self, name: str) -> str:
        return self.findings.get(name, name)

    def method(self, name: str) -> str:
        return self.methods.get(name, name)

    def transform(self, name: str) -> str:
        return self.transforms.get(name, name)

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    def format(self, name: str) -> str:
        return self.formats.get(name, name)


def labels_for(lang: Lang | str) -> Labels:
    """The label tables of one language ('zh' or 'en')."""
    key = Lang(lang)
    return Labels(
        lang=key,
        text=MappingProxyType(dict(_TEXT[key])),
        categories=MappingProxyType(dict(_CATEGORIES[key])),
        findings=MappingProxyType(dict(_FINDINGS[key])),
        methods=MappingProxyType(dict(_METHODS[key])),
        transforms=MappingProxyType(dict(_TRANSFORMS[key])),
        fields=MappingProxyType(dict(_FIELDS[key])),
        formats=MappingProxyType(dict(_FORMATS[key])),
    )


def all_tables() -> dict[str, Mapping[Lang, Mapping[str, str]]]:
    """Every table by name, for the test that checks both languages have the same keys."""
    return {
        "text": _TEXT,
        "categories": _CATEGORIES,
        "findings": _FINDINGS,
        "methods": _METHODS,
        "transforms": _TRANSFORMS,
        "fields": _FIELDS,
        "formats": _FORMATS,
    }
