"""Health check and the ``huodong`` command line: demo (idempotent), token, manage, serve, worker."""

from __future__ import annotations

import sys
from unittest import mock

import pytest
from django.db import OperationalError

from huodong import cli
from huodong.core.models import ApiToken, Department, User
from huodong.demo.loader import DEMO_PASSWORD, PERSONAS
from huodong.events.models import Event, EventType, StepTransition
from huodong.outreach import models as om
from huodong.preparation import models as pm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_process_cli(monkeypatch):
    """Run the CLI inside the test: django.setup() would rebind logging to this test's captured (then
    closed) stderr, and a management command closes every connection when it ends, which on PostgreSQL
    would close the test's own transaction."""
    from django.db import connections

    monkeypatch.setattr("django.utils.log.configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setattr(connections, "close_all", lambda: None)


DEMO_USERNAMES = [
    "admin", "organiser", "marketing_mgr", "reviewer_sales", "reviewer_product", "reviewer_legal",
    "reviewer_finance", "approver_exec", "approver_gm", "staff", "checkin_staff",
]  # fmt: skip


def test_healthz_is_200_when_the_database_answers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch(
        "huodong.core.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.json()["database"] == "unreachable"


def test_healthz_needs_no_login_and_is_not_cached(client):
    resp = client.get("/healthz")
    assert "no-cache" in resp.headers.get("Cache-Control", "") or "max-age=0" in resp.headers.get(
        "Cache-Control", ""
    )


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "events": Event.objects.count(),
        "moves": StepTransition.objects.count(),
        "departments": Department.objects.count(),
        "types": EventType.objects.count(),
        **{  # the second launch's preparation, written once
            name: model.objects.count()
            for name, model in (
                ("team", pm.TeamMember),
                ("tasks", pm.Task),
                ("raci", pm.TaskAssignment),
                ("quotes", pm.Quote),
                ("vendors", pm.Vendor),
                ("requests", pm.ResourceRequest),
                ("materials", pm.MaterialItem),
                ("trainings", pm.Training),
            )
        },
        **{  # and its outreach (issue 9): guests, tickets, consents, quotas, letters, messages
            name: model.objects.count()
            for name, model in (
                ("guests", om.Guest),
                ("tickets", om.Ticket),
                ("consents", om.Consent),
                ("quotas", om.DepartmentQuota),
                ("letters", om.CollaborationLetter),
                ("messages", om.Message),
            )
        },
    }


def test_huodong_demo_is_idempotent_and_prints_every_persona_with_the_password(capsys):
    assert cli.main(["demo"]) == 0
    first = _counts()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username in DEMO_USERNAMES:
        assert username in out
    assert cli.main(["demo"]) == 0
    assert _counts() == first
    assert first["users"] == len(PERSONAS) == len(DEMO_USERNAMES)
    assert first["events"] == 2  # the launch in planning, the launch in preparation
    assert first["guests"] == 26 and first["tickets"] == 8 and first["letters"] >= 2


def test_demo_accounts_can_log_in_with_the_printed_password(client):
    cli.main(["demo"])
    for username in DEMO_USERNAMES:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_demo_if_empty_skips_when_events_exist(capsys, event):
    cli.main(["demo", "--if-empty"])
    assert "跳过" in capsys.readouterr().out
    assert not User.objects.filter(username="marketing_mgr").exists()


def test_huodong_token_create_prints_a_token(capsys, organiser):
    assert cli.main(["token", "create", "organiser", "--days", "30"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("hd_")
    token = ApiToken.objects.get(user=organiser)
    assert token.expires_at is not None


def test_huodong_manage_passes_through_to_django(capsys):
    assert cli.main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_huodong_serve_runs_gunicorn_with_host_and_port(monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: calls.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["huodong"])
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("HUODONG_DEV", "1")  # the built-in key is allowed on a declared development machine
    monkeypatch.delenv("HUODONG_SECRET_KEY", raising=False)
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    argv = calls[0]
    assert argv[:2] == ["gunicorn", "huodong.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert "--control-socket" in argv


def test_an_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit) as exc:
        cli.main(["fly"])
    assert exc.value.code == 2


def test_a_token_can_be_listed_and_revoked_from_the_command_line(db, organiser, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("token", "create", organiser.username, stdout=out)
    secret = out.getvalue().strip()
    assert client.get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    listing = StringIO()
    call_command("token", "list", organiser.username, stdout=listing)
    assert secret[:10] in listing.getvalue() and "active" in listing.getvalue()
    call_command("token", "revoke", secret[:10], stdout=StringIO())
    assert client.get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
