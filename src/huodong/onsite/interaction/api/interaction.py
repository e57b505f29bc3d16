"""API of interaction (EX-4): the same services and selectors as the pages.

- ``GET /events/{event_id}/interaction`` (``Need.ONSITE``): the settings (public key, Q&A and survey open,
  revision as ``ETag``), the counts (``selectors.interaction_counts``) and the public addresses.
- ``PUT /events/{event_id}/interaction`` (``Need.STAGE``, ``revision``/``If-Match``): open or close Q&A and
  the survey.
- ``GET /events/{event_id}/interaction/questions`` (``Need.STAGE``): every question, ``status`` to filter.
- ``POST /events/{event_id}/interaction/questions/{question_id}/moderate`` (``Need.STAGE``): ``action`` one
  of approve, reject, answer, pin, unpin, with the revision seen (428 without, 409 when stale).
- ``GET /events/{event_id}/interaction/survey`` (``Need.ONSITE``): ``selectors.survey_summary``.
- ``GET /events/{event_id}/interaction/draws`` (``Need.STAGE``), ``POST …/draws`` (prepare: ``title``,
  ``winners_count``; 400 when nobody is eligible), ``POST …/draws/{draw_id}/draw`` (the revision seen; 409
  when already drawn).
- ``GET/POST /events/{event_id}/interaction/exclusions``, ``DELETE …/exclusions/{exclusion_id}``
  (``Need.STAGE``): manual exclusions from the lottery (by ``guest_id`` or ticket ``code``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Revision, StaleErrorOut
from huodong.events.access import Need, event_for

from .. import selectors
from ..models import REASON_MAX, TITLE_MAX, WINNERS_MAX, Draw, Exclusion, Question, QuestionStatus
from ..rules import settings_of
from ..services import lottery, qa
from ..services import settings as settings_services

router = Router(tags=["onsite: interaction"])

if TYPE_CHECKING:
    Title = str
    Reason = str
    Code = str
else:
    from huodong.core.schemas import Line

    Title = Line(TITLE_MAX)
    Reason = Line(REASON_MAX)
    Code = Line(20)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}
_I = "/events/{event_id}/interaction"


class InteractionCountsOut(Schema):
    questions: int
    questions_approved: int
    survey_answers: int
    lottery_draws: int
    winners: int


class SettingsOut(Schema):
    revision: int
    key: str = Field(..., description="公开地址标识:嘉宾页面 /x/{key}/,大屏 /x/{key}/screen/")
    qa_open: bool
    survey_open: bool
    guest_url: str
    screen_url: str
    counts: InteractionCountsOut


class SettingsIn(Schema):
    qa_open: bool | None = None
    survey_open: bool | None = None
    revision: Revision | None = None


class QuestionOut(Schema):
    id: int
    revision: int
    text: str
    name: str
    status: str
    status_label: str
    pinned: bool
    from_ticket: bool = Field(..., description="提问者是否通过电子票进入(否则为匿名扫码)")
    asked_at: dt.datetime
    moderated_at: dt.datetime | None


class ModerateIn(Schema):
    action: Literal["approve", "reject", "answer", "pin", "unpin"]
    revision: Revision | None = None


class SurveyOut(Schema):
    count: int
    rating_avg: float | None
    nps: int | None = Field(..., description="推荐者(9–10)百分比减贬损者(0–6)百分比")
    distribution: dict[str, int] = Field(..., description="总体满意度 1–5 各多少份")
    aspects: dict[str, float | None]
    nps_distribution: dict[str, int]
    promoters: int
    passives: int
    detractors: int


class WinnerOut(Schema):
    position: int
    name: str = Field(..., description="打码后的姓名")
    phone_tail: str


class DrawOut(Schema):
    id: int
    revision: int
    title: str
    status: str
    status_label: str
    winners_count: int
    eligible_count: int
    seed_commitment: str
    eligible_hash: str
    seed: str = Field(..., description="开奖后公开,之前为空")
    eligible: list[int] = Field(..., description="开奖后公开的候选嘉宾编号(升序)")
    winners: list[WinnerOut]
    excluded: dict[str, int]
    prepared_at: dt.datetime
    drawn_at: dt.datetime | None
    public_url: str


class DrawIn(Schema):
    title: Title
    winners_count: Annotated[int, Field(ge=1, le=WINNERS_MAX)] = 1


class DrawRunIn(Schema):
    revision: Revision | None = None


class ExclusionOut(Schema):
    id: int
    guest_id: int
    guest: str
    reason: str
    added_at: dt.datetime


class ExclusionIn(Schema):
    guest_id: Id | None = None
    code: Code = ""
    reason: Reason


def _settings_out(event_id: int) -> dict[str, Any]:
    conf = settings_of(event_id)
    return {
        "revision": conf.revision,
        "key": conf.key,
        "qa_open": conf.qa_open,
        "survey_open": conf.survey_open,
        "guest_url": reverse("onsite_interaction:guest_home", args=[conf.key]),
        "screen_url": reverse("onsite_interaction:screen", args=[conf.key]),
        "counts": selectors.interaction_counts(event_id),
    }


def _question_out(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "revision": q.revision,
        "text": q.text,
        "name": q.name,
        "status": q.status,
        "status_label": q.get_status_display(),
        "pinned": q.pinned,
        "from_ticket": q.guest_id is not None,
        "asked_at": q.asked_at,
        "moderated_at": q.moderated_at,
    }


def _draw_out(draw: Draw) -> dict[str, Any]:
    key = settings_of(draw.event_id).key
    return {
        **selectors.draw_public(draw),
        "revision": draw.revision,
        "public_url": reverse("onsite_interaction:lottery_result", args=[key, draw.pk]),
    }


# ---------------------------------------------------------------- settings
@router.get(_I, response={200: SettingsOut, **READ}, summary="现场互动设置与概况")
def get_interaction(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    out = _settings_out(event.pk)
    response["ETag"] = f'"r{out["revision"]}"'
    return out


@router.put(_I, response={200: SettingsOut, **EDIT}, summary="开放或关闭提问与满意度调查")
def put_interaction(request: HttpRequest, response: HttpResponse, event_id: Id, payload: SettingsIn):  # noqa: ANN201
    conf = retry_on_conflict(settings_services.settings_update)(
        actor=actor(request),
        event=event_id,
        seen=seen_revision(request, payload.revision),
        qa_open=payload.qa_open,
        survey_open=payload.survey_open,
    )
    response["ETag"] = etag(conf)
    return _settings_out(conf.event_id)


# ---------------------------------------------------------------- questions
@router.get(f"{_I}/questions", response={200: list[QuestionOut], **READ}, summary="现场提问")
def list_questions(request: HttpRequest, event_id: Id, status: QuestionStatus | None = None):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.STAGE)
    rows = Question.objects.filter(event_id=event.pk).order_by("asked_at", "id")
    if status:
        rows = rows.filter(status=status)
    return [_question_out(q) for q in rows[:1000]]


@router.post(
    f"{_I}/questions/{{question_id}}/moderate", response={200: QuestionOut, **EDIT}, summary="审核提问"
)
def moderate_question(
    request: HttpRequest, response: HttpResponse, event_id: Id, question_id: Id, payload: ModerateIn
):  # noqa: ANN201
    q = retry_on_conflict(qa.question_moderate)(
        actor=actor(request),
        event=event_id,
        question_id=question_id,
        action=payload.action,
        seen=seen_revision(request, payload.revision),
    )
    response["ETag"] = etag(q)
    return _question_out(q)


# ---------------------------------------------------------------- survey
@router.get(f"{_I}/survey", response={200: SurveyOut, **READ}, summary="满意度调查结果")
def get_survey(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return selectors.survey_summary(event.pk)


# ---------------------------------------------------------------- lottery
@router.get(f"{_I}/draws", response={200: list[DrawOut], **READ}, summary="抽奖记录")
def list_draws(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.STAGE)
    return [_draw_out(d) for d in Draw.objects.filter(event_id=event.pk).order_by("prepared_at", "id")]


@router.post(f"{_I}/draws", response={201: DrawOut, **WRITE}, summary="准备抽奖(公示种子承诺和名单哈希)")
def prepare_draw(request: HttpRequest, event_id: Id, payload: DrawIn):  # noqa: ANN201
    draw = retry_on_conflict(lottery.draw_prepare)(
        actor=actor(request), event=event_id, title=payload.title, winners_count=payload.winners_count
    )
    return Status(201, _draw_out(draw))


@router.post(f"{_I}/draws/{{draw_id}}/draw", response={200: DrawOut, **EDIT}, summary="开奖(只能一次)")
def run_draw(request: HttpRequest, event_id: Id, draw_id: Id, payload: DrawRunIn | None = None):  # noqa: ANN201
    draw = retry_on_conflict(lottery.draw_run)(
        actor=actor(request),
        event=event_id,
        draw_id=draw_id,
        seen=seen_revision(request, payload.revision if payload else None),
    )
    return _draw_out(draw)


def _exclusion_out(x: Exclusion) -> dict[str, Any]:
    return {
        "id": x.pk,
        "guest_id": x.guest_id,
        "guest": x.guest.name,
        "reason": x.reason,
        "added_at": x.added_at,
    }


@router.get(f"{_I}/exclusions", response={200: list[ExclusionOut], **READ}, summary="抽奖手工排除名单")
def list_exclusions(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.STAGE)
    return [_exclusion_out(x) for x in Exclusion.objects.filter(event_id=event.pk).select_related("guest")]


@router.post(f"{_I}/exclusions", response={201: ExclusionOut, **WRITE}, summary="加入抽奖排除名单")
def add_exclusion(request: HttpRequest, event_id: Id, payload: ExclusionIn):  # noqa: ANN201
    row = retry_on_conflict(lottery.exclusion_add)(
        actor=actor(request),
        event=event_id,
        guest_id=payload.guest_id,
        code=payload.code,
        reason=payload.reason,
    )
    row = Exclusion.objects.select_related("guest").get(pk=row.pk)
    return Status(201, _exclusion_out(row))


@router.delete(f"{_I}/exclusions/{{exclusion_id}}", response={204: None, **WRITE}, summary="移出抽奖排除名单")
def remove_exclusion(request: HttpRequest, event_id: Id, exclusion_id: Id):  # noqa: ANN201
    retry_on_conflict(lottery.exclusion_remove)(
        actor=actor(request), event=event_id, exclusion_id=exclusion_id
    )
    return Status(204, None)
