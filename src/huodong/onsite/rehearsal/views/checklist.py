"""Pages: the day-before checklist, the event's tab 彩排 (EX-1, the gate of 场地布置), phone-first.

- ``onsite_rehearsal:checklist``: the items by section (场地搭建, 设备测试, 彩排), each with its last check
  (who, when, the note, the photos) and, for the team on the day, "通过" in one tap or the full check
  (未通过 with a note, photos, the follow-up's owner and due time); the follow-ups; the gate's criteria.
- ``item_add``, ``item_save``, ``item_remove``: the editors change the list (``Need.EDIT``).
- ``item_check``, ``follow_up_save``: the team on the day (``Need.ONSITE``).
- ``photo``: a check's photo, for anyone who may view the event (never a public URL).

Through the one page flow (``core.pageflow``); the rules are in ``services.checklist``.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.checklist import CheckForm, FollowUpForm, ItemEditForm, ItemForm
from ..models import ChecklistItem, FollowUp, Result
from ..rules import CHECK_STEPS, EDIT_STEPS
from ..selectors import gate_criteria, sections, summary
from ..services import checklist as services

TAB: dict[str, Any] = {
    "key": "rehearsal",
    "label": gettext_lazy("彩排"),
    "url_name": "onsite_rehearsal:checklist",
    "order": 82,
}


def _url(event: Event, anchor: str = "") -> str:
    return reverse("onsite_rehearsal:checklist", kwargs={"event_id": event.pk}) + anchor


def _local(moment: Any, event: Event) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _item_initial(item: ChecklistItem) -> dict[str, Any]:
    return {
        "revision": item.revision,
        "section": item.section,
        "title": item.title,
        "title_en": item.title_en,
        "position": item.position,
    }


def _follow_up_initial(row: FollowUp, event: Event) -> dict[str, Any]:
    return {
        "revision": row.revision,
        "owner": row.owner_id,
        "due_at": _local(row.due_at, event),
        "note": row.note,
        "done": row.done,
    }


def _render(
    request: AuthedRequest,
    event: Event,
    *,
    status: int = 200,
    item_form: ItemForm | None = None,
    edit_forms: dict[int, ItemEditForm] | None = None,
    check_forms: dict[int, CheckForm] | None = None,
    follow_up_forms: dict[int, FollowUpForm] | None = None,
) -> HttpResponse:
    if status != 200:
        event.refresh_from_db(fields=["step"])
    services.checklist_for(event)
    access = event_access(request.user, event)
    editable = access.can(Need.EDIT) and event.step in EDIT_STEPS
    can_check = access.can(Need.ONSITE) and event.step in CHECK_STEPS
    items = services.items_of(event)
    edits, checks, follow_forms = edit_forms or {}, check_forms or {}, follow_up_forms or {}
    rows: list[dict[str, Any]] = []
    for item in items:
        rows.append(
            {
                "item": item,
                "follow_up": services.open_follow_up(item),
                "edit_form": edits.get(item.pk)
                or ItemEditForm(initial=_item_initial(item), prefix=f"i{item.pk}"),
                "check_form": checks.get(item.pk)
                or CheckForm(
                    initial={"revision": item.revision, "result": Result.FAILED},
                    prefix=f"c{item.pk}",
                    event=event,
                ),
                "check_open": item.pk in checks,
            }
        )
    by_item = {r["item"].pk: r for r in rows}
    grouped = [{**s, "rows": [by_item[i.pk] for i in s["items"]]} for s in sections(items)]
    follow_ups = [
        {
            "row": f,
            "form": follow_forms.get(f.pk)
            or FollowUpForm(initial=_follow_up_initial(f, event), prefix=f"f{f.pk}", event=event),
        }
        for f in services.follow_ups_of(event)
    ]
    criteria = gate_criteria(event)
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "rehearsal"),
        "nav": event.phase.value,
        "editable": editable,
        "can_check": can_check,
        "is_onsite": access.can(Need.ONSITE),
        "is_editor": access.can(Need.EDIT),
        "check_steps": "、".join(str(Step(s).label) for s in CHECK_STEPS),
        "sections": grouped,
        "summary": summary(items),
        "follow_ups": follow_ups,
        "criteria": criteria,
        "gate_met": all(c.met for c in criteria),
        "item_form": item_form or ItemForm(),
        "is_setup": event.step == Step.SETUP,
    }
    return render(request, "onsite_rehearsal/checklist.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def checklist(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def item_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = ItemForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.item_add)(
            actor=actor(request), event=event, **form.item_data()
        ),
        page=lambda status: _render(request, event, status=status, item_form=form),
        success_url=lambda item: _url(event, f"#item-{item.pk}"),
        done=_("检查项已添加。"),
    )


def _with_current_revision(form: Any) -> None:
    """Someone saved the record first: the row offers their revision, so that submitting again saves
    (``form_stale`` sets the unprefixed ``revision``; this row's field is prefixed)."""
    stale = getattr(form, "stale", None)
    if stale is not None and stale.current.get("revision"):
        data = form.data.copy()
        data[form.add_prefix("revision")] = str(stale.current["revision"])
        form.data = data


@require_POST
@event_page(Need.EDIT)
def item_save(request: AuthedRequest, event: Event, checklist_item_id: int) -> HttpResponse:
    try:
        item = services.item_get(event, checklist_item_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = ItemEditForm(request.POST, prefix=f"i{item.pk}")

    def page(status: int) -> HttpResponse:
        _with_current_revision(form)
        return _render(request, event, status=status, edit_forms={item.pk: form})

    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.item_update)(
            actor=actor(request), event=event, item_id=item.pk, seen=d["revision"], **form.item_data()
        ),
        page=page,
        success_url=_url(event, f"#item-{item.pk}"),
        done=_("检查项已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def item_remove(request: AuthedRequest, event: Event, checklist_item_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.item_remove)(
            actor=actor(request),
            event=event,
            item_id=checklist_item_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_url(event, "#checklist"),
        failure_url=_url(event, "#checklist"),
        done=_("检查项已删除。"),
    )


@require_POST
@event_page(Need.ONSITE)
def item_check(request: AuthedRequest, event: Event, checklist_item_id: int) -> HttpResponse:
    try:
        item = services.item_get(event, checklist_item_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = CheckForm(request.POST, request.FILES, prefix=f"c{item.pk}", event=event)

    def page(status: int) -> HttpResponse:
        _with_current_revision(form)
        return _render(request, event, status=status, check_forms={item.pk: form})

    def done(outcome: services.CheckOutcome) -> str:
        from django.contrib import messages

        if outcome.item.result == Result.OK:
            text = _("「%(title)s」已检查:合格。") % {"title": outcome.item.label}
            if outcome.closed:
                text += _("整改任务已关闭。")
            messages.success(request, text)
            return _url(event, f"#item-{outcome.item.pk}")
        follow = outcome.follow_up
        assert follow is not None
        messages.warning(
            request,
            _("「%(title)s」未通过,整改任务交给 %(owner)s,截止 %(due)s。")
            % {
                "title": outcome.item.label,
                "owner": follow.owner.name,
                "due": timezone.localtime(follow.due_at, event.tz).strftime("%m-%d %H:%M"),
            },
        )
        return _url(event, f"#follow-up-{follow.pk}")

    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.item_check)(
            actor=actor(request), event=event, item_id=item.pk, seen=d["revision"], **form.check_data()
        ),
        page=page,
        success_url=done,
    )


@require_POST
@event_page(Need.ONSITE)
def follow_up_save(request: AuthedRequest, event: Event, checklist_follow_up_id: int) -> HttpResponse:
    try:
        row = services.follow_up_get(event, checklist_follow_up_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = FollowUpForm(request.POST, prefix=f"f{row.pk}", event=event)

    def page(status: int) -> HttpResponse:
        _with_current_revision(form)
        return _render(request, event, status=status, follow_up_forms={row.pk: form})

    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.follow_up_update)(
            actor=actor(request),
            event=event,
            follow_up_id=row.pk,
            seen=d["revision"],
            owner=d["owner"],
            due_at=d["due_at"],
            note=d.get("note") or "",
            done=bool(d.get("done")),
        ),
        page=page,
        success_url=_url(event, f"#follow-up-{row.pk}"),
        done=_("整改任务已保存。"),
    )


def photo_response(photo: Any) -> FileResponse:
    """A check's photo, shown inline (only PNG and JPEG are ever stored: ``core.uploads`` checked the
    bytes), private and never sniffed."""
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("照片文件已丢失。")) from exc
    response = FileResponse(handle, content_type=photo.content_type, filename=photo.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@event_page(Need.VIEW)
def photo(request: AuthedRequest, event: Event, checklist_photo_id: int) -> HttpResponseBase:
    try:
        return photo_response(services.photo_get(event, checklist_photo_id))
    except DomainError as exc:
        return error_page(request, exc)


_P = "events/<int:event_id>/rehearsal/"
urlpatterns = [
    path(_P, checklist, name="checklist"),
    path(f"{_P}items/add/", item_add, name="item_add"),
    path(f"{_P}items/<int:checklist_item_id>/", item_save, name="item_save"),
    path(f"{_P}items/<int:checklist_item_id>/remove/", item_remove, name="item_remove"),
    path(f"{_P}items/<int:checklist_item_id>/check/", item_check, name="item_check"),
    path(f"{_P}follow-ups/<int:checklist_follow_up_id>/", follow_up_save, name="follow_up_save"),
    path(f"{_P}photos/<int:checklist_photo_id>/", photo, name="photo"),
]
