"""The guest pages on a 390 px phone in Chromium (issue 9, point 1): a department's contact checks their
quota on a phone, and the organiser looks a guest up there. The list (with quotas, filters, the bulk bar,
the add and import forms), one guest's page and an import's report, in Chinese and in English, with the
layout checks of ``tests/browser/test_phone_layout.py`` (nothing past the right edge, no clipped cell, no
text box squeezed). Screenshots go to test-artifacts/phone-guests-<page>-<lang>.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.events.steps import Step
from huodong.outreach.models import DepartmentQuota, Guest, Job
from huodong.planning.tests.conftest import make_event
from tests.browser.test_phone_layout import (
    LANGUAGES,
    LAYOUT_PROBLEMS_JS,
    _login,
    _phone,
    _screenshots,
    _set_language,
)
from tests.factories import department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guest_pages_fit_a_390px_phone(browser, live_server, organiser, artifacts) -> None:
    # REQ: NT-1, NT-2 on a phone
    event = make_event(organiser, step=Step.NOTIFICATION)
    DepartmentQuota.objects.create(event=event, department=department("sales"), quota=20)
    g = None
    for i in range(8):
        g = Guest.objects.create(
            event=event,
            name=f"欧阳{i}号嘉宾",
            company="上海星辰智能科技股份有限公司华东区域销售与解决方案中心" if i % 2 else "星辰",
            title="首席技术官兼数字化转型负责人",
            phone=f"+86139000000{i:02d}",
            email=f"very.long.email.address.{i}@subsidiary.example-company.com.cn",
            department=department("sales"),
        )
    job = Job.objects.create(
        event=event, kind=Job.Kind.IMPORT, status=Job.Status.DONE, total=3, done=3,
        report={"rows": 3, "imported": 1, "merged": 1, "refused": 1, "problems": [
            {"row": 3, "column": "手机", "reason": "手机号「12345」无法识别:请填写 11 位中国大陆手机号,或以 + 和国家代码开头的国际号码。", "message": ""}
        ], "problems_total": 1},
    )  # fmt: skip
    assert g is not None
    pages = {
        "list": reverse("outreach:guests", args=[event.pk]),
        "guest": reverse("outreach:guest_detail", args=[event.pk, g.pk]),
        "job": reverse("outreach:guest_job", args=[event.pk, job.pk]),
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
            _screenshots(pg, artifacts / f"phone-guests-{name}-{lang}")
            problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
            if problems:
                failures[f"{name} ({lang})"] = problems[:8]
    context.close()
    assert not failures, "\n".join(f"{page}: " + "; ".join(p) for page, p in failures.items())
