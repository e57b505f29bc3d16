"""``huodong manage outreach_retention``: anonymise the guests of events that ended more than
HUODONG_GUEST_RETENTION_DAYS ago (PIPL). ``huodong worker`` does the same hourly; this is for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from huodong.outreach.services.privacy import retention_sweep


class Command(BaseCommand):
    help = "匿名化超过保存期限的嘉宾个人信息 / anonymise guest data past the retention period"

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            done = retention_sweep()
            total += done
            if done == 0:
                break
        self.stdout.write(f"{total}")
