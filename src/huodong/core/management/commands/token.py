"""``huodong token create USERNAME``: print a new personal API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.core.services import token_create


class Command(BaseCommand):
    help = "创建个人 API 令牌 / create a personal API token"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在 / no such user: {options['username']}")
        try:
            _token, secret = token_create(user=user, name=options["name"], days=options["days"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
