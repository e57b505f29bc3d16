"""Issue 7 point 2, continued for the preparation phase (issue 8): every page fits a 390 px phone.

A prepared event (every gate met: team, a RACI task, three quotes with a contract, a confirmed request,
an accepted material, the execution meeting held) with long typed texts, opened by its owner at 390×844
in Chinese and in English, with the same checks as ``test_phone_layout.py`` (nothing past the right edge,
no clipped cell, no text box squeezed to a character a line). Screenshots go to
test-artifacts/phone-prep-<page>-<lang>.png.
"""

from __future__ import annotations

from django.urls import reverse

from huodong.preparation.models import ResourceRequest, Task
from huodong.preparation.tests.test_readiness import prepared_event

from .test_phone_layout import LANGUAGES, LAYOUT_PROBLEMS_JS, _login, _phone, _screenshots, _set_language


def test_every_preparation_page_fits_a_390px_phone_in_chinese_and_english(
    browser, live_server, organiser, marketing_mgr, artifacts
) -> None:
    # REQ: TM-1, VD-1, IR-1, MT-1, TR-1 on a phone (issue 7 point 2 as a class)
    prepared = prepared_event(organiser, marketing_mgr)
    e, need = prepared.event.pk, prepared.need.pk
    Task.objects.filter(pk=prepared.task.pk).update(
        title="与上海国际会议中心确认主会场、贵宾室与签到区的布置方案及进场时间" * 2
    )
    ResourceRequest.objects.filter(pk=prepared.request.pk).update(
        what="现场网络保障:主会场与直播区各一条独立专线,签到区无线网络覆盖,并安排两名工程师全程值守。" * 2
    )
    pages = {
        "readiness": reverse("preparation:readiness", args=[e]),
        "team": reverse("preparation:team", args=[e]),
        "raci": reverse("preparation:raci", args=[e]),
        "timeline": reverse("preparation:timeline", args=[e]),
        "vendor-needs": reverse("preparation:vendor_needs", args=[e]),
        "vendor-need": reverse("preparation:vendor_need", args=[e, need]),
        "comparison": reverse("preparation:vendor_comparison", args=[e, need]),
        "vendors": reverse("preparation:vendors"),
        "resources": reverse("preparation:resources", args=[e]),
        "materials": reverse("preparation:materials", args=[e]),
        "training": reverse("preparation:training", args=[e]),
        "training-detail": reverse("preparation:training_detail", args=[e, prepared.meeting.pk]),
        "documents": reverse("documents:index", args=[e]),
    }
    failures: dict[str, list[str]] = {}
    context = _phone(browser, live_server)
    pg = context.new_page()
    _login(pg, organiser)
    for lang in LANGUAGES:
        _set_language(pg, lang)
        for name, url in pages.items():
            response = pg.goto(url)
            assert response is not None and response.status == 200, f"{name} ({lang}): {response}"
            _screenshots(pg, artifacts / f"phone-prep-{name}-{lang}")
            problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
            if problems:
                failures[f"{name} ({lang})"] = problems[:8]
    context.close()
    assert not failures, "\n".join(f"{page}: " + "; ".join(p) for page, p in failures.items())
