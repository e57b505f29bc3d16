"""``huodong demo``: load the demo organisation (idempotent) and print the personas' passwords."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from huodong.demo.loader import DEMO_PASSWORD, demo_load
from huodong.events.models import Event


class Command(BaseCommand):
    help = "载入演示数据(可重复执行)/ load the demo data (idempotent)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="仅当数据库中没有活动时载入")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Event.objects.exists():
            self.stdout.write("数据库中已有活动,跳过演示数据 / events exist, demo skipped")
            return
        result = demo_load()
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪 / demo ready: {result['event'].name} (#{result['event'].pk})")
        )
        self.stdout.write(f"所有演示账号的密码 / password of every demo account: {DEMO_PASSWORD}")
        for person in result["people"]:
            self.stdout.write(
                f"  {person.username:<18} {person.get_role_display()} · {person.department or ''} {person.title}"
            )
