"""The event type page edits a type's template in rows (issue 7, point 6): run of show, risks and budget
categories, each row checked with a message naming its row and field; saved with the type's revision; and
the data migration that gives each built-in type its own template."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import translation
from django.utils.translation import gettext

from huodong.core.models import AuditEntry
from huodong.events.models import EventType
from huodong.events.seed import BUILTIN_TYPES
from huodong.events.services import event_type_save

pytestmark = pytest.mark.django_db

PREFIXES = {"run_of_show": "run-of-show", "risks": "risks", "budget_categories": "budget-categories"}
COLUMNS = {
    "run_of_show": ("title", "title_en", "duration_minutes", "key_actions", "owner_role"),
    "risks": ("risk", "likelihood", "impact", "response", "backup", "owner_role"),
    "budget_categories": ("code", "name", "name_en", "share"),
}


def type_post(
    et: EventType, *, revision: int | None = None, **sections: list[dict[str, Any]]
) -> dict[str, str]:
    """The form the page posts for ``et``: its fields and its three sections' rows (``sections`` override)."""
    data = {
        "name": et.name,
        "name_en": et.name_en,
        "code": et.code,
        "description": et.description,
        "is_active": "on",
        "revision": str(revision if revision is not None else et.revision),
    }
    for key, prefix in PREFIXES.items():
        rows = sections.get(key, getattr(et, key))
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "50"
        for i, row in enumerate(rows):
            for column in COLUMNS[key]:
                value = row.get(column, "")
                data[f"{prefix}-{i}-{column}"] = "" if value is None else str(value)
    return data


def salon() -> EventType:
    return EventType.objects.get(code="brand-salon")


def test_the_type_page_shows_the_template_as_rows_to_edit_not_json(as_admin):
    html = as_admin.get(f"/events/types/{salon().pk}/").content.decode()
    assert "template_json" not in html
    assert 'name="run-of-show-0-title"' in html and 'value="签到"' in html
    assert 'name="risks-0-risk"' in html and "讲者临时缺席" in html
    assert 'name="budget-categories-0-share"' in html
    assert "舞台监督" in html  # the owner roles are offered by their labels


def test_the_editor_saves_good_rows_with_owner_roles_and_shares(as_admin):
    et = salon()
    materials = et.materials
    rows = [dict(r) for r in et.run_of_show]
    rows[1]["duration_minutes"] = "50"
    rows[1]["owner_role"] = "host"
    cats = [
        {"code": "venue", "name": "场地租赁", "name_en": "Venue rental", "share": "40"},
        {"code": "speakers", "name": "嘉宾讲者费用", "name_en": "Speaker fees", "share": "52.5"},
        {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve", "share": "7.5"},
        {"code": "", "name": "", "name_en": "", "share": ""},  # a blank row is left out
    ]
    before = et.revision
    resp = as_admin.post(f"/events/types/{et.pk}/", type_post(et, run_of_show=rows, budget_categories=cats))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    et.refresh_from_db()
    assert et.run_of_show[1]["duration_minutes"] == 50 and et.run_of_show[1]["owner_role"] == "host"
    assert [(c["code"], c["share"]) for c in et.budget_categories] == [
        ("venue", "40"),
        ("speakers", "52.5"),
        ("contingency", "7.5"),
    ]
    assert et.materials == materials  # the editor leaves the materials as they were
    assert et.revision == before + 1
    entry = AuditEntry.objects.filter(action="event_type.update", target_id=str(et.pk)).latest("id")
    assert set(entry.after) == {"run_of_show", "budget_categories"}


def test_the_editor_refuses_bad_rows_naming_each_row_and_field(as_admin):
    et = salon()
    rows = [dict(r) for r in et.run_of_show]
    rows[2]["duration_minutes"] = "0"
    rows[0]["owner_role"] = "boss"
    risks = [dict(r) for r in et.risks]
    risks[1]["likelihood"] = "huge"
    risks[3]["response"] = ""
    cats = [dict(c) for c in et.budget_categories]
    cats[1]["code"] = cats[0]["code"]
    cats[2]["share"] = "12.25"
    resp = as_admin.post(
        f"/events/types/{et.pk}/", type_post(et, run_of_show=rows, risks=risks, budget_categories=cats)
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "第 3 行:时长须为 1–600 的整数(分钟)。" in html
    assert "第 1 行:负责角色须为以下之一" in html
    assert "第 2 行:可能性须为 低、中 或 高。" in html
    assert "第 4 行:应对预案不能为空。" in html
    assert f"第 2 行:代码「{cats[0]['code']}」与第 1 行重复。" in html
    assert "第 3 行:典型占比须为 0–100 之间的数,最多一位小数。" in html
    assert EventType.objects.get(pk=et.pk).revision == et.revision  # nothing written


def test_the_editor_refuses_shares_that_do_not_add_up_or_a_reserve_outside_the_band(as_admin):
    et = salon()
    cats = [
        {"code": "venue", "name": "场地租赁", "share": "80"},
        {"code": "contingency", "name": "应急备用金", "share": "15"},
    ]
    html = as_admin.post(f"/events/types/{et.pk}/", type_post(et, budget_categories=cats)).content.decode()
    assert "各科目的典型占比合计须为 100%,现为 95%。" in html
    assert "应急备用金的典型占比 15% 须在 5%–10% 之间(PL-3)。" in html
    no_reserve = [{"code": "venue", "name": "场地租赁", "share": "100"}]
    resp = as_admin.post(f"/events/types/{et.pk}/", type_post(et, budget_categories=no_reserve))
    assert resp.status_code == 400 and "预算科目须包含应急备用金(代码 contingency)。" in resp.content.decode()
    assert EventType.objects.get(pk=et.pk).budget_categories == et.budget_categories


def test_the_editor_says_in_english_which_row_is_wrong(client, admin_user):
    with translation.override("en"):
        if gettext("第 %(row)s 行:%(message)s") == "第 %(row)s 行:%(message)s":
            pytest.skip("the English of types7's messages waits for the lead's merge of /tmp/po7/types7.po")
    client.force_login(admin_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    et = salon()
    rows = [dict(r) for r in et.run_of_show]
    rows[2]["duration_minutes"] = "abc"
    html = client.post(f"/events/types/{et.pk}/", type_post(et, run_of_show=rows)).content.decode()
    assert "Row 3: the duration must be a whole number of minutes from 1 to 600." in html


def test_a_stale_template_edit_is_refused_and_shows_the_other_persons_rows(as_admin, admin_user):
    et = salon()
    seen = et.revision
    event_type_save(
        actor=admin_user,
        event_type=et,
        revision=seen,
        name=et.name,
        name_en=et.name_en,
        code=et.code,
        template={"risks": et.risks[:1]},
    )
    rows = [dict(r) for r in et.run_of_show]
    rows[0]["title"] = "入场签到"
    resp = as_admin.post(f"/events/types/{et.pk}/", type_post(et, revision=seen, run_of_show=rows))
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "已被" in html and "1 行:讲者临时缺席" in html  # the other person's risks, in one line
    fresh = EventType.objects.get(pk=et.pk)
    assert fresh.run_of_show[0]["title"] == "签到" and len(fresh.risks) == 1


# ---------------------------------------------------------------- the data migration
def migration() -> Any:
    return importlib.import_module("huodong.events.migrations.0004_type_templates")


def test_the_data_migration_gives_built_in_types_their_own_templates_and_leaves_added_types_alone(admin_user):
    m = migration()
    old = m.SEEDED_0002
    for code, sections in old.items():  # the database as 0002 left it
        EventType.objects.filter(code=code).update(**sections, revision=1)
    # An administrator already changed the salon's risks, and added a type of their own.
    EventType.objects.filter(code="brand-salon").update(risks=[{"risk": "自定义风险"}])
    own = EventType.objects.create(code="campus-fair", name="校园招聘会", **old["product-launch"])
    m.forwards(django_apps, None)
    by_code = {spec["code"]: spec for spec in BUILTIN_TYPES}
    for et in EventType.objects.filter(is_builtin=True):
        spec = by_code[et.code]
        assert et.run_of_show == spec["run_of_show"] and et.budget_categories == spec["budget_categories"]
        assert et.revision == 2
    salon_now = salon()
    assert salon_now.risks == [{"risk": "自定义风险"}]  # an edited section is kept
    appreciation = EventType.objects.get(code="customer-appreciation")
    assert "嘉宾礼品短缺" in [r["risk"] for r in appreciation.risks]
    own.refresh_from_db()
    assert (
        own.run_of_show == old["product-launch"]["run_of_show"]
        and own.risks == old["product-launch"]["risks"]
    )
    assert own.revision == 1
    m.forwards(django_apps, None)  # running it again changes nothing
    assert EventType.objects.get(code="product-launch").revision == 2


def test_the_editor_tells_an_over_long_or_nul_cell_once_with_its_row(as_admin):
    et = salon()
    rows = [dict(r) for r in et.run_of_show]
    rows[1]["title"] = "长" * 500
    rows[2]["title"] = "a\x00b"
    resp = as_admin.post(f"/events/types/{et.pk}/", type_post(et, run_of_show=rows))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "第 2 行:环节名称最多 200 个字(现为 500 个)。" in html
    assert "第 3 行:环节名称含有换行或控制字符;此处只能填写一行文字。" in html


def test_the_blank_rows_the_page_offers_are_left_out(as_admin):
    et = salon()
    page = as_admin.get(f"/events/types/{et.pk}/")
    formsets = page.context["form"].sections
    assert formsets["risks"].total_form_count() == len(et.risks) + 2  # two blank rows to fill in
    data = type_post(et)
    for key, prefix in PREFIXES.items():  # the two blank rows, as the browser posts them
        n = len(getattr(et, key))
        data[f"{prefix}-TOTAL_FORMS"] = str(n + 2)
        for i in (n, n + 1):
            for column in COLUMNS[key]:
                data[f"{prefix}-{i}-{column}"] = ""
    risks_before = et.risks
    data["risks-0-DELETE"] = "on"
    resp = as_admin.post(f"/events/types/{et.pk}/", data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    et.refresh_from_db()
    assert et.risks == risks_before[1:]  # the deleted row is gone, the blank ones were not added


# ---------------------------------------------------------------- the project team's groups (issue 8, TM-2)
def test_each_built_in_type_names_its_project_groups():
    # REQ: TM-2 — the spec's 执行组, 宣传组, 后勤组; a summit adds speakers, an appreciation hospitality
    groups = {
        et.code: [g["code"] for g in et.team_groups] for et in EventType.objects.filter(is_builtin=True)
    }
    assert groups["product-launch"] == ["execution", "publicity", "logistics"]
    assert groups["industry-summit"][-1] == "speakers"
    assert groups["customer-appreciation"][-1] == "hospitality"
    assert groups["brand-salon"] == ["execution", "publicity"]
    for rows in EventType.objects.values_list("team_groups", flat=True):
        assert all(g["name"] and g["name_en"] and g["duties"] for g in rows)


def test_the_editor_saves_project_groups_and_refuses_bad_ones(as_admin):
    # REQ: TM-2 — administrators edit a type's groups; a repeated code or a group without a name is refused
    et = salon()
    groups = [
        *[dict(g) for g in et.team_groups],
        {"code": "guests", "name": "嘉宾组", "name_en": "Guests", "duties": "嘉宾邀约"},
    ]
    post = type_post(et)
    post.update(_rows("team-groups", groups, ("code", "name", "name_en", "duties")))
    resp = as_admin.post(f"/events/types/{et.pk}/", post)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    et.refresh_from_db()
    assert [g["code"] for g in et.team_groups] == ["execution", "publicity", "guests"]
    bad = [dict(g) for g in et.team_groups]
    bad[2]["code"] = "execution"
    bad[1]["name"] = ""
    post = type_post(et)
    post.update(_rows("team-groups", bad, ("code", "name", "name_en", "duties")))
    resp = as_admin.post(f"/events/types/{et.pk}/", post)
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "第 3 行" in html and "execution" in html and "第 2 行" in html
    assert [g["code"] for g in EventType.objects.get(pk=et.pk).team_groups] == [
        "execution",
        "publicity",
        "guests",
    ]


def _rows(prefix: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(rows):
        for column in columns:
            data[f"{prefix}-{i}-{column}"] = str(row.get(column, ""))
    return data
