"""The incident log's writes (EX-5): report, take up, note, assign, technician on site, resolve, reopen;
for 舆情, the posts seen and the one agreed statement used; the statements themselves.

- ``incident_report``: a category (required: an incident without one is refused on ``category``), a
  severity, a title, what happened; the reporter and the server's time. The risk of the plan's register
  it matches is the one the reporter picked, else the best match of the category's keywords
  (``selectors.risk_matches``), so the playbook shows at once. An equipment incident starts the
  technician's clock (``sla_due_at`` = reported + ``TECHNICIAN_SLA``). The stage manager and the owner
  are told in-app.
- ``incident_move``: ``start`` / ``resolve`` / ``reopen`` through ``models.MOVES`` only, with the revision
  the caller saw, as a conditional update (zero rows: someone moved it first → 409). A resolution says
  how it ended.
- ``incident_note``, ``incident_assign``, ``incident_arrive``: the timeline; the first of them (or the
  start) is the response (``responded_at``).
- ``incident_statement_set`` (舆情): the one agreed statement used; once chosen, only the stage manager
  changes it. ``incident_post_add`` (舆情): a post's link (http/https), platform and text.
- ``statement_add``: the stage manager agrees a statement for the event.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_bump, revision_require, row_update, stale_error
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.services import notify
from huodong.core.text import text_clean
from huodong.events.access import Need, event_access, event_for
from huodong.events.models import Event
from huodong.planning.models import Risk

from ..models import (
    MOVES,
    OPEN_STATUSES,
    TECHNICIAN_SLA,
    AgreedStatement,
    Category,
    Incident,
    IncidentAction,
    IncidentPost,
    Move,
    Platform,
    Severity,
)
from ..rules import INCIDENT_STEPS, WHAT, incident_event_lock, incident_locked, local_time, pk_of

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
NOTE_MAX = 2000
RESOLUTION_MAX = 2000
URL_MAX = 500
POST_TEXT_MAX = 2000
STATEMENT_TITLE_MAX = 100
STATEMENT_TEXT_MAX = 1000
ASSIGNEES_MAX = 10
INCIDENTS_MAX = 1000  # per event
ACTIONS_MAX = 500  # per incident
POSTS_MAX = 200  # per incident
STATEMENTS_MAX = 30  # per event
REPORT_KIND = "onsite_incident"
STAGE_REFUSAL = _("只有舞台监督、活动负责人、策划人员或管理员可以关闭、重新打开事件或更换统一口径。")
MOVE_NEEDS: dict[str, Need] = {Move.START: Need.ONSITE, Move.RESOLVE: Need.STAGE, Move.REOPEN: Need.STAGE}


def incident_url(event_id: int, incident_id: int | None = None) -> str:
    try:
        if incident_id is None:
            return reverse("onsite_incidents:list", kwargs={"event_id": event_id})
        return reverse("onsite_incidents:detail", kwargs={"event_id": event_id, "incident_id": incident_id})
    except NoReverseMatch:
        return ""


def supervisors_of(event: Event) -> list[User]:
    """The supervisor of the day's incidents: the stage manager (``checkin`` settings) and the event owner."""
    from huodong.checkin.services.setup import stage_manager_of

    people = [stage_manager_of(event), event.owner]
    return [p for p in people if p is not None]


def _choice(value: Any, choices: Any, field: str, message: Any, errors: dict[str, list[Any]]) -> str:
    text = value if isinstance(value, str) else ""
    if text not in choices.values:
        errors.setdefault(field, []).append(message)
    return text


def _risk_of(event: Event, value: Any, errors: dict[str, list[Any]]) -> Risk | None:
    if value in (None, ""):
        return None
    risk = Risk.objects.filter(pk=pk_of(value), plan__event_id=event.pk).first()
    if risk is None:
        errors.setdefault("risk", []).append(_("请从本活动方案的风险预案中选择。"))
    return risk


def _action(
    incident: Incident, kind: str, actor: User | None, text: str = "", at: Any = None
) -> IncidentAction:
    return IncidentAction.objects.create(
        incident=incident, kind=kind, actor=actor, text=text, at=at or timezone.now()
    )


def _responded(incident: Incident, now: Any) -> None:
    """The first response to ``incident`` (a start, a note, an assignment, the technician on site)."""
    if incident.responded_at is None:
        Incident.objects.filter(pk=incident.pk, responded_at__isnull=True).update(responded_at=now)
        incident.responded_at = now


def _room_for_actions(incident: Incident) -> None:
    if IncidentAction.objects.filter(incident=incident).count() >= ACTIONS_MAX:
        raise DomainError({"__all__": [_("一起事件最多 %(n)s 条处理记录。") % {"n": ACTIONS_MAX}]})


# ---------------------------------------------------------------- report
@transaction.atomic
def incident_report(
    *,
    actor: User,
    event: Event | int,
    category: Any,
    title: Any,
    severity: Any = Severity.MEDIUM,
    description: Any = "",
    risk: Any = None,
) -> Incident:
    """Log an incident now (EX-5): the reporter is the actor, the time the server's."""
    ev = incident_event_lock(actor=actor, event=event)
    errors: dict[str, list[Any]] = {}
    cat = _choice(category, Category, "category", _("请选择类别:设备、人员、舆情、安全或其他。"), errors)
    sev = _choice(severity, Severity, "severity", _("请选择严重程度:低、中、高或严重。"), errors)
    clean_title = text_clean(
        title, field="title", label=_("标题"), limit=TITLE_MAX, errors=errors, required=True, multiline=False
    )
    clean_description = text_clean(
        description, field="description", label=_("情况说明"), limit=DESCRIPTION_MAX, errors=errors
    )
    picked = _risk_of(ev, risk, errors)
    if Incident.objects.filter(event=ev).count() >= INCIDENTS_MAX:
        errors.setdefault("__all__", []).append(
            _("一场活动最多记录 %(n)s 起突发事件。") % {"n": INCIDENTS_MAX}
        )
    if errors:
        raise DomainError(errors)
    if picked is None:
        from ..selectors import risk_matches

        matches = risk_matches(ev, cat, f"{clean_title} {clean_description}")
        picked = matches[0] if matches else None
    now = timezone.now()
    incident = Incident.objects.create(
        event=ev,
        category=cat,
        severity=sev,
        title=clean_title,
        description=clean_description,
        risk=picked,
        reporter=actor,
        reported_at=now,
        sla_due_at=now + TECHNICIAN_SLA if cat == Category.EQUIPMENT else None,  # REQ: EX-5
    )
    _action(incident, IncidentAction.Kind.REPORT, actor, clean_description or clean_title, now)
    audit_record(
        actor=actor,
        action="onsite.incident.report",
        target=incident,
        event_id=ev.pk,
        summary=Said(
            _("上报突发事件「%(title)s」(%(category)s)"),
            title=incident.title,
            category=incident.get_category_display(),
        ),
        after={"category": cat, "severity": sev, "title": clean_title, "risk": picked.pk if picked else None},
    )
    notify(
        recipients=[p for p in supervisors_of(ev) if p.pk != actor.pk],
        kind=REPORT_KIND,
        message=Said(
            _("「%(event)s」现场上报突发事件「%(title)s」(%(category)s,%(severity)s),上报人 %(name)s。"),
            event=ev.name,
            title=incident.title,
            category=incident.get_category_display(),
            severity=incident.get_severity_display(),
            name=actor.name,
        ),
        url=incident_url(ev.pk, incident.pk),
        event_id=ev.pk,
    )
    return incident


# ---------------------------------------------------------------- edit
@transaction.atomic
def incident_update(
    *, actor: User, event: Event | int, incident_id: Any, seen: int | None, **changes: Any
) -> Incident:
    """Change the severity, title, description or the risk (playbook) of an incident; the category stays
    what was reported (the technician's clock hangs on it)."""
    allowed = ("severity", "title", "description", "risk")
    unknown = [k for k in changes if k not in allowed]
    if unknown:
        raise DomainError({k: [_("此项不能修改。")] for k in unknown})
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    revision_require(incident, seen, label=WHAT)
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    if "severity" in changes:
        clean["severity"] = _choice(
            changes["severity"], Severity, "severity", _("请选择严重程度:低、中、高或严重。"), errors
        )
    if "title" in changes:
        clean["title"] = text_clean(
            changes["title"], field="title", label=_("标题"), limit=TITLE_MAX, errors=errors, required=True,
            multiline=False,
        )  # fmt: skip
    if "description" in changes:
        clean["description"] = text_clean(
            changes["description"],
            field="description",
            label=_("情况说明"),
            limit=DESCRIPTION_MAX,
            errors=errors,
        )
    if "risk" in changes:
        clean["risk"] = _risk_of(ev, changes["risk"], errors)
    if errors:
        raise DomainError(errors)
    row_update(
        incident,
        changes=clean,
        seen=seen,
        actor=actor,
        action="onsite.incident.update",
        label=WHAT,
        event_id=ev.pk,
        summary=Said(_("修改突发事件「%(title)s」"), title=incident.title),
    )
    return incident


# ---------------------------------------------------------------- moves
@transaction.atomic
def incident_move(
    *, actor: User, event: Event | int, incident_id: Any, seen: int | None, move: Any, resolution: Any = ""
) -> Incident:
    """Move an incident through ``MOVES`` (start, resolve, reopen), conditionally on its revision and status."""
    if move not in MOVES:
        raise DomainError({"move": [_("操作须为:start(开始处理)、resolve(标记已解决)或 reopen(重新打开)。")]})
    need = MOVE_NEEDS[move]
    ev = incident_event_lock(actor=actor, event=event, need=Need.ONSITE)
    if need == Need.STAGE:
        event_access(actor, ev).require(Need.STAGE, STAGE_REFUSAL)
    incident = incident_locked(ev, incident_id)
    revision_require(incident, seen, label=WHAT)
    leaves, reaches = MOVES[move]
    if incident.status not in leaves:
        raise DomainError(
            {
                "move": [
                    _("事件当前为「%(status)s」,不能「%(move)s」。")
                    % {"status": incident.get_status_display(), "move": Move(move).label}
                ]
            },
            code="wrong_status",
        )
    errors: dict[str, list[Any]] = {}
    text = ""
    if move == Move.RESOLVE:
        text = text_clean(
            resolution,
            field="resolution",
            label=_("处理结果"),
            limit=RESOLUTION_MAX,
            errors=errors,
            required=True,
        )
    if errors:
        raise DomainError(errors)
    now = timezone.now()
    values: dict[str, Any] = {"status": reaches, "revision": F("revision") + 1}
    if move == Move.RESOLVE:
        values.update(resolved_at=now, resolution=text, responded_at=Coalesce("responded_at", now))
    elif move == Move.START:
        values.update(responded_at=Coalesce("responded_at", now))
    else:
        values.update(resolved_at=None)
    written = Incident.objects.filter(pk=incident.pk, revision=incident.revision, status__in=leaves).update(
        **values
    )
    if written == 0:
        raise stale_error(incident, label=WHAT)
    before = incident.status
    incident.refresh_from_db()
    kind = {Move.START: IncidentAction.Kind.START, Move.RESOLVE: IncidentAction.Kind.RESOLVE}.get(
        move, IncidentAction.Kind.REOPEN
    )
    _action(incident, kind, actor, text, now)
    audit_record(
        actor=actor,
        action=f"onsite.incident.{move}",
        target=incident,
        event_id=ev.pk,
        summary=Said(_("突发事件「%(title)s」:%(move)s"), title=incident.title, move=Move(move).label),
        before={"status": before},
        after={"status": incident.status, "resolution": incident.resolution},
    )
    return incident


# ---------------------------------------------------------------- timeline
@transaction.atomic
def incident_note(*, actor: User, event: Event | int, incident_id: Any, text: Any) -> IncidentAction:
    """Add what was done to the incident's timeline (the first entry is its response)."""
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    errors: dict[str, list[Any]] = {}
    clean = text_clean(text, field="text", label=_("处理记录"), limit=NOTE_MAX, errors=errors, required=True)
    if errors:
        raise DomainError(errors)
    _room_for_actions(incident)
    now = timezone.now()
    _responded(incident, now)
    return _action(incident, IncidentAction.Kind.NOTE, actor, clean, now)


def _onsite_person(ev: Event, value: Any) -> User | None:
    person = User.objects.filter(pk=pk_of(value), is_active=True).first()
    if person is None or not event_access(person, ev).can(Need.ONSITE):
        return None
    return person


@transaction.atomic
def incident_assign(
    *, actor: User, event: Event | int, incident_id: Any, seen: int | None, people: Any
) -> Incident:
    """Set who handles the incident (people of the team on the day, at most ``ASSIGNEES_MAX``)."""
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    revision_require(incident, seen, label=WHAT)
    errors: dict[str, list[Any]] = {}
    values = people if isinstance(people, list | tuple) else []
    if not isinstance(people, list | tuple):
        errors["people"] = [_("请选择处理人。")]
    elif len(values) > ASSIGNEES_MAX:
        errors["people"] = [_("最多指派 %(n)s 人。") % {"n": ASSIGNEES_MAX}]
    chosen: list[User] = []
    if not errors:
        for value in values:
            person = _onsite_person(ev, value)
            if person is None:
                errors.setdefault("people", []).append(_("处理人须为本活动现场团队的在职人员。"))
                break
            if person not in chosen:
                chosen.append(person)
    if errors:
        raise DomainError(errors)
    before = set(incident.assignees.values_list("pk", flat=True))
    after = {p.pk for p in chosen}
    if before == after:
        return incident
    incident.assignees.set(chosen)
    revision_bump(incident)
    now = timezone.now()
    _responded(incident, now)
    names = "、".join(p.name for p in chosen) or str(_("(无)"))
    _action(incident, IncidentAction.Kind.ASSIGN, actor, names, now)
    audit_record(
        actor=actor,
        action="onsite.incident.assign",
        target=incident,
        event_id=ev.pk,
        summary=Said(_("突发事件「%(title)s」指派给 %(names)s"), title=incident.title, names=names),
        before={"assignees": sorted(before)},
        after={"assignees": sorted(after)},
    )
    added = [p for p in chosen if p.pk not in before and p.pk != actor.pk]
    if added:
        notify(
            recipients=added,
            kind=REPORT_KIND,
            message=Said(
                _("「%(event)s」:您被指派处理突发事件「%(title)s」。"), event=ev.name, title=incident.title
            ),
            url=incident_url(ev.pk, incident.pk),
            event_id=ev.pk,
        )
    return incident


@transaction.atomic
def incident_arrive(*, actor: User, event: Event | int, incident_id: Any, technician: Any = None) -> Incident:
    """A technician is on site for an equipment incident (stops its clock, EX-5); default: the actor."""
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    if incident.category != Category.EQUIPMENT or incident.sla_due_at is None:
        raise DomainError({"__all__": [_("只有设备类事件需要登记技术人员到场。")]})
    if incident.status not in OPEN_STATUSES:
        raise DomainError({"__all__": [_("事件已解决,无需登记技术人员到场。")]})
    who: User | None = actor
    if technician not in (None, "") and pk_of(technician) != actor.pk:
        who = _onsite_person(ev, technician)
        if who is None:
            raise DomainError({"technician": [_("技术人员须为本活动现场团队的在职人员。")]})
    now = timezone.now()
    written = Incident.objects.filter(pk=incident.pk, technician_arrived_at__isnull=True).update(
        technician=who, technician_arrived_at=now, responded_at=Coalesce("responded_at", now)
    )
    if written == 0:
        raise DomainError(
            {
                "__all__": [
                    _("技术人员已于 %(at)s 登记到场。")
                    % {"at": local_time(incident.technician_arrived_at, ev)}
                ]
            },
            code="already_arrived",
        )
    incident.refresh_from_db()
    assert who is not None and incident.sla_due_at is not None
    in_time = now <= incident.sla_due_at
    minutes = int((now - incident.reported_at).total_seconds() // 60)
    text = (
        _("%(name)s 到场(上报后 %(m)s 分钟,在 15 分钟时限内)")
        if in_time
        else _("%(name)s 到场(上报后 %(m)s 分钟,已超过 15 分钟时限)")
    ) % {"name": who.name, "m": minutes}
    _action(incident, IncidentAction.Kind.ARRIVAL, actor, str(text), now)
    audit_record(
        actor=actor,
        action="onsite.incident.arrival",
        target=incident,
        event_id=ev.pk,
        summary=Said(_("突发事件「%(title)s」:技术人员 %(name)s 到场"), title=incident.title, name=who.name),
        after={"technician": who.pk, "in_time": in_time},
    )
    return incident


# ---------------------------------------------------------------- 舆情
def _opinion_only(incident: Incident) -> None:
    if incident.category != Category.OPINION:
        raise DomainError({"__all__": [_("只有舆情类事件记录帖子和统一口径。")]})


@transaction.atomic
def incident_statement_set(
    *, actor: User, event: Event | int, incident_id: Any, seen: int | None, statement: Any
) -> Incident:
    """The one agreed statement a 舆情 incident is answered with; changing it needs the stage manager."""
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    _opinion_only(incident)
    revision_require(incident, seen, label=WHAT)
    chosen = AgreedStatement.objects.filter(pk=pk_of(statement), event_id=ev.pk).first()
    if chosen is None:
        raise DomainError({"statement": [_("请从本活动已确定的统一口径中选择。")]})
    if incident.statement_id == chosen.pk:
        return incident
    if incident.statement_id is not None:
        event_access(actor, ev).require(Need.STAGE, STAGE_REFUSAL)
    row_update(
        incident,
        changes={"statement": chosen},
        seen=seen,
        actor=actor,
        action="onsite.incident.statement",
        label=WHAT,
        event_id=ev.pk,
        summary=Said(
            _("突发事件「%(title)s」选用统一口径「%(statement)s」"),
            title=incident.title,
            statement=chosen.title,
        ),
    )
    now = timezone.now()
    _responded(incident, now)
    _action(incident, IncidentAction.Kind.STATEMENT, actor, chosen.title, now)
    return incident


URL_CHECK = URLValidator(schemes=["http", "https"])


@transaction.atomic
def incident_post_add(
    *, actor: User, event: Event | int, incident_id: Any, url: Any, platform: Any, text: Any = ""
) -> IncidentPost:
    """Record a post seen about the event on a 舆情 incident: its link, platform and text."""
    ev = incident_event_lock(actor=actor, event=event)
    incident = incident_locked(ev, incident_id)
    _opinion_only(incident)
    errors: dict[str, list[Any]] = {}
    link = url.strip() if isinstance(url, str) else ""
    if not link:
        errors["url"] = [_("请填写帖子链接。")]
    elif len(link) > URL_MAX:
        errors["url"] = [_("链接最多 %(n)s 个字符。") % {"n": URL_MAX}]
    else:
        try:
            URL_CHECK(link)
        except ValidationError:
            errors["url"] = [_("链接须为以 http:// 或 https:// 开头的网址。")]
    where = _choice(
        platform,
        Platform,
        "platform",
        _("请选择平台:微博、微信、抖音、小红书、知乎、新闻网站或其他。"),
        errors,
    )
    clean = text_clean(text, field="text", label=_("内容摘录"), limit=POST_TEXT_MAX, errors=errors)
    if IncidentPost.objects.filter(incident=incident).count() >= POSTS_MAX:
        errors.setdefault("__all__", []).append(_("一起事件最多记录 %(n)s 条帖子。") % {"n": POSTS_MAX})
    if errors:
        raise DomainError(errors)
    _room_for_actions(incident)
    now = timezone.now()
    post = IncidentPost.objects.create(
        incident=incident, url=link, platform=where, text=clean, recorded_by=actor, recorded_at=now
    )
    _responded(incident, now)
    _action(incident, IncidentAction.Kind.POST, actor, f"{post.get_platform_display()} {link}", now)
    audit_record(
        actor=actor,
        action="onsite.incident.post",
        target=incident,
        event_id=ev.pk,
        summary=Said(_("突发事件「%(title)s」记录帖子"), title=incident.title),
        after={"url": link, "platform": where},
    )
    return post


@transaction.atomic
def statement_add(*, actor: User, event: Event | int, title: Any, text: Any) -> AgreedStatement:
    """The stage manager agrees a public statement for the event (统一口径)."""
    ev = event_for(
        actor, event, Need.STAGE, lock=True, steps=INCIDENT_STEPS, what=WHAT,
        message=_("只有舞台监督、活动负责人、策划人员或管理员可以确定统一口径。"),
    )  # fmt: skip
    errors: dict[str, list[Any]] = {}
    clean_title = text_clean(
        title, field="title", label=_("标题"), limit=STATEMENT_TITLE_MAX, errors=errors, required=True,
        multiline=False,
    )  # fmt: skip
    clean_text = text_clean(
        text, field="text", label=_("口径内容"), limit=STATEMENT_TEXT_MAX, errors=errors, required=True
    )
    if "title" not in errors and AgreedStatement.objects.filter(event=ev, title=clean_title).exists():
        errors["title"] = [_("本活动已有标题为「%(title)s」的统一口径。") % {"title": clean_title}]
    if AgreedStatement.objects.filter(event=ev).count() >= STATEMENTS_MAX:
        errors.setdefault("__all__", []).append(_("一场活动最多 %(n)s 条统一口径。") % {"n": STATEMENTS_MAX})
    if errors:
        raise DomainError(errors)
    row = AgreedStatement.objects.create(event=ev, title=clean_title, text=clean_text, created_by=actor)
    audit_record(
        actor=actor,
        action="onsite.statement.add",
        target=row,
        event_id=ev.pk,
        summary=Said(_("确定统一口径「%(title)s」"), title=row.title),
        after={"title": row.title, "text": row.text},
    )
    return row


def incident_get(event: Event, incident_id: Any) -> Incident:
    row = (
        Incident.objects.select_related("reporter", "risk", "risk__owner", "technician", "statement")
        .filter(pk=pk_of(incident_id), event_id=event.pk)
        .first()
    )
    if row is None:
        raise NotFound(_("突发事件不存在。"))
    return row
