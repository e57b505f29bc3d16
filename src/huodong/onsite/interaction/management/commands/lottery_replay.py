"""Replay a lottery draw from its record (EX-4): ``huodong manage lottery_replay --draw ID``.

Checks that SHA-256 of the published seed is the commitment recorded before the draw, that SHA-256 of the
recorded eligible list (ascending ids joined by commas) is the list hash recorded before the draw, and
recomputes the winners (``services.lottery.pick``). Prints "match" and exits 0, or "mismatch" with what
differs and exits 1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huodong.core.errors import DomainError

from ...services.lottery import draw_replay


class Command(BaseCommand):
    help = "复核一次抽奖:由记录中的种子和候选名单重算中奖者 / Replay a lottery draw from its record"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--draw", type=int, required=True, help="抽奖编号 / the draw's id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            replay = draw_replay(options["draw"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        draw = replay.draw
        self.stdout.write(f"draw {draw.pk} «{draw.title}» event {draw.event_id}")
        self.stdout.write(f"eligible {len(draw.eligible)}  winners_count {draw.winners_count}")
        self.stdout.write(
            f"seed commitment {'ok' if replay.commitment_ok else 'MISMATCH'}  {draw.seed_commitment}"
        )
        self.stdout.write(
            f"eligible list hash {'ok' if replay.list_ok else 'MISMATCH'}  {draw.eligible_hash}"
        )
        self.stdout.write(f"recorded winners   {list(draw.winners)}")
        self.stdout.write(f"recomputed winners {replay.winners}")
        if replay.match:
            self.stdout.write("match")
            return
        self.stdout.write("mismatch")
        raise SystemExit(1)
