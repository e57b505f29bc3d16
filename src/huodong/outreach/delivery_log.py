"""The delivery log (issue 9, point 4): reads of the outbox per event and per guest, for the event's tab
消息, a guest's page and the API. Nothing here writes.

- ``event_messages(event, status=, channel=, kind=, q=)``: the event's messages, newest due first, filtered
  (``q`` searches the recipient and the subject);
- ``status_counts(event)``: how many messages are in each status (every status, zero included);
- ``attention(event)``: the dead letters and the messages in doubt, which wait for a person;
- ``message_get(event, message_id)``: one message with its attempts (404 when not the event's);
- ``guest_log(guest)``: a guest's messages with ``attempt_log`` prefetched, each with ``recipient_masked``
  (``_message_log.html`` shows the masked form to whoever may not see contact data).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import NotFound
from huodong.events.models import Event

from .contact import mask_email, mask_phone
from .models import Channel, DeliveryAttempt, Guest, Message, MessageKind

S = Message.Status
ATTENTION = (S.DEAD, S.IN_DOUBT)
Q_MAX = 100


def _with_attempts(qs: QuerySet[Message]) -> QuerySet[Message]:
    return qs.prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("-at", "-id"))
    )


def masked(message: Message) -> str:
    if message.channel == Channel.EMAIL:
        return mask_email(message.recipient)
    if message.channel == Channel.SMS:
        return mask_phone(message.recipient)
    if message.channel == Channel.WECHAT:
        return message.recipient[:4] + "…" if message.recipient else ""
    return message.recipient


def filter_problems(
    *, status: str = "", channel: str = "", kind: str = "", q: str = ""
) -> dict[str, list[Any]]:
    """The filters that are not one of the allowed values, by field (for a 400 naming the field)."""
    errors: dict[str, list[Any]] = {}
    if status and status not in S.values:
        errors["status"] = [
            _("未知的状态「%(v)s」。可选:%(all)s。") % {"v": status, "all": "、".join(S.values)}
        ]
    if channel and channel not in Channel.values:
        errors["channel"] = [
            _("未知的渠道「%(v)s」。可选:%(all)s。") % {"v": channel, "all": "、".join(Channel.values)}
        ]
    if kind and kind not in MessageKind.values:
        errors["kind"] = [
            _("未知的消息类别「%(v)s」。可选:%(all)s。") % {"v": kind, "all": "、".join(MessageKind.values)}
        ]
    if len(q) > Q_MAX:
        errors["q"] = [_("搜索词最多 %(n)s 个字符。") % {"n": Q_MAX}]
    return errors


def event_messages(
    event: Event | int, *, status: str = "", channel: str = "", kind: str = "", q: str = ""
) -> QuerySet[Message]:
    qs = Message.objects.filter(event=event).select_related("guest", "robot")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(recipient__icontains=q) | Q(subject__icontains=q) | Q(guest__name__icontains=q))
    return qs.order_by("-due_at", "-id")


def status_counts(event: Event | int) -> list[dict[str, Any]]:
    found = dict(
        Message.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [{"code": code, "label": label, "n": found.get(code, 0)} for code, label in S.choices]


def attention(event: Event | int) -> list[Message]:
    return list(
        _with_attempts(
            Message.objects.filter(event=event, status__in=ATTENTION).select_related("guest", "robot")
        ).order_by("status", "-due_at", "-id")
    )


def message_get(event: Event | int, message_id: int) -> Message:
    row = _with_attempts(
        Message.objects.filter(event=event, pk=message_id).select_related("guest", "robot", "event")
    ).first()
    if row is None:
        raise NotFound(_("消息 %(id)s 不存在。") % {"id": message_id})
    return row


def guest_log(guest: Guest) -> list[Message]:
    """The guest's messages, newest due first, with their attempts (``_message_log.html``)."""
    rows = list(_with_attempts(Message.objects.filter(guest=guest)).order_by("-due_at", "-id"))
    for row in rows:
        row.recipient_masked = masked(row)  # type: ignore[attr-defined]
    return rows


def robot_log(robot_id: int, limit: int = 20) -> list[Message]:
    return list(Message.objects.filter(robot_id=robot_id).order_by("-created_at", "-id")[:limit])
