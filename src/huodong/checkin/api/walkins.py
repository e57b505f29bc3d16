"""API: walk-ins (issue 10 point 3), the same service as the walk-in page.

- ``POST /events/{event_id}/checkin/walkins``: register a guest without a registration at the door (the
  PIPL consents of the event's registration notice: ``consents.operation`` required) and check them in at
  once. A phone already on the event's list is that guest (``created: false``). The check-in's answer is in
  ``result``/``message`` as for a scan; ``over_capacity`` says the registration was full. Bad input (a
  phone that is not one, the operation consent missing, the doors closed) is 400 naming the field.

The event's check-in staff, supervisors and editors (``Need.CHECKIN``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import retry_on_conflict
from huodong.core.http import actor
from huodong.core.middleware import client_address
from huodong.core.schemas import ErrorOut, Id, Line
from huodong.outreach.services.registration import COMPANY_MAX, NAME_MAX, TITLE_MAX

from ..services import walkins as services

router = Router(tags=["checkin: walk-ins"])

if TYPE_CHECKING:
    Name = str
    Phone = str
    Email = str
    Company = str
    Title = str
    Short = str
    DeviceKey = str
else:
    Name = Line(NAME_MAX)
    Phone = Line(40)
    Email = Line(254)
    Company = Line(COMPANY_MAX)
    Title = Line(TITLE_MAX)
    Short = Line(40)
    DeviceKey = Line(64)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class WalkinConsentsIn(Schema):
    operation: bool = Field(False, description="为举办本次活动处理个人信息(必须同意)")
    marketing: bool = False
    cohost: bool = Field(False, description="与联合主办方共享(仅当活动有联合主办方时询问)")


class WalkinIn(Schema):
    name: Name
    phone: Phone = Field(..., description="手机号;已在名单中的嘉宾按手机号找到,不重复登记")
    email: Email = ""
    company: Company = ""
    title: Title = ""
    category: Short = Field("", description="customer、vip、media、speaker、partner、employee;默认 customer")
    consents: WalkinConsentsIn = Field(
        default_factory=lambda: WalkinConsentsIn(operation=False, marketing=False, cohost=False)
    )
    language: Short = Field("", description="zh-hans 或 en;默认为请求的语言")
    device: DeviceKey = Field("", description="扫码设备的 UUID(可选)")
    gate_id: Id | None = None
    kit: list[Short] = Field(default_factory=list, max_length=20, description="已发放物料的代码")


class WalkinOut(Schema):
    guest_id: int
    name: str
    created: bool = Field(..., description="新登记的嘉宾;false 表示按手机号或邮箱找到已有嘉宾")
    result: str
    reason: str
    message: str
    scan_id: int | None = None
    over_capacity: bool = Field(..., description="报名名额已满,此现场登记超出上限")


@router.post(
    "/events/{event_id}/checkin/walkins", response={201: WalkinOut, **READ}, summary="现场登记并签到"
)
def post_walkin(request: HttpRequest, event_id: Id, payload: WalkinIn):  # noqa: ANN201
    data = payload.dict()
    result = retry_on_conflict(services.walkin)(
        actor=actor(request),
        event=event_id,
        name=data["name"],
        phone=data["phone"],
        email=data["email"],
        company=data["company"],
        title=data["title"],
        category=data["category"],
        consents=data["consents"],
        language=data["language"] or get_language() or "zh-hans",
        device=data["device"] or None,
        gate_id=data["gate_id"],
        kit=data["kit"],
        address=client_address(request),
    )
    outcome = result.outcome
    return Status(
        201,
        {
            "guest_id": result.guest.pk,
            "name": result.guest.name,
            "created": result.created,
            "result": outcome.result,
            "reason": outcome.reason,
            "message": outcome.message,
            "scan_id": outcome.scan.pk if outcome.scan else None,
            "over_capacity": result.over_capacity,
        },
    )
