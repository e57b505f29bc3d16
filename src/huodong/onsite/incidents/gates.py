"""The gate of 突发应对 (EX-5), found by ``autodiscover_modules("gates")``: an event leaves the step only
when every incident of the day is resolved; each one still open is listed (title, category, how long open)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from .selectors import open_incidents

LABEL = _("所有突发事件均已处理完毕")


@register_gate(Step.INCIDENTS, key="onsite.incidents")
def incidents_gate(event: Event) -> Iterator[Criterion]:
    rows = open_incidents(event.pk)
    if not rows:
        yield Criterion("incidents.all_resolved", LABEL, met=True)
        return
    for row in rows:  # REQ: EX-5
        yield Criterion(
            f"incidents.open.{row['id']}",
            LABEL,
            met=False,
            detail=_("「%(title)s」(%(category)s)仍未解决,已持续 %(minutes)s 分钟。")
            % {"title": row["title"], "category": row["category_label"], "minutes": row["open_minutes"]},
        )
