"""The audit log is append-only in the database too (issue 6, finding 8): triggers refuse UPDATE and DELETE on
PostgreSQL and SQLite for any client of the database, and deleting a person keeps their name in the rows
they wrote."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from huodong.core.audit import append_only_installed, audit_record
from huodong.core.models import AuditEntry, Role, User

from .factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(organiser) -> AuditEntry:
    return audit_record(actor=organiser, action="test.thing", summary="原始记录", after={"a": 1})


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_the_triggers_are_on_the_audit_table_after_the_migrations():
    assert append_only_installed(connection)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET summary = 'tampered' WHERE id = %s",
        "UPDATE core_auditentry SET after = NULL WHERE id = %s",
        "UPDATE core_auditentry SET at = at WHERE id = %s",  # touching a row at all
        "UPDATE core_auditentry SET actor_name = 'someone else' WHERE id = %s",
    ],
)
def test_the_database_refuses_to_update_an_audit_row(entry, sql):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).summary == "原始记录"


def test_the_database_refuses_to_delete_an_audit_row(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM core_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_clearing_the_actor_is_refused_when_anything_else_changes_with_it(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE core_auditentry SET actor_id = NULL, summary = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor_id is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_audit_log(entry):
    _raw("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction has deferred checks pending
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("TRUNCATE core_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_audit_row_keeps_the_actors_name_as_written(organiser):
    e = audit_record(actor=organiser, action="x.y")
    assert e.actor_name == organiser.name == "王策划"
    assert audit_record(actor=None, action="x.z").actor_name == ""


def test_deleting_a_person_keeps_their_name_in_their_audit_rows(as_admin):
    leaver = person("leaver", Role.STAFF, "tech", "工程师", "离职的李工")
    rows = [audit_record(actor=leaver, action="test.done", summary=f"做过的事 {i}").pk for i in range(3)]
    User.objects.get(pk=leaver.pk).delete()
    kept = AuditEntry.objects.filter(pk__in=rows)
    assert kept.count() == 3
    assert {(e.actor_id, e.actor_name, e.actor_display) for e in kept} == {(None, "离职的李工", "离职的李工")}
    html = as_admin.get("/admin/audit/?action=test.done").content.decode()
    assert html.count("离职的李工") == 3 and "做过的事 2" in html
    # The name can be searched for, as a signed-in person's can.
    assert "做过的事 0" in as_admin.get("/admin/audit/?actor=李工").content.decode()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_log_and_puts_the_triggers_back(organiser):
    from io import StringIO

    from django.core.management import call_command

    audit_record(actor=organiser, action="test.thing")
    call_command("flush", interactive=False, stdout=StringIO())
    assert not AuditEntry.objects.exists()
    assert append_only_installed(connection)
