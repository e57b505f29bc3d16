"""Redeeming at the door (EX-2): one scan online, a batch of offline scans, and what a scanner downloads to
work without the network. One service for the scanner page, the API and the benchmarks.

Exactly once: the decision is one conditional ``UPDATE`` of the guest row (``status`` from registered to
checked in, and for a ticket only while its version is the token's and it is not revoked), never a read
followed by a write; the unique constraint on the accepted scan of a guest backs it up. A second scan of
the same guest answers who checked them in, where and when, and is logged as a duplicate, not an error.

Every answer at the door has its own reason (``models.Reason``): malformed, forged or tampered, another
event's, a superseded ticket, unknown, cancelled, not registered, before the doors open, after they close.

Offline (``sync``): a scanner queues scans while the network is gone and sends them in one batch. Scans are
applied in the order they happened; the earliest accepted scan of a guest wins. When two devices checked
the same guest in while offline, the later one is kept as a duplicate and a ``Conflict`` reports both
gates and times to the supervisors. Each scan carries the scanner's id for it, so a batch sent twice is
recorded once.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import struct
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.core.rows import Rows, insert, insert_many, quoted
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.events.steps import PHASE_OF, Phase, Step
from huodong.outreach import tickets
from huodong.outreach.models import EventKey, Guest, GuestStatus, Ticket

from ..models import DEFAULT_KIT, CheckinSettings, Conflict, Device, Gate, Method, Reason, Result, Scan
from ..rules import doors, local_time

# Which guests each method may check in: a ticket (QR or its code) needs a registered guest holding that
# ticket; a guest found by name or phone (search, paper sign-in) may also be one only invited.
TICKET_METHODS = (Method.QR, Method.CODE)
ELIGIBLE: dict[str, tuple[str, ...]] = {
    Method.QR: (GuestStatus.REGISTERED,),
    Method.CODE: (GuestStatus.REGISTERED,),
    Method.SEARCH: (GuestStatus.REGISTERED, GuestStatus.INVITED),
    Method.PAPER: (GuestStatus.REGISTERED, GuestStatus.INVITED),
    Method.WALKIN: (GuestStatus.REGISTERED, GuestStatus.INVITED),
}

BATCH_MAX = 20_000  # scans in one offline batch
CLIENT_ID_MAX = 64
CLOCK_SKEW = dt.timedelta(minutes=10)  # an offline scan may claim to be this far in the future


# The reads of a scan, by hand-written SQL (``core.rows``): the event with the columns a scan uses (any
# other is read if touched), its settings, the device, a gate, the guest.
_EVENT_ROWS = Rows(Event, ["id", "owner", "event_type", "starts_at", "ends_at", "time_zone", "step"])
_SETTINGS_ROWS = Rows(CheckinSettings)
_DEVICE_ROWS = Rows(Device)
_GATE_ROWS = Rows(Gate)
# The guest's columns a scan answers with (any other is read if touched).
_GUEST_ROWS = Rows(
    Guest, ["id", "event", "name", "company", "title", "category", "phone", "status", "revision"]
)


# ---------------------------------------------------------------- per-process caches (keys never change)
_PUBLIC_KEYS: dict[int, tuple[int, bytes]] = {}


def public_key(event_id: int, *, fresh: bool = False) -> tuple[int, bytes] | None:
    """``(key_id, public key)`` of the event, cached in the process (a key is never changed). A token the
    cached key refuses is checked again with the key read afresh (``fresh``), so a stale entry — an event
    id reused after a deletion — never refuses a real ticket."""
    cached = None if fresh else _PUBLIC_KEYS.get(event_id)
    if cached is not None:
        return cached
    row = EventKey.objects.filter(event_id=event_id).values_list("key_id", "public_key").first()
    if row is None:
        return None
    _PUBLIC_KEYS[event_id] = (row[0], bytes(row[1]))
    return _PUBLIC_KEYS[event_id]


@functools.lru_cache(maxsize=256)
def _verifier(raw: bytes) -> Ed25519PublicKey:
    """A public key loaded once per process (loading it cost a fifth of verifying with it)."""
    return Ed25519PublicKey.from_public_bytes(raw)


def settings_for(event: Event) -> CheckinSettings:
    """The event's check-in settings, created with the defaults (and the event type's kit) on first use.
    When the event was read with them (``checkin_event`` keeps them on it, as ``select_related`` would),
    those are used: no second query."""
    related = Event.checkin_settings.related  # type: ignore[attr-defined]
    cached = related.get_cached_value(event) if related.is_cached(event) else None
    if isinstance(cached, CheckinSettings):
        return cached
    found = CheckinSettings.objects.filter(event_id=event.pk).first()
    if found is not None:
        return found
    kit = list(getattr(event.event_type, "kit", None) or []) if event.event_type_id else []
    found, _created = CheckinSettings.objects.get_or_create(
        event_id=event.pk, defaults={"kit": kit or [dict(item) for item in DEFAULT_KIT]}
    )
    return found


# ---------------------------------------------------------------- outcomes
@dataclass
class Outcome:
    """The answer at the door for one scan."""

    result: str
    reason: str = ""
    guest: Guest | None = None
    scan: Scan | None = None
    previous: Scan | None = None  # for a duplicate: the check-in that stands
    params: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    conflict: Conflict | None = None

    @property
    def ok(self) -> bool:
        return self.result == Result.ACCEPTED

    @property
    def message(self) -> str:
        return outcome_message(self)


def _when(moment: dt.datetime, event: Event) -> str:
    """The time of an earlier check-in as said at the door: 14:02 today, 12-03 14:02 another day."""
    local = timezone.localtime(moment, event.tz)
    today = timezone.localtime(timezone.now(), event.tz).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%m-%d %H:%M")


def gate_label(gate: Gate | None) -> str:
    if gate is None:
        return _("未指定签到口")
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and gate.name_en:
        return gate.name_en
    return gate.name


def outcome_message(outcome: Outcome) -> str:
    """The sentence shown on the scanner, in the reader's language."""
    name = outcome.guest.name if outcome.guest is not None else ""
    p = outcome.params
    if outcome.result == Result.ACCEPTED:
        return _("签到成功:%(name)s") % {"name": name}
    if outcome.result == INVALID:
        return str(p.get("problem", ""))
    if outcome.result == REPEATED:
        return _("本批次中重复的扫描记录,已按第一条处理。")
    if outcome.result == Result.DUPLICATE or outcome.reason == Reason.DUPLICATE:
        prev = outcome.previous
        if prev is None:
            return _("%(name)s 已签到。") % {"name": name}
        return _("%(name)s 已于 %(time)s 在 %(gate)s 由 %(staff)s 签到。") % {
            "name": name,
            "time": p.get("time", ""),
            "gate": gate_label(prev.gate),
            "staff": str(prev.staff) if prev.staff_id else _("系统"),
        }
    messages = {
        Reason.MALFORMED: _("无法识别此二维码:它不是本系统的电子票。"),
        Reason.FORGED: _("电子票无效:签名不符,可能是伪造或被篡改的二维码。请核对身份后使用纸质签到。"),
        Reason.OTHER_EVENT: _("这是另一场活动的电子票,不能在本活动签到。"),
        Reason.SUPERSEDED: _(
            "此电子票已作废(嘉宾已重新出票,旧二维码失效)。请出示最新的电子票或使用纸质签到。"
        ),
        Reason.UNKNOWN: _("查无此嘉宾或票号。"),
        Reason.CANCELLED: _("%(name)s 的报名已取消,不能签到。"),
        Reason.NOT_REGISTERED: _("%(name)s 尚未报名成功(当前状态:%(status)s),不能签到。"),
        Reason.NOT_OPEN: _("尚未开放签到:%(opens)s 起可以签到。"),
        Reason.CLOSED: _("签到已于 %(closes)s 结束。"),
        Reason.NOT_APPROVED: _("活动尚在策划(当前步骤:%(step)s),方案审批定稿后才能签到。"),
    }
    text = messages.get(Reason(outcome.reason)) if outcome.reason else None
    if text is None:
        return _("无法签到。")
    return text % {"name": name, **p} if "%(" in text else text


# ---------------------------------------------------------------- resolving what was scanned
@dataclass
class Claim:
    """What a scan names before the database decides: a guest (and for a ticket, its version), or the
    reason it names nobody."""

    guest_id: int | None = None
    version: int | None = None
    reason: str = ""


def claim_token(event_id: int, token: str) -> Claim:
    """Verify a ticket token for ``event_id`` without touching the guest rows."""
    text = (token or "").strip()
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != tickets.PREFIX:
        return Claim(reason=Reason.MALFORMED)
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = tickets._unpack(payload)
    except (ValueError, TypeError, struct.error):
        return Claim(reason=Reason.MALFORMED)
    if claims.event_id != event_id:
        # Another event's ticket: real or not, it does not open this door; say which when it is real.
        other = public_key(claims.event_id, fresh=True)
        if other is None or other[0] != claims.key_id:
            return Claim(reason=Reason.FORGED)
        try:
            tickets.verify(text, other[1])
        except tickets.InvalidTicket:
            return Claim(reason=Reason.FORGED)
        return Claim(reason=Reason.OTHER_EVENT)
    for fresh in (False, True):
        key = public_key(event_id, fresh=fresh)
        if key is None or key[0] != claims.key_id:
            continue
        try:
            tickets.verify(text, _verifier(key[1]))
        except tickets.InvalidTicket as problem:
            if str(problem) == "malformed":
                return Claim(reason=Reason.MALFORMED)
            continue
        return Claim(guest_id=claims.guest_id, version=claims.version)
    return Claim(reason=Reason.FORGED)


def claim_code(event_id: int, code: str) -> Claim:
    """A ticket's short code read aloud at the door."""
    normal = tickets.normalise_code(code)
    if not normal or len(normal) > 12:
        return Claim(reason=Reason.UNKNOWN)
    row = Ticket.objects.filter(event_id=event_id, code=normal).values_list("guest_id", "version").first()
    if row is None:
        return Claim(reason=Reason.UNKNOWN)
    return Claim(guest_id=row[0], version=row[1])


def claim_for(event_id: int, *, token: str = "", code: str = "", guest_id: int | None = None) -> Claim:
    if token:
        return claim_token(event_id, token)
    if code:
        return claim_code(event_id, code)
    if guest_id is not None:
        return Claim(guest_id=guest_id)
    return Claim(reason=Reason.UNKNOWN)


# ---------------------------------------------------------------- inputs
_METHODS = frozenset(Method.values)  # ``Method.values`` builds its list on every call


def _method(method: str) -> str:
    if method not in _METHODS:
        allowed = "、".join(f"{m.value}({m.label})" for m in Method)
        raise DomainError(
            {"method": [gettext_lazy("签到方式无效,可选:%(allowed)s。") % {"allowed": allowed}]}
        )
    return method


def kit_codes(settings: CheckinSettings, kit: Any) -> list[str]:
    """The kit handed out, as the settings' codes (unknown codes refused, repeats dropped)."""
    if kit in (None, ""):
        return []
    if not isinstance(kit, list | tuple) or not all(isinstance(k, str) for k in kit):
        raise DomainError({"kit": [gettext_lazy("物料须为物料代码的列表。")]})
    known = [str(item.get("code", "")) for item in settings.kit or []]
    unknown = [k for k in kit if k not in known]
    if unknown:
        raise DomainError(
            {
                "kit": [
                    gettext_lazy("未知的物料:%(unknown)s;本活动的物料为:%(known)s。")
                    % {"unknown": "、".join(unknown[:5]), "known": "、".join(known) or "—"}
                ]
            }
        )
    return list(dict.fromkeys(kit))


def _device_key(key: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(key))
    except (ValueError, TypeError, AttributeError):
        raise DomainError({"device": [gettext_lazy("设备标识无效:须为 UUID。")]}) from None


_UNREAD: Any = object()  # ``device_for``: the device's row not read yet


def device_for(
    event: Event, key: Any, *, actor: User | None, gate_id: int | None = None, read: Any = _UNREAD
) -> Device | None:
    """The scanning device named by ``key`` (registered for this event on first use); a device of
    another event is refused. ``read``: its row as already read (``scan_event``), None when none was."""
    if key in (None, ""):
        return None
    parsed = _device_key(key)
    if read is _UNREAD:
        # Its gate is read when used (``dev.gate``); hand-written SQL as in ``checkin_event``.
        key_value = Device._meta.get_field("key").get_db_prep_value(parsed, connection)
        found = _DEVICE_ROWS.one("WHERE t.key = %s", [key_value])
        read = found[0] if found is not None else None
    device: Device | None = read
    if device is not None and device.event_id != event.pk:
        raise DomainError(
            {
                "device": [
                    gettext_lazy(
                        "此设备登记在另一场活动,不能为本活动签到。请在本活动的签到页重新选择签到口。"
                    )
                ]
            }
        )
    if device is None:
        gate = gate_of(event, gate_id)
        device, _created = Device.objects.get_or_create(
            key=parsed, defaults={"event_id": event.pk, "gate": gate, "registered_by": actor}
        )
        if device.event_id != event.pk:
            raise DomainError({"device": [gettext_lazy("此设备登记在另一场活动,不能为本活动签到。")]})
    return device


def gate_of(event: Event, gate_id: Any) -> Gate | None:
    if gate_id in (None, ""):
        return None
    try:
        pk = int(gate_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        _GATE_ROWS.one("WHERE t.id = %s AND t.event_id = %s AND t.is_active = %s", [pk, event.pk, True])
        if pk > 0
        else None
    )
    gate = found[0] if found is not None else None
    if gate is None:
        raise DomainError({"gate": [gettext_lazy("签到口不存在或已停用,请重新选择本活动的签到口。")]})
    return gate


def window_reason(
    event: Event, settings: CheckinSettings, at: dt.datetime, *, offline: bool = False
) -> tuple[str, dict[str, str]]:
    """Why the doors are shut at ``at``: ``NOT_APPROVED`` while the event is still being planned,
    ``NOT_OPEN`` before the doors' hours, ``CLOSED`` after them — and, for a scan made now, once the event
    has moved on to review. An ``offline`` scan is judged by when it was made: a scanner that syncs after
    the event moved on loses nothing it scanned while the doors were open."""
    opens, closes = doors(event, settings)
    phase = PHASE_OF.get(event.step)
    if phase == Phase.PLANNING:
        return Reason.NOT_APPROVED, {"step": str(Step(event.step).label)}
    if not offline and (phase == Phase.REVIEW or event.step == Step.CLOSED):
        return Reason.CLOSED, {"closes": local_time(min(closes, timezone.now()), event, "%m-%d %H:%M")}
    if at < opens:
        return Reason.NOT_OPEN, {"opens": local_time(opens, event, "%m-%d %H:%M")}
    if at > closes:
        return Reason.CLOSED, {"closes": local_time(closes, event, "%m-%d %H:%M")}
    return "", {}


# ---------------------------------------------------------------- one scan, online
def checkin_event(actor: User | None, event: Event | int) -> Event:
    """``event_for(actor, event, Need.CHECKIN)`` on the scanner's path (``scan_event``)."""
    return scan_event(actor, event)[0]


def scan_event(actor: User | None, event: Event | int, device: Any = None) -> tuple[Event, Any]:
    """``event_for(actor, event, Need.CHECKIN)`` on the scanner's path, in one small read: the event (the
    columns a scan uses; any other is read if touched), whether ``actor`` is on its gate staff, its
    check-in settings (kept on the event for ``settings_for``) and, given a device's key, that device's
    row (returned beside the event for ``device_for``; ``_UNREAD`` without a key or on the slow path).
    Checked on every scan, never cached: an administrator, the owner or a gate staff member is let in
    here (each grants ``Need.CHECKIN``); anyone else — an organiser of the team, a supervisor, a refusal,
    an unknown event — goes through ``event_for`` itself, which decides and answers exactly as it
    always does.

    Hand-written SQL (``core.rows``, fields converted as the ORM would): the ORM's query compiler cost
    more than the rest of a scan together (bench/bench_checkin.py, docs/performance.md)."""
    from huodong.events.access import _valid_id

    from ..models import GateStaff

    if isinstance(event, Event) or actor is None or not actor.is_authenticated or not actor.is_active:
        return event_for(actor, event, Need.CHECKIN), _UNREAD
    try:
        pk = _valid_id(event)
    except DomainError:
        return event_for(actor, event, Need.CHECKIN), _UNREAD
    key = _device_key(device) if device not in (None, "") else None
    joins = f"LEFT JOIN {quoted(CheckinSettings)} c ON c.event_id = e.id "
    extra = (
        f"EXISTS (SELECT 1 FROM {quoted(GateStaff)} s WHERE s.event_id = e.id AND s.person_id = %s), "
        f"{_SETTINGS_ROWS.columns('c')}"
    )
    params: list[Any] = [actor.pk]
    if key is not None:
        joins += f"LEFT JOIN {quoted(Device)} d ON d.key = %s "
        extra += f", {_DEVICE_ROWS.columns('d')}"
        params.append(Device._meta.get_field("key").get_db_prep_value(key, connection))
    found = _EVENT_ROWS.one(f"{joins}WHERE e.id = %s", [*params, pk], alias="e", extra=extra)
    if found is None:
        return event_for(actor, event, Need.CHECKIN), _UNREAD
    ev, (on_gate_staff, *rest) = found
    if not (actor.is_admin or ev.owner_id == actor.pk or bool(on_gate_staff)):
        return event_for(actor, event, Need.CHECKIN), _UNREAD
    n = len(_SETTINGS_ROWS.fields)
    conf_values, device_values = rest[:n], rest[n:]
    if conf_values[0] is not None:
        conf = _SETTINGS_ROWS.build(conf_values)
        Event.checkin_settings.related.set_cached_value(ev, conf)  # type: ignore[attr-defined]
    if key is None:
        return ev, _UNREAD
    return ev, (_DEVICE_ROWS.build(device_values) if device_values[0] is not None else None)


def scan(
    *,
    actor: User,
    event: Event | int,
    token: str = "",
    code: str = "",
    guest_id: int | None = None,
    method: str = Method.QR,
    device: Any = None,
    gate_id: Any = None,
    kit: Any = None,
    client_id: str = "",
    note: str = "",
    checked_event: Event | None = None,
) -> Outcome:
    """Check one guest in now. Refusals are outcomes (shown at the door), not errors; bad input (an
    unknown method, kit or device) raises ``DomainError`` naming the field.

    The hot path of the door (bench/bench_checkin.py): the access check and the settings in two small
    reads (``checkin_event``), the device in one, then one transaction — the guest with its ticket read,
    the conditional update, the scan inserted. A retry of a scan already recorded (same device and ``client_id``) is found by the
    unique constraint on them rather than by a look-up before every scan: the transaction is rolled
    back and the recorded scan answered."""
    if checked_event is not None:
        ev, read = checked_event, _UNREAD
    else:
        ev, read = scan_event(actor, event, device)
    method = _method(method)
    conf = settings_for(ev)
    kit_list = kit_codes(conf, kit)
    if len(client_id or "") > CLIENT_ID_MAX:
        raise DomainError({"client_id": [gettext_lazy("扫描编号过长(最多 64 个字符)。")]})
    dev = device_for(ev, device, actor=actor, gate_id=gate_id, read=read)
    gate = gate_of(ev, gate_id) if gate_id not in (None, "") else None
    now = timezone.now()
    claim = claim_for(ev.pk, token=token, code=code, guest_id=guest_id)
    if claim.reason == "":
        reason, params = window_reason(ev, conf, now)
        if reason:
            claim.reason = reason
        else:
            params = {}
    else:
        params = {}
    base: dict[str, Any] = {
        "event_id": ev.pk,
        "device": dev,
        "staff": actor,
        "method": method,
        "scanned_at": now,
        "recorded_at": now,
        "client_id": client_id or "",
        "note": note[:200],
    }
    # The device's gate unless the scan names one (by id: the gate row is not read for the device's).
    if gate is not None or dev is None:
        base["gate"] = gate
    else:
        base["gate_id"] = dev.gate_id
    try:
        return _redeem(ev, claim, method, kit_list, base, params)
    except IntegrityError:
        if dev is not None and client_id:
            done = Scan.objects.filter(device=dev, client_id=client_id).select_related("guest").first()
            if done is not None:  # the same scan sent again (a retry after a lost answer)
                return _replay(ev, done)
        raise


def _redeem(
    ev: Event, claim: Claim, method: str, kit_list: list[str], base: dict[str, Any], params: dict[str, Any]
) -> Outcome:
    """The transaction of ``scan``: decided by the conditional update of the guest row."""
    with transaction.atomic():
        if claim.reason:
            guest = (
                Guest.objects.filter(pk=claim.guest_id, event_id=ev.pk).first() if claim.guest_id else None
            )
            row = insert(Scan(guest=guest, result=Result.REFUSED, reason=claim.reason, **base))
            return Outcome(result=Result.REFUSED, reason=claim.reason, guest=guest, scan=row, params=params)
        guest_id = int(claim.guest_id or 0)
        # Exactly once: one conditional ``UPDATE`` of the guest row, from an eligible status to checked in
        # (and for a ticket, only while it is the token's version and not revoked), returning what the
        # door is answered with; or nothing changes and ``_refusal`` says why. The status conditions are
        # on the guest row itself, so PostgreSQL re-evaluates them on the row it waited for (a join in
        # the ORM's form, ``id IN (SELECT … JOIN …)``, moved them into a subquery it does not re-check:
        # two scanners both succeeded). Written out: the ORM compiled it slower than the database ran it.
        eligible = ELIGIBLE[method]
        table = quoted(Guest)
        sql = (
            f"UPDATE {table} SET status = %s, revision = revision + 1 "
            f"WHERE id = %s AND event_id = %s AND status IN ({', '.join(['%s'] * len(eligible))})"
        )
        sql_params: list[Any] = [GuestStatus.CHECKED_IN.value, guest_id, ev.pk, *(str(s) for s in eligible)]
        if claim.version is not None:
            sql += (
                f" AND EXISTS (SELECT 1 FROM {quoted(Ticket)} t WHERE t.guest_id = {table}.id"
                " AND t.version = %s AND t.revoked_at IS NULL)"
            )
            sql_params.append(claim.version)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {_GUEST_ROWS.columns()}", sql_params)
            returned = cursor.fetchone()
        if returned is None:
            return _refusal(ev, claim, base)
        guest = _GUEST_ROWS.build(returned)  # as the update left the row
        row = insert(Scan(guest_id=guest_id, result=Result.ACCEPTED, kit=kit_list, **base), skip=True)
        if row is None:
            # A constraint held: the guest's accepted scan (an offline batch checked them in meanwhile: a
            # duplicate), or this scan recorded already (a retry: the refusal's insert raises, and
            # ``scan`` answers the recorded one).
            return _refusal(ev, claim, base)
        return Outcome(result=Result.ACCEPTED, guest=guest, scan=row)


def _refusal(ev: Event, claim: Claim, base: dict[str, Any]) -> Outcome:
    """Why the conditional update changed nothing: answered and logged."""
    guest = Guest.objects.select_related("ticket").filter(pk=int(claim.guest_id or 0), event_id=ev.pk).first()
    params: dict[str, Any] = {}
    previous = None
    if guest is None:
        reason = Reason.UNKNOWN
    elif guest.status == GuestStatus.CHECKED_IN:
        reason = Reason.DUPLICATE
        previous = (
            Scan.objects.select_related("gate", "staff").filter(guest=guest, result=Result.ACCEPTED).first()
        )
        if previous is not None:
            params["time"] = _when(previous.scanned_at, ev)
    elif guest.status in (GuestStatus.CANCELLED, GuestStatus.DECLINED):
        reason = Reason.CANCELLED
    elif claim.version is not None and (
        not hasattr(guest, "ticket")
        or guest.ticket.revoked_at is not None
        or guest.ticket.version != claim.version
    ):
        reason = Reason.SUPERSEDED if guest.status == GuestStatus.REGISTERED else Reason.NOT_REGISTERED
        params["status"] = guest.get_status_display()
    else:
        reason = Reason.NOT_REGISTERED
        params["status"] = guest.get_status_display()
    result = Result.DUPLICATE if reason == Reason.DUPLICATE else Result.REFUSED
    row = insert(Scan(guest=guest, result=result, reason=reason, **base))
    return Outcome(result=result, reason=reason, guest=guest, scan=row, previous=previous, params=params)


def _replay(ev: Event, done: Scan) -> Outcome:
    params: dict[str, Any] = {}
    previous = None
    if done.result == Result.DUPLICATE and done.guest_id:
        previous = (
            Scan.objects.select_related("gate", "staff")
            .filter(guest_id=done.guest_id, result=Result.ACCEPTED)
            .first()
        )
        if previous is not None:
            params["time"] = _when(previous.scanned_at, ev)
    if done.reason in (Reason.NOT_OPEN, Reason.CLOSED, Reason.NOT_APPROVED):
        reason, params = window_reason(ev, settings_for(ev), done.scanned_at, offline=done.offline)
    if done.reason == Reason.NOT_REGISTERED and done.guest is not None:
        params["status"] = done.guest.get_status_display()
    return Outcome(
        result=done.result,
        reason=done.reason,
        guest=done.guest,
        scan=done,
        previous=previous,
        params=params,
        client_id=done.client_id,
    )


# ---------------------------------------------------------------- a batch of offline scans
INVALID = "invalid"  # an entry of a batch that names nothing usable (not stored; the answer says why)
REPEATED = "repeated"  # the same scanner id twice in one batch: recorded once


@dataclass
class SyncReport:
    outcomes: list[Outcome]
    conflicts: list[Conflict]

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)


def _entry_problem(entry: dict[str, Any], now: dt.datetime) -> str:
    client_id = entry.get("client_id")
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= CLIENT_ID_MAX:
        return _("缺少扫描编号 client_id(1–64 个字符)。")
    at = entry.get("scanned_at")
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        return _("缺少扫描时间 scanned_at(带时区的 ISO 8601 时间)。")
    if at > now + CLOCK_SKEW:
        return _("扫描时间晚于服务器时间超过 10 分钟,请校准设备时钟后重试。")
    if entry.get("method", Method.QR) not in _METHODS:
        return _("签到方式无效。")
    named = [k for k in ("token", "code", "guest_id") if entry.get(k) not in (None, "")]
    if len(named) != 1:
        return _("每条记录须且只能给出 token、code、guest_id 之一。")
    return ""


def _entries_checked(
    ev: Event,
    conf: CheckinSettings,
    dev: Device,
    entries: list[dict[str, Any]],
    outcomes: list[Outcome | None],
    now: dt.datetime,
) -> tuple[list[int], dict[str, int]]:
    """Check each entry of a batch on its own: a bad one, or the same scanner id again, is answered in
    ``outcomes`` and left out. Returns the indexes of the good ones and each scanner id's first index;
    each good entry gets its kit codes and its gate (the device's unless it names one, each read once)."""
    valid: list[int] = []
    first_of: dict[str, int] = {}
    gates: dict[Any, Gate | None] = {}
    for i, entry in enumerate(entries):
        problem = _entry_problem(entry, now) if isinstance(entry, dict) else _("每条记录须为对象。")
        if not problem:
            try:
                entry["kit"] = kit_codes(conf, entry.get("kit"))
                gate_id = entry.get("gate_id")
                if gate_id in (None, ""):
                    entry["gate"] = dev.gate
                else:
                    if gate_id not in gates:
                        gates[gate_id] = gate_of(ev, gate_id)
                    entry["gate"] = gates[gate_id]
            except DomainError as bad:
                problem = " ".join(str(m) for msgs in bad.errors.values() for m in msgs)
        cid = entry.get("client_id", "") if isinstance(entry, dict) else ""
        if problem:
            outcomes[i] = Outcome(
                result=INVALID, params={"problem": problem}, client_id=str(cid)[:CLIENT_ID_MAX]
            )
        elif cid in first_of:
            outcomes[i] = Outcome(result=REPEATED, client_id=cid)
        else:
            first_of[cid] = i
            valid.append(i)
    return valid, first_of


def _batch_claims(ev: Event, entries: list[dict[str, Any]], valid: list[int]) -> dict[int, Claim]:
    """What each good entry names, before any lock: tokens verified (pure work), all codes in one query."""
    codes = {tickets.normalise_code(entries[i]["code"]) for i in valid if entries[i].get("code")}
    by_code = (
        {
            c: (g, v)
            for c, g, v in Ticket.objects.filter(event_id=ev.pk, code__in=codes).values_list(
                "code", "guest_id", "version"
            )
        }
        if codes
        else {}
    )
    claims: dict[int, Claim] = {}
    for i in valid:
        e = entries[i]
        if e.get("token"):
            claims[i] = claim_token(ev.pk, str(e["token"]))
        elif e.get("code"):
            hit = by_code.get(tickets.normalise_code(str(e["code"])))
            claims[i] = Claim(guest_id=hit[0], version=hit[1]) if hit else Claim(reason=Reason.UNKNOWN)
        else:
            try:
                claims[i] = Claim(guest_id=int(e["guest_id"]))
            except (TypeError, ValueError):
                claims[i] = Claim(reason=Reason.UNKNOWN)
    return claims


def sync(
    *,
    actor: User,
    event: Event | int,
    device: Any,
    entries: list[dict[str, Any]],
    checked_event: Event | None = None,
) -> SyncReport:
    """Apply a scanner's queued offline scans in the order they happened (earliest accepted scan of a
    guest wins; a guest checked in at two devices is a ``Conflict``). Answers each entry; a malformed
    entry is answered, not stored, and stops nothing else. Idempotent per (device, client_id)."""
    ev = checked_event or event_for(actor, event, Need.CHECKIN)
    if not isinstance(entries, list) or len(entries) > BATCH_MAX:
        raise DomainError({"scans": [gettext_lazy("一批最多 %(max)d 条扫描记录。") % {"max": BATCH_MAX}]})
    if device in (None, ""):
        raise DomainError({"device": [gettext_lazy("离线同步须给出设备标识。")]})
    conf = settings_for(ev)
    dev = device_for(ev, device, actor=actor)
    assert dev is not None
    now = timezone.now()
    outcomes: list[Outcome | None] = [None] * len(entries)
    valid, first_of = _entries_checked(ev, conf, dev, entries, outcomes, now)
    claims = _batch_claims(ev, entries, valid)

    conflicts: list[Conflict] = []
    with transaction.atomic():
        done = (
            {
                s.client_id: s
                for s in Scan.objects.filter(device=dev, client_id__in=list(first_of)).select_related("guest")
            }
            if first_of
            else {}
        )
        ids = sorted(
            {c.guest_id for i, c in claims.items() if c.guest_id and entries[i]["client_id"] not in done}
        )
        guests: dict[int, Guest] = {}
        accepted: dict[int, Scan] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for g in (
                Guest.objects.select_for_update(of=("self",))
                .select_related("ticket")
                .only(
                    *_GUEST_ROWS.attnames,
                    "ticket__id",
                    "ticket__guest",
                    "ticket__version",
                    "ticket__revoked_at",
                )
                .filter(event_id=ev.pk, pk__in=chunk)
                .order_by("pk")
            ):
                guests[g.pk] = g
            for s in Scan.objects.select_related("gate", "staff").filter(
                guest_id__in=chunk, result=Result.ACCEPTED
            ):
                if s.guest_id in guests:  # the guest already read: the answer and a conflict name them
                    s.guest = guests[s.guest_id]
                accepted[int(s.guest_id or 0)] = s
        new_rows: list[Scan] = []
        demote: list[int] = []
        newly_in: set[int] = set()
        pairs: list[tuple[Scan, Scan, int]] = []  # (kept, other, guest id)
        order = sorted(valid, key=lambda i: (entries[i]["scanned_at"], i))
        for i in order:
            e = entries[i]
            cid = e["client_id"]
            if cid in done:
                outcomes[i] = _replay(ev, done[cid])
                continue
            claim = claims[i]
            method = e.get("method", Method.QR)
            base = {
                "event_id": ev.pk,
                "gate": e["gate"],
                "device": dev,
                "staff": actor,
                "method": method,
                "scanned_at": e["scanned_at"],
                "recorded_at": now,
                "offline": True,
                "client_id": cid,
                "note": str(e.get("note") or "")[:200],
            }
            guest = guests.get(claim.guest_id) if claim.guest_id else None
            reason = claim.reason or ("" if guest is not None else Reason.UNKNOWN)
            params: dict[str, Any] = {}
            if not reason:
                reason, params = window_reason(ev, conf, e["scanned_at"], offline=True)
            if not reason and guest is not None:
                reason, params = _ticket_problem(guest, claim, method, has_checkin=guest.pk in accepted)
            if reason and reason != Reason.DUPLICATE:
                row = Scan(guest=guest, result=Result.REFUSED, reason=reason, **base)
                new_rows.append(row)
                outcomes[i] = Outcome(
                    result=Result.REFUSED, reason=reason, guest=guest, scan=row, params=params, client_id=cid
                )
                continue
            assert guest is not None
            current = accepted.get(guest.pk)
            if current is None and reason == Reason.DUPLICATE:
                # Marked as checked in without a scan (by the back office): nothing to compare with.
                row = Scan(guest=guest, result=Result.DUPLICATE, reason=Reason.DUPLICATE, **base)
                new_rows.append(row)
                outcomes[i] = Outcome(
                    result=Result.DUPLICATE, reason=Reason.DUPLICATE, guest=guest, scan=row, client_id=cid
                )
                continue
            # The earliest scan wins — if it could have checked the guest in: an old or revoked ticket
            # of a guest already in is a duplicate, never the winner.
            if current is None or (e["scanned_at"] < current.scanned_at and _ticket_valid(guest, claim)):
                row = Scan(guest=guest, result=Result.ACCEPTED, kit=e["kit"], **base)
                new_rows.append(row)
                if current is None:
                    newly_in.add(guest.pk)
                else:
                    # The earliest scan wins: the later one (checked in online meanwhile) stands down.
                    current.result = Result.SUPERSEDED
                    if current.pk:
                        demote.append(current.pk)
                    if current.device_id != dev.pk:
                        pairs.append((row, current, guest.pk))
                accepted[guest.pk] = row
                outcomes[i] = Outcome(result=Result.ACCEPTED, guest=guest, scan=row, client_id=cid)
                continue
            row = Scan(guest=guest, result=Result.DUPLICATE, reason=Reason.DUPLICATE, **base)
            new_rows.append(row)
            if current.device_id != dev.pk:
                pairs.append((current, row, guest.pk))
            outcomes[i] = Outcome(
                result=Result.DUPLICATE,
                reason=Reason.DUPLICATE,
                guest=guest,
                scan=row,
                previous=current,
                params={"time": _when(current.scanned_at, ev)},
                client_id=cid,
            )
        if demote:
            Scan.objects.filter(pk__in=demote).update(result=Result.SUPERSEDED)
        insert_many(new_rows)
        newly = sorted(newly_in)
        for start in range(0, len(newly), 5000):
            Guest.objects.filter(pk__in=newly[start : start + 5000]).update(
                status=GuestStatus.CHECKED_IN, revision=F("revision") + 1
            )
        if pairs:
            conflicts = Conflict.objects.bulk_create(
                [
                    Conflict(event_id=ev.pk, guest_id=g, kept=kept, other=other, found_at=now)
                    for kept, other, g in pairs
                ]
            )
        Device.objects.filter(pk=dev.pk).update(last_sync_at=now, last_seen_at=now)
        if conflicts:
            _tell_supervisors(ev, conflicts)
    return SyncReport(outcomes=[o for o in outcomes if o is not None], conflicts=conflicts)


def _ticket_valid(guest: Guest, claim: Claim) -> bool:
    """Whether the scan names the guest's current, unrevoked ticket (or names the guest without one)."""
    if claim.version is None:
        return True
    ticket = getattr(guest, "ticket", None) if hasattr(guest, "ticket") else None
    return ticket is not None and ticket.revoked_at is None and ticket.version == claim.version


def _ticket_problem(
    guest: Guest, claim: Claim, method: str, *, has_checkin: bool
) -> tuple[str, dict[str, Any]]:
    """Why ``guest`` cannot be checked in by this scan, judged on the locked row ("" when it can, or
    ``DUPLICATE`` when it already is)."""
    params: dict[str, Any] = {}
    if guest.status == GuestStatus.CHECKED_IN or has_checkin:
        return Reason.DUPLICATE, params  # as online: who, where and when says more than an old ticket
    if not _ticket_valid(guest, claim):
        if guest.status in (GuestStatus.CANCELLED, GuestStatus.DECLINED):
            return Reason.CANCELLED, params
        return Reason.SUPERSEDED, params
    if guest.status in (GuestStatus.CANCELLED, GuestStatus.DECLINED):
        return Reason.CANCELLED, params
    if guest.status not in ELIGIBLE[method]:
        return Reason.NOT_REGISTERED, {"status": guest.get_status_display()}
    return "", params


def _tell_supervisors(ev: Event, conflicts: list[Conflict]) -> None:
    """The supervisors (and the owner) hear of the conflicts an offline batch found."""
    from django.urls import reverse

    from huodong.core.audit import Message
    from huodong.core.services import notify

    from ..models import GateStaff

    people = [
        s.person
        for s in GateStaff.objects.select_related("person").filter(event_id=ev.pk, is_supervisor=True)
    ]
    if ev.owner is not None:
        people.append(ev.owner)
    try:
        url = reverse("checkin:live", args=[ev.pk])
    except Exception:  # noqa: BLE001  the live page is optional in this module's tests
        url = ""
    notify(
        recipients=people,
        kind="checkin.conflict",
        message=Message(
            gettext_lazy("离线同步发现 %(count)d 起重复签到(同一嘉宾在两个签到口),请在签到统计页查看。"),
            count=len(conflicts),
        ),
        url=url,
        event_id=ev.pk,
    )
