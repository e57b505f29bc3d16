"""Permission rows of the vendor area of preparation (VD-1, VD-2): the register (organisers and administrators
change it, everyone signed in reads it), the weights (administrators), the event's vendor needs, quotes,
comparison, choice, the approvers' exception, the contract and the rating, and their API.

The world's event is at 审批定稿, so every per-event write of an allowed persona is refused for the step
(400), which is past access. Records are made with the ORM: a vendor with a qualification, a need on a budget
line with a quote (and its attachment), and a second need contracted with a signed file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.preparation.models import (
    Contract,
    Quote,
    QuoteAttachment,
    Vendor,
    VendorNeed,
    VendorQualification,
)
from tests.permission_rows import ADMIN, APPROVERS, CREATORS, EDIT, EVERYONE, Row

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
EXCEPTION = APPROVERS | ADMIN


def _pdf(name: str = "quote.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    vendor = Vendor.objects.create(name="矩阵舞美", categories=["stage"])
    other = Vendor.objects.create(name="矩阵灯光", categories=["av"])
    qualification = VendorQualification.objects.create(
        vendor=vendor, name="营业执照", expires_on=dt.date(2030, 1, 1)
    )
    line = event.plan.budget_lines.first()
    need = VendorNeed.objects.create(
        event=event, title="主舞台", category="stage", budget_line=line, position=1
    )
    quote = Quote.objects.create(need=need, vendor=vendor, amount=Decimal("1000.00"))
    attachment = QuoteAttachment(quote=quote, event=event, original_name="quote.pdf", size=len(PDF))
    attachment.file.save("quote.pdf", ContentFile(PDF), save=True)
    signed = VendorNeed.objects.create(event=event, title="灯光", category="av", position=2)
    chosen = Quote.objects.create(need=signed, vendor=other, amount=Decimal("500.00"))
    VendorNeed.objects.filter(pk=signed.pk).update(
        status=VendorNeed.Status.CONTRACTED, chosen_quote=chosen, choice_reason="唯一"
    )
    contract = Contract(
        need=signed,
        event=event,
        vendor=other,
        service_content="灯光",
        delivery_at=event.starts_at,
        liability="违约金",
        amount=Decimal("500.00"),
        signed_file_name="signed.pdf",
    )
    contract.signed_file.save("signed.pdf", ContentFile(PDF), save=True)
    return {
        "vendor_id": vendor.pk,
        "qualification_id": qualification.pk,
        "need_id": need.pk,
        "signed_need_id": signed.pk,
        "quote_id": quote.pk,
        "quote_attachment_id": attachment.pk,
        "contract_id": contract.pk,
    }


_SIGNED = {"need_id": "signed_need_id"}
PAGES: dict[str, Row] = {
    "preparation:vendors": Row(EVERYONE),
    "preparation:vendor_add": Row(CREATORS, data={"v-name": "新供应商", "v-categories": ["av"]}),
    "preparation:weights": Row(ADMIN),
    "preparation:vendor_detail": Row(EVERYONE),
    "preparation:vendor_edit": Row(
        CREATORS, data={"name": "矩阵舞美", "categories": ["stage"], "note": "改"}, revision_of="vendor_id"
    ),
    "preparation:qualification_add": Row(CREATORS, data={"q-name": "消防资质"}),
    "preparation:qualification_delete": Row(CREATORS, data={}, revision_of="qualification_id"),
    "preparation:vendor_needs": Row(EVERYONE),
    "preparation:vendor_need_add": Row(EDIT, data={"n-title": "礼品", "n-category": "gifts"}),
    "preparation:vendor_need": Row(EVERYONE),
    "preparation:vendor_need_edit": Row(
        EDIT, data={"title": "舞台", "category": "stage"}, revision_of="need_id"
    ),
    "preparation:vendor_need_cancel": Row(EDIT, data={}, revision_of="need_id"),
    "preparation:quote_add": Row(EDIT, data=lambda w: {"qt-vendor": w.ids["vendor_id"], "qt-amount": "10"}),
    "preparation:vendor_comparison": Row(EVERYONE),
    "preparation:vendor_choose": Row(
        EDIT, data=lambda w: {"ch-quote": w.ids["quote_id"], "ch-reason": "最优", "ch-revision": "1"}
    ),
    "preparation:vendor_exception": Row(EXCEPTION, data={"ex-reason": "独家", "ex-revision": "1"}),
    "preparation:contract_record": Row(
        EDIT,
        data={
            "ct-revision": "1",
            "ct-service_content": "舞台",
            "ct-delivery_at": "2027-03-17T18:00",
            "ct-liability": "违约金",
            "ct-amount": "1000",
        },
    ),
    "preparation:contract_file": Row(
        EDIT, data=lambda w: {"cf-revision": "1", "cf-signed_file": _pdf()}, kwargs=_SIGNED
    ),
    "preparation:contract_download": Row(EVERYONE, kwargs=_SIGNED),
    "preparation:vendor_rate": Row(EDIT, data={"rt-score": "5"}, kwargs=_SIGNED),
    "preparation:quote_edit": Row(
        EDIT, data=lambda w: {"vendor": w.ids["vendor_id"], "amount": "20"}, revision_of="quote_id"
    ),
    "preparation:quote_delete": Row(EDIT, data={}, revision_of="quote_id"),
    "preparation:quote_attachment_add": Row(EDIT, data=lambda w: {"att-file": _pdf()}),
    "preparation:quote_attachment_download": Row(EVERYONE),
    "preparation:quote_attachment_delete": Row(EDIT, data={}, revision_of="quote_attachment_id"),
}

_E = "/api/events/{event_id}"
_N = _E + "/vendor-needs/{need_id}"
_WEIGHTS = {"qualification": 25, "price": 40, "cases": 20, "delivery": 15, "min_quotes": 3, "revision": 1}
_CONTRACT = {
    "service_content": "舞台",
    "delivery_at": "2027-03-17T18:00:00",
    "liability": "违约金",
    "amount": "10",
}
API: dict[str, Row] = {
    "GET /api/vendors": Row(EVERYONE),
    "POST /api/vendors": Row(CREATORS, data={"name": "新供应商", "categories": ["av"]}),
    "GET /api/vendors/{vendor_id}": Row(EVERYONE),
    "PATCH /api/vendors/{vendor_id}": Row(CREATORS, data={"note": "改"}, revision_of="vendor_id"),
    "POST /api/vendors/{vendor_id}/qualifications": Row(CREATORS, data={"name": "消防资质"}),
    "PATCH /api/vendors/{vendor_id}/qualifications/{qualification_id}": Row(
        CREATORS, data={"number": "B-2"}, revision_of="qualification_id"
    ),
    "DELETE /api/vendors/{vendor_id}/qualifications/{qualification_id}": Row(
        CREATORS, revision_of="qualification_id"
    ),
    "GET /api/vendor-weights": Row(EVERYONE),
    "PUT /api/vendor-weights": Row(ADMIN, data=_WEIGHTS),
    f"GET {_E}/vendor-needs": Row(EVERYONE),
    f"POST {_E}/vendor-needs": Row(EDIT, data={"title": "礼品", "category": "gifts"}),
    f"GET {_N}": Row(EVERYONE),
    f"PATCH {_N}": Row(EDIT, data={"description": "改"}, revision_of="need_id"),
    f"POST {_N}/cancel": Row(EDIT, data={}, revision_of="need_id"),
    f"POST {_N}/quotes": Row(EDIT, data=lambda w: {"vendor": w.ids["vendor_id"], "amount": "10"}),
    f"PATCH {_E}/quotes/{{quote_id}}": Row(EDIT, data={"amount": "20"}, revision_of="quote_id"),
    f"DELETE {_E}/quotes/{{quote_id}}": Row(EDIT, revision_of="quote_id"),
    f"POST {_E}/quotes/{{quote_id}}/attachments": Row(EDIT, data=lambda w: {"file": _pdf()}),
    f"GET {_E}/quote-attachments/{{quote_attachment_id}}/download": Row(EVERYONE),
    f"DELETE {_E}/quote-attachments/{{quote_attachment_id}}": Row(EDIT, revision_of="quote_attachment_id"),
    f"GET {_N}/comparison": Row(EVERYONE),
    f"POST {_N}/choose": Row(
        EDIT, data=lambda w: {"quote": w.ids["quote_id"], "reason": "最优"}, revision_of="need_id"
    ),
    f"POST {_N}/exception": Row(EXCEPTION, data={"reason": "独家"}, revision_of="need_id"),
    f"POST {_N}/contract": Row(EDIT, data=_CONTRACT, revision_of="need_id"),
    f"GET {_N}/contract": Row(EVERYONE, kwargs=_SIGNED),
    f"PATCH {_N}/contract": Row(EDIT, data={"amount": "1"}, kwargs=_SIGNED, revision_of="contract_id"),
    f"POST {_N}/contract/file": Row(EDIT, data=lambda w: {"signed_file": _pdf()}, kwargs=_SIGNED),
    f"POST {_N}/rating": Row(EDIT, data={"score": 4}, kwargs=_SIGNED),
}

REVISIONS: dict[str, Any] = {
    "vendor_id": Vendor,
    "qualification_id": VendorQualification,
    "need_id": VendorNeed,
    "quote_id": Quote,
    "quote_attachment_id": QuoteAttachment,
    "contract_id": Contract,
}
URL_KEYS = [
    ["vendor_id"],
    ["vendor_id", "qualification_id"],
    ["event_id", "need_id"],
    ["event_id", "quote_id"],
    ["event_id", "quote_attachment_id"],
]
