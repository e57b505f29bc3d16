"""API: message templates of an event (issue 9, point 5); the same services as the pages.

- ``GET /events/{event_id}/templates``: every kind, channel and language with the text in force and its
  source (event, organisation, builtin).
- ``GET/PUT/DELETE /events/{event_id}/templates/{kind}/{channel}/{language}``: one template; ``PUT``
  writes the event's text (``scope`` organisation: the organisation's default, administrators only) —
  an unknown placeholder or a bad brace is refused (400) naming it with the allowed ones; changing an
  existing row needs its revision (``If-Match`` or ``revision``). ``DELETE`` reverts to the default.
- ``POST …/preview``: what guest ``guest_id`` (default the first of the list; a sample without guests)
  would receive — with the text in force, or the draft ``subject``/``body``.
- ``GET /outreach/placeholders``: the placeholders a template may use, with what each is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_str
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.events.access import Need, event_for

from ..rules import OUTREACH_REFUSAL
from ..services import messaging
from ..services import templates as services

router = Router(tags=["outreach: templates"])

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut, 428: ErrorOut}

if TYPE_CHECKING:
    Code = str
    Subject = str
    Body = str
else:
    Code = Line(24)
    Subject = Line(services.SUBJECT_MAX)
    Body = Text(services.BODY_MAX)


class SmsOut(Schema):
    length: int
    segments: int
    per_segment: int


class TemplateOut(Schema):
    kind: str
    kind_label: str
    channel: str
    language: str
    subject: str
    body: str
    source: str = Field(..., description="event(本活动)、organisation(组织默认)、builtin(内置)")
    id: int | None = None
    revision: int | None = Field(None, description="本活动模板的修订号(无则为 null)")
    default_revision: int | None = Field(None, description="组织默认模板的修订号")
    sms: SmsOut | None = None


class TemplateIn(Schema):
    revision: Revision | None = None
    subject: Subject = ""
    body: Body
    scope: Code = Field("event", description="event(本活动)或 organisation(组织默认,仅管理员)")


class PreviewIn(Schema):
    guest_id: Id | None = Field(None, description="本活动的嘉宾;省略则为名单中的第一位")
    subject: Subject | None = Field(None, description="预览草稿的标题;省略则用当前文本")
    body: Body | None = Field(None, description="预览草稿的正文;省略则用当前文本")


class PreviewOut(Schema):
    kind: str
    channel: str
    language: str
    subject: str
    body: str
    recipient: str
    to_name: str
    sample: bool
    guest_id: int | None = None
    reachable: bool
    guest_language: str
    sms: SmsOut | None = None


class PlaceholderOut(Schema):
    name: str
    label: str


def _out(t: services.InForce) -> dict[str, Any]:
    return {
        "kind": t.kind,
        "kind_label": force_str(t.kind_label),
        "channel": t.channel,
        "language": t.language,
        "subject": t.text.subject,
        "body": t.text.body,
        "source": t.source,
        "id": t.row.pk if t.row else None,
        "revision": t.own.revision if t.own else None,
        "default_revision": t.default.revision if t.default else None,
        "sms": t.sms,
    }


def _combo(kind: str, channel: str, language: str) -> tuple[str, str, str]:
    try:
        return services.combination_check(kind, channel, language)
    except DomainError as exc:
        raise NotFound(exc.errors) from None


@router.get(
    "/outreach/placeholders", response={200: list[PlaceholderOut], **READ}, summary="模板可用的占位符"
)
def list_placeholders(request: HttpRequest):  # noqa: ANN201
    actor(request)
    return [{"name": name, "label": force_str(label)} for name, label in messaging.PLACEHOLDERS.items()]


@router.get("/events/{event_id}/templates", response={200: list[TemplateOut], **READ}, summary="消息模板")
def list_templates(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return [_out(t) for t in services.templates_overview(event)]


@router.get(
    "/events/{event_id}/templates/{kind}/{channel}/{language}",
    response={200: TemplateOut, **READ},
    summary="一份消息模板(当前使用的文本)",
)
def get_template(
    request: HttpRequest, response: HttpResponse, event_id: Id, kind: Code, channel: Code, language: Code
):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    t = services.template_in_force(event, *_combo(kind, channel, language))
    if t.own is not None:
        response["ETag"] = etag(t.own)
    return _out(t)


@router.put(
    "/events/{event_id}/templates/{kind}/{channel}/{language}",
    response={200: TemplateOut, **WRITE},
    summary="保存消息模板(未知占位符将被拒绝)",
)
def put_template(  # noqa: ANN201
    request: HttpRequest,
    response: HttpResponse,
    event_id: Id,
    kind: Code,
    channel: Code,
    language: Code,
    payload: TemplateIn,
):
    event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)
    combo = _combo(kind, channel, language)
    row = retry_on_conflict(services.template_save)(
        actor=actor(request),
        event=event_id,
        kind=combo[0],
        channel=combo[1],
        language=combo[2],
        subject=payload.subject,
        body=payload.body,
        seen=seen_revision(request, payload.revision),
        scope=payload.scope,
    )
    response["ETag"] = etag(row)
    event = event_for(actor(request), event_id, Need.VIEW)
    return _out(services.template_in_force(event, *combo))


@router.delete(
    "/events/{event_id}/templates/{kind}/{channel}/{language}",
    response={204: None, **WRITE},
    summary="删除本活动(或组织默认)模板,恢复默认文本",
)
def delete_template(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    kind: Code,
    channel: Code,
    language: Code,
    revision: Revision | None = None,
    scope: Code = "event",
):
    event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)
    combo = _combo(kind, channel, language)
    retry_on_conflict(services.template_revert)(
        actor=actor(request),
        event=event_id,
        kind=combo[0],
        channel=combo[1],
        language=combo[2],
        seen=seen_revision(request, revision),
        scope=scope,
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/templates/{kind}/{channel}/{language}/preview",
    response={200: PreviewOut, **READ},
    summary="以真实嘉宾预览消息(不保存)",
)
def preview_template(  # noqa: ANN201
    request: HttpRequest, event_id: Id, kind: Code, channel: Code, language: Code, payload: PreviewIn
):
    event = event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)
    combo = _combo(kind, channel, language)
    preview = services.template_preview(
        event=event,
        kind=combo[0],
        channel=combo[1],
        language=combo[2],
        guest_id=payload.guest_id,
        subject=payload.subject,
        body=payload.body,
    )
    return preview.as_dict()
