"""The notice-and-takedown letter: every element of a valid notice, in both languages, with and without
server endpoints; missing fields refused with exit 2; Markdown/HTML injection from package values."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import typer
from test_exhibit_sample import (
    PIRATE_IP,
    SUSPECT_CERT,
    SUSPECT_SHA,
    cells,
    parse_html,
    sample_report,
    with_thumbnails,
)
from typer.testing import CliRunner

from clonedetect.cli_exhibit import exhibit_command, notice_command
from clonedetect.report.html import ExhibitFiles, report_sha256, write_exhibit
from clonedetect.report.json_report import render_json
from clonedetect.report.labels import Lang, labels_for
from clonedetect.report.notice import (
    MissingFieldsError,
    NoticeRequest,
    build_notice_view,
    endpoint_host,
    markdown_text,
    render_notice_html,
    render_notice_markdown,
    suspect_endpoints,
    write_notice,
)

HOLDER = "Example Games Ltd"
CONTACT = "legal@example.com"
OWNERSHIP = "software copyright registration 2015SR000000"
URL = "https://dl.pirate.example.net/dragons-bt.apk"


def request(lang: Lang = Lang.EN, **changes: object) -> NoticeRequest:
    fields: dict[str, object] = {
        "holder": HOLDER,
        "contact": CONTACT,
        "ownership": (OWNERSHIP,),
        "date": "2024-05-02",
        "recipient": "",
        "urls": (),
        "lang": lang,
    }
    fields.update(changes)
    return NoticeRequest(**fields)  # type: ignore[arg-type]


def exhibit(tmp_path: Path) -> ExhibitFiles:
    return write_exhibit(sample_report(), tmp_path / "exhibit.html", None, Lang.EN)


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_markdown_notice_has_every_element_of_a_valid_notice(tmp_path: Path, lang: Lang) -> None:
    labels = labels_for(lang)
    attached = exhibit(tmp_path)
    report = sample_report()
    text = render_notice_markdown(build_notice_view(report, request(lang, urls=(URL,)), attached))
    plain = text.replace("\\", "")  # Markdown escapes, e.g. in 'example\_games'
    # the rights holder, a contact and proof of ownership
    for value in (HOLDER, CONTACT, OWNERSHIP):
        assert value in plain
    # the infringing work: package id, file, SHA-256, signer
    for value in ("com.pirate.dragonsbt", "dragons-bt.apk", SUSPECT_SHA, SUSPECT_CERT):
        assert value in plain
    # where it is: the download address and the servers found in the package, IPs named as such
    assert URL in plain
    assert f"`http://{PIRATE_IP}:8080/gate` ({labels['notice_ip']} `{PIRATE_IP}`" in plain
    assert f"({labels['notice_host']} `s1.dragons-bt.example.net`" in plain
    # the request: remove/disconnect, forward, preserve and disclose, then the statement
    for key in (
        "notice_request_remove",
        "notice_request_forward",
        "notice_request_preserve",
        "notice_statement",
    ):
        assert labels[key] in plain, key
    # the exhibit attached by name and SHA-256, and the report's SHA-256
    digest = hashlib.sha256((tmp_path / "exhibit.html").read_bytes()).hexdigest()
    assert attached.html_sha256 == digest
    assert f"`exhibit.html`, SHA-256 `{digest}`" in plain
    assert report_sha256(report) in plain
    # the comparison the court relied on, and the changed prices with where they are
    assert labels.category("characters") in plain
    assert "6 → 3" in plain and "钻石" in plain
    assert text == render_notice_markdown(build_notice_view(report, request(lang, urls=(URL,)), attached))


def test_the_originals_own_servers_are_never_named() -> None:
    locations = [location.value for location in suspect_endpoints(sample_report())]
    assert locations == [f"http://{PIRATE_IP}:8080/gate", "s1.dragons-bt.example.net"]
    report = sample_report()
    report["suspect"]["endpoints"] = ["https://api.example-games.com/v1", "10.0.0.8:9000"]
    locations = [location.value for location in suspect_endpoints(report)]
    assert "https://api.example-games.com/v1" not in locations  # the baseline's side of a difference
    assert "10.0.0.8:9000" in locations


def test_without_endpoints_a_download_address_is_required(tmp_path: Path) -> None:
    report = sample_report(endpoints=False)
    with pytest.raises(MissingFieldsError) as refused:
        build_notice_view(report, request(), exhibit(tmp_path))
    assert len(refused.value.fields) == 1
    assert refused.value.fields[0].startswith("--url")
    labels = labels_for(Lang.EN)
    text = render_notice_markdown(build_notice_view(report, request(urls=(URL,)), exhibit(tmp_path)))
    endpoints = text.split(f"**{labels['notice_endpoints']}**")[1].split("##")[0]
    assert labels["notice_location_none"] in endpoints
    assert URL in text


def test_every_missing_field_is_named_at_once(tmp_path: Path) -> None:
    report = sample_report(endpoints=False)
    report["suspect"]["sha256"] = "unknown"
    with pytest.raises(MissingFieldsError) as refused:
        build_notice_view(report, request(holder=" ", contact="", ownership=()), exhibit(tmp_path))
    named = [field.split(" ")[0] for field in refused.value.fields]
    assert named == ["--holder", "--contact", "--ownership", "suspect.sha256", "--url"]


def test_values_from_a_package_cannot_inject_markdown_or_html(tmp_path: Path) -> None:
    report = sample_report()
    report["suspect"]["app_name"] = "[click](http://evil.example) **free** | <img src=x onerror=alert(1)>"
    view = build_notice_view(report, request(), exhibit(tmp_path))
    text = render_notice_markdown(view)
    assert "[click](" not in text and "**free**" not in text
    assert not re.search(r"(?<!\\)<img", text)  # only the escaped form, which Markdown shows as text
    assert "\\[click\\](http://evil.example) \\*\\*free\\*\\* \\| \\<img src=x onerror=alert(1)\\>" in text
    document = parse_html(render_notice_html(view))
    assert not document.find_all("img")
    assert "[click](http://evil.example) **free** | <img src=x onerror=alert(1)>" in document.text()
    assert markdown_text("a\nb\u202e`c`") == "a↵b⟨U+202E⟩\\`c\\`"


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_html_notice_structure(tmp_path: Path, lang: Lang) -> None:
    labels = labels_for(lang)
    view = build_notice_view(sample_report(), request(lang), exhibit(tmp_path))
    document = parse_html(render_notice_html(view))
    sections = [s.attrs["id"] for s in document.find("body").find_all("section")]
    assert sections == [
        "holder",
        "original",
        "infringing",
        "location",
        "evidence",
        "request",
        "statement",
        "attachments",
    ]
    head = {cells(r)[0]: cells(r)[1] for r in document.find("table", id="letter-head").find_all("tr")}
    assert head[labels["notice_to"]] == labels["notice_default_recipient"]
    assert head[labels["notice_date"]] == "2024-05-02"
    endpoints = document.find("ul", id="endpoints").find_all("li")
    assert [li.attrs["data-kind"] for li in endpoints] == ["ip", "host"]
    assert len(document.find("ol", class_="requests").find_all("li")) == 4
    summary = document.find("table", id="summary-table").find("tbody").find_all("tr")
    assert [r.attrs["data-category"] for r in summary] == ["icon", "characters", "ui", "rules", "text"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://203.0.113.45:8080/gate", ("203.0.113.45", "ip")),
        ("203.0.113.45:9000", ("203.0.113.45", "ip")),
        ("[2001:db8::1]:443", ("2001:db8::1", "ip")),
        ("s1.example.net", ("s1.example.net", "host")),
        ("wss://game.example.net/socket", ("game.example.net", "host")),
        ("http://[bad", ("", "")),
        ("", ("", "")),
    ],
)
def test_endpoint_hosts(value: str, expected: tuple[str, str]) -> None:
    assert endpoint_host(value) == expected


def test_write_notice_writes_markdown_and_html(tmp_path: Path) -> None:
    files = write_notice(
        sample_report(), request(Lang.ZH), exhibit(tmp_path), tmp_path / "n.md", tmp_path / "n.html"
    )
    assert files.markdown.read_text(encoding="utf-8").startswith("# 侵权通知及删除、断开链接请求\n")
    assert (
        parse_html(files.html.read_text(encoding="utf-8")).find("h1").text() == "侵权通知及删除、断开链接请求"
    )


# ---------------------------------------------------------------------------------------- CLI


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("exhibit")(exhibit_command)
    app.command("notice")(notice_command)
    return app


def saved_report(tmp_path: Path, endpoints: bool = True) -> Path:
    path = tmp_path / "report.json"
    path.write_text(render_json(with_thumbnails(sample_report(endpoints=endpoints))), encoding="utf-8")
    return path


def notice_args(report: Path, output: Path, *extra: str) -> list[str]:
    return [
        "notice",
        str(report),
        "--holder",
        HOLDER,
        "--contact",
        CONTACT,
        "--ownership",
        OWNERSHIP,
        "--date",
        "2024-05-02",
        "-o",
        str(output),
        *extra,
    ]


def test_notice_command_writes_the_notice_and_its_exhibit(tmp_path: Path) -> None:
    report = saved_report(tmp_path)
    output = tmp_path / "notice.md"
    result = CliRunner().invoke(
        cli(), notice_args(report, output, "--lang", "zh", "--to", "某云服务有限公司")
    )
    assert result.exit_code == 0, result.output
    exhibit_file = tmp_path / "notice-exhibit.html"
    digest = hashlib.sha256(exhibit_file.read_bytes()).hexdigest()
    text = output.read_text(encoding="utf-8")
    assert f"`notice-exhibit.html`, SHA-256 `{digest}`" in text
    assert "**致**：某云服务有限公司" in text
    # run again with the exhibit now existing: attached as it is, same letter
    again = tmp_path / "again.md"
    rerun = CliRunner().invoke(
        cli(),
        notice_args(
            report, again, "--lang", "zh", "--to", "某云服务有限公司", "--exhibit", str(exhibit_file)
        ),
    )
    assert rerun.exit_code == 0, rerun.output
    assert again.read_text(encoding="utf-8") == text


def test_notice_command_refuses_an_exhibit_of_another_report(tmp_path: Path) -> None:
    report = saved_report(tmp_path)
    other = sample_report()
    other["verdict"]["score"] = 0.5
    foreign = tmp_path / "foreign.html"
    write_exhibit(other, foreign, None, Lang.EN)
    result = CliRunner().invoke(cli(), notice_args(report, tmp_path / "n.md", "--exhibit", str(foreign)))
    assert result.exit_code == 2
    assert "not made from this report" in result.output
    assert not (tmp_path / "n.md").exists()


def test_notice_command_names_missing_fields_and_writes_nothing(tmp_path: Path) -> None:
    report = saved_report(tmp_path, endpoints=False)
    output = tmp_path / "notice.md"
    result = CliRunner().invoke(cli(), ["notice", str(report), "--contact", CONTACT, "-o", str(output)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line
    for name in ("--holder", "--ownership", "--url"):
        assert name in line
    assert "--contact" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_notice_command_refuses_a_bad_date(tmp_path: Path) -> None:
    report = saved_report(tmp_path)
    args = notice_args(report, tmp_path / "n.md")
    args[args.index("2024-05-02")] = "02/05/2024"
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 2
    assert "--date needs YYYY-MM-DD" in result.output


def test_notice_pdf_carries_the_chinese_letter(tmp_path: Path) -> None:
    report = saved_report(tmp_path)
    pdf = tmp_path / "notice.pdf"
    result = CliRunner().invoke(
        cli(), notice_args(report, tmp_path / "notice.md", "--lang", "zh", "--pdf", str(pdf), "--url", URL)
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for words in ("侵权通知及删除、断开链接请求", "权属证明", PIRATE_IP, "转送", "善意", SUSPECT_SHA):
        assert words in flat, words
