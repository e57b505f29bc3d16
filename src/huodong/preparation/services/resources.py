"""Requests for internal resources (IR-1): support asked of another department, and its answer.

The event's editors (``Need.EDIT``) ask a department (技术部: the on-site network; 产品部: presentation
material; 行政部: vehicles…) for *what*, *when* and name our contact person. The department must exist and
be active; the time may be neither in the past nor after the event ends. A pending request may be changed
or cancelled by the editors; a declined or confirmed one may still be cancelled (a declined request would
otherwise hold the gate of 资源协调 forever).

Every active person of that department is told (an in-app notice, in the reader's language) and answers
from their inbox (``/my/requests/``): confirm, or decline with a comment. A department's person need not
be on the event's team: ``request_answer`` checks "the actor's department is the request's department",
after locking the event row (``Need.VIEW``) and then the request row. The requester and our contact person
are told the answer. A request still pending within ``selectors.REQUEST_WARNING`` of its time is flagged.

Lock order (``core.concurrency``): the event row, then the request row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Department, User
from huodong.core.services import notify
from huodong.core.text import text_clean
from huodong.events.access import Need, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import ResourceRequest
from ..rules import PREPARATION_STEPS, preparation_event_lock
from ..selectors import REQUEST_WARNING

REQUEST_FIELDS = ("department", "what", "needed_at", "contact")
WHAT_MAX = 2000
RESPONSE_MAX = 2000
WHAT = _("内部资源协调")
ALL_STEPS: tuple[str, ...] = tuple(s.value for s in Step)


class Decision:
    CONFIRM = "confirm"
    DECLINE = "decline"
    CHOICES = (("confirm", _("确认")), ("decline", _("拒绝")))


# ---------------------------------------------------------------- reads
def requests_of(event: Event) -> QuerySet[ResourceRequest]:
    return ResourceRequest.objects.filter(event=event).select_related(
        "department", "contact", "responder", "requested_by"
    )


def request_get(*, event: Event, request_id: int) -> ResourceRequest:
    row = requests_of(event).filter(pk=request_id).first()
    if row is None:
        raise NotFound(_missing(request_id))
    return row


def inbox_requests(user: User) -> QuerySet[ResourceRequest]:
    """The requests to ``user``'s department, pending first (soonest first), then the others by time."""
    if not user.is_authenticated or user.department_id is None:
        return ResourceRequest.objects.none()
    return (
        ResourceRequest.objects.filter(department_id=user.department_id)
        .select_related("event", "department", "contact", "responder", "requested_by")
        .annotate(
            pending_first=Case(
                When(status=ResourceRequest.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "needed_at", "id")
    )


def is_flagged(row: ResourceRequest, now: dt.datetime | None = None) -> bool:
    """Still pending within ``REQUEST_WARNING`` (3 days) of the time it is needed (IR-1)."""
    now = now or timezone.now()
    return row.status == ResourceRequest.Status.PENDING and row.needed_at - now < REQUEST_WARNING


def may_answer(user: User | None, row: ResourceRequest) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.department_id is not None
        and user.department_id == row.department_id
    )


# ---------------------------------------------------------------- validation
def _missing(request_id: Any) -> Any:
    return _("内部资源协调 %(id)s 不存在。") % {"id": request_id}


def _label(row: ResourceRequest) -> Any:
    return _("内部资源协调「%(what)s」") % {"what": row.what[:30]}


def _department(value: Any, errors: dict[str, list[Any]]) -> Department | None:
    """An active department, given as itself, its id or its code; anything else is refused on the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault("department", []).append(_("请选择协作部门。"))
        return None
    dept: Department | None = None
    if isinstance(value, Department):
        dept = Department.objects.filter(pk=value.pk).first()
    elif isinstance(value, int) and not isinstance(value, bool):
        dept = Department.objects.filter(pk=value).first() if 0 < value < 2**31 else None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit() and len(text) < 10:
            dept = Department.objects.filter(pk=int(text)).first()
        else:
            dept = Department.objects.filter(code=text[:40]).first()
    if dept is None:
        errors.setdefault("department", []).append(
            _("协作部门「%(value)s」不存在;请从部门列表中选择。") % {"value": str(value)[:40]}
        )
        return None
    if not dept.is_active:
        errors.setdefault("department", []).append(
            _("协作部门「%(dept)s」已停用,不能向其提出协调请求。") % {"dept": dept.display_name}
        )
        return None
    return dept


def _contact(value: Any, errors: dict[str, list[Any]]) -> User | None:
    if value is None or value == "":
        errors.setdefault("contact", []).append(_("请指定我方联系人。"))
        return None
    if not isinstance(value, User) or not value.is_active:
        errors.setdefault("contact", []).append(_("我方联系人须为在职人员。"))
        return None
    return value


def _local(event: Event, moment: dt.datetime) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M")


def _needed_at(
    value: Any, *, event: Event, errors: dict[str, list[Any]], check_past: bool, now: dt.datetime
) -> dt.datetime | None:
    if value is None or value == "":
        errors.setdefault("needed_at", []).append(_("请填写需要时间。"))
        return None
    if not isinstance(value, dt.datetime):
        errors.setdefault("needed_at", []).append(_("需要时间须为日期和时间,如 2027-03-17 09:00。"))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, event.tz)
    if value > event.ends_at:
        errors.setdefault("needed_at", []).append(
            _("需要时间不能晚于活动结束(%(end)s)。") % {"end": _local(event, event.ends_at)}
        )
    elif check_past and value < now:
        errors.setdefault("needed_at", []).append(
            _("需要时间不能早于现在(%(now)s)。") % {"now": _local(event, now)}
        )
    return value


def _validate(
    data: dict[str, Any], *, event: Event, check_past: bool, now: dt.datetime
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean = {
        "department": _department(data.get("department"), errors),
        "what": text_clean(
            data.get("what"), field="what", label=_("需要什么"), limit=WHAT_MAX, required=True, errors=errors
        ),
        "needed_at": _needed_at(
            data.get("needed_at"), event=event, errors=errors, check_past=check_past, now=now
        ),
        "contact": _contact(data.get("contact"), errors),
    }
    return clean, errors


def _unknown(changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(
            {
                f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(REQUEST_FIELDS)}]
                for f in sorted(unknown)
            }
        )


def _row_locked(event: Event, request_id: int) -> ResourceRequest:
    row = (
        ResourceRequest.objects.select_for_update()
        .select_related("department")
        .filter(pk=request_id, event=event)
        .first()
    )
    if row is None:
        raise NotFound(_missing(request_id))
    return row


# ---------------------------------------------------------------- notices
def department_people(department: Department | int) -> list[User]:
    pk = department.pk if isinstance(department, Department) else department
    return list(User.objects.filter(department_id=pk, is_active=True).order_by("id"))


def _inbox_url() -> str:
    return reverse("preparation:requests_inbox")


def _page_url(event: Event) -> str:
    return reverse("preparation:resources", kwargs={"event_id": event.pk})


def _tell_department(*, event: Event, row: ResourceRequest, actor: User | None, message: Message) -> None:
    recipients = [p for p in department_people(row.department_id) if actor is None or p.pk != actor.pk]
    notify(
        recipients=recipients,
        kind="resource_request",
        message=message,
        url=_inbox_url(),
        event_id=event.pk,
    )


def _asked(event: Event, row: ResourceRequest) -> Message:
    return Message(
        "「%(event)s」请%(dept)s协助:%(what)s(需要时间 %(when)s)。",
        event=event.name,
        dept=row.department,
        what=row.what[:80],
        when=_local(event, row.needed_at),
    )


# ---------------------------------------------------------------- writes
@transaction.atomic
def request_add(
    *,
    actor: User | None,
    event: Event | int,
    department: Any,
    what: str,
    needed_at: Any,
    contact: User | None = None,
    system: bool = False,
    now: dt.datetime | None = None,
) -> ResourceRequest:
    """Ask ``department`` for ``what`` at ``needed_at``; ``contact`` (default: the person asking)."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    now = now or timezone.now()
    if contact is None and actor is not None:
        contact = actor
    clean, errors = _validate(
        {"department": department, "what": what, "needed_at": needed_at, "contact": contact},
        event=locked,
        check_past=True,
        now=now,
    )
    if errors:
        raise DomainError(errors)
    row = ResourceRequest.objects.create(event=locked, requested_by=actor, requested_at=now, **clean)
    audit_record(
        actor=actor,
        action="preparation.resource_request.add",
        target=row,
        event_id=locked.pk,
        summary=Message("向%(dept)s提出内部资源协调:%(what)s", dept=row.department, what=row.what[:80]),
        after=snapshot(row),
    )
    _tell_department(event=locked, row=row, actor=actor, message=_asked(locked, row))
    return row


@transaction.atomic
def request_update(
    *,
    actor: User | None,
    event: Event | int,
    request_id: int,
    seen: int | None,
    system: bool = False,
    now: dt.datetime | None = None,
    **changes: Any,
) -> ResourceRequest:
    """Change a pending request seen at revision ``seen``; a new department is told."""
    _unknown(changes)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, request_id)
    revision_require(row, seen, label=_label(row), system=system, fields=REQUEST_FIELDS)
    if row.status != ResourceRequest.Status.PENDING:
        raise DomainError(
            {
                "__all__": [
                    _("该请求已%(status)s,不能再修改;如需调整,请取消后重新提出。")
                    % {"status": row.get_status_display()}
                ]
            },
            code="wrong_status",
        )
    now = now or timezone.now()
    data = {f: getattr(row, f) for f in REQUEST_FIELDS}
    data.update(changes)
    moved = "needed_at" in changes and changes["needed_at"] != row.needed_at
    clean, errors = _validate(data, event=locked, check_past=moved, now=now)
    if errors:
        raise DomainError(errors)
    old_department = row.department_id
    written = row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="preparation.resource_request.update",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    if written:
        if row.department_id != old_department:
            message = _asked(locked, row)
        else:
            message = Message(
                "「%(event)s」修改了对%(dept)s的协调请求:%(what)s(需要时间 %(when)s)。",
                event=locked.name,
                dept=row.department,
                what=row.what[:80],
                when=_local(locked, row.needed_at),
            )
        _tell_department(event=locked, row=row, actor=actor, message=message)
    return row


@transaction.atomic
def request_cancel(
    *, actor: User | None, event: Event | int, request_id: int, seen: int | None, system: bool = False
) -> ResourceRequest:
    """Withdraw a request (pending, declined or confirmed); the department is told unless it declined."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, request_id)
    revision_require(row, seen, label=_label(row), system=system, fields=REQUEST_FIELDS)
    if row.status == ResourceRequest.Status.CANCELLED:
        raise DomainError({"__all__": [_("该请求已取消。")]}, code="wrong_status")
    was = row.status
    row_update(
        row,
        changes={"status": ResourceRequest.Status.CANCELLED},
        seen=row.revision,
        actor=actor,
        action="preparation.resource_request.cancel",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    if was != ResourceRequest.Status.DECLINED:
        _tell_department(
            event=locked,
            row=row,
            actor=actor,
            message=Message(
                "「%(event)s」已取消对%(dept)s的协调请求:%(what)s。",
                event=locked.name,
                dept=row.department,
                what=row.what[:80],
            ),
        )
    return row


@transaction.atomic
def request_answer(
    *,
    actor: User,
    request_id: int,
    decision: str,
    comment: str = "",
    seen: int | None,
) -> ResourceRequest:
    """The department's answer (IR-1): ``confirm``, or ``decline`` with a comment.

    Only a person of the request's department may answer — they need not be on the event's team. A
    department may change its answer while the request stands; a cancelled request takes no answer.
    """
    first = ResourceRequest.objects.filter(pk=request_id).values_list("event_id", flat=True).first()
    if first is None:
        raise NotFound(_missing(request_id))
    # Step 1 of the lock order: the event row, seen by anyone who may view the event; the step is checked
    # after the department, so that a person of another department is told "not yours" (403) first.
    locked = preparation_event_lock(actor=actor, event=first, what=WHAT, need=Need.VIEW, steps=ALL_STEPS)
    row = _row_locked(locked, request_id)
    if not may_answer(actor, row):
        raise NotAllowed(_("只有%(dept)s的人员可以答复此请求。") % {"dept": row.department.display_name})
    step_require(locked, PREPARATION_STEPS, WHAT)
    revision_require(row, seen, label=_label(row), fields=("status", "response"))
    if row.status == ResourceRequest.Status.CANCELLED:
        raise DomainError({"__all__": [_("该请求已被取消,无需答复。")]}, code="wrong_status")
    errors: dict[str, list[Any]] = {}
    decision = decision.strip() if isinstance(decision, str) else ""
    if decision not in (Decision.CONFIRM, Decision.DECLINE):
        errors["decision"] = [_("答复须为 confirm(确认)或 decline(拒绝)。")]
    text = text_clean(comment, field="comment", label=_("答复意见"), limit=RESPONSE_MAX, errors=errors)
    if decision == Decision.DECLINE and not text and "comment" not in errors:
        errors["comment"] = [_("拒绝时须填写答复意见,说明原因或替代方案。")]
    if errors:
        raise DomainError(errors)
    status = (
        ResourceRequest.Status.CONFIRMED if decision == Decision.CONFIRM else ResourceRequest.Status.DECLINED
    )
    status_label = ResourceRequest.Status(status).label
    row_update(
        row,
        changes={"status": status, "response": text, "responder": actor, "responded_at": timezone.now()},
        seen=row.revision,
        actor=actor,
        action="preparation.resource_request.answer",
        label=_label(row),
        event_id=locked.pk,
        summary=Message("%(dept)s答复内部资源协调:%(decision)s", dept=row.department, decision=status_label),
    )
    if text:
        message = Message(
            "%(dept)s答复了「%(event)s」的协调请求「%(what)s」:%(status)s。答复意见:%(comment)s",
            dept=row.department,
            status=status_label,
            event=locked.name,
            what=row.what[:80],
            comment=text[:200],
        )
    else:
        message = Message(
            "%(dept)s答复了「%(event)s」的协调请求「%(what)s」:%(status)s。",
            dept=row.department,
            status=status_label,
            event=locked.name,
            what=row.what[:80],
        )
    notify(
        recipients=[p for p in (row.requested_by, row.contact) if p is not None and p.pk != actor.pk],
        kind="resource_request.answered",
        message=message,
        url=_page_url(locked),
        event_id=locked.pk,
    )
    return row
