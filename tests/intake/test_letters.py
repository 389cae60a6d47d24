"""Letters: keyed in with a scan, or a batch (CSV + scans) whose broken rows are reported by line."""
from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from aiohttp import FormData
from sqlalchemy import select

from channels.cli import folder_loader
from channels.letters.batch import import_letters
from channels.models import Attachment, SmsMessage
from hotline.cli import main
from tests.intake.files import MINIMAL_PDF, NOT_AN_IMAGE, png_bytes
from tests.support.web import login
from tracking.models import Ticket
from tracking.states import Role

HEADER = "reference,sender,phone,address,received_on,title,content,scan\n"


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode("utf-8")


def _tickets(services) -> list[Ticket]:
    with services.db.reading() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def test_a_batch_with_a_broken_row_imports_the_rest_and_names_the_line(services, tmp_path):
    day = "2026-11-20"
    csv_bytes = _csv([
        f'XF-001,张三,13800001111,A3区幸福路1号,{day},噪音扰民,"夜里工地施工，吵得无法入睡",xf001.pdf',
        f'XF-002,李四,,A1区人民路2号,{day},,"",xf002.png',               # line 3: no content
        f'XF-003,王五,0731-8888888,"A2区\n解放路3号",{day},路面塌陷,路面有个大坑,xf003.png',
        f'XF-004,赵六,,,{day},,"来信反映物业问题",missing.pdf',            # line 6: scan not found
        f'XF-005,钱七,,,2026-13-01,,"日期写错了",',                        # line 7: bad date
    ])
    scans = {"xf001.pdf": MINIMAL_PDF, "xf002.png": png_bytes(), "xf003.png": png_bytes("green")}
    report = import_letters(services, csv_bytes, scans.get, now=services.clock())
    assert report.error is None and report.imported == 2
    errors = {row.line: row.error for row in report.failed}
    assert set(errors) == {3, 6, 7}
    assert "缺少来信内容" in errors[3] and "missing.pdf" in errors[6] and "收信日期" in errors[7]
    tickets = _tickets(services)
    assert [t.external_id for t in tickets] == ["XF-001", "XF-003"]
    assert tickets[1].address == "A2区\n解放路3号".replace("\n", "\n") and tickets[0].channel == "letter"
    with services.db.reading() as session:
        kinds = {a.ticket_id: a.content_type for a in session.scalars(select(Attachment))}
    assert kinds == {tickets[0].id: "application/pdf", tickets[1].id: "image/png"}

    again = import_letters(services, csv_bytes, scans.get, now=services.clock())
    assert again.imported == 0 and again.existing == 2 and len(_tickets(services)) == 2


def test_gbk_csv_with_chinese_headers(services):
    text = "信件编号,来信人,收信日期,内容\nGB-1,陈八,2026-11-21,小区垃圾无人清运\n"
    report = import_letters(services, text.encode("gbk"), {}.get, now=services.clock())
    assert report.imported == 1 and not report.failed
    missing = import_letters(services, "来信人,内容\n陈八,没有日期列\n".encode(), {}.get, now=services.clock())
    assert "received_on" in missing.error and "第1行" in missing.error


def test_cli_imports_a_folder_and_reports_bad_lines(settings, services, tmp_path, monkeypatch, capsys):
    today = date.today() - timedelta(days=2)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.pdf").write_bytes(MINIMAL_PDF)
    (tmp_path / "scans" / "fake.png").write_bytes(NOT_AN_IMAGE)
    (tmp_path / "letters.csv").write_bytes(_csv([
        f"L-1,周九,13912340000,,{today},,路灯不亮,a.pdf",
        f"L-2,吴十,,,{today},,井盖丢失,fake.png",
        f"L-3,郑一,,,{today},,偷看别处的文件,../letters.csv",
    ]))
    for name, value in {"DATABASE_URL": settings.database_url, "VAR_DIR": settings.var_dir, "REDIS_URL": ""}.items():
        monkeypatch.setenv("HOTLINE_" + name, value)
    code = main(["letters", "import", str(tmp_path / "letters.csv"), "--scans", str(tmp_path / "scans")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "line 3:" in err and "不是PDF或图片" in err and "line 4:" in err and "找不到扫描件" in err
    assert "1 imported" in out
    [ticket] = _tickets(services)
    with services.db.reading() as session:
        ack = session.scalar(select(SmsMessage).where(SmsMessage.purpose == "ack"))
    assert ack.to == "13912340000" and ticket.number in ack.body
    assert folder_loader(tmp_path / "scans")("../letters.csv") is None


async def test_staff_key_in_a_letter_with_its_scan(client, services):
    token = await login(client, services, Role.AGENT)
    form = FormData()
    for name, value in {"_csrf": token, "reference": "XF-100", "sender": "孙先生", "received_on": "2026-11-20",
                        "content": "反映A3区某路段积水严重", "address": "A3区某路"}.items():
        form.add_field(name, value)
    form.add_field("scan", MINIMAL_PDF, filename="scan.pdf", content_type="application/pdf")
    page = await client.post("/letters", data=form)
    html = await page.text()
    [ticket] = _tickets(services)
    assert page.status == 200 and ticket.number in html and ticket.external_id == "XF-100"

    bad = FormData()
    for name, value in {"_csrf": token, "sender": "", "received_on": "明天", "content": "x"}.items():
        bad.add_field(name, value)
    bad.add_field("scan", NOT_AN_IMAGE, filename="scan.pdf", content_type="application/pdf")
    refused = await client.post("/letters", data=bad)
    text = await refused.text()
    assert refused.status == 400 and "缺少来信人" in text and "收信日期" in text and "不是PDF或图片" in text
    assert len(_tickets(services)) == 1


async def test_batch_import_page_takes_a_zip_of_scans(client, services):
    token = await login(client, services, Role.AGENT)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("scans/p1.png", png_bytes())
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("csv", _csv(["Z-1,甲,,,2026-11-21,,第一封,p1.png", "Z-2,乙,,,2026-11-21,,,"]),
                   filename="letters.csv", content_type="text/csv")
    form.add_field("scans", archive.getvalue(), filename="scans.zip", content_type="application/zip")
    page = await client.post("/letters/import", data=form)
    html = await page.text()
    assert page.status == 200 and "第3行" in html and "缺少来信内容" in html
    assert [t.external_id for t in _tickets(services)] == ["Z-1"]
    assert (await client.get("/letters/import", allow_redirects=False)).status == 200
