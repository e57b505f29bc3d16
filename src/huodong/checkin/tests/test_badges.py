"""Name badges as PDF (EX-2, issue 10 point 5): A4 sheets of 8 and one label a page, with name, company and
the ticket QR — read back with pypdf, the QR decoded with zxing-cpp from the rasterised page (poppler's
``pdftoppm``; without it, from the image embedded in the PDF) and resolved to the guest's valid ticket."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from huodong.checkin import documents
from huodong.checkin.services import redeem
from huodong.core.models import AuditEntry
from huodong.outreach import tickets
from huodong.outreach.models import Guest, GuestStatus
from tests.factories import login

from .support import door_event, guests_of, staff

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre


def page_images(pdf: bytes, page: int) -> list[Image.Image]:
    """Page ``page`` (1-based) as pictures to look for QR codes in: rasterised at 200 dpi by pdftoppm
    when poppler is installed, else the images the PDF embeds on that page."""
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.pdf"
            src.write_bytes(pdf)
            out = Path(tmp) / "page"
            subprocess.run(
                ["pdftoppm", "-r", "200", "-gray", "-png", "-f", str(page), "-l", str(page), src, out],
                check=True,
                timeout=60,
            )
            (png,) = Path(tmp).glob("page*.png")
            return [Image.open(io.BytesIO(png.read_bytes()))]
    reader = PdfReader(io.BytesIO(pdf))
    sheet = reader.pages[page - 1]
    # WeasyPrint shares one resource dictionary between pages: the page's images are those it draws.
    drawn = {
        str(args[0]).lstrip("/")
        for args, op in ContentStream(sheet.get_contents(), reader).operations
        if op == b"Do"
    }
    images = [Image.open(io.BytesIO(img.data)) for img in sheet.images if img.name.rsplit(".", 1)[0] in drawn]
    # The QR is embedded at one pixel a module: enlarged, sharp, for the decoder.
    return [im.resize((im.width * 8, im.height * 8), Image.Resampling.NEAREST) for im in images]


def qr_texts(pdf: bytes, page: int) -> list[str]:
    found: list[str] = []
    for image in page_images(pdf, page):
        found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


@pytest.fixture
def event(organiser):
    event = door_event(organiser, 10)
    for i, g in enumerate(guests_of(event)):
        Guest.objects.filter(pk=g.pk).update(company=f"公司{i:02d}", category="vip" if i < 2 else "customer")
    return event


def _get(client, event, **query):  # noqa: ANN001, ANN202
    return client.get(reverse("checkin:badges", args=[event.pk]), query)


def test_a4_sheets_hold_eight_badges_with_name_company_and_a_working_qr(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    response = _get(client, event, layout="a4")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # 10 badges, 8 a page
    assert round(float(reader.pages[0].mediabox.width) / MM) == 210  # A4
    text = "".join(p.extract_text() for p in reader.pages)
    for g in guests_of(event):
        assert g.name in text and g.company in text
    # VIPs first (the colour band says the category).
    vips = [g.name for g in guests_of(event) if g.category == "vip"]
    first_page = reader.pages[0].extract_text()
    assert all(name in first_page for name in vips) and "VIP" in first_page
    tokens = qr_texts(pdf, 1)
    assert len(tokens) == 8
    on_page = {tickets.ticket_for_token(t, event.pk).guest_id for t in tokens}
    assert len(on_page) == 8 and on_page <= {g.pk for g in guests_of(event)}
    assert len(qr_texts(pdf, 2)) == 2


def test_one_label_at_the_desk_carries_the_guests_valid_ticket(client, organiser, event):
    # REQ: EX-2
    guest = guests_of(event)[3]
    login(client, organiser)
    response = _get(client, event, guest=guest.pk)
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (90, 54)
    text = reader.pages[0].extract_text()
    assert guest.name in text and "公司03" in text and tickets.issue(guest).code in text
    (token,) = qr_texts(response.content, 1)
    ticket = tickets.ticket_for_token(token, event.pk)  # signed, current version, not revoked
    assert ticket.guest_id == guest.pk
    # The QR on the badge checks its wearer in.
    assert redeem.scan(actor=organiser, event=event.pk, token=token).ok
    # After check-in the badge can still be printed (at the desk, on check-in).
    assert _get(client, event, guest=guest.pk).status_code == 200


def test_labels_one_a_page_filtered_by_category_or_ids(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    vip = _get(client, event, layout="label", category="vip")
    assert len(PdfReader(io.BytesIO(vip.content)).pages) == 2
    guests = guests_of(event)
    chosen = f"{guests[5].pk},{guests[7].pk},{guests[9].pk}"
    some = _get(client, event, ids=chosen)
    reader = PdfReader(io.BytesIO(some.content))
    assert len(reader.pages) == 1  # three on one A4 sheet
    text = reader.pages[0].extract_text()
    assert all(guests[i].name in text for i in (5, 7, 9)) and guests[0].name + "\n" not in text


def test_a_guest_without_a_ticket_gets_one_issued_and_invited_guests_get_no_badge(client, organiser, event):
    # REQ: EX-2
    guest = guests_of(event)[0]
    tickets.Ticket.objects.filter(guest=guest).delete()
    invited = Guest.objects.create(event=event, name="只受邀", status=GuestStatus.INVITED, category="vip")
    login(client, organiser)
    pdf = _get(client, event, category="vip").content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "只受邀" not in text and guest.name in text
    assert tickets.Ticket.objects.filter(guest=guest).exists()
    assert {tickets.ticket_for_token(t, event.pk).guest_id for t in qr_texts(pdf, 1)} >= {guest.pk}
    refused = _get(client, event, guest=invited.pk)
    assert refused.status_code == 400 and "不能打印胸牌" in refused.content.decode()


def test_bad_parameters_are_refused_naming_them(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    cases = {
        "layout": {"layout": "a3"},
        "category": {"category": "boss"},
        "ids": {"ids": "1,x"},
        "guest": {"guest": "abc"},
    }
    for field, query in cases.items():
        response = _get(client, event, **query)
        assert response.status_code == 400, field
        assert field in response.content.decode(), field
    assert _get(client, event, guest=999999).status_code == 404
    nobody = _get(client, event, category="media")
    assert nobody.status_code == 400 and "没有符合条件的已报名嘉宾" in nobody.content.decode()
    assert not AuditEntry.objects.filter(action="checkin.badges.export").exists()


def test_the_export_is_audit_logged(client, organiser, event):
    # REQ: EX-2 (PIPL: every export of guest data is written to the audit log)
    login(client, organiser)
    _get(client, event, layout="label", category="vip")
    entry = AuditEntry.objects.get(action="checkin.badges.export", event_id=event.pk)
    assert entry.actor == organiser and entry.after["count"] == 2
    assert entry.after["filters"] == {"layout": "label", "category": ["vip"]}


def test_gate_staff_print_badges_and_outsiders_may_not(client, checkin_staff, outsider, event):
    # REQ: EX-2
    staff(event, checkin_staff)
    login(client, checkin_staff)
    assert _get(client, event, guest=guests_of(event)[0].pk).status_code == 200
    login(client, outsider)
    assert _get(client, event).status_code == 403


def test_badges_in_english(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    client.cookies["django_language"] = "en"
    pdf = _get(client, event, category="customer").content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Customer" in text and "客户" not in text


def test_badge_request_parsing():
    # REQ: EX-2
    from django.http import QueryDict

    req = documents.badge_request(QueryDict("category=vip,media&category=speaker&ids=3, 1,3"))
    assert req.layout == "a4" and req.categories == ("vip", "media", "speaker") and req.ids == (3, 1)
    assert documents.badge_request(QueryDict("guest=7")).layout == "label"
    assert documents.badge_request(QueryDict("guest=7&layout=a4")).layout == "a4"
