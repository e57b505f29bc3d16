"""The organiser's check-in setup (issue 10, points 1–2; EX-2): the gates, the people at them, when the
doors open and close, the kit handed out, and who is told when a segment owner is late (EX-3).

- Gates (``gate_add``, ``gate_update``, ``gate_remove``): a name unique within the event (an English name
  for the English pages), a VIP flag and an order. A gate with scans is only deactivated (its scans keep
  saying where they happened); one without is deleted. A change says which revision it saw (428 without,
  409 when old).
- Staff (``staff_add``, ``staff_remove``): active people, each at one gate or any gate, some supervisors
  (who also see the counts and conflicts: ``rules.gate_people``). A person is on the staff once.
- Settings (``settings_update``): the doors open ``opens_minutes_before`` the start and close
  ``closes_minutes_after`` the end (each 0–1440), the kit (1–``KIT_MAX`` items, codes unique: the rules
  of an event type's kit, ``events.type_templates``), the stage manager (an active person; nobody means
  the event owner). Revisioned.

Who: the event's editors (``Need.EDIT``), in the steps ``CHECKIN_SETUP_STEPS``. Lock order: the event row
(``rules.checkin_event_lock``), then the settings or the gate row, then the staff rows.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.events.type_templates import template_section_clean
from huodong.outreach.models import SEATED, Guest, GuestStatus

from ..models import CheckinSettings, Gate, GateStaff, Scan
from ..rules import checkin_event_lock
from .redeem import settings_for

WHAT_SETTINGS = _("签到设置")
WHAT_GATES = _("签到口")
WHAT_STAFF = _("签到人员")
MINUTES_MAX = 1440
GATE_NAME_MAX = 40
GATES_MAX = 50
POSITION_MAX = 10_000
SETTINGS_FIELDS = ("opens_minutes_before", "closes_minutes_after", "kit", "stage_manager")
GATE_FIELDS = ("name", "name_en", "is_vip", "position", "is_active")


# ---------------------------------------------------------------- reads
def gates_all(event: Event | int) -> list[Gate]:
    """Every gate of the event, active ones first in their order."""
    return sorted(Gate.objects.filter(event=event), key=lambda g: (not g.is_active, g.position, g.pk))


def staff_all(event: Event | int) -> list[GateStaff]:
    return list(
        GateStaff.objects.filter(event=event)
        .select_related("person", "person__department", "gate")
        .order_by("-is_supervisor", "person__display_name", "id")
    )


def gate_get(event: Event, gate_id: Any) -> Gate:
    gate = Gate.objects.filter(pk=_pk(gate_id), event_id=event.pk).first()
    if gate is None:
        raise NotFound(_("签到口不存在。"))
    return gate


def counts(event: Event) -> dict[str, int]:
    """Registered (seated: registered or checked in) and checked in."""
    rows = Guest.objects.filter(event=event)
    return {
        "registered": rows.filter(status__in=SEATED).count(),
        "checked_in": rows.filter(status=GuestStatus.CHECKED_IN).count(),
    }


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**31 else 0


# ---------------------------------------------------------------- settings
def kit_clean(value: Any, errors: dict[str, list[Any]]) -> list[dict[str, str]]:
    """The kit as stored ([{code, name, name_en}]): the rules of an event type's kit, and 1–``KIT_MAX`` items."""
    rows, problems = template_section_clean("kit", value)
    for _row, _field, message in problems:
        errors.setdefault("kit", []).append(message)
    if not problems and not rows:
        errors.setdefault("kit", []).append(_("请至少列出一项签到物料(如 议程)。"))
    return [{"code": r["code"], "name": r["name"], "name_en": r.get("name_en", "")} for r in rows]


def _minutes(value: Any, field: str, label: Any, errors: dict[str, list[Any]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MINUTES_MAX:
        errors.setdefault(field, []).append(
            _("%(label)s须为 0–%(max)s 的整数(分钟)。") % {"label": label, "max": MINUTES_MAX}
        )
        return 0
    return value


def _person(value: Any, field: str, errors: dict[str, list[Any]]) -> User | None:
    if value is None or value == "":
        return None
    person = value if isinstance(value, User) else User.objects.filter(pk=_pk(value)).first()
    if person is None or not person.is_active:
        errors.setdefault(field, []).append(_("须为在职人员,请从列表中选择。"))
        return None
    return person


@transaction.atomic
def settings_update(
    *, actor: User | None, event: Event | int, seen: int | None, system: bool = False, **changes: Any
) -> CheckinSettings:
    """Change the doors' times, the kit or the stage manager (only the fields given)."""
    unknown = [k for k in changes if k not in SETTINGS_FIELDS]
    if unknown:
        raise DomainError({k: [_("未知的设置项。")] for k in unknown})
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_SETTINGS, system=system)
    settings_for(locked)
    row = CheckinSettings.objects.select_for_update().get(event_id=locked.pk)
    revision_require(row, seen, label=WHAT_SETTINGS, system=system)
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    if "opens_minutes_before" in changes:
        clean["opens_minutes_before"] = _minutes(
            changes["opens_minutes_before"], "opens_minutes_before", _("开始前开放签到的分钟数"), errors
        )
    if "closes_minutes_after" in changes:
        clean["closes_minutes_after"] = _minutes(
            changes["closes_minutes_after"], "closes_minutes_after", _("结束后关闭签到的分钟数"), errors
        )
    if "kit" in changes:
        clean["kit"] = kit_clean(changes["kit"], errors)
    if "stage_manager" in changes:
        clean["stage_manager"] = _person(changes["stage_manager"], "stage_manager", errors)
    if errors:
        raise DomainError(errors)
    row_update(
        row,
        changes=clean,
        seen=seen,
        actor=actor,
        action="checkin.settings.update",
        label=WHAT_SETTINGS,
        event_id=locked.pk,
        summary=Said(_("修改「%(event)s」的签到设置"), event=locked.name),
        system=system,
    )
    return row


def stage_manager_of(event: Event, settings: CheckinSettings | None = None) -> User | None:
    """Who is told when a segment owner is late (EX-3): the stage manager, else the event owner."""
    conf = settings or settings_for(event)
    if conf.stage_manager_id and conf.stage_manager is not None and conf.stage_manager.is_active:
        return conf.stage_manager
    return event.owner


# ---------------------------------------------------------------- gates
def _gate_clean(data: dict[str, Any], errors: dict[str, list[Any]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in data:
        clean["name"] = text_clean(
            data["name"], field="name", label=_("名称"), limit=GATE_NAME_MAX, errors=errors,
            required=True, multiline=False,
        )  # fmt: skip
    if "name_en" in data:
        clean["name_en"] = text_clean(
            data["name_en"], field="name_en", label=_("英文名称"), limit=GATE_NAME_MAX, errors=errors,
            multiline=False,
        )  # fmt: skip
    for key in ("is_vip", "is_active"):
        if key in data:
            clean[key] = bool(data[key])
    if "position" in data and data["position"] is not None:
        value = data["position"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= POSITION_MAX:
            errors.setdefault("position", []).append(_("顺序须为 0–%(max)s 的整数。") % {"max": POSITION_MAX})
        else:
            clean["position"] = value
    return clean


def _name_taken(event: Event, name: str, other_than: int | None, errors: dict[str, list[Any]]) -> None:
    qs = Gate.objects.filter(event=event, name=name)
    if other_than is not None:
        qs = qs.exclude(pk=other_than)
    other = qs.first()
    if other is None:
        return
    if other.is_active:
        errors.setdefault("name", []).append(_("本活动已有名为「%(name)s」的签到口。") % {"name": name})
    else:
        errors.setdefault("name", []).append(
            _("本活动已有名为「%(name)s」的签到口(已停用);请重新启用它,或换一个名称。") % {"name": name}
        )


@transaction.atomic
def gate_add(
    *,
    actor: User | None,
    event: Event | int,
    name: str,
    name_en: str = "",
    is_vip: bool = False,
    position: int | None = None,
    system: bool = False,
) -> Gate:
    """A new gate of the event (last in the order unless ``position`` says)."""
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_GATES, system=system)
    errors: dict[str, list[Any]] = {}
    clean = _gate_clean({"name": name, "name_en": name_en, "is_vip": is_vip, "position": position}, errors)
    if "name" not in errors:
        _name_taken(locked, clean["name"], None, errors)
    if Gate.objects.filter(event=locked).count() >= GATES_MAX:
        errors.setdefault("__all__", []).append(_("一场活动最多 %(n)s 个签到口。") % {"n": GATES_MAX})
    if errors:
        raise DomainError(errors)
    if "position" not in clean:
        last = Gate.objects.filter(event=locked).aggregate(m=Max("position"))["m"]
        clean["position"] = (last or 0) + 1
    gate = Gate.objects.create(event=locked, **clean)
    audit_record(
        actor=actor,
        action="checkin.gate.add",
        target=gate,
        event_id=locked.pk,
        summary=Said(_("添加签到口「%(name)s」"), name=gate.name),
        after=snapshot(gate, list(GATE_FIELDS)),
    )
    return gate


def _gate_locked(event: Event, gate_id: Any) -> Gate:
    gate = Gate.objects.select_for_update().filter(pk=_pk(gate_id), event_id=event.pk).first()
    if gate is None:
        raise NotFound(_("签到口不存在。"))
    return gate


@transaction.atomic
def gate_update(
    *, actor: User | None, event: Event | int, gate_id: Any, seen: int | None, **changes: Any
) -> Gate:
    """Rename, flag VIP, reorder, deactivate or reactivate a gate (only the fields given)."""
    unknown = [k for k in changes if k not in GATE_FIELDS]
    if unknown:
        raise DomainError({k: [_("未知的签到口字段。")] for k in unknown})
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_GATES)
    gate = _gate_locked(locked, gate_id)
    revision_require(gate, seen, label=_("签到口「%(name)s」") % {"name": gate.name})
    errors: dict[str, list[Any]] = {}
    clean = _gate_clean(changes, errors)
    if "name" in clean and "name" not in errors:
        _name_taken(locked, clean["name"], gate.pk, errors)
    if errors:
        raise DomainError(errors)
    row_update(
        gate,
        changes=clean,
        seen=seen,
        actor=actor,
        action="checkin.gate.update",
        label=_("签到口「%(name)s」") % {"name": gate.name},
        event_id=locked.pk,
        summary=Said(_("修改签到口「%(name)s」"), name=gate.name),
    )
    return gate


@transaction.atomic
def gate_remove(
    *, actor: User | None, event: Event | int, gate_id: Any, seen: int | None
) -> tuple[Gate, bool]:
    """Delete a gate nobody scanned at; a gate with scans is deactivated instead (its scans keep their
    gate). Returns the gate and whether it was deleted."""
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_GATES)
    gate = _gate_locked(locked, gate_id)
    label = _("签到口「%(name)s」") % {"name": gate.name}
    revision_require(gate, seen, label=label)
    if Scan.objects.filter(gate=gate).exists():
        row_update(
            gate,
            changes={"is_active": False},
            seen=seen,
            actor=actor,
            action="checkin.gate.deactivate",
            label=label,
            event_id=locked.pk,
            summary=Said(_("停用签到口「%(name)s」(已有签到记录,保留)"), name=gate.name),
        )
        return gate, False
    before = snapshot(gate, list(GATE_FIELDS))
    audit_record(
        actor=actor,
        action="checkin.gate.remove",
        target=gate,
        event_id=locked.pk,
        summary=Said(_("删除签到口「%(name)s」"), name=gate.name),
        before=before,
    )
    gate.delete()
    return gate, True


# ---------------------------------------------------------------- staff
@transaction.atomic
def staff_add(
    *,
    actor: User | None,
    event: Event | int,
    people: list[Any],
    gate_id: Any = None,
    is_supervisor: bool = False,
    system: bool = False,
) -> list[GateStaff]:
    """Put ``people`` on the event's check-in staff, at one gate (``gate_id``) or any gate (none)."""
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_STAFF, system=system)
    errors: dict[str, list[Any]] = {}
    gate = None
    if gate_id not in (None, ""):
        gate = Gate.objects.filter(pk=_pk(gate_id), event_id=locked.pk, is_active=True).first()
        if gate is None:
            errors["gate"] = [_("签到口不存在或已停用,请从列表中选择本活动的签到口。")]
    chosen: list[User] = []
    for value in people or []:
        person = _person(value, "person", errors)
        if person is not None and person not in chosen:
            chosen.append(person)
    if not chosen and "person" not in errors:
        errors["person"] = [_("请选择至少一位签到人员。")]
    taken = GateStaff.objects.filter(event=locked, person__in=chosen).select_related("person")
    for row in taken:
        errors.setdefault("person", []).append(
            _("%(name)s 已是本活动的签到人员;如需换签到口,请先移除再添加。") % {"name": row.person.name}
        )
    if errors:
        raise DomainError(errors)
    rows = [
        GateStaff.objects.create(event=locked, person=p, gate=gate, is_supervisor=bool(is_supervisor))
        for p in chosen
    ]
    for row in rows:
        audit_record(
            actor=actor,
            action="checkin.staff.add",
            target=row,
            event_id=locked.pk,
            summary=Said(
                _("%(name)s 加入签到人员(%(gate)s)"),
                name=row.person.name,
                gate=gate.name if gate else str(_("任意签到口")),
            ),
            after={
                "person": row.person_id,
                "gate": gate.pk if gate else None,
                "is_supervisor": row.is_supervisor,
            },
        )
    return rows


@transaction.atomic
def staff_remove(*, actor: User | None, event: Event | int, staff_id: Any) -> GateStaff:
    locked = checkin_event_lock(actor=actor, event=event, what=WHAT_STAFF)
    row = (
        GateStaff.objects.select_for_update()
        .select_related("person")
        .filter(pk=_pk(staff_id), event_id=locked.pk)
        .first()
    )
    if row is None:
        raise NotFound(_("签到人员不存在。"))
    audit_record(
        actor=actor,
        action="checkin.staff.remove",
        target=row,
        event_id=locked.pk,
        summary=Said(_("%(name)s 不再是签到人员"), name=row.person.name),
        before={"person": row.person_id, "gate": row.gate_id, "is_supervisor": row.is_supervisor},
    )
    row.delete()
    return row
