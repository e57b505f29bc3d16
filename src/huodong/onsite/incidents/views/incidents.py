"""Pages of the incident log (tab 突发, EX-5), phone first.

- ``onsite_incidents:list``: report an incident in a few taps (category, severity, title), the incidents
  still open with their technician's clock, the resolved ones, the agreed statements (统一口径) and, for the
  stage manager, a form to add one. The tab opens for anyone who may view the event; the log itself is for
  the team on the day (``Need.ONSITE``).
- ``onsite_incidents:detail``: one incident — the playbook from the plan's risk register at once, the clock,
  the buttons (take up, technician on site, resolve, reopen), the timeline with a note, who handles it,
  and for 舆情 the posts and the one agreed statement used.
- The writes (``report``, ``edit``, ``move``, ``note``, ``assign``, ``arrive``, ``statement``, ``post``,
  ``statement_add``) go through the one page flow (``core.pageflow``) to ``services.incidents``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.models import User
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import selectors
from ..forms import (
    AssignForm,
    EditForm,
    MoveForm,
    NoteForm,
    PostForm,
    ReportForm,
    StatementChoiceForm,
    StatementForm,
)
from ..models import MOVES, Category, Incident, Move
from ..rules import INCIDENT_STEPS
from ..services import incidents as services

TAB: dict[str, Any] = {
    "key": "incidents",
    "label": gettext_lazy("突发"),
    "url_name": "onsite_incidents:list",
    "order": 86,
}


def _list_url(event: Event, anchor: str = "") -> str:
    return reverse("onsite_incidents:list", kwargs={"event_id": event.pk}) + anchor


def _detail_url(event: Event, incident_id: int, anchor: str = "") -> str:
    return (
        reverse("onsite_incidents:detail", kwargs={"event_id": event.pk, "incident_id": incident_id}) + anchor
    )


def _rows(event: Event, incidents: list[Incident]) -> list[dict[str, Any]]:
    from django.utils import timezone

    now = timezone.now()
    return [
        {
            "incident": i,
            "sla_state": selectors.sla_state(i, now),
            "sla_left": selectors.sla_left_seconds(i, now),
            "open_minutes": int(max((now - i.reported_at).total_seconds(), 0) // 60),
            "respond": selectors.minutes_to_respond(i),
            "resolve": selectors.minutes_to_resolve(i),
        }
        for i in incidents
    ]


def _render_list(
    request: AuthedRequest,
    event: Event,
    *,
    status: int = 200,
    report_form: ReportForm | None = None,
    statement_form: StatementForm | None = None,
) -> HttpResponse:
    if status != 200:
        event.refresh_from_db(fields=["step"])
    access = event_access(request.user, event)
    onsite = access.can(Need.ONSITE)
    writable = onsite and event.step in INCIDENT_STEPS
    risks = selectors.risks_of(event) if onsite else []
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "incidents"),
        "nav": event.phase.value,
        "onsite": onsite,
        "writable": writable,
        "can_stage": access.can(Need.STAGE),
        "steps": "、".join(str(Step(s).label) for s in INCIDENT_STEPS),
        "open_rows": _rows(event, selectors.incidents_of(event, status="open")) if onsite else [],
        "resolved_rows": _rows(event, selectors.incidents_of(event, status="resolved")) if onsite else [],
        "stats": selectors.incident_stats(event.pk) if onsite else None,
        "statements": selectors.statements_of(event) if onsite else [],
        "report_form": report_form or ReportForm(risks=risks),
        "statement_form": statement_form or StatementForm(),
    }
    return render(request, "onsite_incidents/list.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def incident_list(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render_list(request, event)


@require_POST
@event_page(Need.ONSITE)
def report(request: AuthedRequest, event: Event) -> HttpResponse:
    form = ReportForm(request.POST, risks=selectors.risks_of(event))
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.incident_report)(actor=actor(request), event=event, **d),
        page=lambda status: _render_list(request, event, status=status, report_form=form),
        success_url=lambda incident: _detail_url(event, incident.pk),
        done=_("突发事件已上报。"),
    )


@require_POST
@event_page(Need.STAGE)
def statement_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = StatementForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.statement_add)(actor=actor(request), event=event, **d),
        page=lambda status: _render_list(request, event, status=status, statement_form=form),
        success_url=_list_url(event, "#statements"),
        done=_("统一口径已添加。"),
    )


# ---------------------------------------------------------------- one incident
def _team(event: Event) -> list[User]:
    """People who may be assigned: the owner, the team, the stage manager and the check-in staff."""
    from huodong.checkin.models import GateStaff
    from huodong.checkin.services.setup import stage_manager_of

    ids = set(event.team_members.values_list("pk", flat=True))
    if event.owner_id:
        ids.add(event.owner_id)
    ids |= set(GateStaff.objects.filter(event=event).values_list("person_id", flat=True))
    manager = stage_manager_of(event)
    if manager is not None:
        ids.add(manager.pk)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username", "id"))


def _render_detail(
    request: AuthedRequest,
    event: Event,
    incident: Incident,
    *,
    status: int = 200,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    if status != 200:
        event.refresh_from_db(fields=["step"])
        incident = services.incident_get(event, incident.pk)
    access = event_access(request.user, event)
    writable = event.step in INCIDENT_STEPS
    given = forms or {}
    risks = selectors.risks_of(event)
    book = selectors.playbook(incident, event)
    moves = [
        {"move": m, "label": Move(m).label, "stage": m != Move.START}
        for m, (leaves, _reaches) in MOVES.items()
        if incident.status in leaves and (m == Move.START or access.can(Need.STAGE))
    ]
    rev = {"revision": incident.revision}
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "incidents"),
        "nav": event.phase.value,
        "incident": incident,
        "row": _rows(event, [incident])[0],
        "book": book,
        "writable": writable,
        "can_stage": access.can(Need.STAGE),
        "moves": moves,
        "actions": list(incident.actions.select_related("actor").all()),
        "posts": list(incident.posts.select_related("recorded_by").all()),
        "assignees": list(incident.assignees.all().order_by("display_name", "id")),
        "is_equipment": incident.category == Category.EQUIPMENT,
        "is_opinion": incident.category == Category.OPINION,
        "move_form": given.get("move") or MoveForm(initial=rev),
        "note_form": given.get("note") or NoteForm(),
        "assign_form": given.get("assign")
        or AssignForm(
            initial=rev | {"people": [p.pk for p in incident.assignees.all()]}, people=_team(event)
        ),
        "statement_form": given.get("statement")
        or StatementChoiceForm(
            initial=rev | {"statement": incident.statement_id}, statements=book["statements"]
        ),
        "post_form": given.get("post") or PostForm(),
        "edit_form": given.get("edit")
        or EditForm(
            initial=rev
            | {
                "severity": incident.severity,
                "title": incident.title,
                "description": incident.description,
                "risk": incident.risk_id,
            },
            risks=risks,
        ),
    }
    return render(request, "onsite_incidents/detail.html", ctx, status=status)


def _incident(request: AuthedRequest, event: Event, incident_id: int) -> Incident | HttpResponse:
    try:
        return services.incident_get(event, incident_id)
    except DomainError as exc:
        return error_page(request, exc)


@require_GET
@event_page(Need.ONSITE)
def detail(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    incident = _incident(request, event, incident_id)
    if isinstance(incident, HttpResponse):
        return incident
    return _render_detail(request, event, incident)


def _write(
    request: AuthedRequest,
    event: Event,
    incident_id: int,
    *,
    key: str,
    form: Any,
    save: Any,
    done: Any,
    anchor: str,
) -> HttpResponse:
    incident = _incident(request, event, incident_id)
    if isinstance(incident, HttpResponse):
        return incident
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(save)(
            actor=actor(request), event=event, incident_id=incident.pk, **d
        ),
        page=lambda status: _render_detail(request, event, incident, status=status, forms={key: form}),
        success_url=_detail_url(event, incident.pk, anchor),
        done=done,
    )


@require_POST
@event_page(Need.ONSITE)
def edit(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = EditForm(request.POST, risks=selectors.risks_of(event))

    def save(*, actor: User, event: Event, incident_id: int, revision: int, **d: Any) -> Any:
        return services.incident_update(actor=actor, event=event, incident_id=incident_id, seen=revision, **d)

    return _write(
        request, event, incident_id, key="edit", form=form, save=save, done=_("已保存。"), anchor="#edit"
    )


@require_POST
@event_page(Need.ONSITE)
def move(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = MoveForm(request.POST)

    def save(
        *, actor: User, event: Event, incident_id: int, revision: int, move: str, resolution: str
    ) -> Any:
        return services.incident_move(
            actor=actor, event=event, incident_id=incident_id, seen=revision, move=move, resolution=resolution
        )

    done: dict[str, str] = {
        Move.START.value: _("已开始处理。"),
        Move.RESOLVE.value: _("事件已标记为已解决。"),
        Move.REOPEN.value: _("事件已重新打开。"),
    }
    said = done.get(request.POST.get("move", ""), _("已保存。"))
    return _write(request, event, incident_id, key="move", form=form, save=save, done=said, anchor="#status")


@require_POST
@event_page(Need.ONSITE)
def note(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _write(
        request, event, incident_id, key="note", form=form, save=services.incident_note,
        done=_("处理记录已添加。"), anchor="#timeline",
    )  # fmt: skip


@require_POST
@event_page(Need.ONSITE)
def assign(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = AssignForm(request.POST, people=_team(event))

    def save(*, actor: User, event: Event, incident_id: int, revision: int, people: list[int]) -> Any:
        return services.incident_assign(
            actor=actor, event=event, incident_id=incident_id, seen=revision, people=people
        )

    return _write(
        request,
        event,
        incident_id,
        key="assign",
        form=form,
        save=save,
        done=_("处理人已更新。"),
        anchor="#assign",
    )


@require_POST
@event_page(Need.ONSITE)
def arrive(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    url = _detail_url(event, incident_id, "#sla")
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.incident_arrive)(
            actor=actor(request),
            event=event,
            incident_id=incident_id,
            technician=request.POST.get("technician") or None,
        ),
        success_url=url,
        failure_url=url,
        done=_("已登记技术人员到场。"),
    )


@require_POST
@event_page(Need.ONSITE)
def statement(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = StatementChoiceForm(request.POST, statements=selectors.statements_of(event))

    def save(*, actor: User, event: Event, incident_id: int, revision: int, statement: int) -> Any:
        return services.incident_statement_set(
            actor=actor, event=event, incident_id=incident_id, seen=revision, statement=statement
        )

    return _write(
        request, event, incident_id, key="statement", form=form, save=save, done=_("已选用统一口径。"),
        anchor="#statement",
    )  # fmt: skip


@require_POST
@event_page(Need.ONSITE)
def post_add(request: AuthedRequest, event: Event, incident_id: int) -> HttpResponse:
    form = PostForm(request.POST)
    return _write(
        request, event, incident_id, key="post", form=form, save=services.incident_post_add,
        done=_("帖子已记录。"), anchor="#posts",
    )  # fmt: skip


_P = "events/<int:event_id>/incidents/"
_I = f"{_P}<int:incident_id>/"
urlpatterns = [
    path(_P, incident_list, name="list"),
    path(f"{_P}report/", report, name="report"),
    path(f"{_P}statements/add/", statement_add, name="statement_add"),
    path(_I, detail, name="detail"),
    path(f"{_I}edit/", edit, name="edit"),
    path(f"{_I}move/", move, name="move"),
    path(f"{_I}note/", note, name="note"),
    path(f"{_I}assign/", assign, name="assign"),
    path(f"{_I}arrive/", arrive, name="arrive"),
    path(f"{_I}statement/", statement, name="statement"),
    path(f"{_I}posts/add/", post_add, name="post_add"),
]
