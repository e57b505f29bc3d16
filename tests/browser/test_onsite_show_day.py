"""Issue 11's "Done when" as one journey in Chromium: the show day of one launch, from the rehearsal to the
last guest through the door.

1. EX-1: the day's crew ticks the rehearsal checklist on a phone; the projection test fails, its follow-up
   (owner, due time) is worked off, the gate of 场地布置 is met and the organiser moves the event on to
   流程执行 through the lifecycle service (the event page's button).
2. EX-6: the live dashboard is open on a big screen as the doors open; it follows the check-ins (scans
   through ``checkin.services.redeem.scan``) without a reload.
3. EX-3: the stage manager starts the opening 10 minutes late on a phone; the later segments shift; their
   owners are told in-app (the speaker reads it in 我的待办 on a phone and confirms being in place) and
   in the requesting department's 企业微信 group, delivered by the outbox (``Deliverer.run_once``) to a
   local HTTP server.
4. EX-4: a guest asks from the ticket page on a phone, the stage manager approves, the big screen shows the
   question; the lottery among the checked-in guests (an employee excluded) is prepared, drawn on the page
   and replayed from its record by ``lottery_replay`` ("match"); the guest's survey answer appears on the
   results screen.
5. EX-5: check-in staff report an equipment incident on a phone, the playbook shows at once; the clock is
   moved past 15 minutes and the worker turns once: the incident escalates to the supervisor (the stage
   manager), who finds it in 我的待办 and on the incident's page.
6. EX-6: the dashboard, reopened, lists the escalated incident and counts the late media guest.

Nothing sleeps: every wait is a page condition (Playwright's ``expect``). The pages that poll are closed
while the clock is moved, so no snapshot is computed in the moved time. Screenshots go to
test-artifacts/show-day-*.png."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from huodong.checkin.models import CheckinSettings, Gate, GateStaff, StaffArrival
from huodong.checkin.rules import local_time
from huodong.checkin.services import redeem
from huodong.checkin.tests.support import door_event, guests_of, token_of
from huodong.core.models import Notification, Role
from huodong.events.models import Event, StepTransition
from huodong.events.steps import Step
from huodong.onsite.incidents.models import Incident
from huodong.onsite.incidents.services.sla import ESCALATION_KIND
from huodong.onsite.incidents.tests.support import RISKS, stage_manager
from huodong.onsite.interaction.models import Draw, Question, SurveyAnswer
from huodong.onsite.interaction.rules import settings_of
from huodong.onsite.rehearsal.models import FollowUp, Result
from huodong.onsite.rehearsal.services import checklist as rehearsal
from huodong.onsite.rehearsal.tests.support import item, team_member
from huodong.onsite.show.models import SegmentRun
from huodong.onsite.show.services.run import SHIFT_KIND
from huodong.outreach.models import Guest, GuestCategory, Message, Robot
from huodong.outreach.tests.test_delivery_fixtures import deliverer, start_http
from huodong.planning.models import Plan, Risk, RunOfShowSegment
from tests.factories import department, person

from .conftest import DESKTOP, PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS

SCREEN = {"width": 1920, "height": 1080}
LATE = 10  # minutes the opening starts late
# The run of show: title, minutes after the opening, duration, owner's key.
SEGMENTS = [("开场", 0, 10, "host"), ("主题演讲", 10, 30, "speaker"), ("幸运抽奖", 40, 15, "crew")]
QUESTION = "新品什么时候在华东上市?"
INCIDENT = "主会场投影无信号"


@pytest.fixture(autouse=True)
def _patient_expect():  # noqa: ANN202
    """Polled pages (2 s) on a loaded machine: wait up to 15 s for a page condition, then put it back."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def robot_stub():  # noqa: ANN201
    """A local HTTP server standing in for the 企业微信 robot (``HUODONG_WECOM_BASE_URL``)."""
    stub = start_http()
    yield stub
    stub.stop()


def _context(browser, live_server, user=None, *, viewport=PHONE):  # noqa: ANN001, ANN202
    """A browser context in Chinese, signed in as ``user`` (a session cookie) or a guest without one."""
    mobile = viewport == PHONE
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if mobile else {}
    context = browser.new_context(locale="zh-CN", viewport=viewport, base_url=live_server.url, **extra)
    context.set_default_timeout(30_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


def _show_day(organiser, crew, checkin_staff):  # noqa: ANN001, ANN202
    """The launch on its show day, built as the onsite tests' support modules build theirs: four registered
    guests with tickets and two gates (``door_event``), at 场地布置 with its rehearsal checklist open and
    the crew on the team; the plan's risk register (incidents' ``RISKS``) and a run of show of three
    segments with owners; the stage manager in the check-in settings; 市场部 requesting, with its
    企业微信 group robot."""
    event = door_event(organiser, 4, starts_in=dt.timedelta(minutes=-LATE), name="智启未来·华东巡展(杭州站)")
    Event.objects.filter(pk=event.pk).update(requesting_department=department("marketing"))
    event.refresh_from_db()
    event.team_members.add(crew)
    rehearsal.checklist_for(event)
    plan, _ = Plan.objects.get_or_create(event=event)
    for i, (risk, response, backup) in enumerate(RISKS, start=1):
        Risk.objects.create(plan=plan, position=i, risk=risk, response=response, backup_resource=backup)
    owners = {
        "host": person("show_host", Role.STAFF, "marketing", name="主持人小王"),
        "speaker": person("show_speaker", Role.STAFF, "product", name="讲者老李"),
        "crew": person("show_crew", Role.STAFF, "marketing", name="场务小赵"),
    }
    segments = {
        title: RunOfShowSegment.objects.create(
            plan=plan,
            position=i,
            title=title,
            starts_at=event.starts_at + dt.timedelta(minutes=offset),
            duration_minutes=duration,
            owner=owners[who],
        )
        for i, (title, offset, duration, who) in enumerate(SEGMENTS, start=1)
    }
    CheckinSettings.objects.update_or_create(event=event, defaults={"stage_manager": stage_manager()})
    GateStaff.objects.create(
        event=event, person=checkin_staff, gate=Gate.objects.get(event=event, name="入口 A")
    )
    Robot.objects.create(
        kind="wecom", name="市场部企业微信群", department=department("marketing"), token="SHOWDAY"
    )
    return event, segments, owners


def _opening_planned(event, planned):  # noqa: ANN001, ANN202
    """Put the plan's opening at ``planned`` (the rest after it, as planned), the event's start with it."""
    Event.objects.filter(pk=event.pk).update(starts_at=planned, ends_at=planned + dt.timedelta(hours=4))
    for title, offset, _duration, _who in SEGMENTS:
        RunOfShowSegment.objects.filter(plan__event=event, title=title).update(
            starts_at=planned + dt.timedelta(minutes=offset)
        )
    event.refresh_from_db()


def _card(pg, code: str):  # noqa: ANN001, ANN202
    return pg.locator(f'[data-testid="item"][data-code="{code}"]')


def _criterion(pg, code: str):  # noqa: ANN001, ANN202
    return pg.locator(f'[data-testid="gate-criterion"][data-code="{code}"]')


def _scan(organiser, event, guest, token, gate_name):  # noqa: ANN001, ANN202
    gate = Gate.objects.get(event=event, name=gate_name)
    assert redeem.scan(actor=organiser, event=event.pk, token=token, gate_id=gate.pk).ok, guest.name


def test_a_show_day_from_the_rehearsal_to_the_last_guest(
    browser, live_server, organiser, checkin_staff, settings, robot_stub, monkeypatch, artifacts
):
    from huodong.outreach import worker as worker_module
    from huodong.outreach.worker import HuodongWorker

    settings.HUODONG_WECOM_BASE_URL = robot_stub.base
    crew = team_member()
    event, segments, owners = _show_day(organiser, crew, checkin_staff)
    supervisor = stage_manager()
    g1, g2, g3, g4 = guests_of(event)
    Guest.objects.filter(pk=g3.pk).update(category=GuestCategory.EMPLOYEE)  # staff: never drawn
    Guest.objects.filter(pk=g4.pk).update(category=GuestCategory.MEDIA)  # arrives late
    tokens = {g.pk: token_of(g) for g in (g1, g2, g3, g4)}
    key = settings_of(event).key
    contexts = []

    def context(user=None, *, viewport=PHONE):  # noqa: ANN001, ANN202
        ctx = _context(browser, live_server, user, viewport=viewport)
        contexts.append(ctx)
        return ctx

    try:
        # ---------------------------------------------------------------- 1. the rehearsal checklist
        # REQ: EX-1 — the crew ticks every item on a phone; the projection test fails with a note and
        # gets a follow-up with its owner; once the follow-up is done the gate of 场地布置 is met.
        pg = context(crew).new_page()
        pg.goto(reverse("onsite_rehearsal:checklist", kwargs={"event_id": event.pk}))
        expect(_criterion(pg, "rehearsal.all_checked")).to_have_attribute("data-met", "0")
        assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
        codes = [c.get_attribute("data-code") for c in pg.locator('[data-testid="item"]').all()]
        assert "projection" in codes and "full_rehearsal" in codes
        for code in codes:
            if code == "projection":
                continue
            _card(pg, code).get_by_test_id("item-ok").click()
            expect(_card(pg, code)).to_have_attribute("data-result", "ok")
        expect(_criterion(pg, "rehearsal.full_rehearsal")).to_have_attribute("data-met", "1")
        card = _card(pg, "projection")
        card.get_by_test_id("item-more").click()
        form = card.get_by_test_id("check-form")
        form.locator('input[type="radio"][value="failed"]').check()
        form.locator("textarea").fill("左侧投影偏色,需更换灯泡")
        form.get_by_test_id("check-submit").click()
        expect(_card(pg, "projection")).to_have_attribute("data-result", "failed")
        follow = FollowUp.objects.get(item=item(event, "projection"))
        assert follow.owner == crew and not follow.done
        box = pg.locator(f"#follow-up-{follow.pk}")
        expect(box.get_by_test_id("follow-up-owner")).to_have_text(crew.name)
        expect(_criterion(pg, "rehearsal.all_checked")).to_have_attribute("data-met", "1")
        expect(_criterion(pg, "rehearsal.failures_resolved")).to_have_attribute("data-met", "0")
        expect(_criterion(pg, "rehearsal.failures_resolved")).to_contain_text("投影")
        expect(pg.get_by_test_id("gate-met")).to_have_count(0)
        pg.screenshot(path=str(artifacts / "show-day-1-rehearsal-failed.png"), full_page=True)
        # the bulb is changed: the crew marks the follow-up done
        box.get_by_test_id("follow-up-edit").click()
        fix = box.get_by_test_id("follow-up-form")
        fix.locator("textarea").fill("已更换灯泡,画面复测正常")
        fix.locator('input[type="checkbox"][name$="done"]').check()
        fix.locator('button[type="submit"]').click()
        expect(pg.locator(f"#follow-up-{follow.pk}")).to_have_attribute("data-done", "1")
        expect(pg.get_by_test_id("gate-met")).to_be_visible()
        for code in ("rehearsal.all_checked", "rehearsal.failures_resolved", "rehearsal.full_rehearsal"):
            expect(_criterion(pg, code)).to_have_attribute("data-met", "1")
        follow.refresh_from_db()
        assert follow.done and follow.done_by == crew
        assert item(event, "projection").result == Result.FAILED  # the failure stays on the record
        pg.screenshot(path=str(artifacts / "show-day-1-rehearsal-done.png"), full_page=True)

        # the organiser moves the event on, through the lifecycle service (the gate checked again)
        desk = context(organiser, viewport=DESKTOP).new_page()
        desk.goto(reverse("events:detail", kwargs={"pk": event.pk}))
        expect(desk.locator('[aria-current="step"]')).to_contain_text("场地布置")
        expect(desk.get_by_test_id("gate").locator("li.unmet")).to_have_count(0)
        desk.get_by_test_id("advance").click()
        expect(desk.locator('[aria-current="step"]')).to_contain_text("流程执行")
        event.refresh_from_db()
        assert event.step == Step.RUN
        moved = StepTransition.objects.get(event=event, from_step=Step.SETUP)
        assert (moved.to_step, moved.direction, moved.actor_id) == (Step.RUN, "forward", organiser.pk)

        # ---------------------------------------------------------------- 7a. the doors open
        # REQ: EX-6 — the dashboard on a big screen, polling with If-None-Match, follows the check-ins.
        screen = context(organiser, viewport=SCREEN).new_page()
        screen.goto(reverse("onsite_live:dashboard", kwargs={"event_id": event.pk}) + "?screen=1")
        expect(screen.get_by_test_id("live-checked-in")).to_have_text("0")
        expect(screen.get_by_test_id("live-expected")).to_have_text("4")
        screen.wait_for_function(
            "() => !!window.Chart && !!Chart.getChart(document.getElementById('dash-chart'))"
        )
        _scan(organiser, event, g1, tokens[g1.pk], "入口 A")
        _scan(organiser, event, g2, tokens[g2.pk], "入口 B")
        _scan(organiser, event, g3, tokens[g3.pk], "入口 A")
        expect(screen.get_by_test_id("live-checked-in")).to_have_text("3")
        expect(screen.get_by_test_id("live-rate")).to_have_text("75%")
        gate_a = Gate.objects.get(event=event, name="入口 A")
        gate_b = Gate.objects.get(event=event, name="入口 B")
        expect(screen.locator(f'[data-gate="{gate_a.pk}"] [data-testid="gate-count"]')).to_have_text("2")
        expect(screen.locator(f'[data-gate="{gate_b.pk}"] [data-testid="gate-count"]')).to_have_text("1")

        # ---------------------------------------------------------------- 2. a late opening
        # REQ: EX-3 — the opening was planned 10 minutes ago; the stage manager starts it now on a phone.
        planned = timezone.now() - dt.timedelta(minutes=LATE)
        _opening_planned(event, planned)
        robots_before = Message.objects.filter(event=event, channel="robot").count()
        stage_ctx = context(supervisor)
        stage = stage_ctx.new_page()
        stage.goto(reverse("onsite_show:run", kwargs={"event_id": event.pk}))
        big = stage.get_by_test_id("show-big-button")
        expect(big).to_contain_text("开始「开场」")
        assert stage.evaluate(LAYOUT_PROBLEMS_JS) == []
        big.click()
        expect(stage.get_by_test_id("show-big-button")).to_contain_text("结束「开场」")
        run = SegmentRun.objects.get(segment=segments["开场"])
        assert run.started_by_id == supervisor.pk
        late = int((run.started_at - planned).total_seconds() // 60)
        assert late == LATE
        expect(stage.get_by_test_id("show-late")).to_contain_text(f"晚 {LATE} 分钟")
        keynote_at = run.started_at + dt.timedelta(minutes=10)
        lottery_at = keynote_at + dt.timedelta(minutes=30)
        for title, at in (("主题演讲", keynote_at), ("幸运抽奖", lottery_at)):
            row = stage.locator(f'[data-segment="{segments[title].pk}"] [data-testid="segment-projected"]')
            expect(row).to_contain_text(local_time(at, event))
            expect(row).to_contain_text(f"顺延 {LATE} 分钟")
        stage.screenshot(path=str(artifacts / "show-day-2-late-opening.png"), full_page=True)

        # the owners of the shifted segments are told in-app, the opening's host is not ...
        notes = {n.recipient_id: n for n in Notification.objects.filter(kind=SHIFT_KIND, event_id=event.pk)}
        speaker, crew_owner, host = owners["speaker"], owners["crew"], owners["host"]
        assert set(notes) == {speaker.pk, crew_owner.pk}
        assert "主题演讲" in notes[speaker.pk].message
        assert local_time(keynote_at, event) in notes[speaker.pk].message
        assert host.pk not in notes
        # ... and in the requesting department's 企业微信 group, through the outbox
        assert Message.objects.filter(event=event, channel="robot").count() == robots_before + 2
        shift_robots = list(
            Message.objects.filter(event=event, channel="robot").order_by("pk").values_list("pk", flat=True)
        )[robots_before:]
        deliverer("show-day").run_once()
        assert [m.status for m in Message.objects.filter(pk__in=shift_robots)] == [Message.Status.SENT] * 2
        assert len(robot_stub.requests) == 2
        bodies = [r.body["markdown"]["content"] for r in robot_stub.requests]
        assert all(r.path == "/cgi-bin/webhook/send?key=SHOWDAY" for r in robot_stub.requests)
        planned_keynote = local_time(planned + dt.timedelta(minutes=10), event)
        speaker_body = next(b for b in bodies if "讲者老李" in b)
        assert (
            f"「主题演讲」预计 {local_time(keynote_at, event)} 开始(原计划 {planned_keynote})" in speaker_body
        )
        crew_body = next(b for b in bodies if "场务小赵" in b)
        assert f"「幸运抽奖」预计 {local_time(lottery_at, event)} 开始" in crew_body

        # the speaker reads it on a phone in 我的待办, follows it to the own segments, confirms in place
        owner = context(speaker).new_page()
        owner.goto(reverse("planning:inbox"))
        notice = owner.locator(f'[data-notification="{notes[speaker.pk].pk}"]')
        expect(notice).to_contain_text("主题演讲")
        notice.get_by_role("link").click()
        expect(owner.get_by_test_id("mine-list")).to_be_visible()
        projected = owner.locator(
            f'[data-segment="{segments["主题演讲"].pk}"] [data-testid="mine-projected"]'
        )
        expect(projected).to_contain_text(local_time(keynote_at, event))
        owner.get_by_test_id("mine-confirm").click()
        expect(owner.get_by_test_id("mine-arrived")).to_be_visible()
        assert StaffArrival.objects.filter(event=event, person=speaker).exists()

        # REQ: EX-6 — the dashboard's punctuality panel follows the show
        expect(screen.get_by_test_id("dash-show")).to_contain_text("开场")

        # ---------------------------------------------------------------- 3. Q&A
        # REQ: EX-4 — the question screen is up; a guest asks from the ticket page on a phone; the stage
        # manager approves it on the phone; the screen shows it without a reload.
        qa_screen = context(viewport=DESKTOP).new_page()
        qa_screen.goto(reverse("onsite_interaction:screen", kwargs={"key": key}) + "?view=questions")
        expect(qa_screen.get_by_test_id("screen-questions")).to_contain_text("审核通过的问题会显示在这里")
        guest = context().new_page()
        guest.goto(f"/t/{g1.access_key}/")
        guest.get_by_test_id("interaction-link").click()
        expect(guest.get_by_test_id("guest-hello")).to_contain_text(g1.name)
        guest.get_by_test_id("ask-text").fill(QUESTION)
        guest.get_by_test_id("ask-name").fill("王先生")
        guest.get_by_test_id("ask-submit").click()
        expect(guest.get_by_test_id("done")).to_contain_text("问题已提交")
        expect(guest.get_by_test_id("my-questions")).to_contain_text("待审核")
        assert guest.evaluate(LAYOUT_PROBLEMS_JS) == []
        stage.goto(reverse("onsite_interaction:questions", kwargs={"event_id": event.pk}))
        expect(stage.get_by_test_id("pending")).to_contain_text(QUESTION)
        stage.get_by_test_id("pending").get_by_test_id("q-approve").click()
        expect(stage.get_by_test_id("on-screen")).to_contain_text(QUESTION)
        expect(qa_screen.get_by_test_id("screen-questions")).to_contain_text(QUESTION)
        expect(qa_screen.get_by_test_id("screen-questions")).to_contain_text("王先生")
        question = Question.objects.get(event=event)
        assert question.guest_id == g1.pk
        qa_screen.screenshot(path=str(artifacts / "show-day-3-question-screen.png"))

        # ---------------------------------------------------------------- 4. the lottery
        # REQ: EX-4 — among the checked-in guests, the employee excluded; prepared (the commitment and the
        # list's hash shown before), drawn on the page (the seed published), replayed from the record.
        stage.goto(reverse("onsite_interaction:lottery", kwargs={"event_id": event.pk}))
        expect(stage.get_by_test_id("eligible-count")).to_have_text("2")  # g1, g2: not g3 (staff), not g4
        expect(stage.get_by_test_id("eligibility")).to_contain_text("已排除工作人员 1 人")
        stage.get_by_test_id("draw-title").fill("幸运大奖")
        stage.get_by_test_id("draw-count").fill("1")
        stage.get_by_test_id("draw-prepare").click()
        expect(stage.get_by_test_id("draw")).to_have_count(1)
        draw = Draw.objects.get(event=event)
        expect(stage.get_by_test_id("draw")).to_contain_text(draw.seed_commitment)
        expect(stage.get_by_test_id("draw")).to_contain_text(draw.eligible_hash)
        expect(stage.get_by_test_id("draw")).not_to_contain_text(draw.seed)
        stage.get_by_test_id("draw-run").click()
        expect(stage.get_by_test_id("draw-seed")).to_have_text(draw.seed)
        expect(stage.get_by_test_id("draw-winners").locator("li")).to_have_count(1)
        draw.refresh_from_db()
        assert len(draw.winners) == 1 and set(draw.winners) <= {g1.pk, g2.pk}
        assert sorted(draw.eligible) == sorted([g1.pk, g2.pk])
        stage.screenshot(path=str(artifacts / "show-day-4-lottery.png"), full_page=True)
        out = StringIO()
        call_command("lottery_replay", draw=draw.pk, stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert lines[-1] == "match", out.getvalue()
        assert any(line.startswith("seed commitment ok") for line in lines)
        assert any(line.startswith("eligible list hash ok") for line in lines)
        guest.goto(reverse("onsite_interaction:lottery_result", kwargs={"key": key, "draw_id": draw.pk}))
        expect(guest.get_by_test_id("draw-seed")).to_have_text(draw.seed)
        expect(guest.get_by_test_id("draw-commitment")).to_contain_text(draw.seed_commitment)

        # ---------------------------------------------------------------- 5. the survey
        # REQ: EX-4 — the results screen is up; the guest answers on the phone; the screen counts it.
        results = qa_screen.context.new_page()
        results.goto(reverse("onsite_interaction:screen", kwargs={"key": key}) + "?view=survey")
        expect(results.get_by_test_id("screen-survey-count")).to_have_text("0")
        guest.goto(reverse("onsite_interaction:guest_home", kwargs={"key": key}))
        guest.get_by_test_id("survey-link").click()
        for field, value in (
            ("rating", "5"),
            ("rating_content", "4"),
            ("rating_organisation", "4"),
            ("nps", "10"),
        ):
            guest.get_by_test_id(f"field-{field}").locator(f'label.pick:has(input[value="{value}"])').click()
        guest.get_by_test_id("survey-form").locator('textarea[name="comment"]').fill("新品演示很精彩")
        guest.get_by_test_id("survey-submit").click()
        expect(guest.get_by_test_id("done")).to_contain_text("感谢您的反馈")
        expect(results.get_by_test_id("screen-survey-count")).to_have_text("1")
        expect(results.get_by_test_id("screen-survey-avg")).to_have_text("5.0")
        expect(results.get_by_test_id("screen-survey-nps")).to_have_text("100")
        answer = SurveyAnswer.objects.get(event=event)
        assert (answer.rating, answer.nps, answer.comment) == (5, 10, "新品演示很精彩")
        results.screenshot(path=str(artifacts / "show-day-5-survey-screen.png"))

        # ---------------------------------------------------------------- 6. an equipment incident
        # REQ: EX-5 — reported on a phone by check-in staff, the playbook from the risk register at once,
        # the technician's 15-minute clock running; nobody comes.
        reporter = context(checkin_staff).new_page()
        reporter.goto(reverse("onsite_incidents:list", kwargs={"event_id": event.pk}))
        reporter.locator("#id_category_0").check()  # 设备
        reporter.locator("#id_severity_2").check()  # 高
        reporter.fill("#id_title", INCIDENT)
        reporter.get_by_test_id("report-submit").click()
        expect(reporter.get_by_test_id("playbook-backup")).to_have_text("备用投影仪、备用麦克风")
        expect(reporter.get_by_test_id("playbook-response")).to_contain_text("15")
        expect(reporter.get_by_test_id("sla-running")).to_be_visible()
        incident = Incident.objects.get(event=event)
        assert incident.category == "equipment" and incident.reporter_id == checkin_staff.pk
        # REQ: EX-6 — the big screen lists it with its clock
        incidents_panel = screen.get_by_test_id("dash-incidents")
        expect(incidents_panel).to_contain_text(INCIDENT)
        expect(incidents_panel.get_by_test_id("sla-clock")).to_contain_text("剩余")
        screen.screenshot(path=str(artifacts / "show-day-6-dashboard-incident.png"))

        # Every page that polls is closed (the dashboard parked on a blank page) before the clock moves,
        # so nothing is computed or cached in the moved time.
        screen.goto("about:blank")
        for ctx in contexts:
            if ctx is not screen.context:
                ctx.close()
        contexts[:] = [screen.context]
        monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
        worker = HuodongWorker(worker_id="show-day", once=True, deliverer=deliverer("show-day-sla"))
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
            worker.step()
        incident.refresh_from_db()
        assert incident.escalated_at is not None
        assert Notification.objects.filter(kind=ESCALATION_KIND, recipient=supervisor).count() == 1
        assert any(INCIDENT in r.body["markdown"]["content"] for r in robot_stub.requests)

        # the supervisor (the stage manager) sees it in 我的待办 and on the incident's page
        sup = context(supervisor).new_page()
        sup.goto(reverse("planning:inbox"))
        expect(sup.get_by_test_id("notifications")).to_contain_text(INCIDENT)
        sup.goto(
            reverse("onsite_incidents:detail", kwargs={"event_id": event.pk, "incident_id": incident.pk})
        )
        expect(sup.get_by_test_id("sla-breached")).to_be_visible()
        expect(sup.locator('[data-testid="action"][data-kind="escalation"]')).to_have_count(1)
        assert sup.evaluate(LAYOUT_PROBLEMS_JS) == []
        sup.screenshot(path=str(artifacts / "show-day-6-escalated.png"), full_page=True)

        # ---------------------------------------------------------------- 7b. the last guest
        # REQ: EX-6 — the big screen back on the dashboard: the escalated incident, the interactions; the
        # media guest arrives late and the figures follow without a reload.
        screen.goto(reverse("onsite_live:dashboard", kwargs={"event_id": event.pk}) + "?screen=1")
        expect(screen.get_by_test_id("live-checked-in")).to_have_text("3")
        expect(screen.get_by_test_id("dash-incidents")).to_contain_text("已升级")
        expect(screen.get_by_test_id("live-media")).to_have_text("0 / 1")
        _scan(organiser, event, g4, tokens[g4.pk], "入口 B")
        expect(screen.get_by_test_id("live-checked-in")).to_have_text("4")
        expect(screen.get_by_test_id("live-media")).to_have_text("1 / 1")
        expect(screen.get_by_test_id("live-rate")).to_have_text("100%")
        expect(screen.locator(f'[data-gate="{gate_b.pk}"] [data-testid="gate-count"]')).to_have_text("2")
        last = screen.evaluate(
            "() => { const c = Chart.getChart(document.getElementById('dash-chart')); "
            "return c.data.datasets[1].data[c.data.datasets[1].data.length - 1]; }"
        )
        assert last == 4
        screen.screenshot(path=str(artifacts / "show-day-7-dashboard.png"))
    finally:
        for ctx in contexts:
            ctx.close()
