"""Opening and closing Q&A and the survey (the stage manager, ``Need.STAGE``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.concurrency import row_update
from huodong.core.models import User
from huodong.events.access import Need

from ..models import InteractionSettings
from ..rules import onsite_lock, settings_of

LABEL = _("现场互动设置")


@transaction.atomic
def settings_update(
    *, actor: User, event: Any, seen: int | None, qa_open: bool | None = None, survey_open: bool | None = None
) -> InteractionSettings:
    ev = onsite_lock(actor, event, Need.STAGE, _("现场互动设置"))
    conf = settings_of(ev)
    conf = InteractionSettings.objects.select_for_update().get(pk=conf.pk)
    changes = {k: v for k, v in {"qa_open": qa_open, "survey_open": survey_open}.items() if v is not None}
    row_update(
        conf,
        changes=changes,
        seen=seen,
        actor=actor,
        action="interaction.settings",
        label=LABEL,
        event_id=ev.pk,
    )
    return conf
