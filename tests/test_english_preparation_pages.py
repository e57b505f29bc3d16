"""Issue 7, point 4, for the pages of the preparation phase (issue 8): in English, Chinese only in user data.

The reader switches to English and opens every page of preparation for a prepared event (every gate met:
team, RACI task, three quotes with a contract, a confirmed request, an accepted material, the execution
meeting held) — as its owner, as the 技术部 person answering requests, and as an administrator for the
scoring weights. A Han character fails the test unless it is something people typed: the text columns of
every preparation record of the event (titles, names, duties, quotes, contract terms, minutes…), the
vendors' register, and the planning user data of ``tests/test_english_pages.py``. Built-in names (the
default groups, categories, statuses, departments) have English names and must show them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from huodong.core.models import Role
from huodong.preparation import models as pm
from huodong.preparation.tests.test_readiness import Prepared, prepared_event
from tests.factories import login, person
from tests.test_english_pages import english, english_leftovers, typed_fields, user_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(organiser, marketing_mgr) -> Prepared:
    return prepared_event(organiser, marketing_mgr)


def preparation_user_data(prepared: Prepared) -> list[str]:
    event = prepared.event
    texts: list[str] = list(user_data(event))
    rows: list[Any] = [
        *pm.TeamGroup.objects.filter(event=event).exclude(name_en=""),  # name_en shown instead; duties typed
        *pm.TeamMember.objects.filter(event=event),
        *pm.Task.objects.filter(event=event),
        *pm.VendorNeed.objects.filter(event=event),
        *pm.Quote.objects.filter(need__event=event),
        *pm.Contract.objects.filter(event=event),
        *pm.Vendor.objects.all(),
        *pm.VendorQualification.objects.all(),
        *pm.ResourceRequest.objects.filter(event=event),
        *pm.MaterialItem.objects.filter(event=event),
        *pm.Training.objects.filter(event=event),
        *pm.TrainingAttendance.objects.filter(training__event=event),
    ]
    for row in rows:
        fields = typed_fields(row)
        if isinstance(row, pm.TeamGroup):  # a built-in group shows its English name
            fields = [row.duties]
        texts += fields
    texts += [line.strip() for t in texts if "\n" in t for line in t.splitlines()]  # shown line by line
    return sorted({t for t in texts if t}, key=len, reverse=True)


def preparation_pages(prepared: Prepared) -> list[tuple[str, str]]:
    e = prepared.event.pk
    need = prepared.need.pk
    return [
        ("readiness", reverse("preparation:readiness", args=[e])),
        ("team", reverse("preparation:team", args=[e])),
        ("raci", reverse("preparation:raci", args=[e])),
        ("timeline", reverse("preparation:timeline", args=[e])),
        ("my tasks", reverse("preparation:my_tasks")),
        ("vendor register", reverse("preparation:vendors")),
        ("vendor", reverse("preparation:vendor_detail", args=[prepared.quotes[0].vendor_id])),
        ("vendor needs", reverse("preparation:vendor_needs", args=[e])),
        ("vendor need", reverse("preparation:vendor_need", args=[e, need])),
        ("comparison", reverse("preparation:vendor_comparison", args=[e, need])),
        ("resources", reverse("preparation:resources", args=[e])),
        ("materials", reverse("preparation:materials", args=[e])),
        ("training", reverse("preparation:training", args=[e])),
        ("training detail", reverse("preparation:training_detail", args=[e, prepared.meeting.pk])),
        ("documents", reverse("documents:index", args=[e])),
        ("print vendor comparison", reverse("documents:print", args=[e, "vendor-comparison"])),
        ("print meeting minutes", reverse("documents:print", args=[e, "meeting-minutes"])),
    ]


def test_every_preparation_page_in_english_shows_chinese_only_in_user_data(client, prepared, organiser):
    # REQ: TM-1, VD-1, IR-1, MT-1, TR-1 — the preparation pages in the reader's language (issue 7, point 4)
    login(english(client), organiser)
    found = english_leftovers(client, preparation_pages(prepared), preparation_user_data(prepared))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_the_requests_inbox_and_the_weights_in_english_show_chinese_only_in_user_data(
    client, prepared, admin_user
):
    # REQ: IR-1, VD-1
    tech = person("tech_engineer", Role.STAFF, "tech", "网络工程师", "孙工程")
    pm.ResourceRequest.objects.filter(pk=prepared.request.pk).update(status=pm.ResourceRequest.Status.PENDING)
    allowed = preparation_user_data(prepared) + [tech.name, tech.title]
    login(english(client), tech)
    found = english_leftovers(client, [("requests inbox", reverse("preparation:requests_inbox"))], allowed)
    login(client, admin_user)
    found |= english_leftovers(client, [("weights", reverse("preparation:weights"))], allowed)
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())
