"""The lottery among checked-in guests (EX-4), auditable afterwards.

1. ``draw_prepare`` (``Need.STAGE``): the eligible guests are the event's checked-in guests minus staff
   (guests of category 员工, or whose phone or e-mail is that of the event's owner, team, stage manager or
   check-in staff), minus earlier winners of the event's lotteries, minus manual exclusions. Their ids,
   sorted, are the canonical list; ``eligible_hash`` = SHA-256 of the ids joined by commas (ASCII). A
   secret 32-byte seed is chosen (``secrets``) and only ``seed_commitment`` = SHA-256 of its bytes is
   shown (on the screen and the public result page). Nobody eligible: refused, nothing recorded.
2. ``draw_run`` (``Need.STAGE``, the revision seen): the winners are ``pick(seed, list, n)`` — the list
   sorted by HMAC-SHA256(seed, str(id)) (hex), the first n — recorded with the seed published; a
   conditional update (prepared → drawn) makes a second run, or a concurrent one, a refusal (409).
3. ``draw_replay``: recomputes both hashes and the winners from the record; ``manage.py lottery_replay``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_require, stale_error
from huodong.core.errors import Conflict, DomainError, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import Need
from huodong.events.models import Event
from huodong.outreach.models import Guest, GuestCategory, GuestStatus

from ..models import REASON_MAX, TITLE_MAX, WINNERS_MAX, Draw, DrawStatus, Exclusion, Winner
from ..rules import onsite_lock, row_id

LABEL = _("抽奖")


# ---------------------------------------------------------------- the arithmetic (pure, replayable)
def list_hash(ids: list[int]) -> str:
    """SHA-256 (hex) of the canonical eligible list: the ids sorted ascending, joined by commas."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode("ascii")).hexdigest()


def commitment(seed_hex: str) -> str:
    """SHA-256 (hex) of the seed's bytes."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def pick(seed_hex: str, ids: list[int], n: int) -> list[int]:
    """The winners: ``ids`` ordered by HMAC-SHA256(seed, decimal id) and the first ``n``."""
    key = bytes.fromhex(seed_hex)
    ranked = sorted(ids, key=lambda i: (hmac.new(key, str(i).encode("ascii"), hashlib.sha256).hexdigest(), i))
    return ranked[:n]


# ---------------------------------------------------------------- who may win
def _digits(phone: str) -> str:
    d = "".join(c for c in phone if c.isdigit())
    return d[-11:] if len(d) >= 11 else d


def staff_people(event: Event) -> list[User]:
    """The event's own people on the day: owner, team, stage manager, check-in staff."""
    from huodong.checkin.models import CheckinSettings, GateStaff

    ids = set(event.team_members.values_list("pk", flat=True))
    if event.owner_id:
        ids.add(event.owner_id)
    ids |= set(GateStaff.objects.filter(event_id=event.pk).values_list("person_id", flat=True))
    manager = (
        CheckinSettings.objects.filter(event_id=event.pk).values_list("stage_manager_id", flat=True).first()
    )
    if manager:
        ids.add(manager)
    return list(User.objects.filter(pk__in=ids))


@dataclass
class Eligibility:
    eligible: list[int]
    excluded: dict[str, int]


def eligibility(event: Event) -> Eligibility:
    """The checked-in guests who may win now, sorted by id, and how many were left out and why."""
    checked_in = dict(
        Guest.objects.filter(event_id=event.pk, status=GuestStatus.CHECKED_IN).values_list("pk", "category")
    )
    people = staff_people(event)
    phones = {_digits(p.phone) for p in people if p.phone}
    emails = {p.email.lower() for p in people if p.email}
    staff_q = Q(category=GuestCategory.EMPLOYEE)
    if phones:
        staff_q |= Q(phone__regex=r"(" + "|".join(sorted(phones)) + r")$")
    if emails:
        staff_q |= Q(email__in=emails)
    staff = set(
        Guest.objects.filter(event_id=event.pk, status=GuestStatus.CHECKED_IN)
        .filter(staff_q)
        .values_list("pk", flat=True)
    )
    won = set(Winner.objects.filter(event_id=event.pk).values_list("guest_id", flat=True))
    manual = set(Exclusion.objects.filter(event_id=event.pk).values_list("guest_id", flat=True))
    everyone = set(checked_in)
    eligible = sorted(everyone - staff - won - manual)
    return Eligibility(
        eligible=eligible,
        excluded={
            "staff": len(everyone & staff),
            "winners": len((everyone & won) - staff),
            "manual": len((everyone & manual) - staff - won),
        },
    )


# ---------------------------------------------------------------- services
@transaction.atomic
def draw_prepare(*, actor: User, event: Any, title: Any, winners_count: Any) -> Draw:
    """Freeze the eligible list and commit to a secret seed (shown: the two hashes, not the seed)."""
    ev = onsite_lock(actor, event, Need.STAGE, LABEL)
    errors: dict[str, list[Any]] = {}
    prize = text_clean(
        title, field="title", label=_("奖项"), limit=TITLE_MAX, errors=errors, required=True, multiline=False
    )
    try:
        n = int(winners_count) if not isinstance(winners_count, bool) else 0
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= WINNERS_MAX:
        errors["winners_count"] = [_("中奖人数须为 1 到 %(n)d 之间的整数。") % {"n": WINNERS_MAX}]
    if errors:
        raise DomainError(errors)
    found = eligibility(ev)
    if not found.eligible:
        raise DomainError(
            {
                "__all__": [
                    _(
                        "没有符合抽奖条件的嘉宾:已签到的嘉宾中去掉工作人员(%(staff)d)、已中奖者(%(winners)d)和手工排除(%(manual)d)后一人不剩。"
                    )
                    % found.excluded
                ]
            },
            code="nobody_eligible",
        )
    if n > len(found.eligible):
        raise DomainError(
            {
                "winners_count": [
                    _("中奖人数(%(n)d)多于符合条件的嘉宾(%(m)d 人)。") % {"n": n, "m": len(found.eligible)}
                ]
            }
        )
    seed = secrets.token_bytes(32).hex()
    draw = Draw.objects.create(
        event=ev,
        title=prize,
        winners_count=n,
        seed=seed,
        seed_commitment=commitment(seed),
        eligible=found.eligible,
        eligible_hash=list_hash(found.eligible),
        excluded=found.excluded,
        prepared_by=actor,
    )
    audit_record(
        actor=actor,
        action="interaction.draw.prepare",
        target=draw,
        event_id=ev.pk,
        summary=prize,
        after={
            "seed_commitment": draw.seed_commitment,
            "eligible_hash": draw.eligible_hash,
            "eligible": len(found.eligible),
            "winners_count": n,
        },
    )
    return draw


@transaction.atomic
def draw_run(*, actor: User, event: Any, draw_id: int, seen: int | None) -> Draw:
    """Draw the winners of a prepared draw, once."""
    ev = onsite_lock(actor, event, Need.STAGE, LABEL)
    draw = Draw.objects.select_for_update().filter(event_id=ev.pk, pk=row_id(draw_id)).first()
    if draw is None:
        raise NotFound(_("找不到这次抽奖。"))
    if draw.status == DrawStatus.DRAWN:
        raise Conflict(
            {"__all__": [_("“%(title)s”已经开奖,不能再抽一次。") % {"title": draw.title}]}, code="drawn"
        )
    revision_require(draw, seen, label=LABEL)
    winners = pick(draw.seed, list(draw.eligible), draw.winners_count)
    now = timezone.now()
    # The conditional update is the decision: a second run finds no prepared row and changes nothing.
    done = Draw.objects.filter(pk=draw.pk, status=DrawStatus.PREPARED, revision=draw.revision).update(
        status=DrawStatus.DRAWN, winners=winners, drawn_by=actor, drawn_at=now, revision=draw.revision + 1
    )
    if done == 0:
        raise stale_error(draw, label=LABEL)
    Winner.objects.bulk_create(
        [Winner(event_id=ev.pk, draw_id=draw.pk, guest_id=g, position=i) for i, g in enumerate(winners, 1)]
    )
    draw.refresh_from_db()
    audit_record(
        actor=actor,
        action="interaction.draw.run",
        target=draw,
        event_id=ev.pk,
        summary=draw.title,
        after={"seed": draw.seed, "winners": winners},
    )
    return draw


@dataclass
class Replay:
    draw: Draw
    commitment_ok: bool
    list_ok: bool
    winners: list[int]

    @property
    def match(self) -> bool:
        return self.commitment_ok and self.list_ok and self.winners == list(self.draw.winners)


def draw_replay(draw_id: int) -> Replay:
    """Recompute a drawn lottery from its record: the seed against its commitment, the list against its
    hash, and the winners."""
    draw = Draw.objects.filter(pk=row_id(draw_id)).first()
    if draw is None:
        raise NotFound(_("找不到这次抽奖。"))
    if draw.status != DrawStatus.DRAWN:
        raise DomainError({"__all__": [_("这次抽奖尚未开奖,无法复核。")]})
    ids = [int(i) for i in draw.eligible]
    return Replay(
        draw=draw,
        commitment_ok=commitment(draw.seed) == draw.seed_commitment,
        list_ok=list_hash(ids) == draw.eligible_hash and ids == sorted(ids),
        winners=pick(draw.seed, ids, draw.winners_count),
    )


@transaction.atomic
def exclusion_add(*, actor: User, event: Any, guest_id: Any = None, code: str = "", reason: Any) -> Exclusion:
    """Keep a guest (by id, or by ticket code) out of the event's lotteries."""
    from huodong.checkin.services.redeem import claim_code

    ev = onsite_lock(actor, event, Need.STAGE, _("抽奖排除名单"))
    errors: dict[str, list[Any]] = {}
    why = text_clean(
        reason,
        field="reason",
        label=_("原因"),
        limit=REASON_MAX,
        errors=errors,
        required=True,
        multiline=False,
    )
    gid: int | None = None
    if code:
        gid = claim_code(ev.pk, code).guest_id
        if gid is None:
            errors["code"] = [_("找不到票号为 %(code)s 的嘉宾。") % {"code": code[:20]}]
    elif guest_id not in (None, ""):
        gid = row_id(guest_id) or None
        if gid is None or not Guest.objects.filter(event_id=ev.pk, pk=gid).exists():
            errors["guest_id"] = [_("本活动没有这位嘉宾。")]
    else:
        errors["code"] = [_("请填写要排除的嘉宾的票号。")]
    if errors:
        raise DomainError(errors)
    row, created = Exclusion.objects.get_or_create(
        event=ev, guest_id=gid, defaults={"reason": why, "added_by": actor}
    )
    if not created:
        raise DomainError({"code": [_("这位嘉宾已在排除名单中。")]}, code="duplicate")
    audit_record(actor=actor, action="interaction.exclusion.add", target=row, event_id=ev.pk, summary=why)
    return row


@transaction.atomic
def exclusion_remove(*, actor: User, event: Any, exclusion_id: int) -> None:
    ev = onsite_lock(actor, event, Need.STAGE, _("抽奖排除名单"))
    row = Exclusion.objects.filter(event_id=ev.pk, pk=row_id(exclusion_id)).first()
    if row is None:
        raise NotFound(_("排除名单中没有这一条。"))
    audit_record(
        actor=actor, action="interaction.exclusion.remove", target=row, event_id=ev.pk, summary=row.reason
    )
    row.delete()
