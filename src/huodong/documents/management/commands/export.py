"""``huodong export needs-report|plan|approval-form|vendor-comparison|meeting-minutes --event ID
--format docx|pdf --out PATH [--lang en] [--as USERNAME]``.

Writes one document of an event (DOC-1, DOC-2, DOC-3, issue 8 point 9; a spreadsheet — materials-list,
raci-matrix — as xlsx, its only format, which is also its default). ``--out`` is a file path, or an
existing directory to write the document there under its Chinese file name.

The event is loaded through the one access function (``events.access.event_for``), as every page and API
operation does. ``--as USERNAME`` exports as that person: they must be allowed to read the document (the
approval form needs ``Need.VIEW_APPROVAL``). Without it the command acts as the operator of the server —
someone who can run ``huodong manage`` already reads the whole database — with an administrator's rights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Role, User
from huodong.documents.access import document_event
from huodong.documents.render import DOCUMENTS, FORMATS, document_render

OPERATOR_USERNAME = "operator"


def operator() -> User:
    """The person running the command on the server: an administrator who is no account of the database."""
    return User(username=OPERATOR_USERNAME, display_name="运维操作员", role=Role.ADMIN, is_active=True)


class Command(BaseCommand):
    help = "导出活动文档(Word 或 PDF) / export an event's document (Word or PDF)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document", choices=list(DOCUMENTS), help=" | ".join(DOCUMENTS))
        parser.add_argument("--event", type=int, required=True, help="活动编号 / event id")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            default=None,
            dest="fmt",
            help="docx | pdf | xlsx(默认:该文档的第一种格式,一般为 docx / default: the document's first format)",
        )
        parser.add_argument(
            "--out", required=True, help="输出文件或已存在的目录 / output file or existing directory"
        )
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES], default="zh-hans")
        parser.add_argument(
            "--as",
            dest="as_user",
            default=None,
            help="以此用户的权限导出 / export with this person's rights (default: the operator)",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        user = self._user(options["as_user"])
        try:
            event = document_event(user, options["event"], options["document"])
        except NotFound as exc:
            raise CommandError(
                f"活动 {options['event']} 不存在 / event {options['event']} does not exist"
            ) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        fmt = options["fmt"] or DOCUMENTS[options["document"]].formats[0]
        try:
            rendered = document_render(event=event, doc=options["document"], fmt=fmt, lang=options["lang"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out = Path(options["out"])
        if out.is_dir():
            out = out / rendered.filename
        if not out.parent.exists():
            raise CommandError(f"目录不存在 / directory does not exist: {out.parent}")
        try:
            out.write_bytes(rendered.content)
        except OSError as exc:
            raise CommandError(f"无法写入 / cannot write {out}: {exc}") from exc
        self.stdout.write(f"{out} ({len(rendered.content)} bytes)")
        return ""

    def _user(self, username: str | None) -> User:
        if username is None:
            return operator()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用 / no active user: {username}")
        return user
