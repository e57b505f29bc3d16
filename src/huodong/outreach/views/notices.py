"""Pages: the notices of an event (the tab 通知; NT-1, NT-2) and the gate of 通知发布.

- ``outreach:notices``: the schedule (editable), the collaboration letters (department, contact, tasks,
  quota, delivery state, Word/PDF, a failure acknowledged with a reason), the invitations (guests invited,
  sent, failed per channel, a send form), whether registration is open, the quotas, and the gate's
  checklist with what is missing. Works on the organiser's phone (390 px).
- ``outreach:notices_schedule`` (one notice's offset, channels, on/off), ``outreach:letters_prepare``,
  ``outreach:letters_queue``, ``outreach:letter_acknowledge``, ``outreach:invitations_send``,
  ``outreach:reminders_queue``: the forms of the page, each one service.

Through the one page flow (``core.pageflow``): bad input shows the page again with the errors beside their
fields (400); a change over someone else's shows "已被某某修改" (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import NotFound
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.notices import AcknowledgeForm, InvitationForm, ScheduleForm, schedule_initial
from ..models import Channel, Job, MessageKind, RegistrationSettings
from ..readiness import FIX_PAGES, notification_criteria
from ..rules import OUTREACH_STEPS
from ..services import letters as letter_services
from ..services import schedule as schedule_services
from ..services.quotas import quota_status

TAB = {"key": "notices", "label": gettext_lazy("通知"), "url_name": "outreach:notices", "order": 60}
LETTER_DOC = "collaboration-letter"


def _url(event: Event, anchor: str = "") -> str:
    return reverse("outreach:notices", kwargs={"event_id": event.pk}) + (f"#{anchor}" if anchor else "")


def _maybe_url(name: str, event: Event) -> str:
    try:
        return reverse(name, kwargs={"event_id": event.pk})
    except NoReverseMatch:
        return ""


def _local(event: Event, moment: Any) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _render(
    request: AuthedRequest,
    event: Event,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    if bound:
        event.refresh_from_db()
    is_editor = event_access(request.user, event).can(Need.EDIT)
    editable = is_editor and event.step in OUTREACH_STEPS
    schedule = []
    for row in schedule_services.schedule_of(event):
        form = bound.get(f"schedule_{row.kind}") or ScheduleForm(kind=row.kind, initial=schedule_initial(row))
        schedule.append(
            {
                "row": row,
                "form": form,
                "label": MessageKind(row.kind).label,
                "rule": schedule_services.RULES.get(row.kind, ""),
                "offset": schedule_services.offset_text(row.offset_minutes),
                "due": _local(event, event.starts_at + dt.timedelta(minutes=row.offset_minutes)),
                "channels": [str(Channel(c).label) for c in row.channels or []],
            }
        )
    letters = letter_services.letters_overview(event)
    letter_rows = []
    for r in letters:
        key = f"ack_{r.letter.pk}" if r.letter else ""
        letter_rows.append(
            {
                "r": r,
                "form": bound.get(key)
                or (
                    AcknowledgeForm(initial={"revision": r.letter.revision}, auto_id=f"ack{r.letter.pk}_%s")
                    if r.letter
                    else None
                ),
                "channels": sorted({str(m.get_channel_display()) for m in r.messages}),
                "sent_at": _local(event, max((m.sent_at for m in r.messages if m.sent_at), default=None)),
                "ack_at": _local(event, r.letter.failure_acknowledged_at) if r.letter else "",
            }
        )
    criteria = notification_criteria(event, letters=letters)
    registration = RegistrationSettings.objects.filter(event=event).first()
    jobs = list(Job.objects.filter(event=event, kind=Job.Kind.SEND).order_by("-created_at", "-id")[:3])
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "notices"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "editable": editable,
        "editable_steps": "、".join(str(Step(s).label) for s in OUTREACH_STEPS),
        "schedule": schedule,
        "letters": letter_rows,
        "letters_ready": any(r.letter is not None for r in letters),
        "letter_doc": LETTER_DOC,
        "invitations": schedule_services.invitation_summary(event),
        "reminders": schedule_services.message_stats(event, MessageKind.REMINDER),
        "invitation_form": bound.get("invitations") or InvitationForm(),
        "jobs": jobs,
        "registration": registration,
        "registration_url": _maybe_url("outreach:registration", event),
        "guests_url": _maybe_url("outreach:guests", event),
        "templates_url": reverse("outreach:templates", kwargs={"event_id": event.pk}),
        "quotas": quota_status(event),
        "criteria": criteria,
        "fix_urls": {code: _maybe_url(name, event) for code, name in FIX_PAGES.items()},
        "at_gate": event.step == Step.NOTIFICATION,
    }
    return render(request, "outreach/notices.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def schedule_edit(request: AuthedRequest, event: Event, kind: str) -> HttpResponse:
    if kind not in schedule_services.SCHEDULE_KINDS:
        return error_page(request, NotFound({"kind": [_("未知的通知「%(kind)s」。") % {"kind": kind}]}))
    form = ScheduleForm(request.POST, kind=kind)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(schedule_services.schedule_update)(
            actor=actor(request),
            event=event,
            kind=kind,
            seen=data["revision"],
            offset_minutes=form.offset_minutes,
            channels=list(data["channels"]),
            enabled=bool(data["enabled"]),
        ),
        page=lambda status: _render(request, event, bound={f"schedule_{kind}": form}, status=status),
        success_url=_url(event, "schedule"),
        done=_("通知日程已保存;等待发送的消息已随之调整。"),
    )


@require_POST
@event_page(Need.EDIT)
def letters_prepare(request: AuthedRequest, event: Event) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(letter_services.letters_prepare)(actor=actor(request), event=event),
        success_url=_url(event, "letters"),
        failure_url=_url(event, "letters"),
        done=_("已按 RACI 矩阵和邀约名额生成各协作部门的协作函。"),
    )


@require_POST
@event_page(Need.EDIT)
def letters_queue(request: AuthedRequest, event: Event) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(letter_services.letters_queue)(actor=actor(request), event=event),
        success_url=_url(event, "letters"),
        failure_url=_url(event, "letters"),
        done=_("协作函已排入发件箱,将按通知日程发送给各部门对接人与群机器人。"),
    )


@require_POST
@event_page(Need.EDIT)
def letter_acknowledge(request: AuthedRequest, event: Event, letter_id: int) -> HttpResponse:
    form = AcknowledgeForm(request.POST, auto_id=f"ack{letter_id}_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(letter_services.letter_failure_acknowledge)(
            actor=actor(request),
            event=event,
            letter_id=letter_id,
            reason=data["reason"],
            seen=data["revision"],
        ),
        page=lambda status: _render(request, event, bound={f"ack_{letter_id}": form}, status=status),
        success_url=_url(event, "letters"),
        done=_("已确认该协作函送达失败并记录原因。"),
    )


def _sent_message(result: Any) -> str:
    if result.job is not None:
        return _("嘉宾较多,已在后台发送,可在本页查看进度。")
    return _("邀请函已排入发件箱:%(guests)s 位嘉宾,新增 %(n)s 条消息(已发送过的不会重复发送)。") % {
        "guests": result.guests,
        "n": result.created,
    }


@require_POST
@event_page(Need.EDIT)
def invitations_send(request: AuthedRequest, event: Event) -> HttpResponse:
    form = InvitationForm(request.POST)
    outcome: dict[str, Any] = {}

    def save(data: dict[str, Any]) -> Any:
        result = retry_on_conflict(schedule_services.invitations_send)(
            actor=actor(request),
            event=event,
            channels=list(data["channels"]),
            statuses=list(data["statuses"]),
            categories=list(data["categories"]),
            when=data["when"],
            marketing=bool(data["marketing"]),
        )
        outcome["result"] = result
        return result

    response = form_post(
        request,
        form,
        save=save,
        page=lambda status: _render(request, event, bound={"invitations": form}, status=status),
        success_url=_url(event, "invitations"),
    )
    if "result" in outcome:
        from django.contrib import messages

        messages.success(request, _sent_message(outcome["result"]))
    return response


@require_POST
@event_page(Need.EDIT)
def reminders_queue(request: AuthedRequest, event: Event) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(schedule_services.reminders_queue)(actor=actor(request), event=event),
        success_url=_url(event, "schedule"),
        failure_url=_url(event, "schedule"),
        done=_("已为所有已报名嘉宾排入活动提醒(已排入的不会重复)。"),
    )


_P = "events/<int:event_id>/outreach/notices/"
urlpatterns = [
    path(_P, page, name="notices"),
    path(f"{_P}schedule/<str:kind>/", schedule_edit, name="notices_schedule"),
    path(f"{_P}letters/prepare/", letters_prepare, name="letters_prepare"),
    path(f"{_P}letters/queue/", letters_queue, name="letters_queue"),
    path(f"{_P}letters/<int:letter_id>/acknowledge/", letter_acknowledge, name="letter_acknowledge"),
    path(f"{_P}invitations/", invitations_send, name="invitations_send"),
    path(f"{_P}reminders/", reminders_queue, name="reminders_queue"),
]
