"""API: the scanner's operations (EX-2), the same services as the scanner page.

- ``GET /events/{event_id}/checkin/pack``: the offline pack — public key, gates, kit, the doors' hours and
  the guest list with masked phones — so a scanner keeps working without the network.
- ``POST /events/{event_id}/checkin/scan``: check one guest in now, by ticket token (QR), ticket code,
  or guest id (found by name or phone, paper sign-in). Every answer at the door is 200 with ``result``
  (accepted, duplicate, refused) and ``reason``; bad input (an unknown method, kit item, gate or another
  event's device) is 400 naming the field.
- ``POST /events/{event_id}/checkin/sync``: a batch of offline scans (at most 20,000), applied in the
  order they happened; an answer per entry and the conflicts found (the same guest at two devices).
- ``POST /events/{event_id}/checkin/devices``: say which gate this device is.

The event's check-in staff, supervisors and editors (``Need.CHECKIN``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from huodong.core.errors import DomainError
from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id, Line
from huodong.events.access import Need, event_for

from .. import selectors
from ..models import Device, Method
from ..services import redeem

router = Router(tags=["checkin: scanner"])

if TYPE_CHECKING:
    Token = str
    Code = str
    ClientId = str
    Note = str
    KitCode = str
else:
    Token = Line(300)
    Code = Line(20)
    ClientId = Line(redeem.CLIENT_ID_MAX)
    Note = Line(200)
    KitCode = Line(40)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
GuestId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class GatePackOut(Schema):
    id: int
    name: str
    name_en: str
    is_vip: bool


class KitOut(Schema):
    code: str
    label: str


class PackGuestOut(Schema):
    id: int
    name: str
    pinyin: str
    company: str
    title: str
    category: str
    category_label: str = Field(..., description="类别的名称(按请求的语言)")
    phone: str = Field(..., description="打码后的手机号(138****5678)")
    tail: str = Field(..., description="手机号后四位,用于查找")
    status: str
    code: str = Field(..., description="票号;无票为空")
    version: int | None = Field(None, description="有效电子票的版本;无票或已作废为 null")
    checked_in_at: dt.datetime | None = None
    checked_in_gate: str = ""


class PackOut(Schema):
    event_id: int
    event_name: str
    time_zone: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    key_id: int
    public_key: str = Field(..., description="Ed25519 公钥,base64url 无填充;离线验签用")
    gates: list[GatePackOut]
    kit: list[KitOut]
    guests: list[PackGuestOut]
    generated_at: dt.datetime


class ScanIn(Schema):
    token: Token = Field("", description="电子票二维码内容(HD1.…)")
    code: Code = Field("", description="8 位票号")
    guest_id: GuestId | None = Field(None, description="按姓名或手机号找到的嘉宾(查找签到、纸质签到)")
    method: str = Field(Method.QR, description="qr、code、search、paper、walkin")
    device: uuid.UUID | None = Field(None, description="本设备的标识(扫码页生成并保存)")
    gate_id: Id | None = Field(None, description="签到口;不填则用设备登记的签到口")
    kit: list[KitCode] = Field(default_factory=list, max_length=20, description="已发放的物料代码")
    client_id: ClientId = Field("", description="扫码页为此次扫描生成的编号;重发时只记一次")
    note: Note = ""


class PreviousOut(Schema):
    at: dt.datetime
    gate: str
    staff: str


class GuestAtDoorOut(Schema):
    id: int
    name: str
    company: str
    title: str
    category: str
    category_label: str
    phone: str = Field(..., description="打码后的手机号")


class ScanOut(Schema):
    result: str = Field(..., description="accepted、duplicate、refused(离线批次中还有 invalid、repeated)")
    reason: str = Field(
        "",
        description="malformed、forged、other_event、superseded、unknown、cancelled、not_registered、not_open、closed、duplicate",
    )
    message: str
    client_id: str = ""
    scan_id: int | None = None
    guest: GuestAtDoorOut | None = None
    previous: PreviousOut | None = None
    kit: list[str] = Field(default_factory=list)


class SyncEntryIn(Schema):
    client_id: ClientId
    scanned_at: dt.datetime = Field(..., description="设备上的扫描时间(带时区)")
    token: Token = ""
    code: Code = ""
    guest_id: GuestId | None = None
    method: str = Method.QR
    gate_id: Id | None = None
    kit: list[KitCode] = Field(default_factory=list, max_length=20)
    note: Note = ""


class SyncIn(Schema):
    device: uuid.UUID
    scans: list[SyncEntryIn] = Field(..., max_length=redeem.BATCH_MAX)


class ConflictOut(Schema):
    guest_id: int
    guest: str
    kept_gate: str
    kept_at: dt.datetime
    other_gate: str
    other_at: dt.datetime


class SyncOut(Schema):
    accepted: int
    duplicate: int
    refused: int
    invalid: int
    results: list[ScanOut]
    conflicts: list[ConflictOut]


class DeviceIn(Schema):
    device: uuid.UUID
    gate_id: Id | None = None
    label: Note = ""


class DeviceOut(Schema):
    device: uuid.UUID
    gate_id: int | None
    gate: str
    label: str


def outcome_out(outcome: redeem.Outcome) -> dict[str, Any]:
    from huodong.outreach import contact

    g = outcome.guest
    prev = outcome.previous
    return {
        "result": outcome.result,
        "reason": outcome.reason,
        "message": outcome.message,
        "client_id": outcome.client_id or (outcome.scan.client_id if outcome.scan is not None else ""),
        "scan_id": outcome.scan.pk if outcome.scan is not None else None,
        "guest": {
            "id": g.pk,
            "name": g.name,
            "company": g.company,
            "title": g.title,
            "category": g.category,
            "category_label": selectors.category_label(g.category),
            "phone": contact.mask_phone(g.phone) if g.phone else "",
        }
        if g is not None
        else None,
        "previous": {
            "at": prev.scanned_at,
            "gate": redeem.gate_label(prev.gate),
            "staff": str(prev.staff) if prev.staff_id else "",
        }
        if prev is not None
        else None,
        "kit": list(outcome.scan.kit) if outcome.scan is not None and outcome.ok else [],
    }


def answer(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """The scan's answer rendered as it is (``ScanOut``, as the schema documents it and schemathesis
    holds it to): validating the dict just built again cost a tenth of a scan at the door."""
    from huodong.api.urls import api

    return api.create_response(request, data, status=200)


@router.get("/events/{event_id}/checkin/pack", response={200: PackOut, **READ})
def get_pack(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.CHECKIN)
    return selectors.offline_pack(event)


@router.post("/events/{event_id}/checkin/scan", response={200: ScanOut, **READ})
def post_scan(request: HttpRequest, event_id: Id, payload: ScanIn):  # noqa: ANN201
    outcome = redeem.scan(
        actor=actor(request),
        event=event_id,
        token=payload.token,
        code=payload.code,
        guest_id=payload.guest_id,
        method=payload.method,
        device=payload.device,
        gate_id=payload.gate_id,
        kit=payload.kit,
        client_id=payload.client_id,
        note=payload.note,
    )
    return answer(request, outcome_out(outcome))


@router.post("/events/{event_id}/checkin/sync", response={200: SyncOut, **READ})
def post_sync(request: HttpRequest, event_id: Id, payload: SyncIn):  # noqa: ANN201
    entries = [entry.dict() for entry in payload.scans]
    report = redeem.sync(actor=actor(request), event=event_id, device=payload.device, entries=entries)
    return answer(
        request,
        {
            "accepted": report.count("accepted"),
            "duplicate": report.count("duplicate"),
            "refused": report.count("refused"),
            "invalid": report.count(redeem.INVALID) + report.count(redeem.REPEATED),
            "results": [outcome_out(o) for o in report.outcomes],
            "conflicts": [
                {
                    "guest_id": c.guest_id,
                    "guest": c.kept.guest.name if c.kept.guest is not None else "",
                    "kept_gate": redeem.gate_label(c.kept.gate),
                    "kept_at": c.kept.scanned_at,
                    "other_gate": redeem.gate_label(c.other.gate),
                    "other_at": c.other.scanned_at,
                }
                for c in report.conflicts
            ],
        },
    )


@router.post("/events/{event_id}/checkin/devices", response={200: DeviceOut, **READ})
def post_device(request: HttpRequest, event_id: Id, payload: DeviceIn):  # noqa: ANN201
    from ..services import devices

    device: Device = devices.device_set(
        actor=actor(request), event=event_id, key=payload.device, gate_id=payload.gate_id, label=payload.label
    )
    return {
        "device": device.key,
        "gate_id": device.gate_id,
        "gate": redeem.gate_label(device.gate),
        "label": device.label,
    }


__all__ = ["DomainError", "router"]
