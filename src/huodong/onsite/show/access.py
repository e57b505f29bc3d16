"""Who runs the show (``events.access``, found by ``autodiscover_modules("access")``): the stage manager named
in the event's check-in settings (``checkin.CheckinSettings.stage_manager``) is ``Member.STAGE_MANAGER``."""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.access import Member, register_membership
from huodong.events.models import Event


@register_membership("onsite_show")
def stage_people(user: User, event: Event) -> set[str]:
    from huodong.checkin.models import CheckinSettings

    if CheckinSettings.objects.filter(event_id=event.pk, stage_manager_id=user.pk).exists():
        return {Member.STAGE_MANAGER}
    return set()
