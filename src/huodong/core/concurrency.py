"""Writes that never lose each other: revisions (optimistic), one lock order (pessimistic), retries.

**Revisions.** Every record people edit carries ``revision`` (``core.models.Revisioned``). A write says
which revision it saw; ``row_update`` changes only the fields whose value differs, and only if the row is
still at that revision (a conditional ``UPDATE … WHERE revision = seen``). Otherwise it raises ``Stale``
(409) with the record as it is now and who changed it last, so the page can say "已被某某修改" and show
the other person's change, and the API can answer with the current state. The audit row records the real
before and after of the fields that changed.

**The lock order** (docs/architecture.md). A service that writes anything belonging to an event takes its
locks in this order, and only in this order, inside one transaction:

1. the event row — ``events.access.event_for(..., lock=True)`` (``SELECT … FOR UPDATE``), which also
   re-checks the step and the actor's rights on the locked row; the lifecycle engine takes the same lock
   before it evaluates a gate, so a write and a move are serialised and a gate sees what it locked;
2. the phase's root record of that event (the plan, the needs report);
3. its versions (plan versions, newest first is irrelevant: by ascending id);
4. the child rows (segments, budget lines, risks, goals, reviews, signatures), by ascending id.

Audit rows, notifications and transitions are inserts and take no lock that matters here. Records outside
events (organisation, department, person, event type) are locked alone. On SQLite every write transaction
is ``BEGIN IMMEDIATE`` (settings), which serialises writers in the same order.

**Retries.** A PostgreSQL serialization failure or deadlock that still happens is retried by
``retry_on_conflict`` and, when it persists, answered 409 (``Conflict``), never 500.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import OperationalError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import _jsonable, audit_record
from .errors import Conflict, DomainError
from .models import AuditEntry, User

T = TypeVar("T")

# PostgreSQL SQLSTATEs that mean "try the whole transaction again".
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


class Stale(Conflict):
    """The record changed since the caller read it; nothing was written."""

    code = "stale"

    def __init__(
        self,
        *,
        label: Any,
        current: Mapping[str, Any],
        changed_by: str = "",
        changed_at: Any = None,
        theirs: Mapping[str, Any] | None = None,
    ) -> None:
        self.current = dict(current)
        self.changed_by = changed_by
        self.changed_at = changed_at
        # The fields the other person changed, with the value they wrote (for "已被某某修改").
        self.theirs = dict(theirs or {})
        who = changed_by or str(_("他人"))
        super().__init__(
            {
                "__all__": [
                    _("%(what)s已被%(who)s修改,您的修改未保存。请查看最新内容后重新提交。")
                    % {"what": label, "who": who}
                ]
            }
        )

    def extra(self) -> dict[str, Any]:
        when = timezone.localtime(self.changed_at).isoformat() if self.changed_at else ""
        return {"current": _jsonable(self.current), "changed_by": self.changed_by, "changed_at": when}


class PreconditionRequired(DomainError):
    """A write that did not say which revision it saw (HTTP 428)."""

    status = 428
    code = "revision_required"

    def __init__(self) -> None:
        super().__init__(
            {"revision": [_("请提供您所看到的修订号(revision 字段或 If-Match 头),以免覆盖他人的修改。")]}
        )


def revision_of(value: Any) -> int | None:
    """A revision from a form field, a JSON field or an ``If-Match`` header (``"r3"``, ``W/"3"``, ``3``)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    text = str(value).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"').lstrip("r")
    return int(text) if text.isdigit() and 0 < len(text) < 10 else None


def etag(instance: models.Model) -> str:
    return f'"r{instance.revision}"'  # type: ignore[attr-defined]


def _last_change(instance: models.Model) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(target_type=instance._meta.label_lower, target_id=str(instance.pk))
        .select_related("actor")
        .order_by("-id")
        .first()
    )


def _changed_by(entry: AuditEntry | None) -> str:
    if entry is None:
        return ""
    if entry.actor is not None:
        return entry.actor.name
    return getattr(entry, "actor_name", "") or ""


def stale_error(instance: models.Model, *, label: Any, fields: Iterable[str] | None = None) -> Stale:
    """A ``Stale`` for ``instance``, read again from the database, naming who changed it last."""
    current = type(instance)._default_manager.filter(pk=instance.pk).first()
    if current is None:
        return Stale(label=label, current={}, changed_by="", theirs={})
    names = list(fields) if fields is not None else [f.name for f in current._meta.concrete_fields]
    state = {n: _jsonable(getattr(current, _attname(type(current), n))) for n in names}
    state["revision"] = current.revision  # type: ignore[attr-defined]
    entry = _last_change(current)
    theirs = (
        {k: v for k, v in (entry.after or {}).items() if k in state}
        if entry and isinstance(entry.after, dict)
        else {}
    )
    return Stale(
        label=label,
        current=state,
        changed_by=_changed_by(entry),
        changed_at=entry.at if entry else None,
        theirs=theirs,
    )


def revision_require(
    instance: models.Model,
    seen: int | None,
    *,
    label: Any,
    system: bool = False,
    fields: Iterable[str] | None = None,
) -> None:
    """Refuse when the caller did not say which revision it saw (428) or saw an old one (409)."""
    if seen is None:
        if system:
            return
        raise PreconditionRequired()
    if seen != instance.revision:  # type: ignore[attr-defined]
        raise stale_error(instance, label=label, fields=fields)


def row_update(
    instance: models.Model,
    *,
    changes: Mapping[str, Any],
    seen: int | None,
    actor: User | None,
    action: str,
    label: Any,
    event_id: int | None = None,
    summary: str = "",
    system: bool = False,
) -> list[str]:
    """Write the fields of ``changes`` whose value differs, if the row is still at revision ``seen``.

    Returns the names of the fields written (empty: nothing changed, nothing written, no audit row).
    Raises ``Stale`` when the row moved on and ``PreconditionRequired`` when ``seen`` is missing (unless
    ``system``, for the demo loader and services acting on their own). Must run inside a transaction in
    which the caller holds the locks of the lock order above that row.
    """
    revision_require(instance, seen, label=label, system=system, fields=changes.keys())
    changed = {k: v for k, v in changes.items() if getattr(instance, k) != v}
    if not changed:
        return []
    model = type(instance)
    expected = seen if seen is not None else instance.revision  # type: ignore[attr-defined]
    before = {k: getattr(instance, _attname(model, k)) for k in changed}
    values = {_attname(model, k): _db_value(v) for k, v in changed.items()}
    for f in model._meta.concrete_fields:  # a queryset update skips auto_now: keep "updated_at" true
        if getattr(f, "auto_now", False) and f.attname not in values:
            values[f.attname] = timezone.now()
    written = model._default_manager.filter(pk=instance.pk, revision=expected).update(
        **values, revision=F("revision") + 1
    )
    if written == 0:
        raise stale_error(instance, label=label, fields=changes.keys())
    for k, v in changed.items():
        setattr(instance, k, v)
    instance.revision = expected + 1  # type: ignore[attr-defined]
    audit_record(
        actor=actor,
        action=action,
        target=instance,
        event_id=event_id,
        summary=summary,
        before=before,
        after={k: getattr(instance, _attname(model, k)) for k in changed},
    )
    return list(changed)


def _attname(model: type[models.Model], name: str) -> str:
    """The column attribute of the concrete field ``name`` (``owner`` → ``owner_id``)."""
    for f in model._meta.concrete_fields:
        if f.name == name or f.attname == name:
            return f.attname
    raise ValueError(f"{model.__name__} has no concrete field {name!r}")


def _db_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def revision_bump(instance: models.Model) -> None:
    """Count a change made some other way (a many-to-many set, a child row) as a new revision."""
    type(instance)._default_manager.filter(pk=instance.pk).update(revision=F("revision") + 1)
    instance.revision += 1  # type: ignore[attr-defined]


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return (
        getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES
        or getattr(getattr(cause, "diag", None), "sqlstate", None) in RETRYABLE_SQLSTATES
    )


def retry_on_conflict(func: Callable[..., T], attempts: int = 3) -> Callable[..., T]:
    """Run ``func`` in its own transaction, again on a serialization failure or deadlock; then 409.

    Only for the outermost call (a view or an API operation): inside an outer transaction it cannot retry.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        for attempt in range(attempts):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as exc:
                if not is_retryable(exc) or transaction.get_connection().in_atomic_block:
                    if is_retryable(exc):
                        raise Conflict(_("数据正被他人同时修改,请稍后重试。")) from exc
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise Conflict(_("数据正被他人同时修改,请稍后重试。"))

    return wrapper
