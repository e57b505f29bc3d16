"""Helpers the rehearsal tests share (no tests here): an event the day before, photos, a finished list."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huodong.core.models import Role, User
from huodong.events.steps import Step
from huodong.onsite.rehearsal.models import ChecklistItem, Result
from huodong.onsite.rehearsal.services import checklist as services
from huodong.planning.tests.conftest import make_event
from tests.factories import person

# The smallest real PNG (1×1) and JPEG headers: ``core.uploads`` checks the leading bytes.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def png(name: str = "stage.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def jpeg(name: str = "sound.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, "image/jpeg")


def png_bytes() -> io.BytesIO:
    return io.BytesIO(PNG)


def day_before(
    owner: User, *, step: str = Step.SETUP, type_code: str = "product-launch", team: list[User] | None = None
):  # noqa: ANN201
    """An event that starts tomorrow, at ``step`` (场地布置 by default), its team on it, its checklist open."""
    starts = timezone.now() + dt.timedelta(days=1)
    event = make_event(owner, step=step, type_code=type_code, starts=starts)
    if team:
        event.team_members.add(*team)
    services.checklist_for(event)
    return event


def team_member() -> User:
    return person("rehearsal_crew", Role.STAFF, "marketing", "执行专员", "彩排组员")


def item(event: Any, code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(event=event, code=code)


def check_all_ok(event: Any, actor: User) -> None:
    for row in ChecklistItem.objects.filter(event=event).exclude(result=Result.OK):
        services.item_check(actor=actor, event=event, item_id=row.pk, seen=row.revision, result=Result.OK)
