"""The lottery among checked-in guests (EX-4): staff, earlier winners and manual exclusions are out; the
seed commitment and the eligible list's hash are recorded before the draw and published with the seed
after it; the draw is deterministic from seed and list, runs once, and replays from its record."""

from __future__ import annotations

import hashlib
import hmac
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from huodong.core.concurrency import Stale
from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.outreach.models import Guest, GuestCategory, GuestStatus
from tests.factories import login

from ..models import Draw, DrawStatus, Exclusion, Winner
from ..services import lottery
from .support import all_guests, guest_url, phone, show_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return show_event(organiser, 6, checked_in=5)  # the sixth is registered, not in the hall


def test_only_checked_in_guests_are_eligible_minus_staff_winners_and_exclusions(
    organiser, marketing_mgr, event
):
    # REQ: EX-4
    guests = all_guests(event)
    assert lottery.eligibility(event).eligible == sorted(g.pk for g in guests[:5])
    Guest.objects.filter(pk=guests[0].pk).update(category=GuestCategory.EMPLOYEE)
    event.team_members.add(marketing_mgr)
    type(marketing_mgr).objects.filter(pk=marketing_mgr.pk).update(phone=guests[1].phone[-11:])
    Exclusion.objects.create(event=event, guest=guests[2], reason="主持人家属")
    found = lottery.eligibility(event)
    assert found.eligible == [guests[3].pk, guests[4].pk]
    assert found.excluded == {"staff": 2, "winners": 0, "manual": 1}
    draw = lottery.draw_prepare(actor=organiser, event=event.pk, title="一等奖", winners_count=1)
    draw = lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision)
    second = lottery.draw_prepare(actor=organiser, event=event.pk, title="二等奖", winners_count=1)
    assert second.eligible == [g for g in [guests[3].pk, guests[4].pk] if g not in draw.winners]
    assert second.excluded["winners"] == 1


def test_the_draw_is_committed_before_and_deterministic_from_seed_and_list(organiser, event):
    # REQ: EX-4
    draw = lottery.draw_prepare(actor=organiser, event=event.pk, title="幸运奖", winners_count=2)
    ids = sorted(g.pk for g in all_guests(event)[:5])
    assert draw.status == DrawStatus.PREPARED and draw.winners == []
    assert draw.eligible == ids
    assert draw.eligible_hash == hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    assert draw.seed_commitment == hashlib.sha256(bytes.fromhex(draw.seed)).hexdigest()
    public = phone().get(guest_url(event, "lottery_result", draw.pk)).content.decode()
    assert draw.seed_commitment in public and draw.eligible_hash in public and draw.seed not in public
    draw = lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision)
    key = bytes.fromhex(draw.seed)
    expected = sorted(ids, key=lambda i: hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest())[:2]
    assert draw.winners == expected
    assert list(Winner.objects.filter(draw=draw).values_list("guest_id", flat=True)) == expected
    public = phone().get(guest_url(event, "lottery_result", draw.pk)).content.decode()
    assert draw.seed in public
    assert lottery.pick(draw.seed, ids, 2) == lottery.pick(draw.seed, list(reversed(ids)), 2)


def test_a_draw_runs_once(organiser, event):
    # REQ: EX-4
    draw = lottery.draw_prepare(actor=organiser, event=event.pk, title="一等奖", winners_count=1)
    lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision)
    with pytest.raises(Conflict, match="已经开奖"):
        lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision + 1)
    assert Winner.objects.filter(draw=draw).count() == 1
    other = lottery.draw_prepare(actor=organiser, event=event.pk, title="二等奖", winners_count=1)
    with pytest.raises(Stale):
        lottery.draw_run(actor=organiser, event=event.pk, draw_id=other.pk, seen=other.revision + 5)


def test_nobody_eligible_is_a_clear_refusal(organiser, event):
    # REQ: EX-4
    Guest.objects.filter(event=event).update(status=GuestStatus.REGISTERED)
    with pytest.raises(DomainError, match="没有符合抽奖条件的嘉宾") as caught:
        lottery.draw_prepare(actor=organiser, event=event.pk, title="一等奖", winners_count=1)
    assert caught.value.code == "nobody_eligible"
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    ("title", "count", "field"),
    [
        ("", 1, "title"),
        ("奖" * 61, 1, "title"),
        ("一等奖", 0, "winners_count"),
        ("一等奖", 101, "winners_count"),
        ("一等奖", "x", "winners_count"),
        ("一等奖", 6, "winners_count"),
    ],
)
def test_bad_draws_are_field_errors(organiser, event, title, count, field):
    # REQ: EX-4
    with pytest.raises(DomainError) as caught:
        lottery.draw_prepare(actor=organiser, event=event.pk, title=title, winners_count=count)
    assert field in caught.value.errors


def test_only_the_stage_draws(checkin_staff, event):
    # REQ: EX-4
    with pytest.raises(NotAllowed):
        lottery.draw_prepare(actor=checkin_staff, event=event.pk, title="一等奖", winners_count=1)


def test_the_replay_command_matches_and_catches_tampering(organiser, event):
    # REQ: EX-4
    draw = lottery.draw_prepare(actor=organiser, event=event.pk, title="一等奖", winners_count=2)
    draw = lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision)
    out = StringIO()
    call_command("lottery_replay", "--draw", str(draw.pk), stdout=out)
    assert out.getvalue().strip().endswith("match")
    Draw.objects.filter(pk=draw.pk).update(winners=list(reversed(draw.winners)))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("lottery_replay", "--draw", str(draw.pk), stdout=out)
    assert "mismatch" in out.getvalue()
    Draw.objects.filter(pk=draw.pk).update(winners=draw.winners, eligible=draw.eligible[:-1])
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("lottery_replay", "--draw", str(draw.pk), stdout=out)
    assert "eligible list hash MISMATCH" in out.getvalue()


def test_exclusions_by_ticket_code(organiser, event):
    # REQ: EX-4
    from huodong.outreach.models import Ticket

    guest = all_guests(event)[0]
    code = Ticket.objects.get(guest=guest).code
    row = lottery.exclusion_add(actor=organiser, event=event.pk, code=code, reason="供应商")
    assert guest.pk not in lottery.eligibility(event).eligible
    with pytest.raises(DomainError, match="已在排除名单"):
        lottery.exclusion_add(actor=organiser, event=event.pk, code=code, reason="再次")
    with pytest.raises(DomainError) as caught:
        lottery.exclusion_add(actor=organiser, event=event.pk, code="ZZZZZZ", reason="不存在")
    assert "code" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        lottery.exclusion_add(actor=organiser, event=event.pk, code=code, reason="")
    assert "reason" in caught.value.errors
    lottery.exclusion_remove(actor=organiser, event=event.pk, exclusion_id=row.pk)
    assert guest.pk in lottery.eligibility(event).eligible


def test_the_lottery_pages(client, organiser, event):
    # REQ: EX-4
    login(client, organiser)
    url = reverse("onsite_interaction:lottery", args=[event.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        reverse("onsite_interaction:lottery_prepare", args=[event.pk]), {"title": "", "winners_count": "1"}
    )
    assert r.status_code == 400
    r = client.post(
        reverse("onsite_interaction:lottery_prepare", args=[event.pk]),
        {"title": "一等奖", "winners_count": "1"},
    )
    assert r.status_code == 302
    draw = Draw.objects.get()
    r = client.post(
        reverse("onsite_interaction:lottery_draw", args=[event.pk, draw.pk]), {"revision": draw.revision}
    )
    assert r.status_code == 302 and Draw.objects.get().status == DrawStatus.DRAWN
    r = client.post(
        reverse("onsite_interaction:lottery_draw", args=[event.pk, draw.pk]),
        {"revision": draw.revision},
        follow=True,
    )
    assert "已经开奖" in r.content.decode()
    r = client.post(reverse("onsite_interaction:exclusion_add", args=[event.pk]), {"code": "", "reason": ""})
    assert r.status_code == 400
