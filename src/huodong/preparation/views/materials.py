"""Pages: 《活动物料明细表》 (MT-1): items by category, quick status buttons, photos and files, the event
type's template, Excel export and import.

One page through the one page flow (``core.pageflow``): a form posts, one service runs, the page
redirects back; a refusal shows the page again with the errors beside their fields (400), or 409 with
"已被某某修改" when someone saved first. A refused import lists every bad row with its number and reason.
People who cannot edit see the list read-only; the owner of an item may still move its status and add
photos (``services.materials.can_update_status``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post, redirect_to
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs
from huodong.planning.selectors_plan import attachment_file_response

from .. import excel_materials
from ..forms.materials import MaterialFileForm, MaterialForm, MaterialImportForm, MaterialStatusForm
from ..models import MaterialItem
from ..rules import PREPARATION_STEPS
from ..services import materials as services

TAB = {"key": "materials", "label": gettext_lazy("物料"), "url_name": "preparation:materials", "order": 54}
EDIT_IDS = "edit_%s"
FIELDS = ("kind", "name", "quantity", "spec", "owner", "due_on", "vendor", "status", "waive_reason", "note")
STATUS_CLASS = {
    MaterialItem.Status.TO_ORDER: "",
    MaterialItem.Status.ORDERED: "warn",
    MaterialItem.Status.ARRIVED: "warn",
    MaterialItem.Status.ACCEPTED: "ok",
    MaterialItem.Status.WAIVED: "",
}
NEXT_LABEL = {
    MaterialItem.Status.ORDERED: gettext_lazy("标记已下单"),
    MaterialItem.Status.ARRIVED: gettext_lazy("标记已到货"),
    MaterialItem.Status.ACCEPTED: gettext_lazy("标记已验收"),
}


def _initial(item: MaterialItem) -> dict[str, Any]:
    return {
        "revision": item.revision,
        "kind": item.kind,
        "name": item.name,
        "quantity": item.quantity,
        "spec": item.spec,
        "owner": item.owner_id,
        "due_on": item.due_on,
        "vendor": item.vendor_id,
        "status": item.status,
        "waive_reason": item.waive_reason,
        "note": item.note,
    }


def _context(
    request: AuthedRequest,
    event: Event,
    *,
    forms: dict[str, Any] | None = None,
    editing: int | None = None,
    row_forms: dict[tuple[str, int], Any] | None = None,
    import_refused: excel_materials.ImportRefused | None = None,
) -> dict[str, Any]:
    forms = forms or {}
    row_forms = row_forms or {}
    is_editor = event_access(request.user, event).can(Need.EDIT)
    in_step = event.step in PREPARATION_STEPS
    can_edit = is_editor and in_step
    items = services.materials_of(event)
    today = services.event_today(event)
    groups = []
    for kind, label in MaterialItem.Kind.choices:
        rows = []
        for item in (m for m in items if m.kind == kind):
            nxt = services.NEXT_STATUS.get(MaterialItem.Status(item.status))
            rows.append(
                {
                    "obj": item,
                    "overdue": item.is_overdue(today),
                    "status_class": STATUS_CLASS.get(MaterialItem.Status(item.status), ""),
                    "next_status": nxt,
                    "next_label": NEXT_LABEL.get(nxt) if nxt else None,
                    "can_status": in_step and services.can_update_status(request.user, event, item),
                    "editing": can_edit and editing == item.pk,
                    "status_form": row_forms.get(("status", item.pk)),
                    "file_form": row_forms.get(("file", item.pk)),
                    "files": list(item.files.all()),
                }
            )
        groups.append({"kind": kind, "label": label, "rows": rows})
    edit_form = forms.get("edit")
    if edit_form is None and editing is not None and can_edit:
        shown = next((m for m in items if m.pk == editing), None)
        if shown is not None:
            edit_form = MaterialForm(edit=True, auto_id=EDIT_IDS, initial=_initial(shown))
    counts = {s: 0 for s in MaterialItem.Status.values}
    for m in items:
        counts[m.status] = counts.get(m.status, 0) + 1
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "materials"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "can_edit": can_edit,
        "editable_steps": "、".join(str(Step(s).label) for s in PREPARATION_STEPS),
        "groups": groups,
        "total": len(items),
        "overdue_count": sum(1 for m in items if m.is_overdue(today)),
        "done_count": sum(1 for m in items if m.is_done),
        "status_choices": MaterialItem.Status.choices,
        "status_counts": [(label, counts.get(code, 0)) for code, label in MaterialItem.Status.choices],
        "last_day": services.event_last_day(event),
        "template_count": len(services.template_rows(event)),
        "add_form": forms.get("add") or MaterialForm(prefix="add"),
        "edit_form": edit_form,
        "editing": editing,
        "import_form": forms.get("import") or MaterialImportForm(prefix="imp"),
        "import_refused": import_refused,
        "max_import_rows": f"{excel_materials.MAX_IMPORT_ROWS:,}",
        "headers": excel_materials.headers(),
        "file_types": services.allowed_file_types_label(),
    }


def _url(event: Event, anchor: str = "") -> str:
    return reverse("preparation:materials", kwargs={"event_id": event.pk}) + (f"#{anchor}" if anchor else "")


def _page(request: AuthedRequest, event: Event, status: int, **kwargs: Any) -> HttpResponse:
    return render(request, "preparation/materials.html", _context(request, event, **kwargs), status=status)


def _form_post(
    request: AuthedRequest,
    event: Event,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    done: Any,
    anchor: str,
    **page_kwargs: Any,
) -> HttpResponse:
    return form_post(
        request,
        form,
        save=retry_on_conflict(save),
        page=lambda status: _page(request, event, status, **page_kwargs),
        success_url=_url(event, anchor),
        done=done,
    )


def _action_post(
    request: AuthedRequest, event: Event, act: Callable[[], Any], done: Any, anchor: str = ""
) -> HttpResponse:
    url = _url(event, anchor)
    return action_post(request, act=retry_on_conflict(act), success_url=url, failure_url=url, done=done)


# ---------------------------------------------------------------- read
@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    edit = request.GET.get("edit", "")
    editing = int(edit) if edit.isdigit() and len(edit) < 10 else None
    try:
        return _page(request, event, 200, editing=editing)
    except DomainError as exc:
        return error_page(request, exc)


@require_GET
@event_page(Need.VIEW)
def materials_xlsx(request: AuthedRequest, event: Event) -> HttpResponse:
    """《活动物料明细表》 as Excel: anyone who may see the event."""
    response = HttpResponse(
        excel_materials.materials_workbook(event), content_type=excel_materials.EXCEL_CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=excel_materials.workbook_filename(event))
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@event_page(Need.VIEW)
def material_file_download(
    request: AuthedRequest, event: Event, material_id: int, material_file_id: int
) -> HttpResponseBase:
    try:
        stored = services.material_file_get(
            event=event, material_id=material_id, material_file_id=material_file_id
        )
        response = attachment_file_response(stored)  # type: ignore[arg-type]  # same StoredFile fields
    except DomainError as exc:
        return error_page(request, exc)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- writes
@require_POST
@event_page(Need.EDIT)
def material_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = MaterialForm(request.POST, prefix="add")
    return _form_post(
        request,
        event,
        form,
        lambda d: services.material_add(actor=actor(request), event=event, **{k: d[k] for k in FIELDS}),
        gettext_lazy("物料已添加。"),
        "materials-list",
        forms={"add": form},
    )


@require_POST
@event_page(Need.EDIT)
def material_edit(request: AuthedRequest, event: Event, material_id: int) -> HttpResponse:
    form = MaterialForm(request.POST, edit=True, auto_id=EDIT_IDS)
    return _form_post(
        request,
        event,
        form,
        lambda d: services.material_update(
            actor=actor(request),
            event=event,
            material_id=material_id,
            seen=d["revision"],
            **{k: d[k] for k in FIELDS},
        ),
        gettext_lazy("物料已保存。"),
        f"material-{material_id}",
        forms={"edit": form},
        editing=material_id,
    )


@require_POST
@event_page(Need.EDIT)
def material_delete(request: AuthedRequest, event: Event, material_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        lambda: services.material_remove(
            actor=actor(request),
            event=event,
            material_id=material_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        gettext_lazy("物料已删除。"),
        "materials-list",
    )


@require_POST
@event_page(Need.VIEW)  # the item's owner too: the service decides
def material_status(request: AuthedRequest, event: Event, material_id: int) -> HttpResponse:
    form = MaterialStatusForm(request.POST)
    return _form_post(
        request,
        event,
        form,
        lambda d: services.material_status_set(
            actor=actor(request),
            event=event,
            material_id=material_id,
            seen=d["revision"],
            status=d["status"],
            reason=d["reason"],
        ),
        gettext_lazy("物料状态已更新。"),
        f"material-{material_id}",
        row_forms={("status", material_id): form},
    )


@require_POST
@event_page(Need.EDIT)
def materials_from_template(request: AuthedRequest, event: Event) -> HttpResponse:
    def act() -> None:
        result = services.materials_from_template(actor=actor(request), event=event)
        if result["created"]:
            messages.success(
                request,
                _("已按活动类型模板生成 %(n)s 项物料(已有的 %(e)s 项未重复生成)。")
                % {"n": result["created"], "e": result["existing"]},
            )
        else:
            messages.info(request, _("模板中的物料都已在明细表中,没有新增。"))

    return _action_post(request, event, act, None, "materials-list")


@require_POST
@event_page(Need.EDIT)
def materials_import(request: AuthedRequest, event: Event) -> HttpResponse:
    form = MaterialImportForm(request.POST, request.FILES, prefix="imp")
    if not form.is_valid():
        return _page(request, event, 400, forms={"import": form})
    try:
        result = retry_on_conflict(excel_materials.materials_import)(
            actor=actor(request), event=event, file=form.cleaned_data["file"]
        )
    except excel_materials.ImportRefused as exc:
        return _page(request, event, 400, forms={"import": form}, import_refused=exc)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error("file" if field != "__all__" else None, msg)
        return _page(request, event, exc.status if 400 <= exc.status < 500 else 400, forms={"import": form})
    messages.success(
        request,
        _("导入完成:新增 %(c)s 项,更新 %(u)s 项,未变 %(n)s 项(工作表「%(s)s」)。")
        % {"c": result.created, "u": result.updated, "n": result.unchanged, "s": result.sheet},
    )
    return redirect_to(request, _url(event, "materials-list"))


@require_POST
@event_page(Need.VIEW)  # the item's owner too: the service decides
def material_file_add(request: AuthedRequest, event: Event, material_id: int) -> HttpResponse:
    form = MaterialFileForm(request.POST, request.FILES, prefix=f"file{material_id}")
    return _form_post(
        request,
        event,
        form,
        lambda d: services.material_file_add(
            actor=actor(request), event=event, material_id=material_id, file=d["file"]
        ),
        gettext_lazy("附件已上传。"),
        f"material-{material_id}",
        row_forms={("file", material_id): form},
    )


@require_POST
@event_page(Need.VIEW)  # the item's owner too: the service decides
def material_file_delete(
    request: AuthedRequest, event: Event, material_id: int, material_file_id: int
) -> HttpResponse:
    return _action_post(
        request,
        event,
        lambda: services.material_file_remove(
            actor=actor(request),
            event=event,
            material_id=material_id,
            material_file_id=material_file_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        gettext_lazy("附件已删除。"),
        f"material-{material_id}",
    )


_P = "events/<int:event_id>/preparation/materials/"
_M = _P + "<int:material_id>/"
urlpatterns = [
    path(_P, page, name="materials"),
    path(_P + "add/", material_add, name="material_add"),
    path(_P + "from-template/", materials_from_template, name="materials_from_template"),
    path(_P + "export.xlsx", materials_xlsx, name="materials_xlsx"),
    path(_P + "import/", materials_import, name="materials_import"),
    path(_M, material_edit, name="material_edit"),
    path(_M + "delete/", material_delete, name="material_delete"),
    path(_M + "status/", material_status, name="material_status"),
    path(_M + "files/", material_file_add, name="material_file_add"),
    path(_M + "files/<int:material_file_id>/", material_file_download, name="material_file_download"),
    path(_M + "files/<int:material_file_id>/delete/", material_file_delete, name="material_file_delete"),
]
