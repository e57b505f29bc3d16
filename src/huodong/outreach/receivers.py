"""Signal receivers of outreach: moving the event moves every relative message (the T-minus schedule).

Connected on import; ``OutreachConfig.ready`` imports this module.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from huodong.events.signals import event_updated


@receiver(event_updated, dispatch_uid="outreach.messages_follow_event")
def messages_follow_event(sender: Any, *, event: Any, **kwargs: Any) -> None:
    from .services.outbox import messages_follow_event as follow

    follow(event)


@receiver(event_updated, dispatch_uid="outreach.registrations_follow_event")
def registrations_follow_event(sender: Any, *, event: Any, before: Any = None, **kwargs: Any) -> None:
    """A new time or place: every registered guest gets the update (an .ics with a larger SEQUENCE)."""
    from .services.registration import event_changed

    event_changed(event, before)
