"""The administrators' register of internal group robots (DESIGN.md, "Robot webhooks"; NT-1): add, edit,
disable a robot (企业微信, 钉钉, 飞书: name, department, key/token, signing secret) and send it a test
message. The secret is never read back (pages and the API show only whether one is set); an edit that
leaves it empty keeps it, ``clear_secret`` removes it.

A robot is not an event's record: its row is locked alone (``core.concurrency``), and only administrators
write it. A test message is an outbox row like any other (``channel="robot"``, no event), delivered at once
through ``delivery.deliver_now`` so the administrator sees the provider's answer.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_bump, revision_require
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Department, User

from ..models import Message, MessageKind, Robot
from .outbox import enqueue

NAME_MAX = 100
TOKEN_MAX = 200
SECRET_MAX = 200
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-.~:=+/]+$")
FIELDS = ("name", "kind", "department", "token", "secret", "is_active")
WHAT = _("群机器人")


def _require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise NotAllowed(_("只有管理员可以管理群机器人。"))


def robots_all() -> list[Robot]:
    return list(Robot.objects.select_related("department").order_by("-is_active", "kind", "name", "id"))


def robot_get(robot_id: int) -> Robot:
    row = Robot.objects.select_related("department").filter(pk=robot_id).first()
    if row is None:
        raise NotFound(_("群机器人 %(id)s 不存在。") % {"id": robot_id})
    return row


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("请填写名称,如「销售部钉钉群」。")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("名称最多 %(n)s 个字符。") % {"n": NAME_MAX}]
        out["name"] = name
    if "kind" in data or not partial:
        kind = str(data.get("kind") or "")
        if kind not in Robot.Kind.values:
            errors["kind"] = [_("类型须为:wecom(企业微信)、dingtalk(钉钉)或 feishu(飞书)。")]
        out["kind"] = kind
    if "token" in data or not partial:
        token = str(data.get("token") or "").strip()
        if not token:
            errors["token"] = [_("请填写机器人的 Key 或 Token(webhook 地址中的那一段)。")]
        elif len(token) > TOKEN_MAX or not TOKEN_RE.match(token):
            errors["token"] = [_("Key / Token 只能包含字母、数字和 - _ . ~ : = + /,最多 200 个字符。")]
        out["token"] = token
    if "secret" in data and data["secret"]:
        secret = str(data["secret"]).strip()
        if len(secret) > SECRET_MAX or not TOKEN_RE.match(secret):
            errors["secret"] = [_("签名密钥只能包含字母、数字和 - _ . ~ : = + /,最多 200 个字符。")]
        out["secret"] = secret
    if data.get("clear_secret"):
        out["secret"] = ""
    if "department" in data:
        dept = data["department"]
        if dept in (None, ""):
            out["department"] = None
        elif isinstance(dept, Department):
            out["department"] = dept
        else:
            found = Department.objects.filter(pk=dept).first() if str(dept).isdigit() else None
            found = found or Department.objects.filter(code=str(dept)).first()
            if found is None:
                errors["department"] = [_("未知的部门「%(d)s」。") % {"d": dept}]
            out["department"] = found
    if "is_active" in data and data["is_active"] is not None:
        out["is_active"] = bool(data["is_active"])
    if errors:
        raise DomainError(errors)
    return out


def _audit_view(robot: Robot) -> dict[str, Any]:
    return {
        "name": robot.name,
        "kind": robot.kind,
        "department": robot.department_id,
        "token": f"…{robot.token[-4:]}" if robot.token else "",
        "secret": bool(robot.secret),
        "is_active": robot.is_active,
    }


def robot_add(*, actor: User | None, **data: Any) -> Robot:
    _require_admin(actor)
    values = _clean(data, partial=False)
    with transaction.atomic():
        robot = Robot.objects.create(**values)
        audit_record(actor=actor, action="outreach.robot_add", target=robot, after=_audit_view(robot))
    return robot


def robot_update(*, actor: User | None, robot_id: int, seen: int | None, **data: Any) -> Robot:
    """Change a robot (the fields given); an empty ``secret`` keeps the one set, ``clear_secret`` drops it."""
    _require_admin(actor)
    values = _clean(data, partial=True)
    with transaction.atomic():
        robot = Robot.objects.select_for_update().filter(pk=robot_id).first()
        if robot is None:
            raise NotFound(_("群机器人 %(id)s 不存在。") % {"id": robot_id})
        revision_require(robot, seen, label=WHAT, fields=[f for f in values if f != "secret"])
        before = _audit_view(robot)
        changed = [k for k, v in values.items() if getattr(robot, k) != v]
        if changed:
            for k in changed:
                setattr(robot, k, values[k])
            robot.save(update_fields=changed)
            revision_bump(robot)
            audit_record(
                actor=actor,
                action="outreach.robot_update",
                target=robot,
                before=before,
                after=_audit_view(robot),
            )
    robot.refresh_from_db()
    return robot


def robot_test(*, actor: User | None, robot_id: int) -> Message:
    """Send the robot a test message now, through the outbox; returns the message as it ended (sent, or
    retry/dead with the provider's words)."""
    from ..delivery import deliver_now

    _require_admin(actor)
    robot = robot_get(robot_id)
    if not robot.is_active:
        raise DomainError({"__all__": [_("该机器人已停用,请先启用再发送测试消息。")]})
    now = timezone.now()
    message, _created = enqueue(
        Message(
            robot=robot,
            channel="robot",
            kind=MessageKind.UPDATE,
            purpose=Message.Purpose.INTERNAL,
            recipient=robot.name[:254],
            subject="huodong 测试消息",
            body=f"### huodong 测试消息\n机器人「{robot.name}」已接入活动管理平台。\n> {timezone.localtime(now):%Y-%m-%d %H:%M:%S}",
            due_at=now,
            idempotency_key=f"robot-test:{robot.pk}:{now.timestamp():.6f}",
            created_by=actor,
        )
    )
    deliver_now([message.pk])
    message.refresh_from_db()
    audit_record(actor=actor, action="outreach.robot_test", target=robot, summary=message.status)
    return message
