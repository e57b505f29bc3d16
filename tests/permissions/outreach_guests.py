"""Permission rows of the guest list (issue 9, point 1): the tab 嘉宾, one guest's page, bulk actions, import,
export, quotas, background jobs, and their API.

Reading the list is for everyone who may view the event (phones and e-mails masked for all but the
editors); the editors (``Need.EDIT``) change everything; a member of the event's team (``team_member``, of
the marketing department) adds and edits the guests of their own department — the world's guest is
marketing's. The world's event is at 审批定稿: every write of an allowed persona is refused for the step
(400), which is past access.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.outreach.models import DepartmentQuota, Guest, Job
from tests.factories import department
from tests.permission_rows import EDIT, EVERYONE, Row

TEAM_ADD = EDIT | {"team_member"}


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    guest = Guest.objects.create(
        event=event, name="权限测试嘉宾", phone="+8613812345678", department=department("marketing")
    )
    quota = DepartmentQuota.objects.create(event=event, department=department("sales"), quota=20)
    job = Job.objects.create(event=event, kind=Job.Kind.IMPORT, status=Job.Status.DONE)
    return {"guest_id": guest.pk, "quota_id": quota.pk, "job_id": job.pk}


def _xlsx() -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "手机"])
    wb.active.append(["甲", "13900000000"])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("guests.xlsx", out.getvalue())


_GUEST = {"name": "甲", "category": "customer", "language": "zh-hans"}

PAGES: dict[str, Row] = {
    "outreach:guests": Row(EVERYONE),
    "outreach:guest_add": Row(TEAM_ADD, data=_GUEST),
    "outreach:guest_detail": Row(EVERYONE),
    "outreach:guest_edit": Row(TEAM_ADD, data=_GUEST, revision_of="guest_id"),
    "outreach:guest_status": Row(TEAM_ADD, data={"status": "declined"}, revision_of="guest_id"),
    "outreach:guest_remove": Row(TEAM_ADD, data={}, revision_of="guest_id"),
    "outreach:guest_erase": Row(EDIT, data={"reason": "本人来电要求删除"}),
    "outreach:guests_bulk": Row(EDIT, data={"action": "category", "scope": "filter", "category": "vip"}),
    "outreach:guests_import": Row(EDIT, data=lambda w: {"file": _xlsx(), "on_duplicate": "merge"}),
    "outreach:guests_export": Row(EDIT),
    "outreach:guests_template": Row(EVERYONE),
    "outreach:guest_job": Row(EDIT),
    "outreach:quota_add": Row(EDIT, data=lambda w: {"department": department("legal").pk, "quota": "3"}),
    "outreach:quota_edit": Row(EDIT, data={"quota": "5"}, revision_of="quota_id"),
    "outreach:quota_accept": Row(EDIT, data={"reason": "客户出差"}, revision_of="quota_id"),
    "outreach:quota_remove": Row(EDIT, data={}, revision_of="quota_id"),
}

_E = "/api/events/{event_id}"
API: dict[str, Row] = {
    f"GET {_E}/guests": Row(EVERYONE),
    f"POST {_E}/guests": Row(TEAM_ADD, data={"name": "甲"}),
    f"GET {_E}/guests/{{guest_id}}": Row(EVERYONE),
    f"PATCH {_E}/guests/{{guest_id}}": Row(TEAM_ADD, data={"title": "CTO"}, revision_of="guest_id"),
    f"DELETE {_E}/guests/{{guest_id}}": Row(TEAM_ADD, revision_of="guest_id"),
    f"POST {_E}/guests/{{guest_id}}/status": Row(
        TEAM_ADD, data={"status": "declined"}, revision_of="guest_id"
    ),
    # Erasure on request is answered in any step (PIPL): the editors get 200 even at 审批定稿.
    f"POST {_E}/guests/{{guest_id}}/erase": Row(EDIT, data={"reason": "本人来电要求删除"}),
    f"POST {_E}/guests/bulk": Row(EDIT, data={"action": "category", "filters": {}, "value": "vip"}),
    f"POST {_E}/guests/import": Row(EDIT, data=lambda w: {"file": _xlsx(), "on_duplicate": "merge"}),
    f"GET {_E}/guests.xlsx": Row(EDIT),
    f"GET {_E}/jobs/{{job_id}}": Row(EDIT),
    f"GET {_E}/quotas": Row(EVERYONE),
    f"POST {_E}/quotas": Row(EDIT, data={"department": "legal", "quota": 3}),
    f"PATCH {_E}/quotas/{{quota_id}}": Row(EDIT, data={"quota": 5}, revision_of="quota_id"),
    f"DELETE {_E}/quotas/{{quota_id}}": Row(EDIT, revision_of="quota_id"),
    f"POST {_E}/quotas/{{quota_id}}/accept-shortfall": Row(
        EDIT, data={"reason": "客户出差"}, revision_of="quota_id"
    ),
}

REVISIONS = {"guest_id": Guest, "quota_id": DepartmentQuota}
URL_KEYS = [["event_id", "guest_id"], ["event_id", "job_id"], ["event_id", "quota_id"]]
