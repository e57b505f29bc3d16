"""``manage flush`` that still empties the append-only audit log.

The triggers of ``core.audit`` refuse ``DELETE``/``TRUNCATE`` on ``core_auditentry``; a flush (the test
suite between transactional tests, a demo reset) wipes the whole database on purpose, so it takes the
triggers off, flushes, and puts them back — also when the flush fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from huodong.core.audit import append_only_install, append_only_installed, append_only_remove


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        guarded = append_only_installed(connection)
        if guarded:
            append_only_remove(connection)
        try:
            super().handle(**options)
        finally:
            if guarded:
                append_only_install(connection)
