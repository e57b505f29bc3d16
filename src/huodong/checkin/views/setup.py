"""Pages: the organiser's check-in setup (the event's tab 签到; EX-2, EX-3) and the walk-in desk.

- ``checkin:setup``: the gates, the check-in staff, the settings (doors, kit, stage manager), the links to
  the scanner, the live counts, the badges and the paper sheet (each shown once its page exists), the
  devices registered, the counts, and the staff's arrivals (who is due when, who is late).
- ``checkin:settings_save``, ``checkin:gate_add``, ``checkin:gate_save``, ``checkin:gate_remove``,
  ``checkin:staff_add``, ``checkin:staff_remove``: the editors' changes (``Need.EDIT``).
- ``checkin:arrival``: "我已到场" — one's own arrival (team and check-in staff); an editor may name
  someone else.
- ``checkin:walkin``: register a guest without a registration at the door and check them in (check-in
  staff: ``Need.CHECKIN``).

Through the one page flow (``core.pageflow``); the rules are in ``services.setup``, ``services.walkins``
and ``services.arrivals``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.middleware import client_address
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs
from huodong.outreach.models import Guest

from ..forms.setup import GateEditForm, GateForm, SettingsForm, StaffForm, kit_text
from ..forms.walkins import WalkinForm
from ..models import Device, Gate, Result
from ..rules import CHECKIN_SETUP_STEPS
from ..selectors import kit_labels
from ..services import arrivals as arrival_services
from ..services import setup as services
from ..services import walkins as walkin_services
from ..services.redeem import gate_label, settings_for

TAB = {"key": "checkin", "label": gettext_lazy("签到"), "url_name": "checkin:setup", "order": 80}

# The pages other areas build; a link is shown once its page exists, and only to whom it opens for (the
# tab is for anyone who may view the event: a reviewer is not sent to a 403).
LINKS = (
    ("checkin:scanner", gettext_lazy("扫码签到"), Need.CHECKIN),
    ("checkin:live", gettext_lazy("实时签到统计"), Need.SUPERVISE_CHECKIN),
    ("checkin:badges", gettext_lazy("胸牌打印"), Need.CHECKIN),
    ("checkin:sheet", gettext_lazy("纸质签到表"), Need.CHECKIN),
    ("onsite_live:dashboard", gettext_lazy("现场数据看板"), Need.ONSITE),
    ("onsite_live:leads", gettext_lazy("记录销售线索"), Need.ONSITE),
)


def _link(name: str, event: Event) -> str:
    try:
        return reverse(name, kwargs={"event_id": event.pk})
    except NoReverseMatch:
        return ""


def _url(event: Event, anchor: str = "") -> str:
    return reverse("checkin:setup", kwargs={"event_id": event.pk}) + anchor


def _settings_initial(conf: Any) -> dict[str, Any]:
    return {
        "revision": conf.revision,
        "opens_minutes_before": conf.opens_minutes_before,
        "closes_minutes_after": conf.closes_minutes_after,
        "kit": kit_text(conf.kit),
        "stage_manager": conf.stage_manager_id,
    }


def _gate_initial(gate: Gate) -> dict[str, Any]:
    return {
        "revision": gate.revision,
        "name": gate.name,
        "name_en": gate.name_en,
        "is_vip": gate.is_vip,
        "position": gate.position,
        "is_active": gate.is_active,
    }


def _with_gate_labels(rows: Any) -> list[Any]:
    """Staff and devices with ``gate_label``: the gate's name in the reader's language (入口 A / Gate A)."""
    out = list(rows)
    for row in out:
        row.gate_label = gate_label(row.gate) if row.gate_id else ""
    return out


def _render(
    request: AuthedRequest,
    event: Event,
    *,
    status: int = 200,
    settings_form: SettingsForm | None = None,
    gate_form: GateForm | None = None,
    edit_forms: dict[int, GateEditForm] | None = None,
    staff_form: StaffForm | None = None,
) -> HttpResponse:
    if status != 200:
        event.refresh_from_db(fields=["step"])
    conf = settings_for(event)
    access = event_access(request.user, event)
    is_editor = access.can(Need.EDIT)
    editable = is_editor and event.step in CHECKIN_SETUP_STEPS
    gates = services.gates_all(event)
    edits = edit_forms or {}
    roster = arrival_services.roster(event)
    me = next((r for r in roster if r["person"].pk == request.user.pk), None)
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "checkin"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "editable": editable,
        "editable_steps": "、".join(str(Step(s).label) for s in CHECKIN_SETUP_STEPS),
        "conf": conf,
        "kit": kit_labels(conf.kit or []),
        "stage_manager": services.stage_manager_of(event, conf),
        "gates": [
            {
                "gate": g,
                "form": edits.get(g.pk)
                or GateEditForm(initial=_gate_initial(g), prefix=f"g{g.pk}", form_id=f"gate-{g.pk}"),
            }
            for g in gates
        ],
        "staff": _with_gate_labels(services.staff_all(event)),
        "devices": _with_gate_labels(
            Device.objects.filter(event=event).select_related("gate").order_by("-last_seen_at", "id")
        ),
        "links": [
            (label, url) for name, label, need in LINKS if access.can(need) and (url := _link(name, event))
        ],
        "walkin_url": _link("checkin:walkin", event) if access.can(Need.CHECKIN) else "",
        "counts": services.counts(event),
        "roster": roster,
        "me": me,
        "can_arrive": bool(me) or is_editor,
        "settings_form": settings_form or SettingsForm(initial=_settings_initial(conf)),
        "gate_form": gate_form or GateForm(),
        "staff_form": staff_form or StaffForm(event=event),
    }
    return render(request, "checkin/setup.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def setup(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def settings_save(request: AuthedRequest, event: Event) -> HttpResponse:
    form = SettingsForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.settings_update)(
            actor=actor(request), event=event, seen=d["revision"], **form.settings_data()
        ),
        page=lambda status: _render(request, event, status=status, settings_form=form),
        success_url=_url(event, "#settings"),
        done=_("签到设置已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def gate_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = GateForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.gate_add)(actor=actor(request), event=event, **d),
        page=lambda status: _render(request, event, status=status, gate_form=form),
        success_url=_url(event, "#gates"),
        done=_("签到口已添加。"),
    )


@require_POST
@event_page(Need.EDIT)
def gate_save(request: AuthedRequest, event: Event, gate_id: int) -> HttpResponse:
    try:
        gate = services.gate_get(event, gate_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = GateEditForm(request.POST, prefix=f"g{gate.pk}", form_id=f"gate-{gate.pk}")

    def save(d: dict[str, Any]) -> Any:
        changes = {k: d[k] for k in ("name", "name_en", "is_vip", "is_active")}
        if d.get("position") is not None:
            changes["position"] = d["position"]
        return retry_on_conflict(services.gate_update)(
            actor=actor(request), event=event, gate_id=gate.pk, seen=d["revision"], **changes
        )

    def page(status: int) -> HttpResponse:
        # Someone saved the gate first: the row offers their revision, so that submitting again saves
        # (``form_stale`` sets the unprefixed ``revision``; this row's field is ``g<id>-revision``).
        stale = getattr(form, "stale", None)
        if stale is not None and stale.current.get("revision"):
            data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data[form.add_prefix("revision")] = str(stale.current["revision"])
            form.data = data
        return _render(request, event, status=status, edit_forms={gate.pk: form})

    return form_post(
        request,
        form,
        save=save,
        page=page,
        success_url=_url(event, "#gates"),
        done=_("签到口已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def gate_remove(request: AuthedRequest, event: Event, gate_id: int) -> HttpResponse:
    def act() -> Any:
        return retry_on_conflict(services.gate_remove)(
            actor=actor(request), event=event, gate_id=gate_id, seen=revision_of(request.POST.get("revision"))
        )

    def done(result: Any) -> str:
        gate, deleted = result
        if deleted:
            messages.success(request, _("签到口「%(name)s」已删除。") % {"name": gate.name})
        else:
            messages.success(
                request, _("签到口「%(name)s」已有签到记录,已停用(记录保留)。") % {"name": gate.name}
            )
        return _url(event, "#gates")

    return action_post(request, act=act, success_url=done, failure_url=_url(event, "#gates"))


@require_POST
@event_page(Need.EDIT)
def staff_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = StaffForm(request.POST, event=event)
    return form_post(
        request,
        form,
        save=lambda d: retry_on_conflict(services.staff_add)(
            actor=actor(request),
            event=event,
            people=list(d["people"]),
            gate_id=d["gate"].pk if d.get("gate") else None,
            is_supervisor=d["is_supervisor"],
        ),
        page=lambda status: _render(request, event, status=status, staff_form=form),
        success_url=_url(event, "#staff"),
        done=_("签到人员已添加。"),
    )


@require_POST
@event_page(Need.EDIT)
def staff_remove(request: AuthedRequest, event: Event, staff_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.staff_remove)(
            actor=actor(request), event=event, staff_id=staff_id
        ),
        success_url=_url(event, "#staff"),
        failure_url=_url(event, "#staff"),
        done=_("已移除签到人员。"),
    )


@require_POST
@event_page(Need.VIEW)
def arrival(request: AuthedRequest, event: Event) -> HttpResponse:
    """ "我已到场" (or, for an editor, someone else's arrival: ``person``)."""

    def act() -> Any:
        return retry_on_conflict(arrival_services.arrival_record)(
            actor=actor(request), event=event, person=request.POST.get("person") or None
        )

    def done(result: Any) -> str:
        row, new = result
        at = row.arrived_at.astimezone(event.tz).strftime("%H:%M")
        if not new:
            messages.info(request, _("%(name)s 已于 %(at)s 登记到场。") % {"name": row.person.name, "at": at})
        elif row.late:
            messages.warning(
                request,
                _("%(name)s 已登记到场(%(at)s),晚于应到时间;已通知现场总控。")
                % {"name": row.person.name, "at": at},
            )
        else:
            messages.success(
                request, _("%(name)s 已登记到场(%(at)s)。") % {"name": row.person.name, "at": at}
            )
        return _url(event, "#arrivals")

    return action_post(request, act=act, success_url=done, failure_url=_url(event, "#arrivals"))


# ---------------------------------------------------------------- walk-ins
def _walkin_form(request: AuthedRequest, event: Event, data: Any = None) -> WalkinForm:
    language = get_language() or "zh-hans"
    conf = settings_for(event)
    gate = request.GET.get("gate")
    initial: dict[str, Any] = {"gate": gate} if gate and gate.isdigit() else {}
    # The kit is handed out with the check-in: ticked, as on the scanner; untick what was not given.
    initial["kit"] = [k["code"] for k in conf.kit or []]
    return WalkinForm(
        data,
        event=event,
        notice=walkin_services.notice(event, language),
        kit=kit_labels(conf.kit or []),
        initial=initial,
    )


def _badge_guest(request: AuthedRequest, event: Event) -> Guest | None:
    """The guest just checked in (``?badge=<id>`` after a walk-in), whose badge the desk may print."""
    raw = request.GET.get("badge", "")
    if not raw.isdigit() or not _link("checkin:badges", event):
        return None
    return Guest.objects.filter(event=event, pk=int(raw)).only("id", "name").first()


def _walkin_page(request: AuthedRequest, event: Event, form: WalkinForm, status: int = 200) -> HttpResponse:
    badge_guest = _badge_guest(request, event) if request.method == "GET" else None
    ctx = {
        "badge_guest": badge_guest,
        "badge_url": (
            f"{_link('checkin:badges', event)}?layout=label&guest={badge_guest.pk}" if badge_guest else ""
        ),
        "event": event,
        "form": form,
        "notice": form.notice,
        "capacity": walkin_services.capacity_state(event),
        "scanner_url": _link("checkin:scanner", event),
        "setup_url": _url(event),
        "nav": event.phase.value,
    }
    return render(request, "checkin/walkin.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
@event_page(Need.CHECKIN)
def walkin(request: AuthedRequest, event: Event) -> HttpResponse:
    if request.method != "POST":
        return _walkin_page(request, event, _walkin_form(request, event))
    form = _walkin_form(request, event, request.POST)

    def save(d: dict[str, Any]) -> Any:
        return retry_on_conflict(walkin_services.walkin)(
            actor=actor(request),
            event=event,
            language=get_language() or "zh-hans",
            address=client_address(request),
            **form.walkin_data(),
        )

    def success(result: Any) -> str:
        outcome = result.outcome
        if outcome.ok:
            messages.success(request, outcome.message)
        else:
            messages.warning(request, outcome.message)
        if result.over_capacity:
            messages.warning(request, _("报名名额已满:此现场登记超出报名人数上限。"))
        url = reverse("checkin:walkin", kwargs={"event_id": event.pk})
        gate = form.cleaned_data.get("gate")
        query = {"gate": gate.pk} if gate else {}
        if outcome.guest is not None and (outcome.ok or outcome.result == Result.DUPLICATE):
            query["badge"] = outcome.guest.pk  # the guest's badge, printed at the desk
        return f"{url}?{urlencode(query)}" if query else url

    return form_post(
        request,
        form,
        save=save,
        page=lambda status: _walkin_page(request, event, form, status),
        success_url=success,
    )


_P = "events/<int:event_id>/checkin/"
urlpatterns = [
    path(_P, setup, name="setup"),
    path(f"{_P}settings/", settings_save, name="settings_save"),
    path(f"{_P}gates/add/", gate_add, name="gate_add"),
    path(f"{_P}gates/<int:gate_id>/", gate_save, name="gate_save"),
    path(f"{_P}gates/<int:gate_id>/remove/", gate_remove, name="gate_remove"),
    path(f"{_P}staff/add/", staff_add, name="staff_add"),
    path(f"{_P}staff/<int:staff_id>/remove/", staff_remove, name="staff_remove"),
    path(f"{_P}arrival/", arrival, name="arrival"),
    path(f"{_P}walkin/", walkin, name="walkin"),
]
