"""Reads of the core domain."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import ApiToken, AuditEntry, Department, User


def audit_entries(
    *,
    q: str = "",
    action: str = "",
    actor: str = "",
    event_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor")
    if q:
        qs = qs.filter(Q(summary__icontains=q) | Q(target_repr__icontains=q) | Q(target_type__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(
            Q(actor__username__icontains=actor)
            | Q(actor__display_name__icontains=actor)
            | Q(actor_name__icontains=actor)
        )
    if event_id:
        qs = qs.filter(event_id=event_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def departments_active() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True)


def people(*, department: int | None = None, role: str | None = None) -> QuerySet[User]:
    qs = User.objects.select_related("department").filter(is_active=True)
    if department:
        qs = qs.filter(department_id=department)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("department__sort_order", "id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's API tokens, newest first (the "API 令牌" page)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def people_named(usernames: list[str]) -> dict[str, User]:
    """``username → person`` for those of ``usernames`` that exist (active or not), in one query; the
    caller says what an unknown name means."""
    return {u.username: u for u in User.objects.filter(username__in=list(dict.fromkeys(usernames)))}


def active_people(usernames: list[str], *, field: str) -> list[User]:
    """The active people called ``usernames``, in order, in one query; the first unknown or inactive name
    is refused on ``field`` as ``active_person`` refuses it."""
    found = {u: p for u, p in people_named(usernames).items() if p.is_active}
    for username in usernames:
        if username not in found:
            active_person(username, field=field)  # raises, naming it
    return [found[u] for u in usernames]


def active_person(username: str, *, field: str) -> User:
    """The active person called ``username``; an unknown name is refused on ``field``, naming it."""
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        from django.utils.translation import gettext_lazy as _

        from .errors import DomainError

        raise DomainError({field: [_("未知的用户「%(u)s」。") % {"u": username}]})
    return person
