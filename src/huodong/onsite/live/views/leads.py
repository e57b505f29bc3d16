"""Leads on a phone (EX-6): a salesperson at the event scans a guest's badge with the camera (jsQR, the
scanner's own vendor file), or types the ticket code, or finds the guest by name, then records the
interest (A 高 / B 中 / C 低) and notes.

- ``onsite_live:leads`` — ``/events/<id>/live/leads/``: GET ``?token=`` (what the camera read; the page's
  script fills it in and submits), ``?code=``, ``?q=`` (name, pinyin, code or phone tail: a list to pick
  from) or ``?guest=`` (picked): the guest and the form; the person's own leads of the event below. When
  the person already has a lead on that guest, its edit form is shown instead. POST records a lead
  (``services.leads.lead_record``).
- ``onsite_live:lead_edit`` — ``…/live/leads/<lead_id>/``: change the interest or notes (revisioned).

Without JavaScript everything but the camera works. ``Need.ONSITE``; through ``core.pageflow``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huodong.checkin.selectors import category_label
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import RevisionField, error_page, event_page, form_post
from huodong.events.access import Need
from huodong.events.models import Event
from huodong.outreach import contact
from huodong.outreach.models import Guest

from ..models import NOTES_MAX, Interest, Lead
from ..services import leads as services

MINE_SHOWN = 50


class LeadFields(forms.Form):
    interest = forms.ChoiceField(
        label=gettext_lazy("意向等级"),
        choices=Interest.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择意向等级(A 高、B 中、C 低)。"),
            "invalid_choice": gettext_lazy("请选择意向等级(A 高、B 中、C 低)。"),
        },
    )
    notes = forms.CharField(
        label=gettext_lazy("备注"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如:关注的产品、预算、下次联系的时间"),
        error_messages={"max_length": gettext_lazy("备注最多 %(limit_value)d 个字。")},
    )


class LeadForm(LeadFields):
    """A new lead: the guest as it was found (badge token, ticket code or picked id), kept hidden."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=services.TOKEN_MAX)
    code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    guest_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class LeadEditForm(LeadFields):
    revision = RevisionField()


def _guest(g: Guest) -> dict[str, Any]:
    return {
        "id": g.pk,
        "name": g.name,
        "company": g.company,
        "title": g.title,
        "category_label": category_label(g.category),
        "phone": contact.mask_phone(g.phone) if g.phone else "",
    }


def _mine(event: Event, person: Any) -> list[Lead]:
    return list(
        Lead.objects.filter(event_id=event.pk, recorded_by=person).select_related("guest")[:MINE_SHOWN]
    )


def _page(request: AuthedRequest, event: Event, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    base = {
        "event": event,
        "nav": event.phase.value,
        "mine": _mine(event, request.user),
        "leads_url": reverse("onsite_live:leads", args=[event.pk]),
        "dashboard_url": reverse("onsite_live:dashboard", args=[event.pk]),
        "jsqr": static("vendor/jsqr/jsQR.js"),
    }
    return render(request, "onsite_live/leads.html", {**base, **ctx}, status=status)


@require_http_methods(["GET", "POST"])
@event_page(Need.ONSITE)
def leads(request: AuthedRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        form = LeadForm(request.POST)
        guest = None
        if form.is_valid():
            try:
                guest, _found = services.guest_identify(
                    event,
                    token=form.cleaned_data["token"],
                    code=form.cleaned_data["code"],
                    guest_id=form.cleaned_data["guest_id"],
                )
            except DomainError:
                guest = None
        return form_post(
            request,
            form,
            save=lambda d: services.lead_record(actor=actor(request), event=event, **d),
            page=lambda status: _page(
                request, event, {"form": form, "guest": _guest(guest) if guest else None}, status
            ),
            success_url=reverse("onsite_live:leads", args=[event.pk]),
            done=_("已记录销售线索。"),
        )
    token = request.GET.get("token", "")[: services.TOKEN_MAX + 1]
    code = request.GET.get("code", "")[:20]
    picked = request.GET.get("guest", "")[:12]
    query = request.GET.get("q", "").strip()[: services.QUERY_MAX]
    ctx: dict[str, Any] = {"query": query}
    if token or code or picked:
        try:
            guest, found = services.guest_identify(event, token=token, code=code, guest_id=picked)
        except DomainError as exc:
            ctx["problem"] = exc.message
            return _page(request, event, ctx, 400)
        mine = services.lead_mine(event, guest, request.user)
        ctx["guest"] = _guest(guest)
        if mine is not None:
            ctx["existing"] = mine
            ctx["edit_form"] = LeadEditForm(
                initial={"interest": mine.interest, "notes": mine.notes, "revision": mine.revision}
            )
        else:
            initial: dict[str, Any] = (
                {"token": token} if token else {"code": code} if code else {"guest_id": guest.pk}
            )
            ctx["form"] = LeadForm(initial=initial)
    elif query:
        found_guests, total = services.guests_search(event, query)
        ctx["results"] = [_guest(g) for g in found_guests]
        ctx["more"] = max(0, total - len(found_guests))
    return _page(request, event, ctx)


@require_http_methods(["GET", "POST"])
@event_page(Need.ONSITE)
def lead_edit(request: AuthedRequest, event: Event, lead_id: int) -> HttpResponse:
    try:
        lead = services.lead_get(event, lead_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = LeadEditForm(
        request.POST or None,
        initial={"interest": lead.interest, "notes": lead.notes, "revision": lead.revision},
    )

    def page(status: int) -> HttpResponse:
        return _page(
            request, event, {"guest": _guest(lead.guest), "existing": lead, "edit_form": form}, status
        )

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda d: services.lead_update(
            actor=actor(request),
            event=event,
            lead_id=lead.pk,
            seen=d["revision"],
            interest=d["interest"],
            notes=d["notes"],
        ),
        page=page,
        success_url=reverse("onsite_live:leads", args=[event.pk]),
        done=_("已修改销售线索。"),
    )


_P = "events/<int:event_id>/live/leads/"
urlpatterns = [
    path(_P, leads, name="leads"),
    path(_P + "<int:lead_id>/", lead_edit, name="lead_edit"),
]
