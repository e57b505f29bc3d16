"""The audit log is append-only in the database too: triggers refuse UPDATE and DELETE (finding 8).

PostgreSQL and SQLite; the one update allowed clears ``actor_id`` alone (deleting a person, SET_NULL).
The SQL lives in ``huodong.core.audit`` because ``manage flush`` takes the triggers off and puts them
back with the same statements.
"""

from django.db import migrations


def install(apps, schema_editor):
    from huodong.core.audit import append_only_install

    append_only_install(schema_editor.connection)


def remove(apps, schema_editor):
    from huodong.core.audit import append_only_remove

    append_only_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_login_attempts_actor_name_token_expiry"),
    ]

    operations = [migrations.RunPython(install, remove)]
