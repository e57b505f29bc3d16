"""Issue 7 point 2, as a class: every page of the planning phase fits a 390 px phone, in Chinese and English.

One event at 审批定稿 with a full plan and a submitted version; the organiser (and a reviewer, for the approval
page) opens every page in PAGES at 390×844. A page fails when anything sticks out past the right edge of the
screen (outside a box that scrolls sideways on purpose), when a table cell cuts its text, or when a text box is
squeezed narrower than three characters while holding more than six (the "one character a line" symptom).
Later phases add their pages to PAGES. Screenshots go to test-artifacts/phone-<page>-<lang>.png.

The inbox on a desktop: a 5,000-character opinion is clamped to a few lines (the full text is on the page it
links to) and "标为已读" stays on one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from huodong.core.models import Notification
from huodong.events.models import StepTransition
from huodong.events.steps import Step
from huodong.planning.models import DepartmentReview, Plan
from huodong.planning.services.department_review import department_review_decide
from huodong.planning.tests.conftest import build_plan_event, submit

from .conftest import DESKTOP, PHONE


@dataclass(frozen=True)
class PhonePage:
    """A page to check: its name, who opens it ("organiser" or "reviewer"), and its URL from the event."""

    name: str
    who: str
    url: Callable[[int], str]


# Every page of the planning phase (and the pages around it). Later phases append theirs.
PAGES: list[PhonePage] = [
    PhonePage("event-list", "organiser", lambda e: reverse("events:list")),
    PhonePage("event-detail", "organiser", lambda e: reverse("events:detail", args=[e])),
    PhonePage("needs", "organiser", lambda e: reverse("planning:needs", args=[e])),
    PhonePage("goals", "organiser", lambda e: reverse("planning:goals", args=[e])),
    PhonePage("plan", "organiser", lambda e: reverse("planning:plan", args=[e])),
    PhonePage("approval", "organiser", lambda e: reverse("planning:approval", args=[e])),
    PhonePage("approval-reviewer", "reviewer", lambda e: reverse("planning:approval", args=[e])),
    PhonePage("version-detail", "organiser", lambda e: reverse("planning:version_detail", args=[e, 1])),
    PhonePage("version-diff", "organiser", lambda e: reverse("planning:version_diff", args=[e])),
    PhonePage("documents", "organiser", lambda e: reverse("documents:index", args=[e])),
    PhonePage("inbox", "reviewer", lambda e: reverse("planning:inbox")),
    PhonePage("tokens", "organiser", lambda e: reverse("core:tokens")),
]

LANGUAGES = ["zh-hans", "en"]

# Returns a list of human-readable problems on the page as rendered.
LAYOUT_PROBLEMS_JS = r"""
() => {
  const W = window.innerWidth;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > W) problems.push(`page is ${root.scrollWidth}px wide (screen ${W}px)`);
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\s+/).join('.');
    const t = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 30);
    return t ? `${s} "${t}"` : s;
  };
  const scrollsOnPurpose = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll') return true;
    }
    return false;
  };
  const visible = (el, cs) => {
    if (cs.visibility === 'hidden' || cs.display === 'none') return false;
    if (cs.clipPath && cs.clipPath !== 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const fontPx = (cs) => parseFloat(cs.fontSize) || 16;
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (!visible(el, cs)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1 && !scrollsOnPurpose(el)) {
      problems.push(`${name(el)} reaches ${Math.round(r.right)}px`);
      continue;
    }
    if ((el.tagName === 'TD' || el.tagName === 'TH') && el.scrollWidth > el.clientWidth + 1
        && (cs.overflowX === 'hidden' || cs.overflowX === 'clip' || cs.textOverflow === 'ellipsis')) {
      problems.push(`${name(el)} cuts its text (${el.scrollWidth} > ${el.clientWidth})`);
    }
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && cs.overflowX === 'visible'
        && (el.tagName === 'TD' || el.tagName === 'TH') && !scrollsOnPurpose(el)) {
      problems.push(`${name(el)} overflows its cell (${el.scrollWidth} > ${el.clientWidth})`);
    }
    // One character a line: a box holding its own text (> 6 characters) narrower than 3 characters.
    let own = '';
    for (const n of el.childNodes) if (n.nodeType === 3) own += n.textContent;
    own = own.replace(/\s+/g, '');
    if (own.length > 6) {
      const inner = cs.display === 'inline' ? el.getBoundingClientRect().width
        : el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (inner < 3 * fontPx(cs)) problems.push(`${name(el)} is ${Math.round(inner)}px wide for ${own.length} characters`);
    }
  }
  // Stacked tables on a phone: each cell's label sits at the cell's left edge, value beside it.
  for (const td of document.querySelectorAll('table.stack td[data-label]')) {
    const cs = getComputedStyle(td);
    if (cs.display === 'none' || td.getBoundingClientRect().width === 0) continue;
    const before = getComputedStyle(td, '::before');
    if (before.content === 'none' || before.content === 'normal') continue;
    if (before.textAlign === 'right' || before.textAlign === 'end' || before.textAlign === 'center') {
      problems.push(`${name(td)}: stacked label is indented (text-align ${before.textAlign})`);
    }
  }
  // A stacked table is laid out for the phone: its box must not scroll sideways (values hidden past the edge).
  for (const table of document.querySelectorAll('table.stack')) {
    const thead = table.querySelector('thead');
    if (!thead || getComputedStyle(thead).display !== 'none') continue;
    for (let p = table.parentElement; p && p !== document.body; p = p.parentElement) {
      if (p.scrollWidth > p.clientWidth + 1) {
        problems.push(`${name(table).slice(0, 40)}: stacked table is ${p.scrollWidth}px wide in a ${p.clientWidth}px box`);
        break;
      }
    }
  }
  // S/M/A/R/T badges and other tags stay one line high (not tall pills).
  for (const tag of document.querySelectorAll('.tag')) {
    const cs = getComputedStyle(tag);
    if (!visible(tag, cs)) continue;
    const lh = parseFloat(cs.lineHeight) || fontPx(cs) * 1.6;
    const r = tag.getBoundingClientRect();
    if ((tag.innerText || '').trim().length <= 2 && r.height > lh * 1.6 + 8) {
      problems.push(`${name(tag)} is a ${Math.round(r.height)}px tall pill`);
    }
  }
  return [...new Set(problems)];
}
"""


def _login(pg, user) -> None:  # noqa: ANN001
    from tests.factories import PASSWORD

    pg.goto("/login/")
    pg.fill("#id_username", user.username)
    pg.fill("#id_password", PASSWORD)
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_load_state()


def _set_language(pg, lang: str) -> None:  # noqa: ANN001
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(pg.url))
    pg.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": origin}])


def _screenshots(pg, stem: Path) -> None:  # noqa: ANN001
    """The whole page; with HUODONG_PHONE_SLICES=1 also screen-high slices (readable one at a time)."""
    pg.screenshot(path=f"{stem}.png", full_page=True)
    if os.environ.get("HUODONG_PHONE_SLICES"):
        height = pg.evaluate("document.documentElement.scrollHeight")
        for i, top in enumerate(range(0, height, PHONE["height"])):
            clip = {"x": 0, "y": top, "width": PHONE["width"], "height": min(PHONE["height"], height - top)}
            pg.screenshot(path=f"{stem}-{i + 1}.png", full_page=True, clip=clip)


def _phone(browser, live_server):  # noqa: ANN001, ANN202
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def submitted_event(organiser, reviewers):  # noqa: ANN001, ANN201
    event = build_plan_event(organiser)
    version = submit(event, organiser)
    # One department has decided, with long opinions and a condition (the review tables show them).
    department_review_decide(
        review=DepartmentReview.objects.get(version=version, department__code="legal"),
        actor=reviewers["legal"],
        decision=DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
        feasibility_opinion="流程可行,签到与直播环节衔接合理。" * 8,
        risk_opinion="直播须取得嘉宾肖像授权,合同文本须经法务审核定稿。" * 6,
        conditions="签约文本须经法务审核定稿。",
    )
    # The working draft differs from v1, so the version diff shows its table.
    Plan.objects.filter(event=event).update(
        background="新品上市,渠道伙伴与媒体同场;" * 12, approved_budget=Decimal("480000.00")
    )
    # The event's history: a move forward and a move back with a long reason (the history note).
    StepTransition.objects.create(
        event=event, from_step=Step.GOALS, to_step=Step.PLAN, direction="forward", actor=organiser
    )
    StepTransition.objects.create(
        event=event,
        from_step=Step.PLAN,
        to_step=Step.GOALS,
        direction="back",
        actor=organiser,
        reason="目标值需要与销售部重新确认,线索口径按 CRM 中的有效线索计算,并补充历史活动的对比数据。" * 3,
    )
    # A long opinion in the reviewer's inbox (a 5,000-character message must not break any layout).
    Notification.objects.create(
        recipient=reviewers["finance"],
        event_id=event.pk,
        kind="test.long",
        message="预算合理性意见:" + "会场与搭建费用需要逐项核对报价" * 330,
        url=reverse("planning:approval", args=[event.pk]),
    )
    return event


def test_every_planning_page_fits_a_390px_phone_in_chinese_and_english(
    browser, live_server, organiser, reviewers, submitted_event, artifacts
) -> None:
    # REQ: issue 7 point 2 — no element wider than the screen or clipped, on every page of the phase.
    users = {"organiser": organiser, "reviewer": reviewers["finance"]}
    failures: dict[str, list[str]] = {}
    for who, user in users.items():
        context = _phone(browser, live_server)
        pg = context.new_page()
        _login(pg, user)
        for lang in LANGUAGES:
            _set_language(pg, lang)
            for spec in [p for p in PAGES if p.who == who]:
                response = pg.goto(spec.url(submitted_event.pk))
                assert response is not None and response.status == 200, f"{spec.name} ({lang}): {response}"
                _screenshots(pg, artifacts / f"phone-{spec.name}-{lang}")
                assert pg.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")
                problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
                if problems:
                    failures[f"{spec.name} ({lang})"] = problems[:8]
        context.close()
    assert not failures, "\n".join(f"{page}: " + "; ".join(p) for page, p in failures.items())


def test_the_inbox_on_a_desktop_clamps_a_long_opinion_and_keeps_mark_read_on_one_line(
    browser, live_server, reviewers, submitted_event, artifacts
) -> None:
    # REQ: issue 7 point 2 — "标为已读" one character a line, a 5,000-character opinion shown in full.
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=live_server.url)
    pg = context.new_page()
    _login(pg, reviewers["finance"])
    pg.goto(reverse("planning:inbox"))
    pg.screenshot(path=str(artifacts / "desktop-inbox.png"), full_page=True)
    row = pg.locator("tr[data-notification]").filter(has_text="会场与搭建费用").first
    button = row.get_by_role("button", name="标为已读")
    box = button.bounding_box()
    line = pg.evaluate("(b) => parseFloat(getComputedStyle(b).lineHeight) || 24", button.element_handle())
    assert box is not None and box["height"] < 2 * line + 20, f"标为已读 wraps: {box}"
    message = row.locator("td").nth(1)
    height = message.bounding_box()["height"]  # type: ignore[index]
    assert height < 200, f"the 5,000-character opinion is shown in full ({height:.0f}px tall)"
    # The full text stays available on the page the notice links to.
    assert row.locator("td").nth(1).locator("a").count() == 1
    problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
    assert not problems, "; ".join(problems)
    context.close()
