"""Rows of the permission matrix for the later phases, one module per area, so each area declares who may
use its pages and operations next to nothing else. Each module defines:

- ``ids(world) -> dict``: creates the area's records in the matrix's world (``world.event`` at 审批定稿,
  ``world.people`` by persona) and returns their ids by key (``task_id``, ``need_id``…);
- ``PAGES`` / ``API``: rows as in ``tests/test_permission_matrix.py`` (``tests.permission_rows.Row``);
- ``REVISIONS``: id key → model, for rows whose write must send the record's revision;
- ``URL_KEYS``: the lists of path parameters its page URLs take, e.g. ``[["event_id", "task_id"]]``.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

AREA_NAMES = ("preparation_team", "preparation_vendors", "preparation_resources", "preparation_materials",
              "preparation_training", "preparation_readiness",
              "outreach_guests", "outreach_registration", "outreach_messages", "outreach_notices",
              "checkin_scan", "checkin_scanner", "checkin_live", "checkin_setup",
              "onsite_rehearsal", "onsite_show", "onsite_interaction", "onsite_incidents", "onsite_live")  # fmt: skip


AREAS: list[ModuleType] = [import_module(f"tests.permissions.{name}") for name in AREA_NAMES]
