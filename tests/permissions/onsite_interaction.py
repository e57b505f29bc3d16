"""Permission rows of interaction (issue 11 point 3, EX-4).

The tab 互动 and the survey's results are for the team on the day (``Need.ONSITE``: the editors, the team
member and, in this world, ``checkin_staff`` as gate staff of the event); moderating questions, the lottery
and opening/closing Q&A and the survey are for the stage (``Need.STAGE``: the editors — the world has no
stage manager). The guests' pages and the big screen are public (no sign-in): the event's interaction key
or the guest's access key is the authority. The world's event is at 审批定稿, outside the show day: a
guest's question or answer, and every write of an allowed persona, is refused for the step (400) — past
access.
"""

from __future__ import annotations

from typing import Any

from huodong.onsite.interaction.models import Draw, Exclusion, Question
from huodong.onsite.interaction.rules import settings_of
from huodong.outreach.models import Guest, GuestStatus
from tests.permission_rows import EDIT, PUBLIC, Row

ONSITE = EDIT | {"team_member", "checkin_staff"}
STAGE = EDIT


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    conf = settings_of(event)
    guest = Guest.objects.create(
        event=event, name="互动嘉宾", phone="+8613800006666", status=GuestStatus.CHECKED_IN
    )
    question = Question.objects.create(event=event, respondent="a:matrix-phone", text="矩阵里的问题")
    draw = Draw.objects.create(
        event=event,
        title="矩阵奖",
        winners_count=1,
        seed="00" * 32,
        seed_commitment="0" * 64,
        eligible=[guest.pk],
        eligible_hash="0" * 64,
    )
    exclusion = Exclusion.objects.create(event=event, guest=guest, reason="矩阵")
    # Under the path parameters' own names: the matrix tries every area's URL_KEYS on every URL.
    return {
        "key": conf.key,
        "question_id": question.pk,
        "draw_id": draw.pk,
        "exclusion_id": exclusion.pk,
        "action": "approve",
    }


_SURVEY = {"rating": "5", "rating_content": "4", "rating_organisation": "4", "nps": "9"}

PAGES: dict[str, Row] = {
    "onsite_interaction:manage": Row(ONSITE),
    "onsite_interaction:settings_save": Row(STAGE, data={"qa_open": "on", "revision": "1"}),
    "onsite_interaction:questions": Row(STAGE),
    "onsite_interaction:question_moderate": Row(STAGE, data={"revision": "1"}),
    "onsite_interaction:lottery": Row(STAGE),
    "onsite_interaction:lottery_prepare": Row(STAGE, data={"title": "一等奖", "winners_count": "1"}),
    "onsite_interaction:lottery_draw": Row(STAGE, data={"revision": "1"}),
    "onsite_interaction:exclusion_add": Row(STAGE, data={"code": "ABCDEF", "reason": "家属"}),
    "onsite_interaction:exclusion_remove": Row(STAGE, data={}),
    # the guests' pages and the screen: no sign-in
    "onsite_interaction:guest_from_ticket": Row(PUBLIC),
    "onsite_interaction:guest_home": Row(PUBLIC),
    "onsite_interaction:guest_ask": Row(PUBLIC, data={"text": "这是一个问题"}),
    "onsite_interaction:guest_survey": Row(PUBLIC, data=_SURVEY),
    "onsite_interaction:screen": Row(PUBLIC),
    "onsite_interaction:screen_data": Row(PUBLIC),
    "onsite_interaction:lottery_result": Row(PUBLIC),
}

_I = "/api/events/{event_id}/interaction"
API: dict[str, Row] = {
    f"GET {_I}": Row(ONSITE),
    f"PUT {_I}": Row(STAGE, data={"qa_open": True, "revision": 1}),
    f"GET {_I}/questions": Row(STAGE),
    f"POST {_I}/questions/{{question_id}}/moderate": Row(STAGE, data={"action": "approve", "revision": 1}),
    f"GET {_I}/survey": Row(ONSITE),
    f"GET {_I}/draws": Row(STAGE),
    f"POST {_I}/draws": Row(STAGE, data={"title": "一等奖", "winners_count": 1}),
    f"POST {_I}/draws/{{draw_id}}/draw": Row(STAGE, data={"revision": 1}),
    f"GET {_I}/exclusions": Row(STAGE),
    f"POST {_I}/exclusions": Row(STAGE, data={"code": "ABCDEF", "reason": "家属"}),
    f"DELETE {_I}/exclusions/{{exclusion_id}}": Row(STAGE),
}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = [
    ["key"],
    ["key", "draw_id"],
    ["event_id", "question_id", "action"],
    ["event_id", "draw_id"],
    ["event_id", "exclusion_id"],
]
