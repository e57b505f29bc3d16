"""The project team of an event (TM-1) and its groups (TM-2).

Groups: 执行组, 宣传组 and 后勤组 with their duties from the specification, created by ``team_defaults`` the
first time the team is opened (TM-2), then added, renamed and removed freely. Members: a person of any
department, in a group or none, with written duties, and exactly one leader — a marketing person (the
department ``marketing``) whose role is organiser or administrator (TM-1). The leader flag is moved with
``member_update(is_leader=True)``: the former leader stops being one in the same transaction.

Every write locks the event first (``rules.preparation_event_lock``: owner, organisers of the team and
administrators, in the preparation steps), and an update or removal says which revision it saw.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Role, User
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.events.seed import DEFAULT_TEAM_GROUPS

from ..models import TeamGroup, TeamMember
from ..rules import preparation_event_lock

WHAT_TEAM = _("项目团队")
LEADER_DEPARTMENT = "marketing"
LEADER_ROLES = (Role.ORGANISER, Role.ADMIN)

# TM-2: the default groups and what each does (the specification's examples).
DEFAULT_GROUPS: tuple[dict[str, str], ...] = tuple(DEFAULT_TEAM_GROUPS)  # when a type names none
GROUP_FIELDS = ("name", "name_en", "duties")
MEMBER_FIELDS = ("group", "duties", "is_leader")


# ---------------------------------------------------------------- reads
def groups_of(event: Event) -> list[TeamGroup]:
    return list(TeamGroup.objects.filter(event=event))


def members_of(event: Event) -> list[TeamMember]:
    return list(
        TeamMember.objects.filter(event=event).select_related("person", "person__department", "group")
    )


def group_get(*, event: Event, group_id: int) -> TeamGroup:
    group = TeamGroup.objects.filter(pk=group_id, event=event).first()
    if group is None:
        raise NotFound(_("项目组 %(id)s 不存在。") % {"id": group_id})
    return group


def member_get(*, event: Event, member_id: int) -> TeamMember:
    member = TeamMember.objects.filter(pk=member_id, event=event).select_related("person", "group").first()
    if member is None:
        raise NotFound(_("团队成员 %(id)s 不存在。") % {"id": member_id})
    return member


def leader_problem(person: User) -> Any:
    """Why ``person`` cannot lead the team (TM-1: a marketing supervisor), or None."""
    department = getattr(person, "department", None)
    if department is None or department.code != LEADER_DEPARTMENT or person.role not in LEADER_ROLES:
        return _("项目负责人须为市场部的活动策划/负责人或管理员;%(name)s不符合(TM-1)。") % {
            "name": person.name
        }
    return None


# ---------------------------------------------------------------- groups (TM-2)
def _defaults_create(event: Event, actor: User | None) -> int:
    if TeamGroup.objects.filter(event=event).exists():
        return 0
    groups = type_groups(event)
    for position, spec in enumerate(groups, start=1):
        group = TeamGroup.objects.create(event=event, position=position, **spec)
        audit_record(
            actor=actor, action="team.group.add", target=group, event_id=event.pk, after=snapshot(group)
        )
    _roster_from_event(event, actor)
    return len(groups)


def type_groups(event: Event) -> list[dict[str, str]]:
    """The groups the event's type starts a team with (TM-2: ``EventType.team_groups``, edited by
    administrators in the type's template), or the spec's three when the type names none."""
    rows = [
        r
        for r in (event.event_type.team_groups or [])
        if isinstance(r, dict) and r.get("code") and r.get("name")
    ]
    source = rows or list(DEFAULT_GROUPS)
    seen: set[str] = set()
    groups = []
    for r in source:
        code = str(r["code"])[:40]
        if code in seen:
            continue
        seen.add(code)
        groups.append(
            {
                "code": code,
                "name": str(r["name"])[:100],
                "name_en": str(r.get("name_en") or "")[:100],
                "duties": str(r.get("duties") or ""),
            }
        )
    return groups


def _roster_from_event(event: Event, actor: User | None) -> None:
    """The TM-1 team starts as the event's team of the planning phase: its owner and team members go on
    the roster (in no group yet, no leader named), so the two lists agree from the first day."""
    people = [event.owner, *event.team_members.filter(is_active=True).order_by("id")]
    on_roster = set(TeamMember.objects.filter(event=event).values_list("person_id", flat=True))
    for person in people:
        if person is None or not person.is_active or person.pk in on_roster:
            continue
        on_roster.add(person.pk)
        member = TeamMember.objects.create(event=event, person=person)
        audit_record(
            actor=actor, action="team.member.add", target=member, event_id=event.pk, after=snapshot(member)
        )


@transaction.atomic
def team_defaults(event: Event | int, actor: User | None = None, *, system: bool = False) -> int:
    """Create the default groups (执行组, 宣传组, 后勤组 with their duties, TM-2) for an event that has no
    group yet; returns how many were created (0 when the event has groups already)."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    return _defaults_create(locked, actor)


def _group_clean(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean = {
        "name": text_clean(
            data.get("name"),
            field="name",
            label=_("组名"),
            limit=100,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "name_en": text_clean(
            data.get("name_en"),
            field="name_en",
            label=_("英文名称"),
            limit=100,
            errors=errors,
            multiline=False,
        ),
        "duties": text_clean(data.get("duties"), field="duties", label=_("职责"), limit=5000, errors=errors),
    }
    return clean, errors


def _group_label(group: TeamGroup) -> Any:
    return _("项目组「%(name)s」") % {"name": group.name}


def _name_taken(event: Event, name: str, *, exclude: int | None = None) -> bool:
    qs = TeamGroup.objects.filter(event=event, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


@transaction.atomic
def group_add(
    *,
    actor: User | None,
    event: Event | int,
    name: str,
    name_en: str = "",
    duties: str = "",
    system: bool = False,
) -> TeamGroup:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    clean, errors = _group_clean({"name": name, "name_en": name_en, "duties": duties})
    if not errors and _name_taken(locked, clean["name"]):
        errors["name"] = [_("已有名为「%(name)s」的项目组。") % {"name": clean["name"]}]
    if errors:
        raise DomainError(errors)
    last = TeamGroup.objects.filter(event=locked).aggregate(m=Max("position"))["m"] or 0
    code = f"group-{TeamGroup.objects.filter(event=locked).count() + 1}"
    while TeamGroup.objects.filter(event=locked, code=code).exists():
        code += "x"
    group = TeamGroup.objects.create(event=locked, code=code[:40], position=last + 1, **clean)
    audit_record(
        actor=actor, action="team.group.add", target=group, event_id=locked.pk, after=snapshot(group)
    )
    return group


def _group_locked(event: Event, group_id: int) -> TeamGroup:
    group = TeamGroup.objects.select_for_update().filter(pk=group_id, event=event).first()
    if group is None:
        raise NotFound(_("项目组 %(id)s 不存在。") % {"id": group_id})
    return group


@transaction.atomic
def group_update(
    *,
    actor: User | None,
    event: Event | int,
    group_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> TeamGroup:
    _unknown(changes, GROUP_FIELDS)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    group = _group_locked(locked, group_id)
    revision_require(group, seen, label=_group_label(group), system=system, fields=GROUP_FIELDS)
    data = {f: getattr(group, f) for f in GROUP_FIELDS} | changes
    clean, errors = _group_clean(data)
    if not errors and _name_taken(locked, clean["name"], exclude=group.pk):
        errors["name"] = [_("已有名为「%(name)s」的项目组。") % {"name": clean["name"]}]
    if errors:
        raise DomainError(errors)
    row_update(
        group,
        changes=clean,
        seen=group.revision,
        actor=actor,
        action="team.group.update",
        label=_group_label(group),
        event_id=locked.pk,
    )
    return group


@transaction.atomic
def group_remove(
    *, actor: User | None, event: Event | int, group_id: int, seen: int | None, system: bool = False
) -> None:
    """Remove a group; its members and tasks stay, without a group."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    group = _group_locked(locked, group_id)
    revision_require(group, seen, label=_group_label(group), system=system, fields=GROUP_FIELDS)
    audit_record(
        actor=actor, action="team.group.remove", target=group, event_id=locked.pk, before=snapshot(group)
    )
    group.delete()


# ---------------------------------------------------------------- members (TM-1)
def _unknown(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(allowed)}] for f in sorted(unknown)}
        )


def _member_clean(event: Event, data: dict[str, Any], errors: dict[str, list[Any]]) -> dict[str, Any]:
    group = data.get("group")
    if isinstance(group, int) and not isinstance(group, bool):
        group = TeamGroup.objects.filter(pk=group, event=event).first() or group
    if group is not None and (not isinstance(group, TeamGroup) or group.event_id != event.pk):
        errors["group"] = [_("所在组须为本活动的项目组之一。")]
        group = None
    is_leader = data.get("is_leader", False)
    if not isinstance(is_leader, bool):
        errors["is_leader"] = [_("项目负责人须为是或否。")]
        is_leader = False
    return {
        "group": group,
        "duties": text_clean(data.get("duties"), field="duties", label=_("职责"), limit=5000, errors=errors),
        "is_leader": is_leader,
    }


def _member_label(member: TeamMember) -> Any:
    return _("团队成员「%(name)s」") % {"name": member.person.name}


def _leader_unset(event: Event, actor: User | None, *, keep: int | None = None) -> None:
    """The current leader (other than ``keep``) stops being the leader: one leader per event (TM-1)."""
    leaders = (
        TeamMember.objects.select_for_update(of=("self",)).filter(event=event, is_leader=True).order_by("id")
    )
    if keep is not None:
        leaders = leaders.exclude(pk=keep)
    for former in leaders:
        row_update(
            former,
            changes={"is_leader": False},
            seen=former.revision,
            actor=actor,
            action="team.member.update",
            label=_member_label(former),
            event_id=event.pk,
        )


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    event: Event | int,
    person: User | None,
    group: TeamGroup | int | None = None,
    duties: str = "",
    is_leader: bool = False,
    system: bool = False,
) -> TeamMember:
    """Put a person (of any department) on the team; ``is_leader`` makes them the leader, who must be a
    marketing organiser or administrator (TM-1), in place of the former leader."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    errors: dict[str, list[Any]] = {}
    if not isinstance(person, User) or not person.is_active:
        errors["person"] = [_("成员须为在职人员。")]
    elif TeamMember.objects.filter(event=locked, person=person).exists():
        errors["person"] = [_("%(name)s已在团队中。") % {"name": person.name}]
    clean = _member_clean(locked, {"group": group, "duties": duties, "is_leader": is_leader}, errors)
    if clean["is_leader"] and isinstance(person, User) and "person" not in errors:
        problem = leader_problem(person)
        if problem:
            errors["is_leader"] = [problem]
    if errors or not isinstance(person, User):
        raise DomainError(errors)
    if clean["is_leader"]:
        _leader_unset(locked, actor)
    member = TeamMember.objects.create(event=locked, person=person, **clean)
    audit_record(
        actor=actor, action="team.member.add", target=member, event_id=locked.pk, after=snapshot(member)
    )
    if person.pk != locked.owner_id:  # one team: the event's own list (its overview) names them too
        locked.team_members.add(person)
    return member


def _member_locked(event: Event, member_id: int) -> TeamMember:
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("person", "person__department")
        .filter(pk=member_id, event=event)
        .first()
    )
    if member is None:
        raise NotFound(_("团队成员 %(id)s 不存在。") % {"id": member_id})
    return member


@transaction.atomic
def member_update(
    *,
    actor: User | None,
    event: Event | int,
    member_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> TeamMember:
    _unknown(changes, MEMBER_FIELDS)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    member = _member_locked(locked, member_id)
    revision_require(member, seen, label=_member_label(member), system=system, fields=MEMBER_FIELDS)
    errors: dict[str, list[Any]] = {}
    data = {"group": member.group, "duties": member.duties, "is_leader": member.is_leader} | changes
    clean = _member_clean(locked, data, errors)
    if clean["is_leader"] and not member.is_leader:
        problem = leader_problem(member.person)
        if problem:
            errors["is_leader"] = [problem]
    if errors:
        raise DomainError(errors)
    if clean["is_leader"]:
        _leader_unset(locked, actor, keep=member.pk)
    row_update(
        member,
        changes=clean,
        seen=member.revision,
        actor=actor,
        action="team.member.update",
        label=_member_label(member),
        event_id=locked.pk,
    )
    return member


@transaction.atomic
def member_remove(
    *, actor: User | None, event: Event | int, member_id: int, seen: int | None, system: bool = False
) -> None:
    """Take a person off the team; their RACI letters stay on the tasks (the matrix still shows them)."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TEAM, system=system)
    member = _member_locked(locked, member_id)
    revision_require(member, seen, label=_member_label(member), system=system, fields=MEMBER_FIELDS)
    audit_record(
        actor=actor, action="team.member.remove", target=member, event_id=locked.pk, before=snapshot(member)
    )
    locked.team_members.remove(member.person)
    member.delete()
