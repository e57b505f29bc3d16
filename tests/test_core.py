"""Core: organisation settings, departments, people and roles, the append-only audit log, signing in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from huodong.core.audit import audit_record
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Department, Organisation, Role, User
from huodong.core.services import department_save, organisation_get, organisation_update, person_save

from .conftest import login
from .factories import PASSWORD, demo_person, department

pytestmark = pytest.mark.django_db

SEEDED_DEPARTMENTS = ["市场部", "销售部", "产品部", "法务部", "财务部", "技术部", "行政部"]


# --- organisation -----------------------------------------------------------------------------------


def test_the_organisation_defaults_to_shanghai_time_and_yuan():
    org = organisation_get()
    assert (org.time_zone, org.currency) == ("Asia/Shanghai", "CNY")
    assert (org.reserve_min, org.reserve_max) == (Decimal("0.050"), Decimal("0.100"))  # REQ: PL-3
    assert organisation_get().pk == org.pk  # one organisation per installation


def test_an_admin_updates_the_organisation_and_it_is_audited(admin_user):
    seen = organisation_get().revision
    org = organisation_update(
        actor=admin_user, seen=seen, name="上海某科技", time_zone="Asia/Hong_Kong", currency="hkd"
    )
    assert (org.name, org.time_zone, org.currency) == ("上海某科技", "Asia/Hong_Kong", "HKD")
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == admin_user and entry.after["name"] == "上海某科技"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"name": "  "}, "name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"currency": "YUAN"}, "currency"),
        ({"currency": "1A3"}, "currency"),
        ({"reserve_min": Decimal("0.2"), "reserve_max": Decimal("0.1")}, "reserve_min"),
        ({"reserve_max": Decimal("1.5")}, "reserve_min"),
    ],
)
def test_bad_organisation_settings_name_the_field_and_change_nothing(admin_user, changes, field):
    before = Organisation.objects.values().get(pk=organisation_get().pk)
    with pytest.raises(DomainError) as exc:
        organisation_update(actor=admin_user, seen=before["revision"], **changes)
    assert field in exc.value.errors
    assert Organisation.objects.values().get(pk=before["id"]) == before
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


@pytest.mark.parametrize("who", ["organiser", "reviewer_finance", "approver_gm", "outsider"])
def test_only_an_admin_may_change_the_organisation(request, who):
    with pytest.raises(NotAllowed):
        organisation_update(actor=request.getfixturevalue(who), seen=organisation_get().revision, name="X")


def test_the_organisation_page_saves_for_an_admin(as_admin):
    resp = as_admin.post(
        "/admin/organisation/",
        {
            "name": "华东分公司",
            "time_zone": "Asia/Shanghai",
            "currency": "CNY",
            "reserve_min": "5",
            "reserve_max": "8",
            "revision": organisation_get().revision,
        },
    )
    assert resp.status_code == 302
    org = organisation_get()
    assert org.name == "华东分公司" and org.reserve_max == Decimal("0.080")


def test_the_organisation_page_shows_a_bad_time_zone_on_its_field(as_admin):
    resp = as_admin.post(
        "/admin/organisation/",
        {
            "name": "X",
            "time_zone": "Nowhere/City",
            "currency": "CNY",
            "reserve_min": "5",
            "reserve_max": "10",
            "revision": organisation_get().revision,
        },
    )
    assert resp.status_code == 400
    assert "time_zone" in resp.context["form"].errors
    assert "IANA" in resp.content.decode()


def test_the_organisation_page_is_refused_to_an_organiser(as_organiser):
    assert as_organiser.get("/admin/organisation/").status_code == 403


# --- departments ------------------------------------------------------------------------------------


def test_the_seven_departments_of_the_spec_are_seeded():
    names = list(Department.objects.order_by("sort_order").values_list("name", flat=True))
    assert names[:7] == SEEDED_DEPARTMENTS
    assert set(Department.objects.values_list("code", flat=True)) >= {
        "marketing", "sales", "product", "legal", "finance", "tech", "admin",
    }  # fmt: skip


def test_an_admin_renames_a_department_and_adds_one(admin_user):
    legal = department("legal")
    department_save(
        actor=admin_user,
        department=legal,
        seen=legal.revision,
        name="法务合规部",
        code="legal",
        name_en="Legal & Compliance",
    )
    legal.refresh_from_db()
    assert legal.name == "法务合规部"
    new = department_save(actor=admin_user, name="公关部", code="pr", name_en="PR")
    assert Department.objects.filter(pk=new.pk, code="pr").exists()
    assert AuditEntry.objects.filter(action="department.update").count() == 1
    assert AuditEntry.objects.filter(action="department.create").count() == 1


@pytest.mark.parametrize(
    "name,code,field",
    [("市场部", "market2", "name"), ("新部门", "sales", "code"), ("", "x", "name"), ("新部门", "", "code")],
)
def test_a_department_with_a_duplicate_or_empty_name_or_code_is_refused(admin_user, name, code, field):
    count = Department.objects.count()
    with pytest.raises(DomainError) as exc:
        department_save(actor=admin_user, name=name, code=code)
    assert field in exc.value.errors
    assert Department.objects.count() == count


def test_the_department_pages_list_and_edit(as_admin):
    resp = as_admin.get("/admin/departments/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert all(name in html for name in SEEDED_DEPARTMENTS)
    sales = department("sales")
    resp = as_admin.post(
        f"/admin/departments/{sales.pk}/",
        {"name": "销售中心", "code": "sales", "is_active": "on", "revision": sales.revision},
    )
    assert resp.status_code == 302
    sales.refresh_from_db()
    assert sales.name == "销售中心"


def test_the_department_page_shows_a_duplicate_name_on_its_field(as_admin):
    resp = as_admin.post("/admin/departments/new/", {"name": "财务部", "code": "fin2", "is_active": "on"})
    assert resp.status_code == 400
    assert "已有同名部门" in resp.context["form"].errors["name"][0]


def test_a_non_admin_cannot_open_the_department_pages(as_organiser):
    assert as_organiser.get("/admin/departments/").status_code == 403
    assert as_organiser.get("/admin/departments/new/").status_code == 403


# --- people and roles -------------------------------------------------------------------------------


def test_the_roles_include_two_distinct_approver_levels():
    assert set(Role.values) == {"admin", "organiser", "reviewer", "approver_exec", "approver_gm", "staff"}
    assert Role.APPROVER_EXEC.label == "分管领导"
    assert Role.APPROVER_GM.label == "总经理"


def test_an_admin_adds_a_person_with_department_title_and_role(admin_user):
    person = person_save(
        actor=admin_user,
        username="liu",
        display_name="刘律师",
        role=Role.REVIEWER,
        department=department("legal"),
        title="法务专员",
        password="a-good-passphrase-42",
    )
    assert (person.department.code, person.title, person.role, person.name) == (
        "legal",
        "法务专员",
        "reviewer",
        "刘律师",
    )
    assert person.check_password("a-good-passphrase-42")
    assert not person.is_admin
    entry = AuditEntry.objects.get(action="person.create")
    assert "password" not in entry.after


def test_a_person_with_an_admin_role_is_an_admin(admin_user):
    person = person_save(actor=admin_user, username="it2", display_name="IT", role=Role.ADMIN)
    assert person.is_admin and person.is_staff
    assert not person.has_usable_password()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"username": "organiser"}, "username"),
        ({"username": " "}, "username"),
        ({"role": "emperor"}, "role"),
        ({"password": "123"}, "password"),
    ],
)
def test_a_bad_person_is_refused_naming_the_field(admin_user, organiser, kwargs, field):
    count = User.objects.count()
    data = {"username": "newbie", "display_name": "新人", "role": Role.STAFF} | kwargs
    with pytest.raises(DomainError) as exc:
        person_save(actor=admin_user, **data)
    assert field in exc.value.errors
    assert User.objects.count() == count


def test_only_an_admin_may_add_people(organiser):
    with pytest.raises(NotAllowed):
        person_save(actor=organiser, username="x", display_name="x", role=Role.STAFF)


def test_the_people_pages_list_and_create(as_admin, organiser):
    resp = as_admin.get("/admin/people/")
    assert resp.status_code == 200
    assert "王策划" in resp.content.decode()
    resp = as_admin.post(
        "/admin/people/new/",
        {
            "username": "qian",
            "display_name": "钱同学",
            "department": department("marketing").pk,
            "title": "市场专员",
            "role": "staff",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    assert User.objects.get(username="qian").department.code == "marketing"


def test_the_people_page_is_refused_to_a_reviewer(client, reviewer_legal):
    login(client, reviewer_legal)
    assert client.get("/admin/people/").status_code == 403


# --- the audit log is append-only -------------------------------------------------------------------


@pytest.fixture
def entry(organiser):
    return audit_record(actor=organiser, action="test.thing", summary="原始记录", after={"a": 1})


def test_an_audit_entry_cannot_be_changed(entry):
    entry.summary = "篡改"
    with pytest.raises(ValidationError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "原始记录"


def test_an_audit_entry_cannot_be_deleted(entry):
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_log_refuses_bulk_updates_and_deletes(entry):
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="篡改")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "原始记录"


def test_an_audit_entry_records_who_when_what_and_before_after(organiser, event):
    e = audit_record(
        actor=organiser, action="x.y", target=event, event_id=event.pk, before={"n": 1}, after={"n": 2}
    )
    assert (e.actor, e.target_type, e.target_id, e.event_id) == (
        organiser,
        "events.event",
        str(event.pk),
        event.pk,
    )
    assert (e.before, e.after) == ({"n": 1}, {"n": 2})
    assert e.at is not None


# --- the audit page ---------------------------------------------------------------------------------


@pytest.fixture
def audit_rows(organiser, admin_user, event):
    audit_record(actor=organiser, action="plan.submit", event_id=event.pk, summary="提交方案甲")
    audit_record(actor=admin_user, action="department.update", summary="改名乙")
    audit_record(actor=organiser, action="plan.edit", summary="修改方案丙")


@pytest.mark.parametrize(
    "query,shown,hidden",
    [
        ("action=plan", ["提交方案甲", "修改方案丙"], ["改名乙"]),
        ("actor=admin", ["改名乙"], ["提交方案甲"]),
        ("q=丙", ["修改方案丙"], ["提交方案甲", "改名乙"]),
        ("event={event}", ["提交方案甲"], ["改名乙", "修改方案丙"]),
    ],
)
def test_the_audit_page_filters_by_action_actor_text_and_event(
    as_admin, audit_rows, event, query, shown, hidden
):
    resp = as_admin.get("/admin/audit/?" + query.format(event=event.pk))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert all(s in html for s in shown)
    assert not any(h in html for h in hidden)


def test_the_audit_page_filters_by_date(as_admin, audit_rows):
    html = as_admin.get("/admin/audit/?since=2000-01-01&until=2000-12-31").content.decode()
    assert "没有符合条件的记录" in html
    assert "提交方案甲" not in html


def test_the_audit_page_ignores_a_bad_filter_without_crashing(as_admin, audit_rows):
    resp = as_admin.get("/admin/audit/?event=abc&since=not-a-date")
    assert resp.status_code == 200


def test_the_audit_page_is_for_admins_only(as_organiser):
    assert as_organiser.get("/admin/audit/").status_code == 403


# --- signing in -------------------------------------------------------------------------------------


def test_a_person_logs_in_and_lands_on_the_event_list(client, organiser):
    resp = client.post("/login/", {"username": "organiser", "password": PASSWORD})
    assert resp.status_code == 302 and resp.url == "/events/"
    assert client.get("/events/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, organiser):
    resp = client.post("/login/", {"username": "organiser", "password": "wrong"})
    assert resp.status_code == 200
    assert resp.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_pages_need_a_login(client):
    resp = client.get("/events/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")


def test_logout_ends_the_session(as_organiser):
    resp = as_organiser.post("/logout/")
    assert resp.status_code == 302
    assert as_organiser.get("/events/").status_code == 302


def test_a_person_changes_their_password(client, organiser):
    login(client, organiser)
    resp = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "另一个-很长的-密码-2026",
            "new_password2": "另一个-很长的-密码-2026",
        },
    )
    assert resp.status_code == 302 and resp.url == "/password/done/"
    organiser.refresh_from_db()
    assert organiser.check_password("另一个-很长的-密码-2026")
    assert Client().login(username="organiser", password="另一个-很长的-密码-2026")


def test_a_password_change_with_the_wrong_old_password_is_refused(client, organiser):
    login(client, organiser)
    resp = client.post(
        "/password/",
        {"old_password": "nope", "new_password1": "abcdefgh-123", "new_password2": "abcdefgh-123"},
    )
    assert resp.status_code == 200
    assert "old_password" in resp.context["form"].errors
    organiser.refresh_from_db()
    assert organiser.check_password(PASSWORD)


# --- the admin pages on the one page flow: revisions, stale forms, bounded text (issue 6) ----------------


def _org_post(org, **changes):
    """The organisation form as the page shows it (the default 5–10% reserve band), with ``changes``."""
    data = {
        "name": org.name,
        "time_zone": org.time_zone,
        "currency": org.currency,
        "reserve_min": "5.0",
        "reserve_max": "10.0",
        "required_review_departments": [d.pk for d in org.required_review_departments.all()],
        "revision": org.revision,
    }
    return data | changes


def test_a_new_organisation_starts_with_the_four_reviewing_departments():
    # REQ: RV-1 — sales, product, legal and finance take part by default.
    Organisation.objects.all().delete()
    org = organisation_get()
    assert set(org.required_review_departments.values_list("code", flat=True)) == {
        "sales", "product", "legal", "finance",
    }  # fmt: skip


def test_the_organisation_page_sets_the_departments_that_must_review(as_admin, admin_user):
    # REQ: RV-1 — the departments that must review are an organisation setting, audited.
    org = organisation_get()
    wanted = [department(c).pk for c in ("sales", "legal", "finance", "tech")]
    page = as_admin.get("/admin/organisation/").content.decode()
    assert "必须参与评审的部门" in page and 'name="revision"' in page
    assert 'value="5.0"' in page and 'value="10.0"' in page  # the page saves unchanged
    resp = as_admin.post("/admin/organisation/", _org_post(org, required_review_departments=wanted))
    assert resp.status_code == 302
    org.refresh_from_db()
    assert set(org.required_review_departments.values_list("pk", flat=True)) == set(wanted)
    assert org.revision == 2
    entry = AuditEntry.objects.get(action="organisation.review_departments")
    assert entry.actor == admin_user
    assert set(entry.before["required_review_departments"]) == {"sales", "product", "legal", "finance"}
    assert set(entry.after["required_review_departments"]) == {"sales", "legal", "finance", "tech"}


def test_an_inactive_department_cannot_be_required_to_review(admin_user):
    # REQ: RV-1
    org = organisation_get()
    closed = department_save(actor=admin_user, name="旧部门", code="old", is_active=False)
    with pytest.raises(DomainError) as exc:
        organisation_update(actor=admin_user, seen=org.revision, required_review_departments=[closed])
    assert "required_review_departments" in exc.value.errors
    assert not AuditEntry.objects.filter(action="organisation.review_departments").exists()


def test_a_stale_organisation_form_says_who_changed_it_and_saves_nothing(client, as_admin):
    org = organisation_get()
    seen = org.revision
    other = demo_person("admin")  # the same administrator, in another tab, is "another person" here
    organisation_update(actor=other, seen=seen, name="华南分公司")
    resp = as_admin.post("/admin/organisation/", _org_post(org, name="华东分公司", revision=seen))
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "已被系统管理员修改" in html and "华南分公司" in html and "华东分公司" in html
    assert organisation_get().name == "华南分公司"
    # The form now carries the current revision: submitting again is a deliberate overwrite.
    assert resp.context["form"].data["revision"] == str(seen + 1)
    again = as_admin.post("/admin/organisation/", _org_post(org, name="华东分公司", revision=seen + 1))
    assert again.status_code == 302 and organisation_get().name == "华东分公司"


def test_an_organisation_form_without_its_revision_is_refused(as_admin):
    org = organisation_get()
    data = _org_post(org, name="无修订号")
    del data["revision"]
    resp = as_admin.post("/admin/organisation/", data)
    assert resp.status_code == 400
    assert "表单缺少修订号" in resp.content.decode()
    assert organisation_get().name != "无修订号"


def test_a_service_edit_without_a_revision_is_428(admin_user):
    from huodong.core.concurrency import PreconditionRequired

    with pytest.raises(PreconditionRequired):
        organisation_update(actor=admin_user, name="X")
    with pytest.raises(PreconditionRequired):
        department_save(actor=admin_user, department=department("sales"), name="销售", code="sales")


def test_a_department_edit_audits_only_what_changed_and_a_stale_one_is_refused(admin_user):
    from huodong.core.concurrency import Stale

    sales = department("sales")
    seen = sales.revision
    department_save(
        actor=admin_user, department=sales, seen=seen, name="销售中心", code="sales", name_en="Sales"
    )
    entry = AuditEntry.objects.get(action="department.update")
    assert (entry.before, entry.after) == ({"name": "销售部"}, {"name": "销售中心"})
    with pytest.raises(Stale) as exc:
        department_save(actor=admin_user, department=sales, seen=seen, name="销售一部", code="sales")
    assert exc.value.changed_by == "系统管理员"
    assert department("sales").name == "销售中心"


def test_a_stale_person_form_is_409_with_the_other_persons_change(as_admin, admin_user, organiser):
    seen = organiser.revision
    person_save(
        actor=admin_user,
        person=organiser,
        seen=seen,
        username="organiser",
        display_name="王大策划",
        role=organiser.role,
        department=organiser.department,
        title=organiser.title,
        email=organiser.email,
    )
    resp = as_admin.post(
        f"/admin/people/{organiser.pk}/",
        {
            "username": "organiser",
            "display_name": "王小策划",
            "role": organiser.role,
            "department": organiser.department_id,
            "is_active": "on",
            "revision": seen,
        },
    )
    assert resp.status_code == 409
    assert "王大策划" in resp.content.decode()
    organiser.refresh_from_db()
    assert organiser.display_name == "王大策划"


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "坏\x00部门"}, "name"),
        ({"name": "部" * 101}, "name"),
        ({"name": "两\n行"}, "name"),
        ({"name_en": "Bad\x07"}, "name_en"),
        ({"code": "has space"}, "code"),
    ],
)
def test_bad_department_text_is_refused_naming_the_field(admin_user, data, field):
    count = Department.objects.count()
    with pytest.raises(DomainError) as exc:
        department_save(actor=admin_user, **({"name": "公关部", "code": "pr"} | data))
    assert field in exc.value.errors
    assert Department.objects.count() == count


@pytest.mark.parametrize(
    "data,field",
    [
        ({"display_name": "王\x1b策划"}, "display_name"),
        ({"title": "长" * 101}, "title"),
        ({"phone": "1" * 21}, "phone"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_person_text_is_refused_naming_the_field(admin_user, data, field):
    count = User.objects.count()
    with pytest.raises(DomainError) as exc:
        person_save(
            actor=admin_user, **({"username": "newbie", "display_name": "新人", "role": Role.STAFF} | data)
        )
    assert field in exc.value.errors
    assert User.objects.count() == count


def test_the_department_page_shows_a_control_character_on_its_field(as_admin):
    resp = as_admin.post("/admin/departments/new/", {"name": "公关\x07部", "code": "pr", "is_active": "on"})
    assert resp.status_code == 400
    assert "name" in resp.context["form"].errors
    assert not Department.objects.filter(code="pr").exists()
