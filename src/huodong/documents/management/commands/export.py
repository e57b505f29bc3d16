"""``huodong export needs-report|plan|approval-form --event ID --format docx|pdf --out PATH [--lang en]``.

Writes one document of an event (DOC-1, DOC-2, DOC-3). ``--out`` is a file path, or an existing
directory to write the document there under its Chinese file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huodong.core.errors import DomainError
from huodong.documents import selectors
from huodong.documents.render import DOCUMENTS, FORMATS, document_render


class Command(BaseCommand):
    help = "导出活动文档(Word 或 PDF) / export an event's document (Word or PDF)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document", choices=list(DOCUMENTS), help=" | ".join(DOCUMENTS))
        parser.add_argument("--event", type=int, required=True, help="活动编号 / event id")
        parser.add_argument("--format", choices=list(FORMATS), default="docx", dest="fmt")
        parser.add_argument(
            "--out", required=True, help="输出文件或已存在的目录 / output file or existing directory"
        )
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES], default="zh-hans")

    def handle(self, *args: Any, **options: Any) -> str:
        event = selectors.document_event_get(options["event"])
        if event is None:
            raise CommandError(f"活动 {options['event']} 不存在 / event {options['event']} does not exist")
        try:
            rendered = document_render(
                event=event, doc=options["document"], fmt=options["fmt"], lang=options["lang"]
            )
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
