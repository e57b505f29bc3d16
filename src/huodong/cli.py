"""The ``huodong`` command line: serve, worker, demo, token, export and a pass-through to Django."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huodong.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huodong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["huodong manage", *argv])
    return 0


def _env_on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# The built-in key of settings.py starts with this; Django's deploy check calls such keys insecure too.
INSECURE_KEY_PREFIX = "django-insecure-"

SECRET_KEY_REFUSED = """huodong serve: 拒绝启动 — 未设置 HUODONG_SECRET_KEY,或它是内置的开发密钥、或过弱(少于 50 个字符)。
  生产环境:设置一个随机密钥,并妥善保存(更换它会让所有人重新登录):
    export HUODONG_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
  开发环境:设置 HUODONG_DEV=1(make run 已设置)以使用内置密钥。
huodong serve: refusing to start — HUODONG_SECRET_KEY is not set, is the built-in development key, or is
  weak (under 50 characters). In production set a random key as above (see docs/deployment.md);
  for development set HUODONG_DEV=1 (make run does)."""


def secret_key_problem(key: str) -> bool:
    """Whether ``key`` is missing, the built-in development key, or weak by Django's deploy-check measure."""
    return not key or key.startswith(INSECURE_KEY_PREFIX) or len(key) < 50 or len(set(key)) < 5


def control_socket_path(port: str) -> str:
    """A gunicorn control socket of this instance alone (gunicorn ≥ 25 uses one shared path by default, so
    that starting or stopping one instance removed another's socket).

    ``HUODONG_CONTROL_SOCKET`` chooses the path; otherwise ``$XDG_RUNTIME_DIR/huodong/`` (or a private
    directory under the temporary directory) with the port and the process id in the name.
    """
    chosen = os.environ.get("HUODONG_CONTROL_SOCKET", "").strip()
    if chosen:
        return chosen
    runtime = os.environ.get("XDG_RUNTIME_DIR") or ""
    base = (
        os.path.join(runtime, "huodong")
        if runtime
        else os.path.join(tempfile.gettempdir(), f"huodong-{os.getuid()}")
    )
    os.makedirs(base, mode=0o700, exist_ok=True)
    return os.path.join(base, f"gunicorn-{port}-{os.getpid()}.ctl")


def default_workers() -> int:
    """Processes of ``huodong serve`` unless told: one per core and one more. Each is a sync worker
    (``HUODONG_THREADS`` 1): behind the reverse proxy of docs/deployment.md, which buffers slow clients,
    that is gunicorn's own advice, and on a 2-core machine it redeemed check-ins fastest with the lowest
    tail (bench/bench_checkin.py, docs/performance.md: 3 × 1 against 2 × 4 threads, p99 at 8 scanners
    23 ms against 44 ms on SQLite): threads of one process queue behind each other for the GIL, and a
    kept-alive connection ties its client to one process however busy that process is."""
    return (os.cpu_count() or 1) + 1


DEFAULT_THREADS = 1


def serve_argv(*, host: str, port: str, workers: str) -> list[str]:
    """The gunicorn command line of ``huodong serve``."""
    argv = [
        "gunicorn",
        "huodong.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--threads",
        os.environ.get("HUODONG_THREADS", str(DEFAULT_THREADS)),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]
    if os.environ.get("HUODONG_CONTROL_SOCKET", "").strip().lower() in {"off", "none", "0"}:
        return [*argv, "--no-control-socket"]
    return [*argv, "--control-socket", control_socket_path(port)]


def _serve(args: argparse.Namespace) -> int:
    """Run the production server (gunicorn), serving static files through whitenoise.

    Refuses to start with the built-in (or a weak) ``SECRET_KEY`` unless ``HUODONG_DEV`` declares a
    development machine.
    """
    if secret_key_problem(os.environ.get("HUODONG_SECRET_KEY", "")):
        if not _env_on("HUODONG_DEV"):
            print(SECRET_KEY_REFUSED, file=sys.stderr)
            return 2
        print(
            "huodong serve: 开发模式 (HUODONG_DEV=1),使用内置密钥 / development mode, built-in key",
            file=sys.stderr,
        )
    host = args.host or os.environ.get("HOST", "127.0.0.1")
    port = str(args.port or os.environ.get("PORT", "8000"))
    workers = str(args.workers or os.environ.get("HUODONG_WORKERS", str(default_workers())))
    from gunicorn.app.wsgiapp import run

    sys.argv = serve_argv(host=host, port=port, workers=workers)
    if "--control-socket" in sys.argv:
        print(f"huodong serve: 控制套接字 / control socket: {sys.argv[-1]}", file=sys.stderr)
    run()
    return 0


def _worker(args: argparse.Namespace) -> int:
    return _worker_main(list(args.rest))


def _worker_main(argv: list[str]) -> int:
    """The outbox and the task queue in one loop (``huodong.outreach.worker``)."""
    _django_setup()
    from huodong.outreach.worker import main as worker_main

    return worker_main(argv)


def _demo(args: argparse.Namespace) -> int:
    return _manage(["demo", *(["--if-empty"] if args.if_empty else [])])


def _token(args: argparse.Namespace) -> int:
    cmd = ["token", args.action, args.username]
    if args.days:
        cmd += ["--days", str(args.days)]
    if args.name:
        cmd += ["--name", args.name]
    return _manage(cmd)


def _export(args: argparse.Namespace) -> int:
    return _manage(
        [
            "export",
            args.document,
            "--event",
            str(args.event),
            *(["--format", args.format] if args.format else []),
            "--out",
            args.out,
            *(["--lang", args.lang] if args.lang else []),
            *(["--as", args.as_user] if args.as_user else []),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return _manage(argv[1:])
    if argv and argv[0] == "worker":
        # The worker parses its own options (--once, --interval, --worker-id, --batch, --queue-name).
        return _worker_main(argv[1:])
    parser = argparse.ArgumentParser(prog="huodong", description="huodong 活动 — 企业市场活动全流程管理")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="启动生产服务器 (gunicorn) / run the production server")
    p.add_argument("--host")
    p.add_argument("--port")
    p.add_argument("--workers", type=int)
    p.set_defaults(func=_serve)

    p = sub.add_parser("worker", help="运行后台任务 worker / run the background task worker")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_worker)

    p = sub.add_parser("demo", help="载入演示数据(可重复执行) / load the demo data (idempotent)")
    p.add_argument("--if-empty", action="store_true", help="仅当数据库中没有活动时载入")
    p.set_defaults(func=_demo)

    p = sub.add_parser("token", help="API 令牌 / API tokens")
    p.add_argument("action", choices=["create", "list", "revoke"])
    p.add_argument("username", help="create/list: 用户名 username; revoke: 令牌前缀 token prefix (hd_…)")
    p.add_argument(
        "--days", type=int, help="有效天数,1–365,默认 90 / days until it expires (1–365, default 90)"
    )
    p.add_argument("--name", default="")
    p.set_defaults(func=_token)

    p = sub.add_parser("export", help="导出文档 / export a document")
    p.add_argument(
        "document",
        help="needs-report | plan | approval-form | vendor-comparison | meeting-minutes | materials-list | raci-matrix",
    )
    p.add_argument("--event", type=int, required=True)
    p.add_argument(
        "--format",
        choices=["docx", "pdf", "xlsx"],
        help="默认为该文档的第一种格式 / default: the document's first format",
    )
    p.add_argument("--out", required=True)
    p.add_argument("--lang", choices=["zh-hans", "en"])
    p.add_argument(
        "--as",
        dest="as_user",
        help="以该用户的权限导出(审批表仅限有权查看者) / export with this person's rights",
    )
    p.set_defaults(func=_export)

    sub.add_parser("manage", help="Django 管理命令 / Django's management commands")

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
