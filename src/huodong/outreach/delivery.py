"""Delivering the outbox (DESIGN.md, "The outbox"; NT-1, NT-2): claim due rows, re-check them, send,
retry with backoff, dead-letter loudly, recover what a dead worker left behind, respect rate limits.

**The life of a message.** ``pending`` (or ``retry``) and due → ``claim`` sets ``claimed`` with the
worker's id and a lease, in one short transaction (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``, so
several workers never take one row; SQLite: the IMMEDIATE transaction serialises the claimers). Then, per
message: re-checked at send time (a cancelled guest's reminder → ``cancelled``; no standing consent for the
purpose → ``suppressed``, the reason in ``last_error``); ``sending`` committed immediately before the last
byte goes out (SMTP: after DATA's body, before the terminating ``.``; HTTP: before the request); ``sent``
with ``sent_at``, ``provider_id`` and a ``DeliveryAttempt``. A failure counts an attempt and waits
(``retry``, exponential backoff from ``HUODONG_OUTBOX_RETRY_SECONDS``, doubling, ±20 % jitter, capped);
after ``HUODONG_OUTBOX_MAX_ATTEMPTS`` (or a failure that can never work) the message is ``dead`` with the
provider's words, shown to the organiser, who can retry it (``message_retry``: back to pending, attempts
kept). Throttling (HTTP 429, a robot's too-many-requests code, a robot's per-minute limit reached) waits
without counting an attempt (up to ``THROTTLE_BUDGET`` throttles, then dead).

**Never twice, never silently lost.** A worker can die at any instant. What it leaves:

- ``claimed`` rows: nothing of them went out (``sending`` was not committed). After the lease (or at once
  when a worker restarts with the same id) they go back to pending and are sent normally.
- at most ONE ``sending`` row per worker (messages are sent one at a time): the last byte may or may not
  have left. After the lease, on a channel whose provider de-duplicates by the idempotency key
  (``Channel.dedupes``: the HTTP SMS and WeChat adapters) it is sent again, which is safe; otherwise it
  becomes ``in_doubt`` and is never sent again by itself: the organiser sees it on the event's 消息 tab and
  either marks it delivered or sends it again (``message_resolve``).
- a connection that breaks after the last byte (no answer) is the same case, decided the same way.

So each message is delivered exactly once, except a message in doubt, which was delivered at most once and
is shown as such until a person decides. The SIGKILL test (``tests/test_worker_sigkill.py``) asserts
exactly this: every message received once, but an ``in_doubt`` one received zero or one time, and at most
one in doubt per killed worker.

Rate limits: per channel an in-process token bucket (``HUODONG_OUTBOX_RATES``, messages a second, 0 =
none); per robot the provider's per-minute limit (企业微信 20, 钉钉 20, 飞书 100) counted in the database
(tries in the last 60 s to that robot, under the robot row's lock), so several workers share it.

Lock order for the organiser's actions: the event (``outreach_event_lock``), then the message by id.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huodong.core.audit import audit_record
from huodong.core.errors import Conflict, DomainError, NotFound
from huodong.core.models import User
from huodong.events.models import Event

from .channels import Channel, DeliveryError, channels_for_worker
from .channels.robots import PER_MINUTE
from .models import Consent, DeliveryAttempt, GuestStatus, Message, MessageKind, Robot
from .rules import outreach_event_lock

logger = logging.getLogger("huodong.outreach.delivery")

S = Message.Status
WAITING = (S.PENDING, S.RETRY)
BATCH = 50
RETRY_CAP = dt.timedelta(hours=6)
JITTER = 0.2
THROTTLE_BUDGET = 20  # throttles before a message is given up (they do not count as attempts)
ROBOT_WINDOW = dt.timedelta(seconds=60)

# Reasons written to ``last_error`` (translated when shown: ``{% trans m.last_error %}``).
GUEST_CANCELLED = gettext_noop("嘉宾已取消报名,消息不再发送。")
CONSENT_MISSING: dict[str, str] = {
    Message.Purpose.MARKETING: gettext_noop("嘉宾未同意(或已撤回)「营销跟进」,按个人信息保护要求不发送。"),
    Message.Purpose.COHOST: gettext_noop(
        "嘉宾未同意(或已撤回)「与联合主办方共享」,按个人信息保护要求不发送。"
    ),
    Message.Purpose.OPERATION: gettext_noop("嘉宾已撤回「活动运营」同意,按个人信息保护要求不发送。"),
}
IN_DOUBT_REASON = gettext_noop(
    "发送过程中断(发送进程退出或连接中断),无法确定对方是否已收到;请确认后标记为已送达或重新发送。"
)
MARKED_DELIVERED = gettext_noop("已由人工确认送达。")


# ---------------------------------------------------------------- rules as data
def dedupes(channel: str, channels: dict[str, Channel] | None = None) -> bool:
    """Whether the provider of ``channel`` drops a repeated idempotency key (safe to send again)."""
    chosen = (channels or {}).get(channel)
    if chosen is not None:
        return chosen.dedupes
    if channel == "sms":
        return str(settings.HUODONG_SMS_BACKEND).lower() == "http"
    if channel == "wechat":
        return str(settings.HUODONG_WECHAT_BACKEND).lower() == "http"
    return False


def backoff(attempts: int, *, base: float | None = None, rng: random.Random | None = None) -> dt.timedelta:
    """The wait before try ``attempts + 1``: base × 2^(attempts-1), ±20 % jitter, at most ``RETRY_CAP``."""
    base = float(settings.HUODONG_OUTBOX_RETRY_SECONDS if base is None else base)
    seconds = min(base * (2 ** max(0, attempts - 1)), RETRY_CAP.total_seconds())
    seconds *= (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return dt.timedelta(seconds=min(seconds, RETRY_CAP.total_seconds()))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.HUODONG_OUTBOX_LEASE_SECONDS))


def refusal(message: Message) -> tuple[str, str] | None:
    """Why ``message`` must not go out now (status, reason), re-checked at send time; None: send it."""
    guest = message.guest
    if guest is None:
        return None
    if guest.status == GuestStatus.CANCELLED and message.kind != MessageKind.CANCELLATION:
        return S.CANCELLED, GUEST_CANCELLED
    consent = next((c for c in Consent.objects.filter(guest=guest, purpose=message.purpose)), None)
    if message.purpose in (Message.Purpose.MARKETING, Message.Purpose.COHOST):
        if consent is None or not consent.standing:
            return S.SUPPRESSED, CONSENT_MISSING[message.purpose]
    elif (
        message.purpose == Message.Purpose.OPERATION
        and consent is not None
        and consent.withdrawn_at is not None
    ):
        return S.SUPPRESSED, CONSENT_MISSING[Message.Purpose.OPERATION]
    return None


# ---------------------------------------------------------------- rate limits
class TokenBucket:
    """``rate`` messages a second on average, bursts of up to ``rate`` (at least 1); 0 = no limit."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = max(0.0, float(rate))
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.lock = threading.Lock()

    def wait_time(self) -> float:
        """Take a token; return how long to wait before using it (0: at once)."""
        if self.rate <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def take(self, sleep: Callable[[float], Any] = time.sleep) -> None:
        wait = self.wait_time()
        if wait > 0:
            sleep(wait)


def buckets_from_settings() -> dict[str, TokenBucket]:
    return {name: TokenBucket(rate) for name, rate in dict(settings.HUODONG_OUTBOX_RATES).items()}


class _Postpone(Exception):  # noqa: N818  (control flow: the robot's minute is full)
    def __init__(self, wait: dt.timedelta) -> None:
        self.wait = wait


class _LeaseLost(Exception):  # noqa: N818  (control flow: the row is no longer this worker's)
    pass


def robot_wait(robot_id: int, kind: str, now: dt.datetime) -> dt.timedelta | None:
    """How long until the robot may take one more message (None: now). Counts every try in the last
    minute (sent, failed or throttled: each reached the provider) and the messages being sent."""
    limit = PER_MINUTE.get(kind, 20)
    since = now - ROBOT_WINDOW
    tries = list(
        DeliveryAttempt.objects.filter(message__robot_id=robot_id, at__gte=since)
        .order_by("at")
        .values_list("at", flat=True)[: limit + 1]
    )
    in_flight = Message.objects.filter(robot_id=robot_id, status=S.SENDING).count()
    if len(tries) + in_flight < limit:
        return None
    oldest = tries[0] if tries else now
    return max(dt.timedelta(seconds=1), oldest + ROBOT_WINDOW - now)


# ---------------------------------------------------------------- claim and recovery
def claim(worker_id: str, limit: int = BATCH, *, now: dt.datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due messages for ``worker_id`` (one short transaction); their ids, due first."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Message.objects.filter(status__in=WAITING, not_before__lte=now).order_by("not_before", "id")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(pk__in=ids, status__in=WAITING).update(
                status=S.CLAIMED, claimed_by=worker_id, lease_until=now + lease()
            )
    return ids


def claim_ids(worker_id: str, ids: Iterable[int], *, now: dt.datetime | None = None) -> list[int]:
    """Claim these messages now if they are waiting (the "send a test message" action)."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = Message.objects.filter(pk__in=list(ids), status__in=WAITING)
        if connection.vendor == "postgresql":
            waiting = waiting.select_for_update(skip_locked=True)
        got = list(waiting.values_list("id", flat=True))
        Message.objects.filter(pk__in=got, status__in=WAITING).update(
            status=S.CLAIMED, claimed_by=worker_id, lease_until=now + lease(), not_before=now
        )
    return got


_BACK_TO_WAITING = Case(When(attempts=0, then=Value(S.PENDING)), default=Value(S.RETRY))


def release(worker_id: str, ids: Iterable[int]) -> int:
    """Give claimed rows back untouched (a worker stopping gracefully): nothing of them went out."""
    return Message.objects.filter(pk__in=list(ids), status=S.CLAIMED, claimed_by=worker_id).update(
        status=_BACK_TO_WAITING, claimed_by="", lease_until=None
    )


def recover(
    *,
    now: dt.datetime | None = None,
    worker_id: str | None = None,
    channels: dict[str, Channel] | None = None,
) -> dict[str, int]:
    """What dead workers left: ``claimed`` rows whose lease ran out (or of ``worker_id``, a restarted worker
    that knows its former self is gone) back to waiting; ``sending`` rows likewise sent again where the
    provider de-duplicates, else ``in_doubt``. Returns counts."""
    now = now or timezone.now()
    expired = Q(lease_until__lt=now)
    if worker_id:
        expired |= Q(claimed_by=worker_id)
    counts = {"released": 0, "resend": 0, "in_doubt": 0}
    with transaction.atomic():
        counts["released"] = Message.objects.filter(expired, status=S.CLAIMED).update(
            status=_BACK_TO_WAITING, claimed_by="", lease_until=None
        )
        stuck = list(
            Message.objects.filter(expired, status=S.SENDING).values_list("id", "channel", "claimed_by")
        )
        for pk, channel, owner in stuck:
            if dedupes(channel, channels):
                counts["resend"] += Message.objects.filter(pk=pk, status=S.SENDING).update(
                    status=S.RETRY, not_before=now, claimed_by="", lease_until=None
                )
            else:
                n = Message.objects.filter(pk=pk, status=S.SENDING).update(
                    status=S.IN_DOUBT, last_error=IN_DOUBT_REASON, claimed_by="", lease_until=None
                )
                counts["in_doubt"] += n
                if n:
                    logger.warning("message %s left sending by worker %s: in doubt", pk, owner)
    return counts


# ---------------------------------------------------------------- one message
def _attempt(message_id: int, outcome: str, *, error: str = "", worker: str = "", started: float) -> None:
    DeliveryAttempt.objects.create(
        message_id=message_id,
        outcome=outcome,
        error=error[:2000],
        worker=worker[:100],
        duration_ms=max(0, int((time.monotonic() - started) * 1000)),
    )


def _throttles(message_id: int) -> int:
    return DeliveryAttempt.objects.filter(
        message_id=message_id, outcome=DeliveryAttempt.Outcome.THROTTLED
    ).count()


class Deliverer:
    """One worker's sending side: its channels (kept across batches), its token buckets, its id."""

    def __init__(
        self,
        worker_id: str,
        *,
        channels: dict[str, Channel] | None = None,
        buckets: dict[str, TokenBucket] | None = None,
        batch: int = BATCH,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.worker_id = worker_id
        self.channels = channels if channels is not None else channels_for_worker()
        self.buckets = buckets if buckets is not None else buckets_from_settings()
        self.batch = batch
        self.sleep = sleep
        self.stopping = False

    # ------------------------------------------------------------ a batch
    def run_once(self) -> Counter[str]:
        """Recover, claim one batch of due messages and deliver them; the outcomes counted."""
        recover(channels=self.channels)
        ids = claim(self.worker_id, self.batch)
        return self.deliver(ids)

    def deliver(self, ids: list[int]) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        try:
            for n, pk in enumerate(ids):
                if self.stopping:
                    release(self.worker_id, ids[n:])
                    break
                outcomes[self.deliver_one(pk)] += 1
        finally:
            for channel in self.channels.values():
                channel.close()
        return outcomes

    # ------------------------------------------------------------ one message
    def deliver_one(self, pk: int) -> str:
        """Send one claimed message; returns what happened (sent, retry, dead, in_doubt, …)."""
        message = (
            Message.objects.select_related("guest", "guest__event", "event", "robot").filter(pk=pk).first()
        )
        if message is None or message.status != S.CLAIMED or message.claimed_by != self.worker_id:
            return "skipped"
        refused = refusal(message)
        if refused is not None:
            status, reason = refused
            Message.objects.filter(pk=pk, status=S.CLAIMED, claimed_by=self.worker_id).update(
                status=status, last_error=reason, claimed_by="", lease_until=None
            )
            return str(status)
        channel = self.channels.get(message.channel)
        started = time.monotonic()
        if channel is None:
            return self._failed(message, DeliveryError(f"no channel {message.channel!r}", retryable=False),
                                committed=False, channel=None, started=started)  # fmt: skip
        bucket = self.buckets.get(message.channel)
        if bucket is not None:
            bucket.take(self.sleep)
        committed = False

        def commit() -> None:
            nonlocal committed
            now = timezone.now()
            with transaction.atomic():
                if message.robot_id:
                    robot = Robot.objects.select_for_update().filter(pk=message.robot_id).first()
                    wait = robot_wait(message.robot_id, robot.kind, now) if robot is not None else None
                    if wait is not None:
                        raise _Postpone(wait)
                moved = Message.objects.filter(pk=pk, status=S.CLAIMED, claimed_by=self.worker_id).update(
                    status=S.SENDING, lease_until=now + lease()
                )
                if moved != 1:
                    raise _LeaseLost()
            committed = True

        try:
            provider_id = channel.send(message, commit=commit)
        except _Postpone as exc:
            Message.objects.filter(pk=pk, status=S.CLAIMED, claimed_by=self.worker_id).update(
                status=_BACK_TO_WAITING, not_before=timezone.now() + exc.wait, claimed_by="", lease_until=None
            )
            return "postponed"
        except _LeaseLost:
            return "lost"
        except DeliveryError as exc:
            return self._failed(message, exc, committed=committed, channel=channel, started=started)
        except Exception as exc:  # a bug building the message must not stop the worker or lose the row
            logger.exception("message %s: unexpected error", pk)
            error = DeliveryError(f"{type(exc).__name__}: {exc}", unknown=committed)
            return self._failed(message, error, committed=committed, channel=channel, started=started)
        now = timezone.now()
        with transaction.atomic():
            Message.objects.filter(pk=pk, status__in=(S.SENDING, S.IN_DOUBT)).update(
                status=S.SENT,
                sent_at=now,
                provider_id=(provider_id or "")[:200],
                attempts=F("attempts") + 1,
                last_error="",
                claimed_by="",
                lease_until=None,
            )
            _attempt(pk, DeliveryAttempt.Outcome.SENT, worker=self.worker_id, started=started)
        return "sent"

    def _failed(
        self,
        message: Message,
        exc: DeliveryError,
        *,
        committed: bool,
        channel: Channel | None,
        started: float,
    ) -> str:
        pk, now = message.pk, timezone.now()
        mine = Message.objects.filter(pk=pk, claimed_by=self.worker_id, status__in=(S.CLAIMED, S.SENDING))
        done = {"claimed_by": "", "lease_until": None, "last_error": exc.text}
        with transaction.atomic():
            if exc.unknown and committed and not (channel is not None and channel.dedupes):
                mine.update(status=S.IN_DOUBT, attempts=F("attempts") + 1, **done)
                _attempt(
                    pk, DeliveryAttempt.Outcome.FAILED, error=exc.text, worker=self.worker_id, started=started
                )
                return "in_doubt"
            if exc.throttled:
                throttles = _throttles(pk) + 1
                _attempt(
                    pk,
                    DeliveryAttempt.Outcome.THROTTLED,
                    error=exc.text,
                    worker=self.worker_id,
                    started=started,
                )
                if throttles > THROTTLE_BUDGET:
                    mine.update(status=S.DEAD, **done)
                    return "dead"
                wait = max(backoff(min(throttles, 6)), dt.timedelta(seconds=exc.retry_after or 0))
                mine.update(status=S.RETRY, not_before=now + wait, **done)
                return "throttled"
            attempts = message.attempts + 1
            _attempt(
                pk, DeliveryAttempt.Outcome.FAILED, error=exc.text, worker=self.worker_id, started=started
            )
            if not exc.retryable or attempts >= int(settings.HUODONG_OUTBOX_MAX_ATTEMPTS):
                mine.update(status=S.DEAD, attempts=attempts, **done)
                logger.warning("message %s dead after %s attempts: %s", pk, attempts, exc.text)
                return "dead"
            mine.update(status=S.RETRY, attempts=attempts, not_before=now + backoff(attempts), **done)
            return "retry"


def deliver_now(ids: Iterable[int], *, worker_id: str = "web") -> dict[int, str]:
    """Deliver these waiting messages at once, in this process (the robot register's test message):
    the same claim, checks and records as the worker."""
    worker = f"{worker_id}-{threading.get_ident()}-{time.monotonic_ns()}"[:100]
    deliverer = Deliverer(worker, buckets={}, batch=len(list(ids)) or 1)
    got = claim_ids(worker, ids)
    results: dict[int, str] = {}
    try:
        for pk in got:
            results[pk] = deliverer.deliver_one(pk)
    finally:
        for channel in deliverer.channels.values():
            channel.close()
    return results


# ---------------------------------------------------------------- the organiser's actions
RETRYABLE = (S.DEAD,)


def _message_locked(*, actor: User | None, event: Event | int, message_id: int, what: Any) -> Message:
    locked = outreach_event_lock(actor=actor, event=event, what=what)
    message = Message.objects.select_for_update().filter(pk=message_id, event=locked).first()
    if message is None:
        raise NotFound(_("消息 %(id)s 不存在。") % {"id": message_id})
    return message


def message_retry(*, actor: User | None, event: Event | int, message_id: int) -> Message:
    """Put a dead letter back in the queue (pending, due now, its attempts kept). A conditional
    transition: a message no longer dead (someone retried it first) is refused with 409."""
    with transaction.atomic():
        message = _message_locked(actor=actor, event=event, message_id=message_id, what=_("重新发送消息"))
        if message.status not in RETRYABLE:
            raise Conflict(
                {
                    "__all__": [
                        _("只有发送失败的消息可以重新发送;此消息当前为「%(s)s」。")
                        % {"s": message.get_status_display()}
                    ]
                }
            )
        before = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
        Message.objects.filter(pk=message.pk, status__in=RETRYABLE).update(
            status=S.PENDING, not_before=timezone.now(), claimed_by="", lease_until=None
        )
        message.refresh_from_db()
        audit_record(
            actor=actor,
            action="outreach.message_retry",
            target=message,
            event_id=message.event_id,
            summary=f"{message.channel} {message.recipient}",
            before=before,
            after={"status": message.status},
        )
    return message


class Resolution:
    DELIVERED = "delivered"
    RESEND = "resend"
    CHOICES = (DELIVERED, RESEND)


def message_resolve(*, actor: User | None, event: Event | int, message_id: int, outcome: str) -> Message:
    """Decide a message in doubt: ``delivered`` (the person checked: it arrived) → sent; ``resend`` →
    pending again, due now. Refused (409) when the message is no longer in doubt."""
    if outcome not in Resolution.CHOICES:
        raise DomainError({"outcome": [_("请选择「已送达」(delivered)或「重新发送」(resend)。")]})
    with transaction.atomic():
        message = _message_locked(actor=actor, event=event, message_id=message_id, what=_("确认待定消息"))
        if message.status != S.IN_DOUBT:
            raise Conflict(
                {
                    "__all__": [
                        _("此消息已不是「待确认」状态(当前为「%(s)s」)。")
                        % {"s": message.get_status_display()}
                    ]
                }
            )
        now = timezone.now()
        if outcome == Resolution.DELIVERED:
            Message.objects.filter(pk=message.pk, status=S.IN_DOUBT).update(
                status=S.SENT, sent_at=now, provider_id="manual", last_error=MARKED_DELIVERED
            )
            DeliveryAttempt.objects.create(
                message=message,
                outcome=DeliveryAttempt.Outcome.SENT,
                error=MARKED_DELIVERED,
                worker=f"person:{getattr(actor, 'username', '')}"[:100],
            )
        else:
            Message.objects.filter(pk=message.pk, status=S.IN_DOUBT).update(
                status=S.PENDING, not_before=now, claimed_by="", lease_until=None
            )
        message.refresh_from_db()
        audit_record(
            actor=actor,
            action=f"outreach.message_{outcome}",
            target=message,
            event_id=message.event_id,
            summary=f"{message.channel} {message.recipient}",
            before={"status": S.IN_DOUBT},
            after={"status": message.status},
        )
    return message
