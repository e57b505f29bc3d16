"""Pages of an event contributed by the phase apps, shown as the event's sub-navigation.

Each phase app registers its pages in ``AppConfig.ready``; the events app never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class EventTab:
    key: str
    label: Any
    url_name: str
    order: int


_TABS: dict[str, EventTab] = {}


def register_event_tab(*, key: str, label: Any, url_name: str, order: int) -> None:
    _TABS[key] = EventTab(key=key, label=label, url_name=url_name, order=order)


def event_tabs(event_id: int, current: str = "") -> list[dict[str, Any]]:
    from django.utils.translation import gettext as _

    tabs = [
        {
            "key": "overview",
            "label": _("概览"),
            "url": reverse("events:detail", args=[event_id]),
            "current": current == "overview",
        }
    ]
    for tab in sorted(_TABS.values(), key=lambda t: t.order):
        tabs.append(
            {
                "key": tab.key,
                "label": tab.label,
                "url": reverse(tab.url_name, kwargs={"event_id": event_id}),
                "current": current == tab.key,
            }
        )
    return tabs
