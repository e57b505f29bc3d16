"""Core pages: sign-in and sign-out, password, the person's API tokens, administration of the
organisation, departments and people, the audit log.

Administration pages follow the one page flow (``core.pageflow.form_post``): the form carries the
revision it showed, one service writes, a stale form says "已被某某修改" with the other person's values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .errors import DomainError, NotAllowed
from .forms import AuditFilterForm, DepartmentForm, LoginForm, OrganisationForm, PersonForm, TokenForm
from .http import AuthedRequest, actor, actor_or_none
from .middleware import client_address
from .models import Department, User
from .pageflow import action_post, error_page, form_post

PERCENT_STEP = Decimal("0.1")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# ------------------------------------------------------------------------------ signing in and out


class LoginView(auth_views.LoginView):
    """Sign-in under the throttle: a locked account or address gets 429, a message saying when to retry,
    and ``Retry-After``."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Where a person lands without a ``?next=``: 我的待办 when reviews or approvals wait for them,
        else the event list (``LOGIN_REDIRECT_URL``)."""
        from huodong.planning.context_processors import pending_for

        if pending_for(self.request.user):
            return reverse("planning:inbox")
        return super().get_default_redirect_url()

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        locked = getattr(form, "locked", None)
        if locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(locked.retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign-out, written to the audit log first (who, from where)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = actor_or_none(request)
        if person is not None:
            services.logout_record(actor=person, address=client_address(request))
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A person changes their own password: audited, and their API tokens are revoked."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            person = services.password_change(
                actor=actor(self.request), password=form.cleaned_data["new_password1"]
            )
        except DomainError as exc:
            for field, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, person)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "core/password_change_done.html"


def forbidden(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The error page (kept for the pages that import it; ``core.pageflow.error_page`` is the same)."""
    return error_page(request, exc)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("events:list")


# ------------------------------------------------------------------------------ the person's API tokens


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """The "API 令牌" page: the person's own tokens; a new one's secret is shown once, on the answer to its POST."""
    person = actor(request)
    form = TokenForm(request.POST or None)
    created: tuple[Any, str] | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = services.token_create(
                    user=person, actor=person, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
            except DomainError as exc:
                if exc.status in (401, 403, 404):
                    return error_page(request, exc)
                from .forms import apply_domain_errors

                apply_domain_errors(form, exc)
                status = exc.status
            else:
                status = 201
                form = TokenForm()
    context = {
        "form": form,
        "tokens": selectors.tokens_of(person),
        "created": created[0] if created else None,
        "secret": created[1] if created else "",
        "nav": "tokens",
    }
    return render(request, "core/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    person = actor(request)
    url = reverse("core:tokens")
    return action_post(
        request,
        act=lambda: services.token_revoke(actor=person, token_id=pk),
        success_url=url,
        failure_url=url,
        done=_("令牌已吊销。"),
    )


# ------------------------------------------------------------------------------ administration


def _admin(request: HttpRequest) -> User:
    person = actor(request)
    if not person.is_admin:
        raise NotAllowed(_("只有管理员可以访问此页面。"))
    return person


@login_required
def organisation_edit(request: AuthedRequest) -> HttpResponse:
    try:
        admin = _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    org = services.organisation_get()
    form = OrganisationForm(
        request.POST or None,
        initial={
            "name": org.name,
            "time_zone": org.time_zone,
            "currency": org.currency,
            # Shown with the one decimal place the form accepts (5.0, not 5.000).
            "reserve_min": (org.reserve_min * 100).quantize(PERCENT_STEP),
            "reserve_max": (org.reserve_max * 100).quantize(PERCENT_STEP),
            "required_review_departments": list(org.required_review_departments.all()),
            "revision": org.revision,
        },
    )

    def page(status: int) -> HttpResponse:
        return render(request, "core/organisation.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: services.organisation_update(
            actor=admin,
            seen=data["revision"],
            name=data["name"],
            time_zone=data["time_zone"],
            currency=data["currency"],
            reserve_min=data["reserve_min"] / Decimal(100),
            reserve_max=data["reserve_max"] / Decimal(100),
            required_review_departments=list(data["required_review_departments"]),
        ),
        page=page,
        success_url=reverse("core:organisation"),
        done=_("组织设置已保存。"),
    )


@login_required
def department_list(request: AuthedRequest) -> HttpResponse:
    try:
        _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "core/department_list.html", {"departments": Department.objects.all()})


@login_required
def department_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    try:
        admin = _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    dept = get_object_or_404(Department, pk=pk) if pk else None
    initial = (
        {
            "name": dept.name,
            "name_en": dept.name_en,
            "code": dept.code,
            "is_active": dept.is_active,
            "revision": dept.revision,
        }
        if dept
        else {"is_active": True}
    )
    form = DepartmentForm(request.POST or None, initial=initial, editing=dept is not None)

    def page(status: int) -> HttpResponse:
        return render(request, "core/department_form.html", {"form": form, "department": dept}, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: services.department_save(
            actor=admin,
            department=dept,
            seen=data.get("revision"),
            name=data["name"],
            name_en=data["name_en"],
            code=data["code"],
            is_active=data["is_active"],
        ),
        page=page,
        success_url=reverse("core:departments"),
        done=_("部门已保存。"),
    )


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    try:
        _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    people = User.objects.select_related("department").order_by("department__sort_order", "id")
    return render(request, "core/person_list.html", {"people": people})


@login_required
def person_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    try:
        admin = _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    person = get_object_or_404(User, pk=pk) if pk else None
    initial = (
        {
            "username": person.username,
            "display_name": person.display_name,
            "department": person.department_id,
            "title": person.title,
            "role": person.role,
            "email": person.email,
            "phone": person.phone,
            "is_active": person.is_active,
            "revision": person.revision,
        }
        if person
        else {"is_active": True}
    )
    form = PersonForm(request.POST or None, initial=initial, editing=person is not None)

    def page(status: int) -> HttpResponse:
        return render(request, "core/person_form.html", {"form": form, "person": person}, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: services.person_save(
            actor=admin,
            person=person,
            seen=data.get("revision"),
            **{k: v for k, v in data.items() if k != "revision"},
        ),
        page=page,
        success_url=reverse("core:people"),
        done=_("人员已保存。"),
    )


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    """Browse and filter the audit log. Administrators see everything."""
    try:
        _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        q=filters.get("q") or "",
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        event_id=filters.get("event"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav": "audit"},
    )
