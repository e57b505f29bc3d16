"""API: the administrators' register of group robots (DESIGN.md, "Robot webhooks"), under
``/outreach/robots``; the same services as the pages (``services.robots``).

- ``GET /outreach/robots``, ``POST /outreach/robots``: the robots; add one;
- ``GET /outreach/robots/{robot_id}``, ``PATCH …``: one robot; change it (``If-Match`` or ``revision``:
  428 without, 409 when old) — ``is_active: false`` disables it;
- ``POST /outreach/robots/{robot_id}/test``: send it a test message now; answers the message as it ended.

The secret is write-only: answers say ``has_secret`` and never carry it. Administrators only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Revision, StaleErrorOut

from ..models import Robot
from ..services import robots as services

router = Router(tags=["outreach: robots"])

if TYPE_CHECKING:
    Name = str
    Token = str
    Kind = str
    Dept = str
else:
    Name = Line(services.NAME_MAX)
    Token = Line(services.TOKEN_MAX)
    Kind = Line(20)
    Dept = Line(50)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class RobotOut(Schema):
    id: int
    revision: int
    kind: str
    kind_label: str
    name: str
    department: str | None = Field(None, description="部门代码")
    token_hint: str = Field(..., description="Key/Token 的首尾 4 位(完整的只写不读,如同签名密钥)")
    has_secret: bool
    is_active: bool


class RobotIn(Schema):
    kind: Kind = Field(..., description="wecom(企业微信)、dingtalk(钉钉)、feishu(飞书)")
    name: Name
    department: Dept | None = Field(None, description="部门代码")
    token: Token = Field(..., description="key / access_token / hook token")
    secret: Token = Field("", description="签名密钥(钉钉、飞书);只写,不会返回")
    is_active: bool = True


class RobotPatch(Schema):
    revision: Revision | None = None
    kind: Kind | None = None
    name: Name | None = None
    department: Dept | None = None
    token: Token | None = None
    secret: Token | None = Field(None, description="新的签名密钥;只写")
    clear_secret: bool = False
    is_active: bool | None = None


class TestOut(Schema):
    message_id: int
    status: str
    status_label: str
    last_error: str
    sent_at: dt.datetime | None = None


def token_hint(token: str) -> str:
    """Enough of a robot's key to tell robots apart, not enough to post to its group."""
    return f"{token[:4]}…{token[-4:]}" if len(token) > 12 else "…"


def _out(r: Robot) -> dict[str, Any]:
    return {
        "id": r.pk,
        "revision": r.revision,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "name": r.name,
        "department": r.department.code if r.department else None,
        "token_hint": token_hint(r.token),
        "has_secret": bool(r.secret),
        "is_active": r.is_active,
    }


def _admin(request: HttpRequest) -> Any:
    who = actor(request)
    services._require_admin(who)
    return who


@router.get("/outreach/robots", response={200: list[RobotOut], **READ}, summary="群机器人(管理员)")
def list_robots(request: HttpRequest):  # noqa: ANN201
    _admin(request)
    return [_out(r) for r in services.robots_all()]


@router.post("/outreach/robots", response={201: RobotOut, **WRITE}, summary="添加群机器人")
def add_robot(request: HttpRequest, response: HttpResponse, payload: RobotIn):  # noqa: ANN201
    robot = services.robot_add(actor=_admin(request), **payload.dict())
    response["ETag"] = etag(robot)
    return Status(201, _out(services.robot_get(robot.pk)))


@router.get("/outreach/robots/{robot_id}", response={200: RobotOut, **READ}, summary="一个群机器人")
def get_robot(request: HttpRequest, response: HttpResponse, robot_id: Id):  # noqa: ANN201
    _admin(request)
    robot = services.robot_get(robot_id)
    response["ETag"] = etag(robot)
    return _out(robot)


@router.patch("/outreach/robots/{robot_id}", response={200: RobotOut, **EDIT}, summary="修改或停用群机器人")
def patch_robot(request: HttpRequest, response: HttpResponse, robot_id: Id, payload: RobotPatch):  # noqa: ANN201
    who = _admin(request)
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "department"}
    robot = retry_on_conflict(services.robot_update)(
        actor=who, robot_id=robot_id, seen=seen_revision(request, payload.revision), **changes
    )
    response["ETag"] = etag(robot)
    return _out(services.robot_get(robot.pk))


@router.post("/outreach/robots/{robot_id}/test", response={200: TestOut, **READ}, summary="发送测试消息")
def test_robot(request: HttpRequest, robot_id: Id):  # noqa: ANN201
    message = services.robot_test(actor=_admin(request), robot_id=robot_id)
    return {
        "message_id": message.pk,
        "status": message.status,
        "status_label": str(message.get_status_display()),
        "last_error": message.last_error,
        "sent_at": message.sent_at,
    }
