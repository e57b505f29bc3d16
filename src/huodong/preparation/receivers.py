"""Signal receivers of preparation: moving the event moves every relative deadline (the T-minus schedule).

Connected on import; ``PreparationConfig.ready`` imports this module. The rule lives in
``services.tasks.tasks_follow_event``.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from huodong.events.signals import event_updated


@receiver(event_updated, dispatch_uid="preparation.tasks_follow_event")
def tasks_follow_event(sender: Any, *, event: Any, **kwargs: Any) -> None:
    from .services.tasks import tasks_follow_event as follow

    follow(event)
