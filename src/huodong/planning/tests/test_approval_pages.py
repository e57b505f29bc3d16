"""The review and approval pages: who sees which form, bad input re-renders with the field's message."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from huodong.core.models import Department
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, DepartmentReview, PlanVersion, Signature
from tests.factories import login

from .conftest import reviewed_version, sign, submit


def _url(event, name="planning:approval", **kw):
    return reverse(name, kwargs={"event_id": event.pk, **kw})


# who → (status before any submission, status once v1 is submitted to the required departments)
WHO_MAY_OPEN = {
    "organiser": (200, 200),
    "team member": (200, 200),
    "reviewer asked": (403, 200),
    "reviewer not asked": (403, 403),
    "approver_exec": (403, 200),
    "approver_gm": (403, 200),
    "admin": (200, 200),
    "outsider": (403, 403),
}


@pytest.mark.parametrize("submitted", [False, True], ids=["before submission", "after submission"])
@pytest.mark.parametrize("who", list(WHO_MAY_OPEN))
def test_who_may_open_the_approval_page(
    client, plan_event, organiser, reviewers, approver_exec, approver_gm, admin_user, outsider, who, submitted
):
    # REQ: RV-1, AP-1 — the team, the reviewers and approvers of its versions and administrators read the
    # approval; staff outside the event do not (issue 6, finding 3).
    from huodong.core.models import Role
    from tests.factories import person

    team_member = person("team_staff", Role.STAFF, "marketing", "市场专员")
    plan_event.team_members.add(team_member)
    user = {
        "organiser": organiser,
        "team member": team_member,
        "reviewer asked": reviewers["legal"],
        "reviewer not asked": person("reviewer_tech", Role.REVIEWER, "tech", "技术总监"),
        "approver_exec": approver_exec,
        "approver_gm": approver_gm,
        "admin": admin_user,
        "outsider": outsider,
    }[who]
    if submitted:
        submit(plan_event, organiser)
    status = WHO_MAY_OPEN[who][submitted]
    login(client, user)
    assert client.get(_url(plan_event)).status_code == status
    assert client.get(_url(plan_event, "planning:version_diff")).status_code in (
        status,
        400 if status == 200 else status,
    )
    if submitted:
        assert client.get(_url(plan_event, "planning:version_detail", number=1)).status_code == status


def test_the_page_needs_sign_in(client, plan_event):
    res = client.get(_url(plan_event))
    assert res.status_code == 302


def test_organiser_submits_with_the_default_departments_from_the_page(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1
    login(client, organiser)
    page = client.get(_url(plan_event))
    form = page.context["submit_form"]
    defaults = sorted(
        Department.objects.filter(pk__in=form.initial["departments"]).values_list("code", flat=True)
    )
    assert defaults == ["finance", "legal", "product", "sales"]
    res = client.post(
        _url(plan_event, "planning:approval_submit"), {"departments": form.initial["departments"]}
    )
    assert res.status_code == 302
    version = PlanVersion.objects.get()
    assert version.reviews.count() == 4
    html = client.get(_url(plan_event)).content.decode()
    assert 'data-testid="review-table"' in html and "待评审" in html


def test_submitting_nothing_shows_the_field_message(client, plan_event, organiser, reviewers):
    login(client, organiser)
    res = client.post(_url(plan_event, "planning:approval_submit"), {})
    assert res.status_code == 400
    assert "请至少选择一个评审部门" in res.content.decode()
    assert not PlanVersion.objects.exists()


def test_a_department_without_reviewers_is_not_offered_and_refused_on_the_page(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1 (issue 7, point 5: the form offers only departments that have a reviewer, and names the
    # others so the submitter knows whom to ask)
    login(client, organiser)
    tech = Department.objects.get(code="tech")
    page = client.get(_url(plan_event))
    form = page.context["submit_form"]
    offered = {d.code for d in form.fields["departments"].queryset}
    assert "tech" not in offered and {"sales", "product", "legal", "finance"} <= offered
    html = page.content.decode()
    assert f'name="departments" value="{tech.pk}"' not in html
    unable = re.search(r"([^>;。]*)目前没有可评审本方案的评审人", html)
    assert unable is not None and "技术部" in unable.group(1)
    res = client.post(_url(plan_event, "planning:approval_submit"), {"departments": [tech.pk]})
    assert res.status_code == 400
    assert "没有可评审本方案的评审人" in res.content.decode()
    assert not PlanVersion.objects.exists()


def test_a_department_whose_only_reviewer_is_the_owner_is_not_offered(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1 — separation of duties: the owner does not review their own plan.
    legal_reviewer = reviewers["legal"]
    legal_reviewer.is_active = False
    legal_reviewer.save()
    organiser.role, organiser.department = "reviewer", Department.objects.get(code="legal")
    organiser.save()
    from huodong.planning.selectors_approval import review_departments_offered

    offered, unable = review_departments_offered(plan_event, organiser)
    assert "legal" in {d.code for d in unable} and "legal" not in {d.code for d in offered}


def test_reviewer_sees_only_their_departments_form(client, plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    login(client, reviewers["finance"])
    res = client.get(_url(plan_event))
    assert res.context["my_review"].department.code == "finance"
    html = res.content.decode()
    mine = DepartmentReview.objects.get(version=version, department__code="finance")
    other = DepartmentReview.objects.get(version=version, department__code="sales")
    assert _url(plan_event, "planning:department_review_decide", review_id=mine.pk) in html
    assert _url(plan_event, "planning:department_review_decide", review_id=other.pk) not in html
    assert 'data-testid="sign-form"' not in html


def test_reviewer_of_another_department_posting_gets_403_and_nothing_changes(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    other = DepartmentReview.objects.get(version=version, department__code="sales")
    login(client, reviewers["finance"])
    res = client.post(
        _url(plan_event, "planning:department_review_decide", review_id=other.pk), {"decision": "approve"}
    )
    assert res.status_code == 403
    assert "评审人不属于该部门" in res.content.decode()
    other.refresh_from_db()
    assert other.decision == DepartmentReview.Decision.PENDING


def test_conditions_are_required_for_a_conditional_pass(client, plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    mine = DepartmentReview.objects.get(version=version, department__code="legal")
    login(client, reviewers["legal"])
    res = client.post(
        _url(plan_event, "planning:department_review_decide", review_id=mine.pk),
        {"decision": "approve_with_conditions"},
    )
    assert res.status_code == 400
    assert "有条件通过须写明附加条件" in res.content.decode()
    mine.refresh_from_db()
    assert mine.decision == DepartmentReview.Decision.PENDING


def test_reviewer_rejects_from_the_page_and_the_event_goes_back(client, plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    mine = DepartmentReview.objects.get(version=version, department__code="legal")
    login(client, reviewers["legal"])
    res = client.post(
        _url(plan_event, "planning:department_review_decide", review_id=mine.pk),
        {"decision": "reject", "risk_opinion": "缺少肖像授权"},
    )
    assert res.status_code == 302
    plan_event.refresh_from_db()
    assert plan_event.step == Step.PLAN


def test_the_approver_whose_turn_it_is_sees_the_summary_and_the_hash(
    client, plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    login(client, approver_gm)
    assert 'data-testid="sign-form"' not in client.get(_url(plan_event)).content.decode()
    client.logout()
    login(client, approver_exec)
    html = client.get(_url(plan_event)).content.decode()
    assert 'data-testid="sign-form"' in html
    assert f'value="{version.content_hash}"' in html
    assert "¥390,000.00" in html and "7.7%" in html  # total and reserve share
    assert "CEO 主题演讲" in html
    res = client.post(
        _url(plan_event, "planning:approval_sign", number=1),
        {"decision": "approve", "comment": "同意", "content_hash": version.content_hash},
    )
    assert res.status_code == 302
    assert Signature.objects.get().approver == approver_exec


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_the_sign_form_shows_budget_lines_risks_and_conclusions_above_its_buttons(
    client, plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1 (issue 7, point 5: an approver decides on what they can see, without leaving the form)
    version = reviewed_version(plan_event, organiser, reviewers)
    legal = DepartmentReview.objects.get(version=version, department__code="legal")
    login(client, approver_exec)
    form = _section(client.get(_url(plan_event)).content.decode(), "sign-form")
    buttons = form.index('data-testid="sign-approve"')
    for line in BudgetLine.objects.filter(plan__event=plan_event):
        assert -1 < form.find(line.item) < buttons, line.item
    for risk in plan_event.plan.risks.all():
        assert -1 < form.find(risk.risk) < buttons, risk.risk
    assert '<details data-testid="summary-budget" open>' in form  # open: no tap needed on a phone
    conclusions = form.index('data-testid="review-conclusions"')
    assert conclusions < buttons
    assert f'data-department="{legal.department.code}"' in form[conclusions:buttons]
    assert legal.get_decision_display() in form[conclusions:buttons]


def test_the_review_form_shows_the_other_departments_conclusions_above_its_button(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    sales = DepartmentReview.objects.get(version=version, department__code="sales")
    client.force_login(reviewers["sales"])
    client.post(
        _url(plan_event, "planning:department_review_decide", review_id=sales.pk),
        {"decision": "approve_with_conditions", "conditions": "签约嘉宾名单须提前一周确认"},
    )
    login(client, reviewers["finance"])
    form = _section(client.get(_url(plan_event)).content.decode(), "review-form")
    button = form.index('data-testid="review-submit"')
    assert -1 < form.find("签约嘉宾名单须提前一周确认") < button
    for line in BudgetLine.objects.filter(plan__event=plan_event):
        assert -1 < form.find(line.item) < button, line.item


def test_a_stale_page_gets_409_with_the_reason(client, plan_event, organiser, reviewers, approver_exec):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("5.00"))
    login(client, approver_exec)
    res = client.post(
        _url(plan_event, "planning:approval_sign", number=1),
        {"decision": "approve", "content_hash": version.content_hash},
    )
    assert res.status_code == 409
    assert "方案已修改,请查看新版本" in res.content.decode()
    assert not Signature.objects.exists()


def test_sign_without_a_hash_is_refused(client, plan_event, organiser, reviewers, approver_exec):
    reviewed_version(plan_event, organiser, reviewers)
    login(client, approver_exec)
    res = client.post(_url(plan_event, "planning:approval_sign", number=1), {"decision": "approve"})
    assert res.status_code == 400
    assert not Signature.objects.exists()


def test_gm_signing_before_the_executive_is_refused_on_the_page(
    client, plan_event, organiser, reviewers, approver_gm
):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    login(client, approver_gm)
    res = client.post(
        _url(plan_event, "planning:approval_sign", number=1),
        {"decision": "approve", "content_hash": version.content_hash},
    )
    assert res.status_code == 400
    assert "须先由「分管领导」批准" in res.content.decode()


def test_signature_rows_and_voided_signatures_are_shown(
    client, plan_event, organiser, reviewers, approver_exec
):
    # REQ: AP-1, DOC-3 — signature rows with who, when, comment, hash.
    from huodong.planning.versioning import plan_touch

    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec, comment="同意执行")
    login(client, organiser)
    html = client.get(_url(plan_event)).content.decode()
    assert "同意执行" in html and "赵总" in html and version.content_hash[:12] in html
    BudgetLine.objects.filter(item="LED 屏").update(note="改")
    plan_touch(event=plan_event, actor=organiser, what="预算")
    html = client.get(_url(plan_event)).content.decode()
    assert "已作废" in html and "方案在签字后被修改" in html
    assert "签字针对的是旧版本 v1" in html
    assert 'data-testid="stale-warning"' in html


def test_the_diff_page_shows_what_changed(client, plan_event, organiser, reviewers):
    # REQ: AP-1 — a diff view shows what changed.
    submit(plan_event, organiser)
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("170000.00"))
    login(client, organiser)
    res = client.get(_url(plan_event, "planning:version_diff"), {"from": "1", "to": "current"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "LED 屏" in html and "160000.00" in html and "170000.00" in html
    assert client.get(_url(plan_event, "planning:version_diff"), {"from": "x"}).status_code == 400
    assert client.get(_url(plan_event, "planning:version_diff"), {"from": "9"}).status_code == 400


def test_version_detail_page(client, plan_event, organiser, reviewers):
    submit(plan_event, organiser)
    login(client, organiser)
    res = client.get(_url(plan_event, "planning:version_detail", number=1))
    assert res.status_code == 200
    assert "投影设备故障" in res.content.decode()
    assert client.get(_url(plan_event, "planning:version_detail", number=5)).status_code == 404


def test_tables_collapse_on_phones(client, plan_event, organiser, reviewers):
    # Approvers use phones: every table is a stacking table with labels per cell.
    submit(plan_event, organiser)
    login(client, organiser)
    html = client.get(_url(plan_event)).content.decode()
    assert html.count('<table class="stack"') >= 3
    assert 'data-label="' in html


@pytest.mark.parametrize("name", ["planning:approval_submit", "planning:approval_sign"])
def test_an_outsider_posting_bad_input_sees_nothing_of_the_plan(
    client, plan_event, organiser, reviewers, outsider, name
):
    submit(plan_event, organiser)
    login(client, outsider)
    kwargs = {"number": 1} if name == "planning:approval_sign" else {}
    res = client.post(_url(plan_event, name, **kwargs), {})
    assert res.status_code == 403
    assert "CEO 主题演讲" not in res.content.decode()
