"""API: the team and its groups (TM-1, TM-2), tasks with RACI (TM-1), the RACI matrix, 我的任务.

GET /events/{event_id}/team; POST …/team/groups, PATCH/DELETE …/team/groups/{group_id}; POST
…/team/members, PATCH/DELETE …/team/members/{member_id}. GET/POST /events/{event_id}/tasks; GET/PATCH/DELETE
…/tasks/{task_id}; PUT …/tasks/{task_id}/raci (the whole assignment, ``{"raci": {"username": "A", …}}``);
POST …/tasks/{task_id}/status; POST …/tasks/from-template; GET …/tasks/raci.xlsx. GET /my/tasks.

People are named by username. A deadline is ``offset_minutes`` (relative to the event's start; −10080 is
T-7 days) or ``pinned: true`` with ``due_at``. **Revisions**: PATCH/DELETE/PUT/status say the revision
they saw (``If-Match: "r<n>"`` or a ``revision`` field; DELETE: query): missing → 428, stale → 409 with
``current``. The RACI assignment is part of its task's revision.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.models import User
from huodong.core.schemas import MAX_ID, ErrorOut, Id, Line, Moment, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_person, people_named
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..excel_raci import raci_workbook
from ..models import Task, TeamGroup, TeamMember
from ..selectors import my_tasks, raci_problems, tasks_with_people
from ..services import tasks as task_services
from ..services import team as team_services

router = Router(tags=["preparation: team"])

OffsetMinutes = Annotated[int, Field(ge=-(2**31) + 1, le=MAX_ID)]
if TYPE_CHECKING:
    Name = str
    Duties = str
    Title = str
    Note = str
    Username = str
    Status_ = str
    Letter = str
else:
    Name = Line(100)
    Duties = Text(5000)
    Title = Line(200)
    Note = Text(5000)
    Username = Line(150)
    Status_ = Line(12)
    Letter = Line(2)
STATUSES = "todo(待开始)、doing(进行中)、done(已完成)、cancelled(已取消)"

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut}
EDIT_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: StaleErrorOut, 428: ErrorOut}


# ---------------------------------------------------------------- schemas
class GroupOut(Schema):
    id: int
    revision: int
    code: str
    name: str
    name_en: str
    duties: str
    position: int


class MemberOut(Schema):
    id: int
    revision: int
    person: str
    person_name: str
    department: str | None
    group_id: int | None
    is_leader: bool
    duties: str


class TeamOut(Schema):
    event_id: int
    leader: str | None
    groups: list[GroupOut]
    members: list[MemberOut]


class GroupIn(Schema):
    name: Name
    name_en: Name = ""
    duties: Duties = ""


class GroupPatch(Schema):
    revision: Revision | None = None
    name: Name | None = None
    name_en: Name | None = None
    duties: Duties | None = None


class MemberIn(Schema):
    person: Username = Field(..., description="用户名;可为任何部门的人员")
    group_id: Id | None = None
    duties: Duties = ""
    is_leader: bool = Field(False, description="项目负责人:须为市场部的活动策划/负责人或管理员(TM-1)")


class MemberPatch(Schema):
    revision: Revision | None = None
    group_id: Id | None = None
    duties: Duties | None = None
    is_leader: bool | None = None


class RaciOut(Schema):
    person: str
    person_name: str
    role: str


class TaskOut(Schema):
    id: int
    revision: int
    event_id: int
    event_name: str
    title: str
    group_id: int | None
    group: str | None
    status: str
    due_at: dt.datetime
    local_due: str
    offset_minutes: int | None
    offset: str
    pinned: bool
    overdue: bool
    template_code: str
    rule: str
    note: str
    completed_at: dt.datetime | None
    raci: list[RaciOut]
    raci_problems: list[str]


class TaskIn(Schema):
    title: Title
    group_id: Id | None = None
    offset_minutes: OffsetMinutes | None = Field(
        None, description="相对活动开始的分钟数,如 -10080 表示 T-7 天"
    )
    due_at: Moment | None = Field(
        None, description="固定截止时间(pinned 为 true 时必填);不带时区按活动时区理解"
    )
    pinned: bool = False
    status: Status_ = Field("todo", description=STATUSES)
    note: Note = ""


class TaskPatch(Schema):
    revision: Revision | None = None
    title: Title | None = None
    group_id: Id | None = None
    offset_minutes: OffsetMinutes | None = None
    due_at: Moment | None = None
    pinned: bool | None = None
    status: Status_ | None = Field(None, description=STATUSES)
    note: Note | None = None


class RaciIn(Schema):
    revision: Revision | None = None
    raci: dict[Username, Letter] = Field(
        ..., description='整项任务的 RACI 分工:{"用户名": "R"|"A"|"C"|"I"};有且只有一个 A,至少一个 R'
    )


class TaskStatusIn(Schema):
    revision: Revision | None = None
    status: Status_ = Field(..., description=STATUSES)


class TasksTemplateOut(Schema):
    created: int
    tasks: list[TaskOut]


# ---------------------------------------------------------------- helpers
def _group_out(g: TeamGroup) -> dict[str, Any]:
    return {f: getattr(g, f) for f in ("id", "revision", "code", "name", "name_en", "duties", "position")}


def _member_out(m: TeamMember) -> dict[str, Any]:
    dept = m.person.department
    return {
        "id": m.pk,
        "revision": m.revision,
        "person": m.person.username,
        "person_name": m.person.name,
        "department": dept.code if dept else None,
        "group_id": m.group_id,
        "is_leader": m.is_leader,
        "duties": m.duties,
    }


def _team_out(event: Event) -> dict[str, Any]:
    members = team_services.members_of(event)
    leader = next((m for m in members if m.is_leader), None)
    return {
        "event_id": event.pk,
        "leader": leader.person.username if leader else None,
        "groups": [_group_out(g) for g in team_services.groups_of(event)],
        "members": [_member_out(m) for m in members],
    }


def _task_out(task: Task, event: Event, now: dt.datetime | None = None) -> dict[str, Any]:
    assignments = list(task.assignments.all())
    return {
        "id": task.pk,
        "revision": task.revision,
        "event_id": event.pk,
        "event_name": event.name,
        "title": task.title,
        "group_id": task.group_id,
        "group": task.group.display_name if task.group else None,
        "status": task.status,
        "due_at": task.due_at,
        "local_due": timezone.localtime(task.due_at, event.tz).strftime("%Y-%m-%dT%H:%M"),
        "offset_minutes": task.offset_minutes,
        "offset": task_services.offset_label(task.offset_minutes),
        "pinned": task.pinned,
        "overdue": task.is_overdue(now),
        "template_code": task.template_code,
        "rule": task.rule,
        "note": task.note,
        "completed_at": task.completed_at,
        "raci": [
            {"person": a.person.username, "person_name": a.person.name, "role": a.role} for a in assignments
        ],
        "raci_problems": [str(p) for p in raci_problems([a.role for a in assignments])],
    }


def _task_answer(event_id: int, request: HttpRequest, task_id: int, response: HttpResponse) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.VIEW)
    task = next((t for t in tasks_with_people(event).filter(pk=task_id)), None)
    if task is None:
        task_services.task_get(event=event, task_id=task_id)  # raises NotFound
    assert task is not None
    response["ETag"] = etag(task)
    return _task_out(task, event)


def _group_arg(data: dict[str, Any]) -> dict[str, Any]:
    if "group_id" in data:
        data["group"] = data.pop("group_id")
    return data


def _patch(payload: Schema, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("revision", None)
    return {k: v for k, v in data.items() if v is not None or k in nullable}


def _person(username: str, field: str) -> User:
    return active_person(username, field=field)


# ---------------------------------------------------------------- team and groups (TM-1, TM-2)
@router.get("/events/{event_id}/team", response={200: TeamOut, **READ_ERRORS}, summary="项目团队:分组与成员")
def get_team(request: HttpRequest, event_id: Id):  # noqa: ANN201
    return _team_out(event_for(actor(request), event_id, Need.VIEW))


@router.post(
    "/events/{event_id}/team/defaults",
    response={200: TeamOut, **WRITE_ERRORS},
    summary="创建默认分组(执行组、宣传组、后勤组)",
)
def post_team_defaults(request: HttpRequest, event_id: Id):  # noqa: ANN201
    retry_on_conflict(team_services.team_defaults)(event_id, actor(request))
    return _team_out(event_for(actor(request), event_id, Need.VIEW))


@router.post("/events/{event_id}/team/groups", response={201: GroupOut, **WRITE_ERRORS}, summary="添加项目组")
def add_group(request: HttpRequest, event_id: Id, payload: GroupIn, response: HttpResponse):  # noqa: ANN201
    group = retry_on_conflict(team_services.group_add)(actor=actor(request), event=event_id, **payload.dict())
    response["ETag"] = etag(group)
    return Status(201, _group_out(group))


@router.patch(
    "/events/{event_id}/team/groups/{group_id}", response={200: GroupOut, **EDIT_ERRORS}, summary="修改项目组"
)
def patch_group(
    request: HttpRequest, event_id: Id, group_id: Id, payload: GroupPatch, response: HttpResponse
):  # noqa: ANN201
    group = retry_on_conflict(team_services.group_update)(
        actor=actor(request),
        event=event_id,
        group_id=group_id,
        seen=seen_revision(request, payload.revision),
        **_patch(payload),
    )
    response["ETag"] = etag(group)
    return _group_out(group)


@router.delete(
    "/events/{event_id}/team/groups/{group_id}", response={204: None, **EDIT_ERRORS}, summary="删除项目组"
)
def delete_group(request: HttpRequest, event_id: Id, group_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(team_services.group_remove)(
        actor=actor(request), event=event_id, group_id=group_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/team/members", response={201: MemberOut, **WRITE_ERRORS}, summary="添加团队成员"
)
def add_member(request: HttpRequest, event_id: Id, payload: MemberIn, response: HttpResponse):  # noqa: ANN201
    data = _group_arg(payload.dict())
    data["person"] = _person(data["person"], "person")
    member = retry_on_conflict(team_services.member_add)(actor=actor(request), event=event_id, **data)
    member = TeamMember.objects.select_related("person__department").get(pk=member.pk)
    response["ETag"] = etag(member)
    return Status(201, _member_out(member))


@router.patch(
    "/events/{event_id}/team/members/{member_id}",
    response={200: MemberOut, **EDIT_ERRORS},
    summary="修改团队成员(所在组、职责、负责人)",
)
def patch_member(  # noqa: ANN201
    request: HttpRequest, event_id: Id, member_id: Id, payload: MemberPatch, response: HttpResponse
):
    member = retry_on_conflict(team_services.member_update)(
        actor=actor(request),
        event=event_id,
        member_id=member_id,
        seen=seen_revision(request, payload.revision),
        **_group_arg(_patch(payload, nullable=("group_id",))),
    )
    member = TeamMember.objects.select_related("person__department").get(pk=member.pk)
    response["ETag"] = etag(member)
    return _member_out(member)


@router.delete(
    "/events/{event_id}/team/members/{member_id}", response={204: None, **EDIT_ERRORS}, summary="移出团队成员"
)
def delete_member(request: HttpRequest, event_id: Id, member_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(team_services.member_remove)(
        actor=actor(request), event=event_id, member_id=member_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


# ---------------------------------------------------------------- tasks (TM-1)
@router.get(
    "/events/{event_id}/tasks", response={200: list[TaskOut], **READ_ERRORS}, summary="任务列表(含 RACI)"
)
def list_tasks(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    now = timezone.now()
    return [_task_out(t, event, now) for t in tasks_with_people(event)]


@router.post("/events/{event_id}/tasks", response={201: TaskOut, **WRITE_ERRORS}, summary="添加任务")
def add_task(request: HttpRequest, event_id: Id, payload: TaskIn, response: HttpResponse):  # noqa: ANN201
    task = retry_on_conflict(task_services.task_add)(
        actor=actor(request), event=event_id, **_group_arg(payload.dict())
    )
    return Status(201, _task_answer(event_id, request, task.pk, response))


@router.post(
    "/events/{event_id}/tasks/from-template",
    response={200: TasksTemplateOut, **WRITE_ERRORS},
    summary="按活动类型的倒排日程生成标准任务(已有的不重复)",
)
def tasks_from_template(request: HttpRequest, event_id: Id):  # noqa: ANN201
    created = retry_on_conflict(task_services.tasks_from_template)(event_id, actor(request))
    event = event_for(actor(request), event_id, Need.VIEW)
    return {"created": created, "tasks": [_task_out(t, event) for t in tasks_with_people(event)]}


@router.get(
    "/events/{event_id}/tasks/raci.xlsx", response={200: None, **READ_ERRORS}, summary="导出 RACI 矩阵(Excel)"
)
def raci_xlsx(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    response = HttpResponse(
        raci_workbook(event), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="raci-{event.pk}.xlsx"'
    return response


@router.get(
    "/events/{event_id}/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS}, summary="任务(含修订号)"
)
def get_task(request: HttpRequest, event_id: Id, task_id: Id, response: HttpResponse):  # noqa: ANN201
    return _task_answer(event_id, request, task_id, response)


@router.patch(
    "/events/{event_id}/tasks/{task_id}", response={200: TaskOut, **EDIT_ERRORS}, summary="修改任务"
)
def patch_task(request: HttpRequest, event_id: Id, task_id: Id, payload: TaskPatch, response: HttpResponse):  # noqa: ANN201
    retry_on_conflict(task_services.task_update)(
        actor=actor(request),
        event=event_id,
        task_id=task_id,
        seen=seen_revision(request, payload.revision),
        **_group_arg(_patch(payload, nullable=("group_id",))),
    )
    return _task_answer(event_id, request, task_id, response)


@router.delete("/events/{event_id}/tasks/{task_id}", response={204: None, **EDIT_ERRORS}, summary="删除任务")
def delete_task(request: HttpRequest, event_id: Id, task_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(task_services.task_remove)(
        actor=actor(request), event=event_id, task_id=task_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.put(
    "/events/{event_id}/tasks/{task_id}/raci",
    response={200: TaskOut, **EDIT_ERRORS},
    summary="设置任务的 RACI 分工(整体替换;有且只有一个 A,至少一个 R)",
)
def put_raci(request: HttpRequest, event_id: Id, task_id: Id, payload: RaciIn, response: HttpResponse):  # noqa: ANN201
    people = people_named(list(payload.raci))
    unknown = [u for u in payload.raci if u not in people]
    if unknown:
        raise DomainError({"raci": [_("未知的用户「%(u)s」。") % {"u": u} for u in unknown]})
    letters = {people[u].pk: letter for u, letter in payload.raci.items()}
    retry_on_conflict(task_services.task_raci_set)(
        task_id, letters, actor=actor(request), event=event_id, seen=seen_revision(request, payload.revision)
    )
    return _task_answer(event_id, request, task_id, response)


@router.post(
    "/events/{event_id}/tasks/{task_id}/status",
    response={200: TaskOut, **EDIT_ERRORS},
    summary="更新任务状态(任务的 R、A 人员或策划人员)",
)
def post_status(
    request: HttpRequest, event_id: Id, task_id: Id, payload: TaskStatusIn, response: HttpResponse
):  # noqa: ANN201
    retry_on_conflict(task_services.task_status_set)(
        actor=actor(request),
        event=event_id,
        task_id=task_id,
        status=payload.status,
        seen=seen_revision(request, payload.revision),
    )
    return _task_answer(event_id, request, task_id, response)


# ---------------------------------------------------------------- 我的任务
@router.get("/my/tasks", response={200: list[TaskOut], 401: ErrorOut}, summary="我的任务(跨活动,已逾期在前)")
def list_my_tasks(request: HttpRequest):  # noqa: ANN201
    now = timezone.now()
    tasks = list(my_tasks(actor(request)).prefetch_related("assignments__person"))
    tasks.sort(key=lambda t: (not t.is_overdue(now), t.due_at, t.pk))
    return [_task_out(t, t.event, now) for t in tasks]
