"""The day-before checklist's services (EX-1): the defaults copied once, the editors' changes, checks with
photos and who/when recorded by the server, failures becoming follow-ups, re-checks closing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Notification
from huodong.events.steps import Step
from huodong.onsite.rehearsal.defaults import COMMON_ITEMS, DEFAULT_ITEMS
from huodong.onsite.rehearsal.models import Checklist, ChecklistItem, FollowUp, ItemPhoto, Result, Section
from huodong.onsite.rehearsal.services import checklist as services

from .support import day_before, item, jpeg, png, team_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def crew(db):
    return team_member()


@pytest.fixture
def ev(organiser, crew):
    return day_before(organiser, team=[crew])


# ---------------------------------------------------------------- the defaults
@pytest.mark.parametrize("code", sorted(DEFAULT_ITEMS))
def test_each_type_starts_with_its_own_items_in_the_three_sections(organiser, code):
    # REQ: EX-1
    event = day_before(organiser, type_code=code)
    items = list(ChecklistItem.objects.filter(event=event))
    assert [i.code for i in items] == [d["code"] for d in DEFAULT_ITEMS[code]]
    assert {i.section for i in items} == set(Section.values)
    common = {d["code"] for d in COMMON_ITEMS}
    assert common <= {
        i.code for i in items
    }  # backdrop, stage, check-in area, sound, light, projection, network, rehearsal
    assert all(i.title and i.title_en and i.result == Result.UNCHECKED for i in items)


def test_opening_twice_copies_the_defaults_once(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    n = ChecklistItem.objects.filter(event=event).count()
    assert services.checklist_for(event) == services.checklist_for(event)
    assert Checklist.objects.filter(event=event).count() == 1
    assert ChecklistItem.objects.filter(event=event).count() == n


# ---------------------------------------------------------------- the editors' changes
def test_an_editor_adds_renames_and_removes_items(ev, organiser):
    # REQ: EX-1
    added = services.item_add(
        actor=organiser, event=ev, section="equipment", title="同传耳机测试", title_en="Headsets"
    )
    assert added.position > item(ev, "full_rehearsal").position
    services.item_update(
        actor=organiser, event=ev, item_id=added.pk, seen=added.revision, title="同传设备测试"
    )
    added.refresh_from_db()
    assert (added.title, added.revision) == ("同传设备测试", 2)
    services.item_remove(actor=organiser, event=ev, item_id=added.pk, seen=added.revision)
    assert not ChecklistItem.objects.filter(pk=added.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"section": "party", "title": "x"}, "section"),
        ({"section": "build", "title": ""}, "title"),
        ({"section": "build", "title": "x" * 121}, "title"),
        ({"section": "build", "title": "a\nb"}, "title"),
        ({"section": "build", "title": "ok", "title_en": "y" * 121}, "title_en"),
        ({"section": "build", "title": "ok", "position": -1}, "position"),
        ({"section": "build", "title": "ok", "position": True}, "position"),
    ],
)
def test_a_bad_item_is_refused_naming_the_field(ev, organiser, data, field):
    # REQ: EX-1
    before = ChecklistItem.objects.filter(event=ev).count()
    with pytest.raises(DomainError) as exc:
        services.item_add(actor=organiser, event=ev, **data)
    assert field in exc.value.errors
    assert ChecklistItem.objects.filter(event=ev).count() == before


def test_an_item_edit_needs_the_revision_it_saw(ev, organiser):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(PreconditionRequired):
        services.item_update(actor=organiser, event=ev, item_id=row.pk, seen=None, title="舞台")
    services.item_update(actor=organiser, event=ev, item_id=row.pk, seen=row.revision, title="舞台 A")
    with pytest.raises(Stale):
        services.item_update(actor=organiser, event=ev, item_id=row.pk, seen=row.revision, title="舞台 B")
    with pytest.raises(Stale):
        services.item_remove(actor=organiser, event=ev, item_id=row.pk, seen=row.revision)
    with pytest.raises(DomainError):
        services.item_update(actor=organiser, event=ev, item_id=row.pk, seen=2, colour="red")


def test_a_team_member_may_not_change_the_list(ev, crew):
    # REQ: EX-1
    with pytest.raises(NotAllowed):
        services.item_add(actor=crew, event=ev, section="build", title="多出来的")


def test_an_item_of_another_event_is_not_found(ev, organiser):
    other = day_before(organiser)
    row = item(other, "stage")
    with pytest.raises(NotFound):
        services.item_update(actor=organiser, event=ev, item_id=row.pk, seen=row.revision, title="x")
    with pytest.raises(NotFound):
        services.item_check(actor=organiser, event=ev, item_id=row.pk, seen=row.revision, result="ok")


def test_the_list_is_prepared_ahead_but_checked_only_in_the_execution_phase(organiser, crew):
    # REQ: EX-1
    event = day_before(organiser, step=Step.TRAINING, team=[crew])
    services.item_add(actor=organiser, event=event, section="build", title="贵宾室布置")
    row = item(event, "stage")
    with pytest.raises(DomainError) as exc:
        services.item_check(actor=crew, event=event, item_id=row.pk, seen=row.revision, result="ok")
    assert exc.value.code == "wrong_step"
    planning = day_before(organiser, step=Step.PLAN)
    with pytest.raises(DomainError):
        services.item_add(actor=organiser, event=planning, section="build", title="太早了")


# ---------------------------------------------------------------- checks
def test_a_check_records_who_and_when_from_the_server(ev, crew):
    # REQ: EX-1
    row = item(ev, "sound")
    before = timezone.now()
    out = services.item_check(
        actor=crew, event=ev, item_id=row.pk, seen=row.revision, result="ok", note="正常"
    )
    row.refresh_from_db()
    assert (row.result, row.checked_by, row.note) == (Result.OK, crew, "正常")
    assert before <= row.checked_at <= timezone.now()
    assert out.follow_up is None and out.closed == []


def test_a_failure_with_a_photo_becomes_a_follow_up_for_the_checker(ev, crew, organiser):
    # REQ: EX-1
    row = item(ev, "projection")
    out = services.item_check(
        actor=crew,
        event=ev,
        item_id=row.pk,
        seen=row.revision,
        result="failed",
        note="投影偏色",
        photos=[png()],
    )
    assert out.opened and out.follow_up.owner == crew
    assert out.follow_up.due_at <= ev.starts_at
    assert out.follow_up.due_at <= timezone.now() + dt.timedelta(hours=services.FOLLOW_UP_HOURS)
    photo = ItemPhoto.objects.get(item=row)
    assert (photo.result, photo.content_type, photo.uploaded_by) == ("failed", "image/png", crew)
    assert photo.file.name.startswith(f"rehearsal/{ev.pk}/")


def test_a_failure_given_to_someone_else_tells_them(ev, crew, organiser):
    # REQ: EX-1
    row = item(ev, "network")
    due = timezone.now() + dt.timedelta(hours=5)
    out = services.item_check(
        actor=crew, event=ev, item_id=row.pk, seen=row.revision, result="failed", note="Wi-Fi 掉线",
        owner=organiser.pk, due_at=due,
    )  # fmt: skip
    assert out.follow_up.owner == organiser and out.follow_up.due_at == due
    notice = Notification.objects.get(recipient=organiser, kind="rehearsal.follow_up")
    assert "网络测试" in notice.message and "整改任务交给您" in notice.message


def test_failing_again_keeps_the_open_follow_up_and_passing_closes_it(ev, crew, organiser):
    # REQ: EX-1
    row = item(ev, "light")
    first = services.item_check(
        actor=crew, event=ev, item_id=row.pk, seen=1, result="failed", note="追光不亮"
    )
    second = services.item_check(actor=crew, event=ev, item_id=row.pk, seen=2, result="failed", note="仍不亮")
    assert second.follow_up.pk == first.follow_up.pk and not second.opened
    assert FollowUp.objects.filter(item=row).count() == 1
    passed = services.item_check(
        actor=organiser, event=ev, item_id=row.pk, seen=3, result="ok", photos=[jpeg()]
    )
    closed = FollowUp.objects.get(item=row)
    assert passed.closed == [closed] or [f.pk for f in passed.closed] == [closed.pk]
    assert closed.done and closed.closed_by_recheck and closed.done_by == organiser


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"result": "maybe"}, "result"),
        ({"result": "unchecked"}, "result"),
        ({"result": "failed", "note": ""}, "note"),
        ({"result": "ok", "note": "x" * 1001}, "note"),
        ({"result": "ok", "note": "a\x00b"}, "note"),
        ({"result": "failed", "note": "坏了", "owner": 999_999}, "owner"),
        ({"result": "failed", "note": "坏了", "owner": "abc"}, "owner"),
        ({"result": "failed", "note": "坏了", "due_at": "tomorrow"}, "due_at"),
    ],
)
def test_a_bad_check_is_refused_and_changes_nothing(ev, crew, kwargs, field):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(DomainError) as exc:
        services.item_check(actor=crew, event=ev, item_id=row.pk, seen=row.revision, **kwargs)
    assert field in exc.value.errors
    row.refresh_from_db()
    assert row.result == Result.UNCHECKED and row.revision == 1
    assert not FollowUp.objects.filter(event=ev).exists()


def test_an_owner_outside_the_team_on_the_day_is_refused(ev, crew, outsider):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(DomainError) as exc:
        services.item_check(
            actor=crew, event=ev, item_id=row.pk, seen=1, result="failed", note="歪了", owner=outsider.pk
        )
    assert "owner" in exc.value.errors


def test_a_due_time_in_the_past_or_long_after_the_event_is_refused(ev, crew):
    # REQ: EX-1
    row = item(ev, "stage")
    for due in (timezone.now() - dt.timedelta(hours=1), ev.ends_at + dt.timedelta(days=8)):
        with pytest.raises(DomainError) as exc:
            services.item_check(
                actor=crew, event=ev, item_id=row.pk, seen=1, result="failed", note="x", due_at=due
            )
        assert "due_at" in exc.value.errors


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream"),
        SimpleUploadedFile("fake.png", b"%PDF-1.4 not a png", "image/png"),
        SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n", "application/pdf"),
        SimpleUploadedFile("empty.png", b"", "image/png"),
    ],
)
def test_a_photo_that_is_not_a_png_or_jpeg_is_refused(ev, crew, upload):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(DomainError) as exc:
        services.item_check(actor=crew, event=ev, item_id=row.pk, seen=1, result="ok", photos=[upload])
    assert "photos" in exc.value.errors
    assert not ItemPhoto.objects.exists()


def test_too_many_or_too_large_photos_are_refused(ev, crew, settings):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(DomainError) as exc:
        services.item_check(
            actor=crew, event=ev, item_id=row.pk, seen=1, result="ok",
            photos=[png(f"{n}.png") for n in range(services.PHOTOS_PER_CHECK + 1)],
        )  # fmt: skip
    assert "photos" in exc.value.errors
    settings.HUODONG_MAX_UPLOAD_BYTES = 50
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    with pytest.raises(DomainError) as exc:
        services.item_check(actor=crew, event=ev, item_id=row.pk, seen=1, result="ok", photos=[big])
    assert "超过上限" in str(exc.value.errors["photos"][0])


def test_a_check_needs_the_revision_it_saw(ev, crew, organiser):
    # REQ: EX-1
    row = item(ev, "stage")
    with pytest.raises(PreconditionRequired):
        services.item_check(actor=crew, event=ev, item_id=row.pk, seen=None, result="ok")
    services.item_check(actor=crew, event=ev, item_id=row.pk, seen=1, result="ok")
    with pytest.raises(Stale):  # two people ticked the same item: the second is told, not overwritten
        services.item_check(actor=organiser, event=ev, item_id=row.pk, seen=1, result="failed", note="歪")


@pytest.mark.parametrize("who", ["checkin_staff", "stage_manager", "outsider"])
def test_who_may_check(ev, organiser, checkin_staff, outsider, who):
    # REQ: EX-1
    from huodong.checkin.models import CheckinSettings, GateStaff

    row = item(ev, "stage")
    if who == "checkin_staff":
        GateStaff.objects.create(event=ev, person=checkin_staff)
        actor = checkin_staff
    elif who == "stage_manager":
        CheckinSettings.objects.create(event=ev, stage_manager=outsider)
        actor = outsider
    else:
        actor = outsider
    if who == "outsider":
        with pytest.raises(NotAllowed):
            services.item_check(actor=actor, event=ev, item_id=row.pk, seen=1, result="ok")
    else:
        services.item_check(actor=actor, event=ev, item_id=row.pk, seen=1, result="ok")


# ---------------------------------------------------------------- follow-ups
def _failed(ev, crew, code="projection"):
    row = item(ev, code)
    return services.item_check(
        actor=crew, event=ev, item_id=row.pk, seen=row.revision, result="failed", note="坏"
    ).follow_up


def test_a_follow_up_is_reassigned_and_marked_done(ev, crew, organiser):
    # REQ: EX-1
    row = _failed(ev, crew)
    due = timezone.now() + dt.timedelta(hours=3)
    services.follow_up_update(
        actor=crew, event=ev, follow_up_id=row.pk, seen=1, owner=organiser.pk, due_at=due, note="换投影机"
    )
    row.refresh_from_db()
    assert (row.owner, row.due_at, row.note) == (organiser, due, "换投影机")
    assert Notification.objects.filter(recipient=organiser, kind="rehearsal.follow_up").exists()
    services.follow_up_update(actor=organiser, event=ev, follow_up_id=row.pk, seen=row.revision, done=True)
    row.refresh_from_db()
    assert row.done and row.done_by == organiser and not row.closed_by_recheck
    services.follow_up_update(actor=organiser, event=ev, follow_up_id=row.pk, seen=row.revision, done=False)
    row.refresh_from_db()
    assert not row.done and row.done_at is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner": None}, "owner"),
        ({"owner": 999_999}, "owner"),
        ({"due_at": None}, "due_at"),
        ({"due_at": "soon"}, "due_at"),
        ({"note": "x" * 1001}, "note"),
        ({"done": "yes"}, "done"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_follow_up_change_is_refused(ev, crew, changes, field):
    # REQ: EX-1
    row = _failed(ev, crew)
    with pytest.raises(DomainError) as exc:
        services.follow_up_update(actor=crew, event=ev, follow_up_id=row.pk, seen=1, **changes)
    assert field in exc.value.errors
    row.refresh_from_db()
    assert row.revision == 1


def test_a_follow_up_closed_by_a_passing_recheck_cannot_be_reopened(ev, crew):
    # REQ: EX-1
    row = _failed(ev, crew)
    target = item(ev, "projection")
    services.item_check(actor=crew, event=ev, item_id=target.pk, seen=target.revision, result="ok")
    row.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.follow_up_update(actor=crew, event=ev, follow_up_id=row.pk, seen=row.revision, done=False)
    assert "done" in exc.value.errors


def test_a_follow_up_edit_needs_the_revision_it_saw(ev, crew):
    # REQ: EX-1
    row = _failed(ev, crew)
    with pytest.raises(PreconditionRequired):
        services.follow_up_update(actor=crew, event=ev, follow_up_id=row.pk, seen=None, done=True)
    with pytest.raises(Stale):
        services.follow_up_update(actor=crew, event=ev, follow_up_id=row.pk, seen=5, done=True)
    with pytest.raises(NotFound):
        services.follow_up_update(actor=crew, event=ev, follow_up_id=999_999, seen=1, done=True)


def test_removing_an_item_removes_its_photos_and_follow_ups(ev, crew, organiser, media_root):
    # REQ: EX-1
    row = item(ev, "stage")
    services.item_check(
        actor=crew, event=ev, item_id=row.pk, seen=1, result="failed", note="x", photos=[png()]
    )
    path = ItemPhoto.objects.get(item=row).file.path
    row.refresh_from_db()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.item_remove(actor=organiser, event=ev, item_id=row.pk, seen=row.revision)
    assert not FollowUp.objects.filter(event=ev).exists()
    import os

    assert not os.path.exists(path)
