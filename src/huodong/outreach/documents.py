"""《活动协作函》 (NT-1) as a Word/PDF document for the ``documents`` app: one letter per collaborating
department, a section each — the event's time and place, the department's tasks from the RACI matrix
(title, due time, its people and their letters), its guest quota, the contact person and the organiser.

``documents.render`` registers it (slug ``collaboration-letter``), numbers it like the other documents and
writes Word or PDF from this layout, Chinese by default, English when asked. Every string is translated
here (Chinese msgids) in the caller's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from huodong.core.models import Organisation
from huodong.core.services import organisation_get
from huodong.documents.layouts import (
    Block,
    Cell,
    KeyValues,
    Layout,
    Row,
    Section,
    Text,
    document_layout_of,
    event_header_pairs,
    fmt_datetime,
    numbered_headings,
    person_label,
    table,
)
from huodong.documents.numbers import version_key
from huodong.events.models import Event

from .services.letters import LetterContent, letters_data

SLUG = "collaboration-letter"


@dataclass
class LettersData:
    organisation: Organisation
    event: Event
    letters: list[LetterContent]

    def content_key(self) -> str:
        event = self.event
        parts: list[object] = ["e", event.revision]
        for letter in self.letters:
            parts += letter.content_key()
        return version_key(*parts)


def letters_document_data(event: Event) -> LettersData:
    return LettersData(organisation=organisation_get(), event=event, letters=letters_data(event))


def _department(content: LetterContent) -> str:
    dept = content.department
    if (get_language() or "").startswith("en") and dept.name_en:
        return dept.name_en
    return dept.name


def _contact(content: LetterContent) -> str:
    user = content.contact
    if user is None:
        return _("待定")
    reach = " ".join(x for x in (user.phone, user.email) if x)
    return f"{person_label(user)} {reach}".strip()


def _quota(content: LetterContent) -> str:
    if content.quota is None or not content.quota.quota:
        return _("无")
    return _("%(n)s 位嘉宾") % {"n": content.quota.quota}


def _tasks_table(content: LetterContent) -> Block:
    tz = content.event.tz
    return table(
        [_("序号"), _("任务"), _("截止时间"), _("人员与分工")],
        [
            Row(
                [
                    Cell(str(i)),
                    Cell(line.task.title),
                    Cell(fmt_datetime(line.task.due_at, tz)),
                    Cell("、".join(f"{p.name}({role})" for p, role in line.people)),
                ]
            )
            for i, line in enumerate(content.tasks, start=1)
        ],
        widths=[1, 5, 3, 4],
        align=["center", "left", "left", "left"],
        key="tasks",
    )


def _letter_blocks(data: LettersData, content: LetterContent) -> list[Block]:
    event = data.event
    owner = event.owner
    greeting = _("%(d)s:") % {"d": _department(content)}
    body = _(
        "「%(event)s」将于 %(time)s 在 %(place)s 举行。为确保活动顺利开展,请贵部门协作完成以下事项,"
        "并按邀约名额邀请嘉宾。如有疑问,请联系对接人或活动负责人。"
    ) % {
        "event": event.name,
        "time": fmt_datetime(event.starts_at, event.tz),
        "place": event.venue or _("待定"),
    }
    return [
        Text(greeting),
        Text(body),
        KeyValues(
            [
                (_("活动时间"), fmt_datetime(event.starts_at, event.tz)),
                (_("活动地点"), event.venue or _("待定")),
                (_("邀约名额"), _quota(content)),
                (_("对接人"), _contact(content)),
                (_("活动负责人"), person_label(owner)),
            ],
            key="letter",
        ),
        _tasks_table(content),
        Text(_("R 执行、A 负责、C 咨询、I 知会(RACI 矩阵)。"), muted=True),
    ]


def letters_layout(data: LettersData) -> Layout:
    event = data.event
    intro = event_header_pairs(event) + [
        (_("协作部门"), "、".join(_department(c) for c in data.letters) or _("无")),
        (_("活动负责人"), person_label(event.owner)),
    ]
    headings = numbered_headings([_("致%(d)s") % {"d": _department(c)} for c in data.letters])
    sections = [Section(h, _letter_blocks(data, c)) for h, c in zip(headings, data.letters, strict=True)]
    layout = document_layout_of(SLUG, _("活动协作函"), data, intro, sections)
    if not data.letters:
        layout.notes.append(_("尚无协作部门:请在 RACI 矩阵中为各部门人员分配任务,或设定部门邀约名额。"))
    return layout
