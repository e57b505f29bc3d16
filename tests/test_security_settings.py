"""Production settings (issue 6, finding 7): ``serve`` refuses the built-in SECRET_KEY outside a declared
development mode; HSTS, the HTTPS redirect, secure cookies and a Content-Security-Policy are switched on by
environment variables and ``check --deploy`` is clean with the documented ones; signed-in pages are never
cached; every ``huodong serve`` has its own gunicorn control socket; the app limits request bodies."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from huodong import cli

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3J9-x_Qe7vLr2TfWb8NcYh5GmZs4DaUo1PiEkRj6HtVyBnMqXwC0lSgAfOdIuKz"

# docs/deployment.md, "The production variables": keep the two in step.
PRODUCTION_ENV = {
    "HUODONG_SECRET_KEY": STRONG_KEY,
    "HUODONG_ALLOWED_HOSTS": "huodong.example.com",
    "HUODONG_CSRF_TRUSTED_ORIGINS": "https://huodong.example.com",
    "HUODONG_SSL_REDIRECT": "1",
    "HUODONG_BEHIND_HTTPS_PROXY": "1",
    "HUODONG_HSTS_SECONDS": "31536000",
    "HUODONG_HSTS_PRELOAD": "1",
    "HUODONG_SECURE_COOKIES": "1",
    "HUODONG_CSP": "1",
    "HUODONG_CLIENT_IP_HEADER": "X-Real-IP",
}


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright's loop); a server never has it.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUODONG_") and k not in dropped}
    env.update({"HUODONG_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "huodong.settings"}, **extra)
    return env


# ---------------------------------------------------------------- serve and the secret key


@pytest.fixture
def gunicorn_calls(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: calls.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["huodong"])
    for name in ("HUODONG_SECRET_KEY", "HUODONG_DEV", "HUODONG_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)
    return calls


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "django-insecure-huodong-development-key-never-use-in-production",
        "short-key",
        "a" * 60,
    ],
)
def test_serve_refuses_to_start_with_the_built_in_or_a_weak_secret_key(
    monkeypatch, gunicorn_calls, capsys, key
):
    if key is not None:
        monkeypatch.setenv("HUODONG_SECRET_KEY", key)
    assert cli.main(["serve"]) == 2
    assert gunicorn_calls == []
    err = capsys.readouterr().err
    assert "拒绝启动" in err and "HUODONG_SECRET_KEY" in err and "HUODONG_DEV=1" in err


def test_the_built_in_key_is_the_one_serve_refuses():
    from django.conf import settings

    assert cli.secret_key_problem(settings.DEVELOPMENT_SECRET_KEY)


def test_serve_starts_with_a_strong_key(monkeypatch, gunicorn_calls):
    monkeypatch.setenv("HUODONG_SECRET_KEY", STRONG_KEY)
    assert cli.main(["serve", "--port", "8124"]) == 0
    assert len(gunicorn_calls) == 1


def test_serve_starts_with_the_built_in_key_in_a_declared_development_mode(
    monkeypatch, gunicorn_calls, capsys
):
    monkeypatch.setenv("HUODONG_DEV", "1")
    assert cli.main(["serve"]) == 0
    assert len(gunicorn_calls) == 1
    assert "开发模式" in capsys.readouterr().err


# ---------------------------------------------------------------- one control socket per instance


def test_every_serve_gets_its_own_control_socket(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("HUODONG_CONTROL_SOCKET", raising=False)
    first = cli.serve_argv(host="127.0.0.1", port="8001", workers="1")
    second = cli.serve_argv(host="127.0.0.1", port="8002", workers="1")
    path1, path2 = (argv[argv.index("--control-socket") + 1] for argv in (first, second))
    assert path1 != path2
    assert Path(path1).parent == tmp_path / "huodong"
    assert str(os.getpid()) in path1  # also two instances started on one port by mistake
    monkeypatch.setenv("HUODONG_CONTROL_SOCKET", "off")
    assert "--no-control-socket" in cli.serve_argv(host="127.0.0.1", port="8001", workers="1")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, what: str, deadline_s: float = 60.0) -> None:
    end = time.monotonic() + deadline_s
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="control sockets are Unix sockets")
def test_stopping_one_serve_leaves_the_control_socket_of_another(tmp_path):
    # A short directory: a Unix socket's path is limited to 107 bytes, which pytest's tmp_path can exceed.
    import tempfile

    runtime = Path(tempfile.mkdtemp(prefix="hd-run-", dir="/tmp"))
    env = _clean_env(tmp_path, HUODONG_DEV="1", XDG_RUNTIME_DIR=str(runtime), HUODONG_WORKERS="1")
    huodong = [sys.executable, "-c", "import sys; from huodong.cli import main; sys.exit(main())"]
    procs = [
        subprocess.Popen(
            [*huodong, "serve", "--port", str(_free_port())],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        sockets = [runtime / "huodong" / f"gunicorn-{p.args[-1]}-{p.pid}.ctl" for p in procs]
        _wait_for(lambda: all(s.exists() for s in sockets), "both control sockets")
        procs[0].send_signal(signal.SIGTERM)
        procs[0].wait(timeout=60)
        assert not sockets[0].exists()
        assert sockets[1].exists()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=60)
        import shutil

        shutil.rmtree(runtime, ignore_errors=True)


# ---------------------------------------------------------------- check --deploy and the variables


def _django(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=_clean_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    result = _django(tmp_path, PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_them(tmp_path):
    result = _django(tmp_path, {}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_production_variables_switch_on_hsts_https_secure_cookies_and_csp(tmp_path):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, list(s.SECURE_PROXY_SSL_HEADER), bool(s.HUODONG_CSP), "
        "s.DEBUG]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_clean_env(tmp_path, **PRODUCTION_ENV),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        31536000,
        True,
        True,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        False,
    ]


def test_with_the_https_redirect_on_plain_http_is_redirected_but_the_health_check_is_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    resp = client.get("/login/")
    assert resp.status_code == 301 and resp.url.startswith("https://")
    assert client.get("/healthz").status_code == 200
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


# ---------------------------------------------------------------- headers of the pages


def test_a_content_security_policy_is_sent_when_switched_on(client, settings):
    assert "Content-Security-Policy" not in client.get("/login/")
    settings.HUODONG_CSP = settings.DEFAULT_CSP
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy  # no inline scripts, no CDN
    settings.HUODONG_CSP_REPORT_ONLY = True
    assert "Content-Security-Policy-Report-Only" in client.get("/login/")


def test_signed_in_pages_are_never_stored_by_a_cache(as_organiser, event):
    for url in ("/events/", f"/events/{event.pk}/", "/tokens/"):
        resp = as_organiser.get(url)
        assert resp.status_code == 200, url
        assert "no-store" in resp["Cache-Control"] and "private" in resp["Cache-Control"], url


def test_api_answers_to_a_signed_in_person_are_never_stored_either(organiser, client):
    from huodong.core.services import token_create

    _token, secret = token_create(user=organiser)
    resp = client.get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert resp.status_code == 200
    assert "no-store" in resp["Cache-Control"]


def test_a_page_for_nobody_in_particular_keeps_its_caching(client):
    assert "no-store" not in client.get("/static/huodong/huodong.css").get("Cache-Control", "")


# ---------------------------------------------------------------- request-body limit


def test_a_body_over_the_request_limit_is_413_with_a_message_on_a_page(as_organiser, settings):
    settings.HUODONG_MAX_REQUEST_BYTES = 1024 * 1024
    resp = as_organiser.post(
        "/tokens/", data=b"x" * (1024 * 1024 + 1), content_type="application/x-www-form-urlencoded"
    )
    assert resp.status_code == 413
    assert "请求内容过大:最多 1.0 MB" in resp.content.decode()


def test_a_body_over_the_request_limit_is_413_json_on_the_api(organiser, client, settings):
    from huodong.core.services import token_create

    settings.HUODONG_MAX_REQUEST_BYTES = 1024 * 1024
    _token, secret = token_create(user=organiser)
    resp = client.post(
        "/api/events",
        data=b"{" + b" " * (1024 * 1024) + b"}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert resp.status_code == 413
    body = resp.json()
    assert body["code"] == "too_large" and "最多 1.0 MB" in body["message"] and body["errors"]["__all__"]


def test_a_json_body_over_the_form_limit_is_413(organiser, client, settings):
    from huodong.core.services import token_create

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    _token, secret = token_create(user=organiser)
    resp = client.post(
        "/api/events",
        data=json.dumps({"name": "x" * 70000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert resp.status_code == 413


def test_too_many_form_fields_is_a_400_with_a_message_not_a_500(as_organiser, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {f"f{i}": "x" for i in range(20)} | {"file": SimpleUploadedFile("a.txt", b"a")}
    resp = as_organiser.post("/tokens/", data)
    assert resp.status_code == 400
    assert "表单字段或文件数量过多" in resp.content.decode()


def test_a_bad_content_length_is_a_400(as_organiser):
    resp = as_organiser.generic("POST", "/tokens/", b"", CONTENT_LENGTH="lots")
    assert resp.status_code == 400


def test_no_template_runs_inline_script_so_the_content_security_policy_can_forbid_it():
    """The default policy has ``script-src 'self'``: an inline handler or script block would stop working."""
    import re

    root = Path(__file__).resolve().parents[1] / "src" / "huodong"
    inline_handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline_handler.search(line) or inline_script.search(line)
    ]
    assert not offenders, (
        "inline scripts (use data-confirm / data-print and static/huodong/huodong.js): "
        + ", ".join(offenders)
    )
