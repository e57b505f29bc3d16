"""Permission rows of the team area of preparation (TM-1, TM-2): the team page, groups, members, tasks,
the RACI matrix and its export, the timeline, 我的任务, and their API.

The world's event is at 审批定稿, so every write of an allowed persona is refused for the step (400),
which is past access. A task's status is also set by its R and A people: the world's task has the owner
as A and the team member as R.
"""

from __future__ import annotations

from typing import Any

from huodong.preparation.models import Task, TaskAssignment, TeamGroup, TeamMember
from huodong.preparation.services.tasks import relative_due
from tests.permission_rows import EDIT, EVERYONE, Row

STATUS = EDIT | {"team_member"}


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    group = TeamGroup.objects.create(
        event=event, code="execution", name="执行组", name_en="Execution", position=1
    )
    member = TeamMember.objects.create(
        event=event, person=world.people["team_member"], group=group, duties="签到"
    )
    task = Task.objects.create(
        event=event,
        title="媒体邀约",
        group=group,
        offset_minutes=-7 * 24 * 60,
        due_at=relative_due(event, -7 * 24 * 60),
    )
    TaskAssignment.objects.create(task=task, person=world.people["owner"], role="A")
    TaskAssignment.objects.create(task=task, person=world.people["team_member"], role="R")
    return {"group_id": group.pk, "member_id": member.pk, "task_id": task.pk}


def _raci(world: Any) -> dict[str, Any]:
    return {f"p{world.people['owner'].pk}": "A", f"p{world.people['team_member'].pk}": "R"}


_TASK = {"task-title": "场地踩点", "task-pinned": "0", "task-offset": "T-3d", "task-status": "todo"}
PAGES: dict[str, Row] = {
    "preparation:team": Row(EVERYONE),
    "preparation:group_add": Row(EDIT, data={"grp-name": "技术组"}),
    "preparation:group_edit": Row(EDIT, data={"name": "执行一组"}, revision_of="group_id"),
    "preparation:group_delete": Row(EDIT, data={}, revision_of="group_id"),
    "preparation:member_add": Row(EDIT, data=lambda w: {"mem-person": w.people["colleague"].pk}),
    "preparation:member_edit": Row(EDIT, data={"duties": "签到与引导"}, revision_of="member_id"),
    "preparation:member_delete": Row(EDIT, data={}, revision_of="member_id"),
    "preparation:task_add": Row(EDIT, data=_TASK),
    "preparation:tasks_template": Row(EDIT, data={}),
    "preparation:task_edit": Row(
        EDIT,
        data={"title": "媒体邀约", "pinned": "0", "offset": "T-7d", "status": "doing"},
        revision_of="task_id",
    ),
    "preparation:task_delete": Row(EDIT, data={}, revision_of="task_id"),
    "preparation:task_status": Row(STATUS, data={"status": "done"}, revision_of="task_id"),
    "preparation:raci": Row(EVERYONE),
    "preparation:raci_row": Row(EDIT, data=_raci, revision_of="task_id"),
    "preparation:raci_xlsx": Row(EVERYONE),
    "preparation:timeline": Row(EVERYONE),
    "preparation:my_tasks": Row(EVERYONE),
}

_E = "/api/events/{event_id}"
API: dict[str, Row] = {
    f"GET {_E}/team": Row(EVERYONE),
    f"POST {_E}/team/defaults": Row(EDIT, data={}),
    f"POST {_E}/team/groups": Row(EDIT, data={"name": "技术组"}),
    f"PATCH {_E}/team/groups/{{group_id}}": Row(EDIT, data={"duties": "网络"}, revision_of="group_id"),
    f"DELETE {_E}/team/groups/{{group_id}}": Row(EDIT, revision_of="group_id"),
    f"POST {_E}/team/members": Row(EDIT, data={"person": "checkin_staff"}),
    f"PATCH {_E}/team/members/{{member_id}}": Row(EDIT, data={"duties": "引导"}, revision_of="member_id"),
    f"DELETE {_E}/team/members/{{member_id}}": Row(EDIT, revision_of="member_id"),
    f"GET {_E}/tasks": Row(EVERYONE),
    f"POST {_E}/tasks": Row(EDIT, data={"title": "场地踩点", "offset_minutes": -4320}),
    f"POST {_E}/tasks/from-template": Row(EDIT, data={}),
    f"GET {_E}/tasks/raci.xlsx": Row(EVERYONE),
    f"GET {_E}/tasks/{{task_id}}": Row(EVERYONE),
    f"PATCH {_E}/tasks/{{task_id}}": Row(EDIT, data={"note": "带卷尺"}, revision_of="task_id"),
    f"DELETE {_E}/tasks/{{task_id}}": Row(EDIT, revision_of="task_id"),
    f"PUT {_E}/tasks/{{task_id}}/raci": Row(
        EDIT, data={"raci": {"organiser": "A", "team_staff": "R"}}, revision_of="task_id"
    ),
    f"POST {_E}/tasks/{{task_id}}/status": Row(STATUS, data={"status": "done"}, revision_of="task_id"),
    "GET /api/my/tasks": Row(EVERYONE),
}

REVISIONS = {"group_id": TeamGroup, "member_id": TeamMember, "task_id": Task}
URL_KEYS = [["event_id", "group_id"], ["event_id", "member_id"], ["event_id", "task_id"]]
