"""``huodong token create USERNAME`` prints a new personal API token; ``list`` and ``revoke`` manage them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huodong.core.errors import DomainError
from huodong.core.models import ApiToken, User
from huodong.core.services import token_create, token_revoke


class Command(BaseCommand):
    help = "个人 API 令牌:create 用户名 | list 用户名 | revoke 令牌前缀 / personal API tokens"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument(
            "target", help="create/list: 用户名 username; revoke: 令牌前缀 token prefix (hd_…)"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="有效天数,1–365,默认 90 / days until it expires (default 90)",
        )
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action == "revoke":
            self._revoke(target)
            return
        user = User.objects.filter(username=target).first()
        if user is None:
            raise CommandError(f"用户不存在 / no such user: {target}")
        if action == "list":
            for token in ApiToken.objects.filter(user=user).order_by("created_at"):
                if token.revoked_at:
                    state = f"revoked {token.revoked_at:%Y-%m-%d}"
                elif token.is_expired:
                    state = "expired"
                else:
                    state = f"active, expires {token.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{token.prefix}\t{token.name}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")
            return
        try:
            _token, secret = token_create(user=user, name=options["name"], days=options["days"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)

    def _revoke(self, prefix: str) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix[:10], revoked_at__isnull=True))
        if len(matches) != 1:
            raise CommandError(f"没有唯一匹配的有效令牌 / no single active token with prefix {prefix!r}")
        token_revoke(actor=None, token_id=matches[0].pk, system=True)
        self.stdout.write(f"revoked {matches[0].prefix}")
