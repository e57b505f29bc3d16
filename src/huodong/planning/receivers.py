"""Signal receivers of planning: an event's theme, tone, time and place are part of the signed plan (AP-1).

Connected on import; ``PlanningConfig.ready`` imports this module. The receiver only hands over to
``plan_touch`` (the rule lives in versioning), which supersedes an open version the change made stale.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext

from huodong.events.signals import event_updated

from .versioning import plan_touch


@receiver(event_updated, dispatch_uid="planning.plan_touch_on_event_updated")
def plan_touch_on_event_updated(sender: Any, *, event: Any, actor: Any = None, **kwargs: Any) -> None:
    plan_touch(event=event, actor=actor, what=gettext("活动基本信息"))
