"""One access model per event: who may do what with it, decided in one place (SC-2, RV-1, AP-1).

Every page, API operation, export and command loads an event through ``event_for``::

    event = event_for(user, event_id, Need.EDIT)               # a read that needs the right to edit
    event = event_for(user, event_id, Need.EDIT, lock=True)    # a write: first lock of the lock order

It raises ``NotFound`` (404) for an unknown event and ``NotAllowed`` (403) when the person lacks the
need, and with ``lock=True`` it takes the event row's lock (``core.concurrency``, step 1 of the lock
order) and checks on the *locked* row, so a write and a lifecycle move cannot interleave.

Membership is per event: the owner, the team (organisers and other members), and what the phase apps
add by registering a ``membership`` function (planning: the reviewers and approvers of the plan's
versions; check-in, later: the staff of a gate)::

    @register_membership("planning")
    def plan_people(user, event) -> set[str]: ...

Needs (what a page or operation requires) map to the memberships that grant them in ``GRANTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Role, User

from .models import Event


class Member(StrEnum):
    """What a person is to one event."""

    ADMIN = "admin"  # an administrator of the organisation
    OWNER = "owner"  # the event's 负责人 (an organiser)
    ORGANISER = "organiser"  # an organiser on the event's team
    TEAM = "team"  # anyone on the event's team (any role)
    REVIEWER = "reviewer"  # a department reviewer asked to review one of its plan versions
    APPROVER = "approver"  # 分管领导 / 总经理, who sign its plan versions
    GATE_STAFF = "gate_staff"  # checks guests in at one of its gates (checkin)
    CHECKIN_SUPERVISOR = "checkin_supervisor"  # watches the doors: counts, conflicts, undo (checkin)
    STAGE_MANAGER = "stage_manager"  # runs the show on the day: segments, Q&A moderation, lottery (onsite)
    COLLEAGUE = "colleague"  # any active signed-in person of the organisation


class Need(StrEnum):
    """What a page, an API operation or a command needs to do with an event."""

    VIEW = "view"  # the event, its needs, goals, plan and documents other than the approval form
    EDIT = "edit"  # change the event and its planning, move it through the lifecycle
    VIEW_APPROVAL = "view_approval"  # review opinions, signatures, the approval form, rejection reasons
    MANAGE = "manage"  # change who owns the event and its team
    CHECKIN = "checkin"  # check guests in at the door (scanner, paper sign-in, walk-ins)
    SUPERVISE_CHECKIN = "supervise_checkin"  # the doors' counts, conflicts, undoing a check-in
    ONSITE = "onsite"  # the team on the day: rehearsal checks, in place, incidents, leads, the dashboard
    STAGE = "stage"  # run the show: start and end segments, moderate Q&A, draw the lottery, close incidents


GRANTS: dict[Need, frozenset[Member]] = {
    Need.VIEW: frozenset(Member),
    Need.EDIT: frozenset({Member.ADMIN, Member.OWNER, Member.ORGANISER}),
    Need.VIEW_APPROVAL: frozenset(
        {Member.ADMIN, Member.OWNER, Member.ORGANISER, Member.TEAM, Member.REVIEWER, Member.APPROVER}
    ),
    Need.MANAGE: frozenset({Member.ADMIN, Member.OWNER}),
    Need.CHECKIN: frozenset(
        {Member.ADMIN, Member.OWNER, Member.ORGANISER, Member.GATE_STAFF, Member.CHECKIN_SUPERVISOR}
    ),
    Need.SUPERVISE_CHECKIN: frozenset(
        {Member.ADMIN, Member.OWNER, Member.ORGANISER, Member.CHECKIN_SUPERVISOR}
    ),
    Need.ONSITE: frozenset(
        {
            Member.ADMIN,
            Member.OWNER,
            Member.ORGANISER,
            Member.TEAM,
            Member.STAGE_MANAGER,
            Member.GATE_STAFF,
            Member.CHECKIN_SUPERVISOR,
        }
    ),
    Need.STAGE: frozenset({Member.ADMIN, Member.OWNER, Member.ORGANISER, Member.STAGE_MANAGER}),
}

REFUSALS: dict[Need, Any] = {
    Need.VIEW: _("您没有查看此活动的权限。"),
    Need.EDIT: _("只有活动负责人、团队中的策划人员或管理员可以修改此活动。"),
    Need.VIEW_APPROVAL: _("只有活动团队、评审人、审批人和管理员可以查看评审与审批。"),
    Need.MANAGE: _("只有活动负责人或管理员可以更改负责人和团队。"),
    Need.CHECKIN: _("只有此活动的签到人员、策划人员或管理员可以签到。"),
    Need.SUPERVISE_CHECKIN: _("只有签到主管、活动负责人、策划人员或管理员可以查看签到统计与冲突。"),
    Need.ONSITE: _("只有此活动的现场团队、签到人员、策划人员或管理员可以使用现场功能。"),
    Need.STAGE: _("只有此活动的舞台监督、活动负责人、策划人员或管理员可以控制现场流程。"),
}

MembershipCheck = Callable[[User, Event], set[str]]
_MEMBERSHIPS: dict[str, MembershipCheck] = {}


def register_membership(key: str) -> Callable[[MembershipCheck], MembershipCheck]:
    """Register a phase app's contribution to who someone is to an event (re-registering replaces)."""

    def decorator(check: MembershipCheck) -> MembershipCheck:
        _MEMBERSHIPS[key] = check
        return check

    return decorator


@dataclass(frozen=True)
class EventAccess:
    """What ``user`` is to ``event`` and therefore may do."""

    user: User | None
    event: Event
    members: frozenset[str]

    def can(self, need: Need | str) -> bool:
        return bool(self.members & GRANTS[Need(need)])

    def require(self, need: Need | str, message: Any = None) -> None:
        if not self.can(need):
            raise NotAllowed(message or REFUSALS[Need(need)])

    def __contains__(self, member: str) -> bool:
        return member in self.members


def _memberships(user: User | None, event: Event) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    found: set[str] = {Member.COLLEAGUE}
    if user.is_admin:
        found.add(Member.ADMIN)
    if event.owner_id == user.pk:
        found.add(Member.OWNER)
    if event.team_members.filter(pk=user.pk).exists():
        found.add(Member.TEAM)
        if user.role == Role.ORGANISER:
            found.add(Member.ORGANISER)
    for check in _MEMBERSHIPS.values():
        found |= set(check(user, event))
    return frozenset(found)


def event_access(user: User | None, event: Event) -> EventAccess:
    """What ``user`` may do with ``event``; computed once per event instance and kept on it."""
    cache: dict[int | None, EventAccess] = event.__dict__.setdefault("_access_cache", {})
    key = user.pk if user is not None and user.is_authenticated else None
    if key not in cache:
        cache[key] = EventAccess(user=user, event=event, members=_memberships(user, event))
    return cache[key]


def can(user: User | None, event: Event, need: Need | str) -> bool:
    return event_access(user, event).can(need)


def _valid_id(event_id: Any) -> int:
    try:
        value = int(event_id)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 2**31 - 1:
        raise NotFound(_("活动不存在。"))
    return value


def event_load(event_id: int | str | Event, *, lock: bool = False) -> Event:
    """The event read afresh (with owner, type and requesting department); ``lock`` takes its row lock,
    step 1 of the lock order. No access check: ``event_for`` adds it; services acting as the system
    (the demo loader) call this directly."""
    pk = event_id.pk if isinstance(event_id, Event) else _valid_id(event_id)
    qs = Event.objects.select_related("owner", "event_type", "requesting_department")
    if lock:
        qs = qs.select_for_update(of=("self",))
    event = qs.filter(pk=pk).first()
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def event_for(
    user: User | None,
    event_id: int | str | Event,
    need: Need | str = Need.VIEW,
    *,
    lock: bool = False,
    steps: tuple[str, ...] | None = None,
    what: Any = None,
    message: Any = None,
) -> Event:
    """Load the event and check that ``user`` has ``need``; ``lock`` takes the event row's lock first.

    With ``steps``, the event must be in one of them (checked on the locked row when ``lock``), or the
    refusal says which steps allow changing ``what``. ``message`` replaces the default refusal.
    """
    event = event_load(event_id, lock=lock)
    access = event_access(user, event)
    if not access.members:
        raise NotAllowed(_("请先登录。"))
    access.require(need, message)
    if steps is not None:
        step_require(event, steps, what or _("此内容"))
    return event


def step_require(event: Event, steps: tuple[str, ...], what: Any) -> None:
    """Refuse a change when the event is not in one of ``steps``; says which steps allow it."""
    from .steps import Step

    if event.step not in steps:
        allowed = "、".join(str(Step(s).label) for s in steps)
        raise DomainError(
            {
                "__all__": [
                    _(
                        "活动当前处于「%(step)s」,不能修改%(what)s;仅在以下步骤可修改:%(allowed)s。如需修改,请先将活动退回。"
                    )
                    % {"step": Step(event.step).label, "what": what, "allowed": allowed}
                ]
            },
            code="wrong_step",
        )
