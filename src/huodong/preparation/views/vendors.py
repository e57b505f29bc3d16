"""Pages: the vendor register, vendor needs, quotes, comparison, choice, exception and contract (VD-1, VD-2).

- ``/vendors/``: the register shared across events (everyone signed in reads it; organisers and
  administrators add and change vendors and their qualifications); ``/vendors/weights/``: the
  organisation's comparison weights (administrators).
- ``/events/<id>/preparation/vendors/``: the event's vendor needs (tab 供应商) with each linked budget
  line's planned vs committed amount; a need's page with its quotes, the approver's exception, the
  contract and the rating; the comparison page with the weighted ranking and the choice.

Every form goes through ``core.pageflow.form_post`` (one service, then a redirect; or the page again with
the errors, 400, or 409 when someone saved first); buttons without fields through ``action_post``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.core.uploads import max_upload_bytes
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.vendors import (
    NEED_STATUS_TAGS,
    ChooseForm,
    ContractFileForm,
    ContractForm,
    ExceptionForm,
    NeedForm,
    QualificationForm,
    QuoteAttachmentForm,
    QuoteForm,
    RatingForm,
    VendorFilterForm,
    VendorForm,
    WeightsForm,
)
from ..models import Vendor, VendorNeed, VendorRating
from ..rules import PREPARATION_STEPS
from ..selectors import scoring_weights
from ..services import vendors as services

TAB = {"key": "vendors", "label": gettext_lazy("供应商"), "url_name": "preparation:vendor_needs", "order": 52}


def _seen(request: AuthedRequest) -> int | None:
    return revision_of(request.POST.get("revision"))


# ---------------------------------------------------------------- the register
def _vendor_rows(vendors: list[Vendor]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {
            "obj": v,
            "categories": services.category_labels(v.categories),
            "expired": services.expired_qualifications(v, today),
            "rating": v.rating_avg,  # type: ignore[attr-defined]
            "rating_count": v.rating_count,  # type: ignore[attr-defined]
        }
        for v in vendors
    ]


def _register_context(request: AuthedRequest, *, add_form: VendorForm | None = None) -> dict[str, Any]:
    filters = VendorFilterForm(request.GET or None)
    q, category = "", ""
    if filters.is_valid():
        q, category = filters.cleaned_data["q"], filters.cleaned_data["category"]
    return {
        "nav": "preparation",
        "filters": filters,
        "rows": _vendor_rows(services.vendor_list(q=q, category=category)),
        "can_edit": services.can_edit_register(request.user),
        "is_admin": request.user.is_admin,
        "add_form": add_form or VendorForm(prefix="v"),
        "weights": scoring_weights(),
    }


@require_GET
@login_required
def vendor_register(request: AuthedRequest) -> HttpResponse:
    return render(request, "preparation/vendors.html", _register_context(request))


@require_POST
@login_required
def vendor_add(request: AuthedRequest) -> HttpResponse:
    if not services.can_edit_register(request.user):
        return error_page(request, NotAllowed(_("只有活动策划人员或管理员可以修改供应商库。")))
    form = VendorForm(request.POST, prefix="v")
    return form_post(
        request,
        form,
        save=retry_on_conflict(lambda d: services.vendor_add(actor=actor(request), **d)),
        page=lambda status: render(
            request, "preparation/vendors.html", _register_context(request, add_form=form), status=status
        ),
        success_url=lambda v: reverse("preparation:vendor_detail", args=[v.pk]),
        done=_("供应商已添加。"),
    )


def _vendor_context(
    request: AuthedRequest, vendor_id: int, *, forms: dict[str, Any] | None = None
) -> dict[str, Any]:
    forms = forms or {}
    vendor = services.vendor_get(vendor_id)
    today = timezone.localdate()
    edit_initial = {f: getattr(vendor, f) for f in services.VENDOR_FIELDS} | {"revision": vendor.revision}
    return {
        "nav": "preparation",
        "vendor": vendor,
        "categories": services.category_labels(vendor.categories),
        "qualifications": [{"obj": q, "expired": q.is_expired(today)} for q in vendor.qualifications.all()],
        "expired": services.expired_qualifications(vendor, today),
        "ratings": list(VendorRating.objects.filter(vendor=vendor).select_related("event", "rated_by")),
        "quotes": list(vendor.quotes.select_related("need__event").order_by("-received_at", "-id")[:50]),
        "can_edit": services.can_edit_register(request.user),
        "edit_form": forms.get("edit") or VendorForm(edit=True, initial=edit_initial),
        "qualification_form": forms.get("qualification") or QualificationForm(prefix="q"),
    }


@require_GET
@login_required
def vendor_detail(request: AuthedRequest, vendor_id: int) -> HttpResponse:
    try:
        ctx = _vendor_context(request, vendor_id)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "preparation/vendor_detail.html", ctx)


def _register_post(
    request: AuthedRequest,
    vendor_id: int,
    form: Any,
    form_key: str,
    save: Callable[[dict[str, Any]], Any],
    done: Any,
    anchor: str,
) -> HttpResponse:
    if not services.can_edit_register(request.user):
        return error_page(request, NotAllowed(_("只有活动策划人员或管理员可以修改供应商库。")))

    def page(status: int) -> HttpResponse:
        try:
            ctx = _vendor_context(request, vendor_id, forms={form_key: form})
        except DomainError as exc:
            return error_page(request, exc)
        return render(request, "preparation/vendor_detail.html", ctx, status=status)

    return form_post(
        request,
        form,
        save=retry_on_conflict(save),
        page=page,
        success_url=reverse("preparation:vendor_detail", args=[vendor_id]) + anchor,
        done=done,
    )


@require_POST
@login_required
def vendor_edit(request: AuthedRequest, vendor_id: int) -> HttpResponse:
    form = VendorForm(request.POST, edit=True)

    def save(d: dict[str, Any]) -> Any:
        fields = {k: v for k, v in d.items() if k != "revision"}
        return services.vendor_update(actor=actor(request), vendor_id=vendor_id, seen=d["revision"], **fields)

    return _register_post(request, vendor_id, form, "edit", save, _("供应商信息已保存。"), "")


@require_POST
@login_required
def qualification_add(request: AuthedRequest, vendor_id: int) -> HttpResponse:
    form = QualificationForm(request.POST, prefix="q")
    return _register_post(
        request,
        vendor_id,
        form,
        "qualification",
        lambda d: services.qualification_add(actor=actor(request), vendor_id=vendor_id, **d),
        _("资质已添加。"),
        "#qualifications",
    )


@require_POST
@login_required
def qualification_delete(request: AuthedRequest, vendor_id: int, qualification_id: int) -> HttpResponse:
    if not services.can_edit_register(request.user):
        return error_page(request, NotAllowed(_("只有活动策划人员或管理员可以修改供应商库。")))
    url = reverse("preparation:vendor_detail", args=[vendor_id]) + "#qualifications"
    return action_post(
        request,
        act=retry_on_conflict(
            lambda: services.qualification_remove(
                actor=actor(request),
                vendor_id=vendor_id,
                qualification_id=qualification_id,
                seen=_seen(request),
            )
        ),
        success_url=url,
        failure_url=url,
        done=_("资质已删除。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def weights(request: AuthedRequest) -> HttpResponse:
    """The organisation's comparison weights and minimum number of quotes (administrators)."""
    if not request.user.is_admin:
        return error_page(request, NotAllowed(_("只有管理员可以修改比价权重。")))
    current = scoring_weights()
    initial = {f: getattr(current, f) for f in (*services.WEIGHT_FIELDS, "min_quotes")}
    form = WeightsForm(request.POST or None, initial={**initial, "revision": current.revision})

    def page(status: int) -> HttpResponse:
        return render(request, "preparation/weights.html", {"form": form, "nav": "admin"}, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=retry_on_conflict(
            lambda d: services.weights_update(
                actor=actor(request), seen=d["revision"], **{k: v for k, v in d.items() if k != "revision"}
            )
        ),
        page=page,
        success_url=reverse("preparation:weights"),
        done=_("比价权重已保存。"),
    )


# ---------------------------------------------------------------- the event's vendor needs
def _frame(request: AuthedRequest, event: Event) -> dict[str, Any]:
    is_editor = event_access(request.user, event).can(Need.EDIT)
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "vendors"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "can_edit": is_editor and event.step in PREPARATION_STEPS,
        "editable_steps": "、".join(str(Step(s).label) for s in PREPARATION_STEPS),
        "can_except": services.can_record_exception(request.user),
        "min_quotes": scoring_weights().min_quotes,
        "status_tags": NEED_STATUS_TAGS,
    }


def _needs_context(
    request: AuthedRequest, event: Event, *, add_form: NeedForm | None = None
) -> dict[str, Any]:
    needs = services.needs_with_flags(event)
    lines = services.budget_lines_of(event)
    ctx = _frame(request, event)
    ctx.update(
        {
            "needs": needs,
            "line_statuses": services.line_statuses(event, needs),
            "add_form": add_form or NeedForm(lines=lines, prefix="n"),
            "has_plan_lines": bool(lines),
        }
    )
    return ctx


@require_GET
@event_page(Need.VIEW)
def vendor_needs(request: AuthedRequest, event: Event) -> HttpResponse:
    return render(request, "preparation/vendor_needs.html", _needs_context(request, event))


def _needs_url(event: Event) -> str:
    return reverse("preparation:vendor_needs", kwargs={"event_id": event.pk})


def _need_url(event: Event, need_id: int, anchor: str = "") -> str:
    return reverse("preparation:vendor_need", kwargs={"event_id": event.pk, "need_id": need_id}) + anchor


@require_POST
@event_page(Need.EDIT)
def vendor_need_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = NeedForm(request.POST, lines=services.budget_lines_of(event), prefix="n")
    return form_post(
        request,
        form,
        save=retry_on_conflict(lambda d: services.need_add(actor=actor(request), event=event, **d)),
        page=lambda status: render(
            request,
            "preparation/vendor_needs.html",
            _needs_context(request, event, add_form=form),
            status=status,
        ),
        success_url=lambda need: _need_url(event, need.pk),
        done=_("采购需求已添加。"),
    )


def _need_initial(need: VendorNeed) -> dict[str, Any]:
    return {
        "revision": need.revision,
        "title": need.title,
        "category": need.category,
        "description": need.description,
        "budget_line": need.budget_line_id,
        "needed_by": need.needed_by,
        "owner": need.owner_id,
    }


def _quote_initial(quote: Any) -> dict[str, Any]:
    return {"revision": quote.revision} | {
        f: (quote.vendor_id if f == "vendor" else getattr(quote, f)) for f in services.QUOTE_FIELDS
    }


def _need_context(
    request: AuthedRequest,
    event: Event,
    need_id: int,
    *,
    forms: dict[str, Any] | None = None,
    editing: str = "",
) -> dict[str, Any]:
    forms = forms or {}
    need = services.need_get(event=event, need_id=need_id)
    quotes = services.quotes_of(need)
    contract = services.contract_of(need)
    today = timezone.localdate()
    ctx = _frame(request, event)
    edit_kind, _sep, edit_id = editing.partition("-")
    edit_pk = int(edit_id) if edit_id.isdigit() and len(edit_id) < 10 else None
    quote_edit_form = forms.get("quote_edit")
    if quote_edit_form is None and edit_kind == "quote" and ctx["can_edit"]:
        row = next((q for q in quotes if q.pk == edit_pk), None)
        if row is not None:
            quote_edit_form = QuoteForm(edit=True, auto_id="edit_%s", initial=_quote_initial(row))
    chosen = next((q for q in quotes if q.pk == need.chosen_quote_id), None)
    contract_initial: dict[str, Any] = {"revision": need.revision}
    if chosen is not None:
        contract_initial |= {"amount": chosen.amount, "service_content": chosen.includes}
    rating = (
        VendorRating.objects.filter(vendor_id=contract.vendor_id, event=event).first() if contract else None
    )
    ctx.update(
        {
            "need": need,
            "quotes": [
                {
                    "obj": q,
                    "expired": services.expired_qualifications(q.vendor, today),
                    "editing": edit_kind == "quote" and edit_pk == q.pk,
                    "attachments": list(q.attachments.all()),
                }
                for q in quotes
            ],
            "quote_count": len(quotes),
            "enough_quotes": len(quotes) >= ctx["min_quotes"],
            "is_open": need.status == VendorNeed.Status.QUOTING,
            "contract": contract,
            "rating": rating,
            "can_rate": contract is not None and services.can_rate(event, need),
            "edit_form": forms.get("edit")
            or NeedForm(
                lines=services.budget_lines_of(event),
                edit=True,
                auto_id="need_%s",
                initial=_need_initial(need),
            ),
            "quote_form": forms.get("quote") or QuoteForm(prefix="qt"),
            "quote_edit_form": quote_edit_form,
            "attachment_form": forms.get("attachment") or QuoteAttachmentForm(prefix="att"),
            "attachment_quote": forms.get("attachment_quote"),
            "exception_form": forms.get("exception")
            or ExceptionForm(prefix="ex", initial={"revision": need.revision}),
            "contract_form": forms.get("contract")
            or ContractForm(prefix="ct", tz=event.tz, initial=contract_initial),
            "contract_file_form": forms.get("contract_file")
            or ContractFileForm(prefix="cf", initial={"revision": contract.revision if contract else None}),
            "rating_form": forms.get("rating")
            or RatingForm(
                prefix="rt", initial={"score": rating.score, "comment": rating.comment} if rating else None
            ),
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
        }
    )
    return ctx


@require_GET
@event_page(Need.VIEW)
def vendor_need(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    try:
        ctx = _need_context(request, event, need_id, editing=request.GET.get("edit", ""))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "preparation/vendor_need.html", ctx)


def _need_post(
    request: AuthedRequest,
    event: Event,
    need_id: int,
    *,
    form: Any,
    form_key: str,
    save: Callable[[dict[str, Any]], Any],
    done: Any,
    anchor: str = "",
    editing: str = "",
    template: str = "preparation/vendor_need.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    def page(status: int) -> HttpResponse:
        try:
            if template == "preparation/quote_comparison.html":
                ctx = _comparison_context(request, event, need_id, choose_form=form)
            else:
                ctx = _need_context(
                    request, event, need_id, forms={form_key: form, **(extra or {})}, editing=editing
                )
        except DomainError as exc:
            return error_page(request, exc)
        return render(request, template, ctx, status=status)

    return form_post(
        request,
        form,
        save=retry_on_conflict(save),
        page=page,
        success_url=_need_url(event, need_id, anchor),
        done=done,
    )


def _without_revision(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "revision"}


@require_POST
@event_page(Need.EDIT)
def vendor_need_edit(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    form = NeedForm(request.POST, lines=services.budget_lines_of(event), edit=True, auto_id="need_%s")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="edit",
        save=lambda d: services.need_update(
            actor=actor(request), event=event, need_id=need_id, seen=d["revision"], **_without_revision(d)
        ),
        done=_("采购需求已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def vendor_need_cancel(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    url = _need_url(event, need_id)
    return action_post(
        request,
        act=retry_on_conflict(
            lambda: services.need_cancel(
                actor=actor(request), event=event, need_id=need_id, seen=_seen(request)
            )
        ),
        success_url=url,
        failure_url=url,
        done=_("采购需求已取消。"),
    )


@require_POST
@event_page(Need.EDIT)
def quote_add(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    form = QuoteForm(request.POST, request.FILES, prefix="qt")

    def save(d: dict[str, Any]) -> Any:
        file = d.pop("file", None)
        return services.quote_add(
            actor=actor(request), event=event, need_id=need_id, files=[file] if file else [], **d
        )

    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="quote",
        save=save,
        done=_("报价已添加。"),
        anchor="#quotes",
    )


def _quote_need(event: Event, quote_id: int) -> int:
    return services.quote_get(event=event, quote_id=quote_id).need_id


@require_POST
@event_page(Need.EDIT)
def quote_edit(request: AuthedRequest, event: Event, quote_id: int) -> HttpResponse:
    try:
        need_id = _quote_need(event, quote_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = QuoteForm(request.POST, edit=True, auto_id="edit_%s")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="quote_edit",
        save=lambda d: services.quote_update(
            actor=actor(request), event=event, quote_id=quote_id, seen=d["revision"], **_without_revision(d)
        ),
        done=_("报价已保存。"),
        anchor="#quotes",
        editing=f"quote-{quote_id}",
    )


@require_POST
@event_page(Need.EDIT)
def quote_delete(request: AuthedRequest, event: Event, quote_id: int) -> HttpResponse:
    try:
        need_id = _quote_need(event, quote_id)
    except DomainError as exc:
        return error_page(request, exc)
    url = _need_url(event, need_id, "#quotes")
    return action_post(
        request,
        act=retry_on_conflict(
            lambda: services.quote_remove(
                actor=actor(request), event=event, quote_id=quote_id, seen=_seen(request)
            )
        ),
        success_url=url,
        failure_url=url,
        done=_("报价已删除。"),
    )


@require_POST
@event_page(Need.EDIT)
def quote_attachment_add(request: AuthedRequest, event: Event, quote_id: int) -> HttpResponse:
    try:
        need_id = _quote_need(event, quote_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = QuoteAttachmentForm(request.POST, request.FILES, prefix="att")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="attachment",
        save=lambda d: services.quote_attachment_add(
            actor=actor(request), event=event, quote_id=quote_id, file=d["file"]
        ),
        done=_("附件已上传。"),
        anchor="#quotes",
        extra={"attachment_quote": quote_id},
    )


@require_GET
@event_page(Need.VIEW)
def quote_attachment_download(
    request: AuthedRequest, event: Event, quote_attachment_id: int
) -> HttpResponseBase:
    try:
        att = services.quote_attachment_get(event=event, attachment_id=quote_attachment_id)
        response = _file_response(att.file, att.original_name, att.content_type)
    except DomainError as exc:
        return error_page(request, exc)
    return response


def _file_response(field: Any, name: str, content_type: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        from huodong.core.errors import NotFound

        raise NotFound(_("文件已不存在。")) from exc
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type or None)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@event_page(Need.EDIT)
def quote_attachment_delete(request: AuthedRequest, event: Event, quote_attachment_id: int) -> HttpResponse:
    try:
        att = services.quote_attachment_get(event=event, attachment_id=quote_attachment_id)
    except DomainError as exc:
        return error_page(request, exc)
    url = _need_url(event, att.quote.need_id, "#quotes")
    return action_post(
        request,
        act=retry_on_conflict(
            lambda: services.quote_attachment_remove(
                actor=actor(request), event=event, attachment_id=quote_attachment_id, seen=_seen(request)
            )
        ),
        success_url=url,
        failure_url=url,
        done=_("附件已删除。"),
    )


# ---------------------------------------------------------------- comparison and choice
def _comparison_context(
    request: AuthedRequest, event: Event, need_id: int, *, choose_form: ChooseForm | None = None
) -> dict[str, Any]:
    need = services.need_get(event=event, need_id=need_id)
    result = services.comparison(need)
    ctx = _frame(request, event)
    ctx.update(
        {
            "need": need,
            "result": result,
            "weights": result.weights,
            "can_choose": ctx["can_edit"]
            and need.status in (VendorNeed.Status.QUOTING, VendorNeed.Status.CHOSEN)
            and bool(result.rows),
            "blocked": not result.enough and need.exception_at is None,
            "choose_form": choose_form
            or ChooseForm(
                quotes=[r.quote for r in result.rows],
                prefix="ch",
                initial={
                    "revision": need.revision,
                    "quote": need.chosen_quote_id or (result.rows[0].quote.pk if result.rows else None),
                    "reason": need.choice_reason,
                },
            ),
        }
    )
    return ctx


@require_GET
@event_page(Need.VIEW)
def vendor_comparison(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    try:
        ctx = _comparison_context(request, event, need_id)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "preparation/quote_comparison.html", ctx)


@require_POST
@event_page(Need.EDIT)
def vendor_choose(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    try:
        need = services.need_get(event=event, need_id=need_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = ChooseForm(request.POST, quotes=services.quotes_of(need), prefix="ch")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="choose",
        save=lambda d: services.need_choose(
            actor=actor(request),
            event=event,
            need_id=need_id,
            seen=d["revision"],
            quote_id=d["quote"],
            reason=d["reason"],
        ),
        done=_("已选定供应商。"),
        anchor="#contract",
        template="preparation/quote_comparison.html",
    )


@require_POST
@event_page(Need.VIEW)
def vendor_exception(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    """VD-1: only an approver (分管领导, 总经理) or an administrator; the service says no to anyone else."""
    if not services.can_record_exception(request.user):
        return error_page(
            request, NotAllowed(_("只有审批人(分管领导、总经理)或管理员可以登记报价不足的例外。"))
        )
    form = ExceptionForm(request.POST, prefix="ex")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="exception",
        save=lambda d: services.need_exception(
            actor=actor(request), event=event, need_id=need_id, seen=d["revision"], reason=d["reason"]
        ),
        done=_("已登记例外。"),
        anchor="#exception",
    )


@require_POST
@event_page(Need.EDIT)
def contract_record(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    form = ContractForm(request.POST, request.FILES, prefix="ct", tz=event.tz)
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="contract",
        save=lambda d: services.contract_record(
            actor=actor(request), event=event, need_id=need_id, seen=d["revision"], **_without_revision(d)
        ),
        done=_("合同已登记。"),
        anchor="#contract",
    )


@require_POST
@event_page(Need.EDIT)
def contract_file(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    form = ContractFileForm(request.POST, request.FILES, prefix="cf")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="contract_file",
        save=lambda d: services.contract_file_set(
            actor=actor(request), event=event, need_id=need_id, seen=d["revision"], file=d["signed_file"]
        ),
        done=_("已上传已签合同文件。"),
        anchor="#contract",
    )


@require_GET
@event_page(Need.VIEW)
def contract_download(request: AuthedRequest, event: Event, need_id: int) -> HttpResponseBase:
    try:
        need = services.need_get(event=event, need_id=need_id)
        contract = services.contract_of(need)
        if contract is None or not contract.signed_file:
            from huodong.core.errors import NotFound

            raise NotFound(_("该合同尚未上传已签文件。"))
        return _file_response(contract.signed_file, contract.signed_file_name, "")
    except DomainError as exc:
        return error_page(request, exc)


@require_POST
@event_page(Need.EDIT)
def vendor_rate(request: AuthedRequest, event: Event, need_id: int) -> HttpResponse:
    form = RatingForm(request.POST, prefix="rt")
    return _need_post(
        request,
        event,
        need_id,
        form=form,
        form_key="rating",
        save=lambda d: services.rating_record(actor=actor(request), event=event, need_id=need_id, **d),
        done=_("评价已保存。"),
        anchor="#rating",
    )


_E = "events/<int:event_id>/preparation/vendors/"
urlpatterns = [
    path("vendors/", vendor_register, name="vendors"),
    path("vendors/add/", vendor_add, name="vendor_add"),
    path("vendors/weights/", weights, name="weights"),
    path("vendors/<int:vendor_id>/", vendor_detail, name="vendor_detail"),
    path("vendors/<int:vendor_id>/edit/", vendor_edit, name="vendor_edit"),
    path("vendors/<int:vendor_id>/qualifications/add/", qualification_add, name="qualification_add"),
    path(
        "vendors/<int:vendor_id>/qualifications/<int:qualification_id>/delete/",
        qualification_delete,
        name="qualification_delete",
    ),
    path(_E, vendor_needs, name="vendor_needs"),
    path(_E + "add/", vendor_need_add, name="vendor_need_add"),
    path(_E + "<int:need_id>/", vendor_need, name="vendor_need"),
    path(_E + "<int:need_id>/edit/", vendor_need_edit, name="vendor_need_edit"),
    path(_E + "<int:need_id>/cancel/", vendor_need_cancel, name="vendor_need_cancel"),
    path(_E + "<int:need_id>/quotes/add/", quote_add, name="quote_add"),
    path(_E + "<int:need_id>/comparison/", vendor_comparison, name="vendor_comparison"),
    path(_E + "<int:need_id>/choose/", vendor_choose, name="vendor_choose"),
    path(_E + "<int:need_id>/exception/", vendor_exception, name="vendor_exception"),
    path(_E + "<int:need_id>/contract/", contract_record, name="contract_record"),
    path(_E + "<int:need_id>/contract/file/", contract_file, name="contract_file"),
    path(_E + "<int:need_id>/contract/download/", contract_download, name="contract_download"),
    path(_E + "<int:need_id>/rating/", vendor_rate, name="vendor_rate"),
    path(_E + "quotes/<int:quote_id>/edit/", quote_edit, name="quote_edit"),
    path(_E + "quotes/<int:quote_id>/delete/", quote_delete, name="quote_delete"),
    path(_E + "quotes/<int:quote_id>/attachments/add/", quote_attachment_add, name="quote_attachment_add"),
    path(
        _E + "attachments/<int:quote_attachment_id>/",
        quote_attachment_download,
        name="quote_attachment_download",
    ),
    path(
        _E + "attachments/<int:quote_attachment_id>/delete/",
        quote_attachment_delete,
        name="quote_attachment_delete",
    ),
]
