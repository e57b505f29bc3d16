"""《活动协作函》 to each collaborating department, a week before the event (NT-1).

The collaborating departments of an event are the departments of the people with a task in its RACI
matrix (``preparation``: ``Task``, ``TaskAssignment`` R/A/C/I, the person's department) and the
departments with a guest quota (``DepartmentQuota``). Each one's letter (``letter_content``) gives the
event's time and place, the department's tasks (title, due time, its people and their letters), its quota,
the contact person (the quota's contact, else the department's R person) and the organiser.

- ``letters_prepare``: one ``CollaborationLetter`` row per collaborating department (contact kept current).
- ``letters_queue``: for each letter, an e-mail to the contact and a markdown message to each active robot
  of the department (purpose internal), due at the event's start plus the schedule's offset (T-7 days by
  default; now when that moment has passed) and following the event when it moves. Idempotency keys per
  letter, channel and recipient: queueing again refreshes what waits and sends nothing twice.
- ``letter_state``: the letter's delivery state from its messages (sent / waiting / dead / in doubt).
- ``letter_failure_acknowledge``: the organiser accepts a failed delivery with a reason (the gate of
  通知发布 then counts it).

Lock order: the event (``outreach_event_lock``), then letters by id, then messages by id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as AuditMessage
from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_bump, revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Department, User
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.preparation.models import Raci, Task, TaskAssignment

from ..models import Channel, CollaborationLetter, DepartmentQuota, Message, MessageKind, Robot
from ..rules import outreach_event_lock
from . import messaging
from .messaging import EN, ZH
from .outbox import WAITING, enqueue
from .schedule import LETTER_CHANNELS, LETTER_OFFSET_MINUTES, schedule_row

REASON_MAX = 500
RACI_ORDER = "RACI"
WHAT = _("活动协作函")

# The delivery states of a letter (its messages' states), with what they say on the page.
SENT, WAITING_STATE, DEAD, IN_DOUBT, UNREACHABLE, NOT_QUEUED = (
    "sent",
    "waiting",
    "dead",
    "in_doubt",
    "unreachable",
    "not_queued",
)
STATE_LABELS = {
    SENT: _("已送达"),
    WAITING_STATE: _("等待发送"),
    DEAD: _("发送失败"),
    IN_DOUBT: _("待确认"),
    UNREACHABLE: _("无可用渠道"),
    NOT_QUEUED: _("未发送"),
}
FAILED_STATES = (DEAD, IN_DOUBT, UNREACHABLE)


# ---------------------------------------------------------------- the content of a letter
@dataclass
class TaskLine:
    task: Task
    people: list[tuple[User, str]]  # the department's people on the task, with their RACI letter


@dataclass
class LetterContent:
    event: Event
    department: Department
    tasks: list[TaskLine] = field(default_factory=list)
    quota: DepartmentQuota | None = None
    contact: User | None = None

    @property
    def organiser(self) -> User:
        return self.event.owner

    def content_key(self) -> list[Any]:
        parts: list[Any] = ["d", self.department.pk, self.contact.pk if self.contact else 0]
        if self.quota is not None:
            parts += ["q", self.quota.quota, self.quota.revision]
        for line in self.tasks:
            parts += ["t", line.task.pk, line.task.revision, *(f"{p.pk}{r}" for p, r in line.people)]
        return parts


def _department_name(department: Department, language: str) -> str:
    return department.name_en if language == EN and department.name_en else department.name


def letters_data(event: Event) -> list[LetterContent]:
    """The letter of every collaborating department, in the departments' order."""
    tasks = list(
        Task.objects.filter(event=event)
        .exclude(status=Task.Status.CANCELLED)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TaskAssignment.objects.select_related("person__department").order_by("role", "id"),
            )
        )
        .order_by("due_at", "position", "id")
    )
    quotas = {
        q.department_id: q
        for q in DepartmentQuota.objects.filter(event=event).select_related("department", "contact")
    }
    departments: dict[int, Department] = {q.department_id: q.department for q in quotas.values()}
    lines: dict[int, list[TaskLine]] = defaultdict(list)
    for task in tasks:
        people: dict[int, list[tuple[User, str]]] = defaultdict(list)
        for a in task.assignments.all():
            dept = a.person.department
            if dept is None:
                continue
            departments.setdefault(dept.pk, dept)
            people[dept.pk].append((a.person, a.role))
        for dept_id, who in people.items():
            lines[dept_id].append(TaskLine(task, sorted(who, key=lambda pr: RACI_ORDER.index(pr[1]))))
    out = []
    for dept in sorted(departments.values(), key=lambda d: (d.sort_order, d.pk)):
        quota = quotas.get(dept.pk)
        contact = quota.contact if quota is not None and quota.contact is not None else None
        if contact is None:
            contact = next(
                (p for line in lines[dept.pk] for p, role in line.people if role == Raci.RESPONSIBLE), None
            )
        out.append(LetterContent(event, dept, lines[dept.pk], quota, contact))
    return out


def collaborating_departments(event: Event) -> list[Department]:
    return [c.department for c in letters_data(event)]


def _moment(event: Event, moment: dt.datetime, language: str) -> str:
    local = timezone.localtime(moment, event.tz)
    if language == EN:
        return f"{local:%d %b %Y %H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _people_text(people: list[tuple[User, str]]) -> str:
    return "、".join(f"{p.name}({role})" for p, role in people)


def tasks_text(content: LetterContent, language: str, *, markdown: bool = False) -> str:
    """The department's tasks, one a line (a markdown list for the robots)."""
    if not content.tasks:
        return "- 无" if language == ZH and markdown else ("无" if language == ZH else "none")
    rows = []
    for i, line in enumerate(content.tasks, start=1):
        due = _moment(content.event, line.task.due_at, language)
        due_text = f"due {due}" if language == EN else f"截止 {due}"
        if markdown:
            rows.append(f"- **{line.task.title}**({due_text})· {_people_text(line.people)}")
        else:
            rows.append(f"{i}. {line.task.title}({due_text})— {_people_text(line.people)}")
    return "\n".join(rows)


def quota_text(content: LetterContent, language: str) -> str:
    if content.quota is None or not content.quota.quota:
        return "none" if language == EN else "无"
    n = content.quota.quota
    return f"{n} guests" if language == EN else f"{n} 位嘉宾"


def contact_text(user: User | None, language: str) -> str:
    if user is None:
        return "to be named" if language == EN else "待定"
    reach = " ".join(x for x in (user.phone, user.email) if x)
    return f"{user.name} {reach}".strip()


def letter_context(content: LetterContent, language: str, *, markdown: bool = False) -> dict[str, Any]:
    """The placeholders of one department's letter: the event's and ``department``, ``tasks``, ``quota``,
    ``contact``."""
    return {
        **messaging.event_context(content.event, language),
        "department": _department_name(content.department, language),
        "tasks": tasks_text(content, language, markdown=markdown),
        "quota": quota_text(content, language),
        "contact": contact_text(content.contact, language),
        "guest_name": _department_name(content.department, language),
    }


def letter_preview_context(
    event: Event, channel: str, language: str
) -> tuple[dict[str, Any], str, str, bool]:
    """For the template editor: the first collaborating department's letter (a sample without one)."""
    data = letters_data(event)
    if data:
        content = data[0]
        sample = False
    else:
        sample_dept = Department(name="销售部", name_en="Sales", code="sample")
        content = LetterContent(event, sample_dept)
        sample = True
    context = letter_context(content, language, markdown=channel == Channel.ROBOT)
    if channel == Channel.ROBOT:
        robot = (
            Robot.objects.filter(department=content.department, is_active=True).first()
            if not sample
            else None
        )
        recipient = robot.name if robot else ""
    else:
        recipient = content.contact.email if content.contact else ""
    return context, context["department"], recipient, sample


# ---------------------------------------------------------------- delivery state
@dataclass
class LetterRow:
    letter: CollaborationLetter | None
    content: LetterContent
    state: str
    messages: list[Message]

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def acknowledged(self) -> bool:
        return self.letter is not None and self.letter.failure_acknowledged_at is not None

    @property
    def done(self) -> bool:
        """Delivered, or a failure accepted with a reason (the gate of 通知发布, NT-1)."""
        return self.state == SENT or self.acknowledged

    @property
    def can_acknowledge(self) -> bool:
        return self.letter is not None and self.state in FAILED_STATES and not self.acknowledged


def state_of(letter: CollaborationLetter | None, messages: list[Message]) -> str:
    live = [m for m in messages if m.status not in (Message.Status.CANCELLED, Message.Status.SUPPRESSED)]
    if letter is None or (letter.queued_at is None and not live):
        return NOT_QUEUED
    if not live:
        return UNREACHABLE
    statuses = {m.status for m in live}
    if Message.Status.DEAD in statuses:
        return DEAD
    if Message.Status.IN_DOUBT in statuses:
        return IN_DOUBT
    if statuses == {Message.Status.SENT}:
        return SENT
    return WAITING_STATE


def letter_state(letter: CollaborationLetter) -> str:
    return state_of(letter, list(letter.messages.all()))


def letters_overview(event: Event) -> list[LetterRow]:
    """Each collaborating department with its letter, delivery state and messages."""
    data = letters_data(event)
    letters = {
        letter.department_id: letter
        for letter in CollaborationLetter.objects.filter(event=event)
        .select_related("contact", "failure_acknowledged_by")
        .prefetch_related("messages")
    }
    rows = []
    for content in data:
        letter = letters.get(content.department.pk)
        messages = list(letter.messages.all()) if letter is not None else []
        rows.append(LetterRow(letter, content, state_of(letter, messages), messages))
    return rows


# ---------------------------------------------------------------- writes
def _schedule(event: Event) -> tuple[int, list[str], bool]:
    row = schedule_row(event, MessageKind.COLLABORATION_LETTER)
    if row is None:
        return LETTER_OFFSET_MINUTES, list(LETTER_CHANNELS), True
    return row.offset_minutes, [c for c in (row.channels or []) if c in LETTER_CHANNELS], row.enabled


def _prepare(locked: Event, actor: User | None) -> list[tuple[CollaborationLetter, LetterContent]]:
    data = letters_data(locked)
    existing = {
        letter.department_id: letter
        for letter in CollaborationLetter.objects.select_for_update().filter(event=locked).order_by("id")
    }
    out = []
    for content in data:
        letter = existing.get(content.department.pk)
        if letter is None:
            letter = CollaborationLetter.objects.create(
                event=locked, department=content.department, contact=content.contact
            )
            audit_record(
                actor=actor,
                action="outreach.letter.prepare",
                target=letter,
                event_id=locked.pk,
                summary=AuditMessage(_("生成「%(d)s」的活动协作函"), d=content.department.name),
            )
        elif letter.contact_id != (content.contact.pk if content.contact else None):
            row_update(
                letter,
                changes={"contact": content.contact},
                seen=letter.revision,
                actor=actor,
                action="outreach.letter.contact",
                label=WHAT,
                event_id=locked.pk,
            )
        out.append((letter, content))
    return out


@transaction.atomic
def letters_prepare(
    *, actor: User | None, event: Event | int, system: bool = False
) -> list[CollaborationLetter]:
    """One letter per collaborating department (NT-1), its contact kept current."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    return [letter for letter, _content in _prepare(locked, actor)]


def _due(event: Event, offset: int, now: dt.datetime) -> dt.datetime:
    """The event's start plus ``offset``; now when that moment has already passed."""
    return max(event.starts_at + dt.timedelta(minutes=offset), now)


def letter_messages(
    event: Event,
    letter: CollaborationLetter,
    content: LetterContent,
    *,
    offset_minutes: int,
    channels: list[str],
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> list[Message]:
    """The unsaved messages of one letter: an e-mail to the contact, markdown to each active robot."""
    due = _due(event, offset_minutes, now or timezone.now())
    out = []
    common = {
        "event": event,
        "letter": letter,
        "kind": MessageKind.COLLABORATION_LETTER,
        "purpose": Message.Purpose.INTERNAL,
        "language": ZH,
        "due_at": due,
        "not_before": due,
        "offset_minutes": offset_minutes,
        "created_by": actor,
    }
    if Channel.EMAIL in channels and content.contact is not None and content.contact.email:
        text, row = messaging.template_for(event, MessageKind.COLLABORATION_LETTER, Channel.EMAIL, ZH)
        if text is not None:
            rendered = messaging.render(text, letter_context(content, ZH))
            email = content.contact.email.lower()
            out.append(
                Message(
                    channel=Channel.EMAIL,
                    recipient=email,
                    template=row,
                    subject=rendered.subject[:300],
                    body=rendered.body,
                    idempotency_key=f"letter:{letter.pk}:email:{email}"[:200],
                    **common,
                )
            )
    if Channel.ROBOT in channels:
        robots = list(Robot.objects.filter(department=content.department, is_active=True).order_by("id"))
        if robots:
            text, row = messaging.template_for(event, MessageKind.COLLABORATION_LETTER, Channel.ROBOT, ZH)
            if text is not None:
                rendered = messaging.render(text, letter_context(content, ZH, markdown=True))
                for robot in robots:
                    out.append(
                        Message(
                            channel=Channel.ROBOT,
                            recipient=robot.name[:254],
                            robot=robot,
                            template=row,
                            subject=rendered.subject[:300],
                            body=rendered.body,
                            idempotency_key=f"letter:{letter.pk}:robot:{robot.pk}",
                            **common,
                        )
                    )
    return out


@transaction.atomic
def letters_queue(
    *,
    actor: User | None,
    event: Event | int,
    offset_minutes: int | None = None,
    system: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Queue every letter (NT-1): prepared first, then each one's messages at the event's start plus
    ``offset_minutes`` (default: the schedule's, T-7 days). What already waits is refreshed (content, due
    time); a recipient no longer in the letter (a new contact, a robot switched off) has its waiting
    message cancelled; nothing sent is sent again. Returns how many messages were new."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    schedule_offset, channels, enabled = _schedule(locked)
    if not enabled:
        raise DomainError({"__all__": [_("活动协作函的发送已在通知日程中停用;请先启用。")]})
    offset = schedule_offset if offset_minutes is None else offset_minutes
    if not -365 * 24 * 60 <= offset <= 0:
        raise DomainError({"offset_minutes": [_("发送时间须在活动开始前 0 到 365 天之间。")]})
    now = now or timezone.now()
    created = 0
    for letter, content in _prepare(locked, actor):
        wanted = letter_messages(
            locked, letter, content, offset_minutes=offset, channels=channels, actor=actor, now=now
        )
        keys = {m.idempotency_key for m in wanted}
        current = {
            m.idempotency_key: m
            for m in Message.objects.select_for_update().filter(letter=letter).order_by("id")
        }
        for key, m in current.items():
            if key not in keys and m.status in WAITING:
                Message.objects.filter(pk=m.pk, status__in=WAITING).update(
                    status=Message.Status.CANCELLED,
                    last_error=str(_("收件人已不在协作函中(对接人或机器人已变更)。")),
                )
        for m in wanted:
            old = current.get(m.idempotency_key)
            if old is None:
                created += int(enqueue(m)[1])
            elif old.status in WAITING:
                not_before = m.due_at if old.attempts == 0 else max(old.not_before, m.due_at)
                Message.objects.filter(pk=old.pk, status__in=WAITING).update(
                    subject=m.subject,
                    body=m.body,
                    template=m.template,
                    due_at=m.due_at,
                    offset_minutes=m.offset_minutes,
                    not_before=not_before,
                )
        CollaborationLetter.objects.filter(pk=letter.pk).update(queued_at=now)
        letter.queued_at = now
        revision_bump(letter)
    audit_record(
        actor=actor,
        action="outreach.letters.queue",
        target=locked,
        event_id=locked.pk,
        summary=AuditMessage(_("发送活动协作函(新排入 %(n)s 条消息)"), n=created),
        after={"offset_minutes": offset, "channels": channels, "created": created},
    )
    return created


@transaction.atomic
def letter_failure_acknowledge(
    *,
    actor: User | None,
    event: Event | int,
    letter_id: int,
    reason: Any,
    seen: int | None,
    system: bool = False,
) -> CollaborationLetter:
    """Accept that a letter could not be delivered (dead, in doubt or no channel), with a reason: the
    gate of 通知发布 then counts the department as informed (NT-1)."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    letter = (
        CollaborationLetter.objects.select_for_update()
        .select_related("department")
        .filter(pk=letter_id, event=locked)
        .first()
    )
    if letter is None:
        raise NotFound({"letter": [_("协作函 %(id)s 不存在。") % {"id": letter_id}]})
    label = _("「%(d)s」的协作函") % {"d": letter.department.display_name}
    revision_require(letter, seen, label=label, system=system, fields=("failure_acknowledged_reason",))
    errors: dict[str, list[Any]] = {}
    text = text_clean(reason, field="reason", label=_("说明"), limit=REASON_MAX, errors=errors, required=True)
    if errors:
        raise DomainError(errors)
    state = letter_state(letter)
    if state not in FAILED_STATES:
        raise DomainError(
            {
                "__all__": [
                    _("%(l)s当前为「%(s)s」,只有发送失败、待确认或无可用渠道的协作函才需确认。")
                    % {"l": label, "s": STATE_LABELS[state]}
                ]
            }
        )
    row_update(
        letter,
        changes={
            "failure_acknowledged_reason": text,
            "failure_acknowledged_by": actor,
            "failure_acknowledged_at": timezone.now(),
        },
        seen=letter.revision,
        actor=actor,
        action="outreach.letter.acknowledge",
        label=label,
        event_id=locked.pk,
        summary=AuditMessage(_("确认「%(d)s」协作函送达失败:%(r)s"), d=letter.department.name, r=text),
    )
    return letter
