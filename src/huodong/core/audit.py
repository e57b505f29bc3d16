"""The append-only audit log: every service that changes something calls ``audit_record``.

**Append-only in the database too.** Besides the model refusing ``save()`` of an existing row and
``delete()``, triggers refuse ``UPDATE`` and ``DELETE`` on ``core_auditentry`` (and ``TRUNCATE`` on
PostgreSQL) for every client of the database, not only this application: ``append_only_install`` (run by
migration 0005). One change is allowed: clearing ``actor_id`` and nothing else, which is what deleting a
person does (``on_delete=SET_NULL``); the person's name stays in ``actor_name``, written with the row.

The only way around the triggers is ``manage flush`` (tests, a demo reset), which removes them around the
wipe and puts them back (``core/management/commands/flush.py``). On SQLite, a migration that rebuilds the
table (most ``AlterField`` operations) drops its triggers: such a migration must call
``append_only_install`` again — ``tests/test_security_audit.py`` fails if the triggers are missing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, override

from .models import AuditEntry, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return force_str(value)


# ------------------------------------------------------------------------------ system text, any language
class Message(str):
    """Text the system writes (a notice, an audit summary), kept as a msgid and parameters.

    It *is* the sentence in the site's first language (Chinese), so code that wants a ``str`` still
    works, and ``notify`` / ``audit_record`` store its ``key`` and ``params`` beside that text: the inbox
    and the audit log show it again in the reader's language (``message_render``). Parameters that are
    themselves system text — a lazy ``gettext_lazy`` label (a step, a decision), a ``Message``, a list
    of either — are stored as codes and translated at display time too; plain strings (an event name,
    an opinion, a person's name: what people typed) are kept as typed.
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str | Promise, /, **params: Any) -> Message:
        if isinstance(key, Promise):  # a lazy msgid: its text in the first language is the msgid
            with override(settings.LANGUAGE_CODE):
                key = force_str(key)
        stored = {name: _param_code(value) for name, value in params.items()}
        with override(settings.LANGUAGE_CODE):
            text = message_render(key, stored)
        self = super().__new__(cls, text)
        self.key = key
        self.params = stored
        return self


class Joined(list[Any]):
    """A list parameter of a ``Message`` joined with ``sep`` (a msgid, translated at display time)."""

    def __init__(self, items: Any, sep: str = "、") -> None:
        super().__init__(items)
        self.sep = sep


def _param_code(value: Any) -> Any:
    if isinstance(value, Joined):
        return {"$list": [_param_code(v) for v in value], "$sep": value.sep}
    if isinstance(value, Message):
        return {"$m": value.key, "$p": value.params}
    if isinstance(value, Promise):  # a lazy label: its msgid is its text in the first language
        with override(settings.LANGUAGE_CODE):
            return {"$m": force_str(value), "$p": {}}
    if isinstance(value, list | tuple):
        return {"$list": [_param_code(v) for v in value]}
    if isinstance(value, models.Model) and hasattr(value, "name_en"):
        # A record with a name in both languages (a department, an event type): both are kept.
        return {"$zh": str(getattr(value, "name", "")), "$en": str(value.name_en or "")}
    return _jsonable(value)


def _param_text(value: Any) -> Any:
    if isinstance(value, dict) and "$m" in value:
        return message_render(str(value["$m"]), value.get("$p") or {})
    if isinstance(value, dict) and "$list" in value:
        # Translators: "、" separates the items of a list inside a notice (e.g. departments).
        sep = gettext(str(value.get("$sep") or "、"))
        return sep.join(str(_param_text(v)) for v in value["$list"])
    if isinstance(value, dict) and "$zh" in value:
        english = (get_language() or "").startswith("en") and value.get("$en")
        return value["$en"] if english else value["$zh"]
    return value


def message_render(key: str, params: dict[str, Any] | None, fallback: str = "") -> str:
    """``key`` with ``params`` in the active language; ``fallback`` (the stored text) for old rows."""
    if not key:
        return fallback
    text = gettext(key)
    if not params:
        return text
    try:
        return text % {name: _param_text(value) for name, value in params.items()}
    except (KeyError, ValueError, TypeError):
        return fallback or key


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance``, JSON-ready, for a before/after pair."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        data[field.name] = _jsonable(getattr(instance, field.attname))
    return data


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    event_id: int | None = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        # The object's name in both languages, whatever the language of the request that wrote it.
        with override(settings.LANGUAGE_CODE):
            target_repr = force_str(target)[:300]
        with override("en"):
            target_repr_en = force_str(target)[:300]
    else:
        target_repr = target_repr_en = ""
    key, params = (summary.key, summary.params) if isinstance(summary, Message) else ("", {})
    person = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor=person,
        actor_name=person.name[:150] if person is not None else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        target_repr_en=target_repr_en,
        event_id=event_id,
        summary=force_str(summary),
        summary_key=key,
        summary_params=params,
        before=_jsonable(before),
        after=_jsonable(after),
    )


# ------------------------------------------------------------------------------ append-only triggers
TABLE = "core_auditentry"
REFUSED = "core_auditentry is append-only (审计日志只能追加)"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION huodong_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Deleting a person clears actor_id (SET_NULL); their name stays in actor_name.
        IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS core_auditentry_append_only ON {TABLE}",
    f"""CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION huodong_audit_append_only()""",
    f"DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION huodong_audit_append_only()""",
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS core_auditentry_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS huodong_audit_append_only()",
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]


def _sqlite_install(columns: list[str]) -> list[str]:
    """SQLite has no row-to-JSON: the update trigger names every column but ``actor_id``."""
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c != "actor_id")
    return [
        *_SQLITE_REMOVE,
        f"""CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON {TABLE}
            WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {unchanged})
            BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END""",
        f"""CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused'); END""",
    ]


def _columns(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, TABLE)]


def append_only_statements(connection: BaseDatabaseWrapper, *, install: bool) -> list[str]:
    """The SQL that puts the triggers on ``core_auditentry`` (or takes them off) for this database."""
    if connection.vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_REMOVE
    if connection.vendor == "sqlite":
        return _sqlite_install(_columns(connection)) if install else _SQLITE_REMOVE
    return []  # another database: the model's own refusals still hold


def append_only_install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in append_only_statements(connection, install=True):
            cursor.execute(sql)


def append_only_remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in append_only_statements(connection, install=False):
            cursor.execute(sql)


def append_only_installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the triggers are on the table (the tests, and ``flush``)."""
    if TABLE not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname IN "
                "('core_auditentry_append_only', 'core_auditentry_no_truncate')",
                [TABLE],
            )
            return cursor.fetchone()[0] == 2
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN "
                "('core_auditentry_no_update', 'core_auditentry_no_delete')",
                [TABLE],
            )
            return cursor.fetchone()[0] == 2
    return False
