"""Edits of the plan never lose each other (issue 6, finding 2): revisions, ETag/If-Match, 409 with the
current state, "已被某某修改" on the page, and audit rows that record only what changed.

Each test plays two people one after the other: the first saves, the second saves from what they saw
before (a stale revision). The threaded versions are in ``test_plan_races.py``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.models import AuditEntry
from huodong.planning.models import BudgetLine, PlanAttachment, Risk, RunOfShowSegment
from huodong.planning.services.budget import budget_line_add, budget_line_update
from huodong.planning.services.plan import plan_update
from huodong.planning.services.risks import risk_remove, risk_update
from huodong.planning.services.run_of_show import segment_update
from tests.factories import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]
JSON = "application/json"


def api(event, tail: str = "") -> str:
    return f"/api/events/{event.pk}/plan{tail}"


def page(event, tail: str = "") -> str:
    return f"/events/{event.pk}/planning/plan/{tail}"


@pytest.fixture
def line(plan, event, organiser) -> BudgetLine:
    return budget_line_add(
        actor=organiser, event=event, category="venue", item="主会场", quantity="1", unit_price="120000"
    )


@pytest.fixture
def colleague(marketing_mgr, event):
    """A second organiser on the event's team: the other person who saves first."""
    event.team_members.add(marketing_mgr)
    return marketing_mgr


# ---------------------------------------------------------------- services
def test_a_stale_update_is_refused_and_changes_nothing(plan, event, organiser, line):
    # Issue 6, finding 2: the second of two edits from the same revision is refused, not silently applied.
    seen = line.revision
    budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=seen, unit_price="130000")
    with pytest.raises(Stale) as exc:
        budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=seen, note="含布展")
    line.refresh_from_db()
    assert (line.unit_price, line.note, line.revision) == (Decimal("130000.00"), "", seen + 1)
    assert exc.value.current["unit_price"] == "130000.00" and exc.value.current["revision"] == seen + 1
    assert exc.value.theirs == {"unit_price": "130000.00", "amount": "130000.00"}


@pytest.mark.parametrize(
    "call",
    [
        lambda ev, who, row: risk_update(actor=who, event=ev, risk_id=row.pk, seen=None, impact="low"),
        lambda ev, who, row: risk_remove(actor=who, event=ev, risk_id=row.pk, seen=None),
    ],
    ids=["update", "remove"],
)
def test_an_edit_that_does_not_say_what_it_saw_is_refused(plan, event, organiser, call):
    # Issue 6, finding 2
    row = plan.risks.first()
    with pytest.raises(PreconditionRequired):
        call(event, organiser, row)
    assert Risk.objects.get(pk=row.pk).revision == row.revision


def test_the_audit_row_lists_only_the_fields_that_changed(plan, event, organiser, line):
    # Issue 6, finding 2: "POS-7 → POS-7" never appears — before and after hold only real changes.
    budget_line_update(
        actor=organiser,
        event=event,
        line_id=line.pk,
        seen=line.revision,
        category="venue",
        item="主会场",
        quantity="1",
        unit_price="120000",
        note="含布展",
    )
    entry = AuditEntry.objects.filter(action="plan.budget.update", target_id=str(line.pk)).get()
    assert entry.before == {"note": ""} and entry.after == {"note": "含布展"}
    for entry in AuditEntry.objects.filter(event_id=event.pk, action__endswith=".update"):
        for field, old in (entry.before or {}).items():
            assert (entry.after or {}).get(field) != old, (entry.action, field)


def test_an_edit_that_changes_nothing_writes_nothing(plan, event, organiser):
    # Issue 6, finding 2
    seg = plan.segments.first()
    before = AuditEntry.objects.count()
    segment_update(
        actor=organiser, event=event, segment_id=seg.pk, seen=seg.revision, title=seg.title, parallel=False
    )
    assert AuditEntry.objects.count() == before
    assert RunOfShowSegment.objects.get(pk=seg.pk).revision == seg.revision


def test_theme_and_tone_count_as_a_change_of_the_plan(plan, event, organiser):
    # Issue 6, finding 2: the basics form's revision covers theme and tone (kept on the event).
    plan_update(actor=organiser, event=event, seen=plan.revision, theme="智启未来·终版")
    with pytest.raises(Stale) as exc:
        plan_update(actor=organiser, event=event, seen=plan.revision, background="新品上市")
    assert exc.value.current["theme"] == "智启未来·终版"
    assert exc.value.theirs["theme"] == "智启未来·终版"
    plan.refresh_from_db()
    assert plan.background == ""


# ---------------------------------------------------------------- API
def test_single_gets_carry_the_revision_and_its_etag(as_organiser, plan, event, line, organiser, media_root):
    # Issue 6, finding 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huodong.planning.services.attachments import attachment_add

    resp = as_organiser.get(api(event))
    assert resp["ETag"] == f'"r{plan.revision}"' and resp.json()["revision"] == plan.revision
    seg, risk = plan.segments.first(), plan.risks.first()
    att = attachment_add(actor=organiser, event=event, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    for tail, row in [
        (f"/segments/{seg.pk}", seg),
        (f"/budget-lines/{line.pk}", line),
        (f"/risks/{risk.pk}", risk),
        (f"/attachments/{att.pk}", att),
    ]:
        resp = as_organiser.get(api(event, tail))
        assert resp.status_code == 200, tail
        assert resp.json()["revision"] == row.revision and resp["ETag"] == f'"r{row.revision}"'


def test_a_patch_without_a_revision_is_428_and_with_a_stale_one_409_with_the_current_line(
    as_organiser, plan, event, line
):
    # Issue 6, finding 2
    url = api(event, f"/budget-lines/{line.pk}")
    resp = as_organiser.patch(url, {"note": "A"}, content_type=JSON)
    assert resp.status_code == 428 and resp.json()["code"] == "revision_required"
    resp = as_organiser.patch(url, {"note": "A"}, content_type=JSON, HTTP_IF_MATCH=f'"r{line.revision}"')
    assert resp.status_code == 200 and resp["ETag"] == f'"r{line.revision + 1}"'
    resp = as_organiser.patch(url, {"note": "B", "revision": line.revision}, content_type=JSON)
    assert resp.status_code == 409, resp.content
    body = resp.json()
    assert body["code"] == "stale" and "已被" in body["message"]
    assert body["current"]["note"] == "A" and body["current"]["revision"] == line.revision + 1
    assert body["changed_by"] == "王策划"
    assert BudgetLine.objects.get(pk=line.pk).note == "A"


def test_the_revision_field_wins_over_if_match(as_organiser, plan, event):
    # Issue 6, finding 2
    risk = plan.risks.first()
    resp = as_organiser.patch(
        api(event, f"/risks/{risk.pk}"),
        {"response": "启用备用设备", "revision": risk.revision},
        content_type=JSON,
        HTTP_IF_MATCH='"r999"',
    )
    assert resp.status_code == 200 and resp.json()["response"] == "启用备用设备"


def test_a_stale_delete_is_409_and_deletes_nothing(as_organiser, plan, event, organiser, line):
    # Issue 6, finding 2
    seen = line.revision
    budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=seen, note="改了")
    assert as_organiser.delete(api(event, f"/budget-lines/{line.pk}")).status_code == 428
    resp = as_organiser.delete(api(event, f"/budget-lines/{line.pk}?revision={seen}"))
    assert resp.status_code == 409 and resp.json()["current"]["note"] == "改了"
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    resp = as_organiser.delete(api(event, f"/budget-lines/{line.pk}"), HTTP_IF_MATCH=f'W/"{seen + 1}"')
    assert resp.status_code == 204 and not BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_stale_put_of_the_plan_is_409_with_theme_and_background_now(as_organiser, plan, event):
    # Issue 6, finding 2
    seen = plan.revision
    resp = as_organiser.put(api(event), {"theme": "新主题", "revision": seen}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["revision"] == seen + 1
    resp = as_organiser.put(api(event), {"background": "背景", "revision": seen}, content_type=JSON)
    assert resp.status_code == 409
    assert resp.json()["current"]["theme"] == "新主题"
    plan.refresh_from_db()
    assert plan.background == ""


def test_a_stale_attachment_delete_is_409(as_organiser, plan, event, organiser, media_root):
    # Issue 6, finding 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = as_organiser.post(api(event, "/attachments"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")})
    att = resp.json()
    resp = as_organiser.delete(api(event, f"/attachments/{att['id']}?revision={att['revision'] + 1}"))
    assert resp.status_code == 409 and PlanAttachment.objects.filter(pk=att["id"]).exists()


# ---------------------------------------------------------------- pages
def test_a_stale_risk_form_says_who_changed_it_shows_their_value_and_saves_on_a_second_submit(
    client, plan, event, organiser, colleague
):
    # Issue 6, finding 2: the page says "已被某某修改" with the other person's change; nothing is lost.
    risk = plan.risks.first()
    seen = risk.revision
    risk_update(actor=colleague, event=event, risk_id=risk.pk, seen=seen, response="同事写的预案")
    login(client, organiser)
    mine = {
        "risk": risk.risk,
        "likelihood": "high",
        "impact": "high",
        "response": "我写的预案",
        "revision": seen,
    }
    resp = client.post(page(event, f"risks/{risk.pk}/"), mine)
    assert resp.status_code == 409
    html = resp.content.decode()
    assert f"已被{colleague.name}修改" in html and "同事写的预案" in html and "我写的预案" in html
    assert f'name="revision" value="{seen + 1}"' in html
    assert Risk.objects.get(pk=risk.pk).response == "同事写的预案"
    resp = client.post(page(event, f"risks/{risk.pk}/"), {**mine, "revision": seen + 1})
    assert resp.status_code == 302
    assert Risk.objects.get(pk=risk.pk).response == "我写的预案"


def test_a_stale_basics_form_shows_the_other_theme(client, plan, event, organiser, colleague):
    # Issue 6, finding 2
    seen = plan.revision
    plan_update(actor=colleague, event=event, seen=seen, theme="同事的主题")
    login(client, organiser)
    resp = client.post(
        page(event, "basics/"), {"theme": "我的主题", "tone": "", "background": "x", "revision": seen}
    )
    assert resp.status_code == 409
    html = resp.content.decode()
    assert f"已被{colleague.name}修改" in html and "同事的主题" in html
    event.refresh_from_db()
    assert event.theme == "同事的主题"


def test_the_basics_form_without_its_revision_is_400_beside_it(as_organiser, plan, event):
    # Issue 6, finding 2
    resp = as_organiser.post(page(event, "basics/"), {"theme": "我的主题"})
    assert resp.status_code == 400 and "表单缺少修订号" in resp.content.decode()


def test_a_stale_delete_button_says_so_and_deletes_nothing(as_organiser, plan, event, organiser, line):
    # Issue 6, finding 2
    seen = line.revision
    budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=seen, note="改了")
    resp = as_organiser.post(page(event, f"budget/{line.pk}/delete/"), {"revision": seen}, follow=True)
    assert "已被" in resp.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    resp = as_organiser.post(page(event, f"budget/{line.pk}/delete/"), {"revision": seen + 1})
    assert resp.status_code == 302 and not BudgetLine.objects.filter(pk=line.pk).exists()


def test_every_edit_form_and_button_carries_the_revision_it_showed(as_organiser, plan, event, line):
    # Issue 6, finding 2
    html = as_organiser.get(page(event)).content.decode()
    assert f'name="revision" value="{plan.revision}"' in html  # the basics form
    assert f'value="{line.revision}"' in html  # the delete button of the line
    for kind, row in [("segment", plan.segments.first()), ("budget", line), ("risk", plan.risks.first())]:
        html = as_organiser.get(page(event) + f"?edit={kind}-{row.pk}").content.decode()
        assert f'id="edit_revision" value="{row.revision}"' in html or (
            f'name="revision" value="{row.revision}"' in html and 'id="edit_revision"' in html
        ), kind
