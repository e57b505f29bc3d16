"""Signing in and API tokens (issue 6, finding 6): throttling and lockout of failed sign-ins per account and
per address, kept in the database; sign-in, sign-out, failed sign-ins and password changes in the audit
log; tokens that expire, are revoked on a password change, and a page to list, create and revoke them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from huodong.core.models import ApiToken, AuditEntry, LoginAttempt
from huodong.core.services import (
    TOKEN_DEFAULT_DAYS,
    TokenInvalid,
    login_authenticate,
    person_save,
    token_authenticate,
    token_create,
)

from .factories import PASSWORD, login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "另一个-很长的-密码-2026"
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


# ---------------------------------------------------------------- throttle and lockout


def test_thirty_wrong_passwords_are_not_all_answered_as_normal_attempts(client, organiser):
    answers = [_sign_in(client, "organiser", f"wrong-{i}").status_code for i in range(30)]
    assert answers[:5] == [200] * 5  # a wrong password, said as such
    assert answers[5:] == [429] * 25  # then the account waits
    # The password was checked five times, not thirty.
    assert LoginAttempt.objects.filter(outcome=LoginAttempt.Outcome.FAILED).count() == 5
    assert LoginAttempt.objects.filter(outcome=LoginAttempt.Outcome.LOCKED).count() == 25


def test_a_locked_account_is_told_when_to_retry_and_the_right_password_waits_too(client, organiser):
    with time_machine.travel(T0, tick=False):
        for i in range(5):
            _sign_in(client, "organiser", f"wrong-{i}")
        resp = _sign_in(client, "organiser", PASSWORD)
    assert resp.status_code == 429
    assert resp["Retry-After"] == str(15 * 60)
    html = resp.content.decode()
    assert "该账号登录失败次数过多,已暂时锁定" in html
    assert "17:15" in html  # 09:00 UTC + 15 minutes, in Shanghai time
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_when_the_window_has_passed(client, organiser):
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(5):
            _sign_in(client, "organiser", f"wrong-{i}")
        assert _sign_in(client, "organiser", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=14, seconds=59))
        assert _sign_in(client, "organiser", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(seconds=2))
        resp = _sign_in(client, "organiser", PASSWORD)
        assert resp.status_code == 302
        assert client.session["_auth_user_id"] == str(organiser.pk)


def test_the_account_count_ignores_case_and_restarts_after_a_success(client, organiser):
    for i in range(4):
        _sign_in(client, "ORGANISER" if i % 2 else "organiser", f"wrong-{i}")
    assert _sign_in(client, "organiser", PASSWORD).status_code == 302
    client.logout()
    for i in range(4):
        assert _sign_in(client, "organiser", f"wrong-again-{i}").status_code == 200
    assert _sign_in(client, "Organiser", "wrong-5").status_code == 200  # the fifth since the success
    assert _sign_in(client, "organiser", PASSWORD).status_code == 429


def test_twenty_failures_from_one_address_stop_that_address_for_every_account(client, organiser):
    for i in range(20):  # four guesses at each of five names: no account reaches its limit
        assert _sign_in(client, f"name{i % 5}", "guess", address="203.0.113.9").status_code == 200
    resp = _sign_in(client, "organiser", PASSWORD, address="203.0.113.9")
    assert resp.status_code == 429
    assert "来自您所在网络地址的登录失败次数过多" in resp.content.decode()
    # Another address is not affected.
    assert _sign_in(Client(), "organiser", PASSWORD, address="198.51.100.1").status_code == 302


def test_behind_a_proxy_the_address_comes_from_the_configured_header(client, organiser, settings):
    settings.HUODONG_CLIENT_IP_HEADER = "X-Forwarded-For"
    client.post(
        "/login/",
        {"username": "organiser", "password": "nope"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20",
    )
    assert LoginAttempt.objects.get().address == "198.51.100.20"


def test_the_limits_are_settings(client, organiser, settings):
    settings.HUODONG_LOGIN_FAILURES_PER_ACCOUNT = 2
    assert [_sign_in(client, "organiser", "x").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads against an in-memory SQLite database do not run concurrently; "
    "the throttle's serial behaviour is proven above, and threaded on PostgreSQL",
)
def test_thirty_concurrent_wrong_passwords_check_the_password_at_most_five_times(organiser):
    from django.db import connections

    barrier = threading.Barrier(30, timeout=20)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        from huodong.core.services import LoginLocked

        try:
            barrier.wait()
            user = login_authenticate(
                request=None, username="organiser", password=f"w{i}", address="10.9.9.9"
            )
            outcomes.append("ok" if user else "wrong")
        except LoginLocked:
            outcomes.append("locked")
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(set(outcomes)) == ["locked", "wrong"], outcomes
    assert outcomes.count("wrong") == 5
    assert LoginAttempt.objects.filter(outcome=LoginAttempt.Outcome.FAILED).count() == 5


# ---------------------------------------------------------------- the audit log


def test_sign_in_sign_out_and_failed_sign_ins_are_in_the_audit_log(client, organiser):
    _sign_in(client, "organiser", "wrong", address="192.0.2.5")
    _sign_in(client, "nobody-such", "wrong", address="192.0.2.5")
    _sign_in(client, "organiser", PASSWORD, address="192.0.2.5")
    client.post("/logout/", REMOTE_ADDR="192.0.2.5")
    failed = list(AuditEntry.objects.filter(action="auth.login_failed").order_by("id"))
    assert [(e.after["username"], e.after["address"], e.actor) for e in failed] == [
        ("organiser", "192.0.2.5", None),
        ("nobody-such", "192.0.2.5", None),
    ]
    assert failed[0].target_id == str(organiser.pk)
    signed_in = AuditEntry.objects.get(action="auth.login")
    assert (signed_in.actor, signed_in.after) == (organiser, {"address": "192.0.2.5"})
    assert AuditEntry.objects.get(action="auth.logout").actor == organiser


def test_a_lockout_is_one_audit_row_not_one_per_refused_attempt(client, organiser):
    for i in range(30):
        _sign_in(client, "organiser", f"wrong-{i}")
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 5
    lockout = AuditEntry.objects.get(action="auth.lockout")
    assert lockout.after["scope"] == "account" and lockout.after["username"] == "organiser"


def test_a_username_with_control_characters_is_recorded_without_them(client):
    client.post("/login/", {"username": "evil\x1b[31m", "password": "x"})
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.after["username"] == "evil[31m"


# ---------------------------------------------------------------- password changes revoke tokens


def test_changing_ones_password_is_audited_and_revokes_ones_tokens(client, organiser):
    _token, secret = token_create(user=organiser, name="看板")
    login(client, organiser)
    resp = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert resp.status_code == 302
    assert client.get("/events/").status_code == 200  # still signed in here
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert entry.actor == organiser and "password" not in (entry.after or {})
    assert ApiToken.objects.get(user=organiser).revoked_at is not None
    assert AuditEntry.objects.get(action="token.revoke_all").after["reason"] == "password_change"
    with pytest.raises(TokenInvalid):
        token_authenticate(secret)


def test_an_admin_setting_a_password_revokes_the_persons_tokens(as_admin, admin_user, organiser):
    _token, secret = token_create(user=organiser)
    resp = as_admin.post(
        f"/admin/people/{organiser.pk}/",
        {
            "username": "organiser",
            "display_name": organiser.display_name,
            "department": organiser.department_id,
            "title": organiser.title,
            "role": organiser.role,
            "email": organiser.email,
            "password": NEW_PASSWORD,
            "is_active": "on",
            "revision": organiser.revision,
        },
    )
    assert resp.status_code == 302
    assert Client().get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert entry.actor == admin_user and entry.target_id == str(organiser.pk)


def test_saving_a_person_with_the_same_password_keeps_their_tokens(organiser):
    # The demo loader saves every persona with the demo password on each start.
    token, _secret = token_create(user=organiser)
    person_save(
        actor=None,
        system=True,
        person=organiser,
        username="organiser",
        display_name=organiser.display_name,
        role=organiser.role,
        password=PASSWORD,
    )
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()


# ---------------------------------------------------------------- tokens expire


def test_a_token_expires_after_ninety_days_unless_asked_otherwise(organiser):
    with time_machine.travel(T0, tick=False) as clock:
        token, secret = token_create(user=organiser)
        assert token.expires_at == T0 + dt.timedelta(days=TOKEN_DEFAULT_DAYS)
        clock.shift(dt.timedelta(days=TOKEN_DEFAULT_DAYS) - dt.timedelta(seconds=1))
        assert token_authenticate(secret) == organiser
        clock.shift(dt.timedelta(seconds=1))
        with pytest.raises(TokenInvalid, match="已过期"):
            token_authenticate(secret)


@pytest.mark.parametrize("days", [0, -1, 366, 10**9])
def test_a_token_lifetime_outside_one_to_365_days_is_refused(organiser, days):
    from huodong.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        token_create(user=organiser, days=days)
    assert "days" in exc.value.errors
    assert not ApiToken.objects.exists()


def test_a_token_without_an_expiry_is_refused(organiser):
    token, secret = token_create(user=organiser)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    with pytest.raises(TokenInvalid):
        token_authenticate(secret)


def test_the_command_line_creates_a_token_for_the_days_asked(organiser):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(T0, tick=False):
        call_command("token", "create", "organiser", "--days", "7", stdout=StringIO())
    assert ApiToken.objects.get(user=organiser).expires_at == T0 + dt.timedelta(days=7)


# ---------------------------------------------------------------- the "API 令牌" page


def test_the_token_page_lists_only_ones_own_tokens(as_organiser, organiser, admin_user):
    mine, _ = token_create(user=organiser, name="我的看板")
    theirs, _ = token_create(user=admin_user, name="管理员脚本")
    old, _ = token_create(user=organiser, name="旧的")
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now())
    resp = as_organiser.get("/tokens/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "我的看板" in html and mine.prefix in html and "旧的" in html and "已吊销" in html
    assert "管理员脚本" not in html and theirs.prefix not in html
    assert "no-store" in resp["Cache-Control"]


def test_creating_a_token_on_the_page_shows_its_secret_once(as_organiser, organiser):
    resp = as_organiser.post("/tokens/", {"name": "数据看板", "days": "30"})
    assert resp.status_code == 201
    secret = resp.context["secret"]
    assert secret.startswith("hd_") and secret in resp.content.decode()
    token = ApiToken.objects.get(user=organiser)
    assert (token.name, (token.expires_at - token.created_at).days) == ("数据看板", 30)
    assert Client().get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    again = as_organiser.get("/tokens/").content.decode()
    assert secret not in again and token.prefix in again


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "x", "days": "0"}, "days"),
        ({"name": "x", "days": "366"}, "days"),
        ({"name": "x", "days": "abc"}, "days"),
        ({"name": "x"}, "days"),
        ({"name": "x" * 101, "days": "30"}, "name"),
        ({"name": "坏\x00名字", "days": "30"}, "name"),
        ({"name": "两\n行", "days": "30"}, "name"),
    ],
)
def test_bad_input_on_the_token_page_is_refused_on_its_field(as_organiser, data, field):
    resp = as_organiser.post("/tokens/", data)
    assert resp.status_code == 400
    assert field in resp.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_own_token_on_the_page(as_organiser, organiser):
    token, secret = token_create(user=organiser)
    resp = as_organiser.post(f"/tokens/{token.pk}/revoke/")
    assert resp.status_code == 302 and resp.url == "/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="token.revoke").actor == organiser
    assert Client().get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_nobody_revokes_someone_elses_token_on_the_page(as_organiser, admin_user):
    token, _ = token_create(user=admin_user)
    assert as_organiser.post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert as_organiser.post("/tokens/999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_page_needs_a_sign_in_and_revoking_needs_a_post(as_organiser, organiser):
    assert Client().get("/tokens/").status_code == 302
    token, _ = token_create(user=organiser)
    assert as_organiser.get(f"/tokens/{token.pk}/revoke/").status_code == 405
