"""Pages: requests for internal resources and the departments' answers (IR-1).

- ``preparation:resources`` (the event's tab 内部资源): the requests of the event, flagged in red when still
  pending within three days of their time; the editors add, change and cancel them.
- ``preparation:requests_inbox`` (``/my/requests/``): the requests to the signed-in person's department,
  pending first; each is confirmed, or declined with a comment (``preparation:request_answer``). A
  department's person need not be on the event's team.

Through the one page flow (``core.pageflow``): bad input shows the page again with the errors beside their
fields (400), an edit over someone else's shows "已被某某修改" (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.resources import AnswerForm, ResourceRequestForm
from ..models import ResourceRequest
from ..rules import PREPARATION_STEPS
from ..selectors import REQUEST_WARNING
from ..services import resources as services

TAB = {
    "key": "resources",
    "label": gettext_lazy("内部资源"),
    "url_name": "preparation:resources",
    "order": 53,
}


def _local_input(event: Event, moment: dt.datetime) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%dT%H:%M")


def _label(event: Event, moment: dt.datetime | None) -> str:
    """A moment as the event's wall-clock time (the event may be in another zone than the server)."""
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _rows(event: Event, now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"obj": r, "flagged": services.is_flagged(r, now), "needed": _label(event, r.needed_at)}
        for r in services.requests_of(event).order_by("needed_at", "id")
    ]


def _editable(request: AuthedRequest, event: Event) -> tuple[bool, bool]:
    is_editor = event_access(request.user, event).can(Need.EDIT)
    return is_editor, is_editor and event.step in PREPARATION_STEPS


def _new_form(request: AuthedRequest, event: Event) -> ResourceRequestForm:
    default = max(event.starts_at - dt.timedelta(days=1), timezone.now() + dt.timedelta(hours=1))
    default = min(default, event.starts_at)
    return ResourceRequestForm(
        tz=event.tz,
        initial={"contact": request.user.pk, "needed_at": _local_input(event, default)},
    )


def _render(
    request: AuthedRequest, event: Event, *, form: ResourceRequestForm | None = None, status: int = 200
) -> HttpResponse:
    if form is not None:
        event.refresh_from_db(fields=["step"])
    now = timezone.now()
    is_editor, editable = _editable(request, event)
    rows = _rows(event, now)
    counts = {s: sum(1 for r in rows if r["obj"].status == s) for s in ResourceRequest.Status.values}
    context = {
        "event": event,
        "tabs": event_tabs(event.pk, "resources"),
        "nav": event.phase.value,
        "rows": rows,
        "counts": counts,
        "flagged_count": sum(1 for r in rows if r["flagged"]),
        "warning_days": REQUEST_WARNING.days,
        "is_editor": is_editor,
        "editable": editable,
        "editable_steps": "、".join(str(Step(s).label) for s in PREPARATION_STEPS),
        "form": form or (_new_form(request, event) if editable else None),
        "Status": ResourceRequest.Status,
    }
    return render(request, "preparation/resources.html", context, status=status)


def _url(event: Event) -> str:
    return reverse("preparation:resources", kwargs={"event_id": event.pk}) + "#requests"


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def request_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = ResourceRequestForm(request.POST, tz=event.tz)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.request_add)(actor=actor(request), event=event, **data),
        page=lambda status: _render(request, event, form=form, status=status),
        success_url=_url(event),
        done=_("协调请求已发出,已通知该部门。"),
    )


@event_page(Need.EDIT)
def request_edit(request: AuthedRequest, event: Event, request_id: int) -> HttpResponse:
    try:
        row = services.request_get(event=event, request_id=request_id)
    except DomainError as exc:
        return error_page(request, exc)
    initial = {
        "revision": row.revision,
        "department": row.department_id,
        "what": row.what,
        "needed_at": _local_input(event, row.needed_at),
        "contact": row.contact_id,
    }
    form = ResourceRequestForm(request.POST or None, tz=event.tz, edit=True, initial=initial)

    def page(status: int) -> HttpResponse:
        context = {
            "event": event,
            "row": row,
            "form": form,
            "tabs": event_tabs(event.pk, "resources"),
            "nav": event.phase.value,
            "editable": row.status == ResourceRequest.Status.PENDING,
        }
        return render(request, "preparation/resource_edit.html", context, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.request_update)(
            actor=actor(request), event=event, request_id=row.pk, seen=data["revision"], **form.fields_data
        ),
        page=page,
        success_url=_url(event),
        done=_("协调请求已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def request_cancel(request: AuthedRequest, event: Event, request_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.request_cancel)(
            actor=actor(request),
            event=event,
            request_id=request_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_url(event),
        failure_url=_url(event),
        done=_("协调请求已取消。"),
    )


# ---------------------------------------------------------------- the department's inbox
def _inbox(
    request: AuthedRequest, *, bound: AnswerForm | None = None, bound_id: int | None = None, status: int = 200
) -> HttpResponse:
    user = actor(request)
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for r in services.inbox_requests(user):
        form: AnswerForm | None
        if r.status == ResourceRequest.Status.CANCELLED:
            form = None
        elif bound is not None and bound_id == r.pk:
            form = bound
        else:
            form = AnswerForm(
                initial={"revision": r.revision, "comment": r.response}, auto_id=f"id_r{r.pk}_%s"
            )
        rows.append(
            {
                "obj": r,
                "flagged": services.is_flagged(r, now),
                "form": form,
                "needed": _label(r.event, r.needed_at),
            }
        )
    pending = [r for r in rows if r["obj"].status == ResourceRequest.Status.PENDING]
    context = {
        "nav": "requests",
        "department": user.department,
        "pending": pending,
        "answered": [r for r in rows if r["obj"].status != ResourceRequest.Status.PENDING],
        "warning_days": REQUEST_WARNING.days,
        "Status": ResourceRequest.Status,
    }
    return render(request, "preparation/requests_inbox.html", context, status=status)


@require_GET
@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    return _inbox(request)


@require_POST
@login_required
def request_answer(request: AuthedRequest, request_id: int) -> HttpResponse:
    # Who may answer is decided before the form is read: a person of another department is refused (403)
    # whatever they sent; the service checks it again under the locks.
    row = ResourceRequest.objects.select_related("department").filter(pk=request_id).first()
    if row is None:
        return error_page(request, NotFound(_("内部资源协调 %(id)s 不存在。") % {"id": request_id}))
    if not services.may_answer(actor(request), row):
        return error_page(
            request,
            NotAllowed(_("只有%(dept)s的人员可以答复此请求。") % {"dept": row.department.display_name}),
        )
    form = AnswerForm(request.POST, auto_id=f"id_r{request_id}_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.request_answer)(
            actor=actor(request),
            request_id=request_id,
            decision=data["decision"],
            comment=data["comment"],
            seen=data["revision"],
        ),
        page=lambda status: _inbox(request, bound=form, bound_id=request_id, status=status),
        success_url=reverse("preparation:requests_inbox") + f"#request-{request_id}",
        done=_("答复已发送,已通知对方。"),
    )


_P = "events/<int:event_id>/preparation/resources/"
urlpatterns = [
    path(_P, page, name="resources"),
    path(f"{_P}add/", request_add, name="resource_add"),
    path(f"{_P}<int:request_id>/", request_edit, name="resource_edit"),
    path(f"{_P}<int:request_id>/cancel/", request_cancel, name="resource_cancel"),
    path("my/requests/", inbox, name="requests_inbox"),
    path("my/requests/<int:request_id>/answer/", request_answer, name="request_answer"),
]
