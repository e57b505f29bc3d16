"""Core pages: sign-in, password, administration of the organisation, departments and people, audit log."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services
from .errors import DomainError, NotAllowed
from .forms import AuditFilterForm, DepartmentForm, OrganisationForm, PersonForm, apply_domain_errors
from .models import Department, User


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


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "core/password_change_done.html"


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.is_admin:  # type: ignore[union-attr]
        raise NotAllowed(_("只有管理员可以访问此页面。"))


def forbidden(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": exc}, status=exc.status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("events:list")


@login_required
def organisation_edit(request: HttpRequest) -> HttpResponse:
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
    org = services.organisation_get()
    form = OrganisationForm(
        request.POST or None,
        initial={
            "name": org.name,
            "time_zone": org.time_zone,
            "currency": org.currency,
            "reserve_min": org.reserve_min * 100,
            "reserve_max": org.reserve_max * 100,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                currency=form.cleaned_data["currency"],
                reserve_min=form.cleaned_data["reserve_min"] / Decimal(100),
                reserve_max=form.cleaned_data["reserve_max"] / Decimal(100),
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("组织设置已保存。"))
            return redirect("core:organisation")
    return render(request, "core/organisation.html", {"form": form})


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
    return render(request, "core/department_list.html", {"departments": Department.objects.all()})


@login_required
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
    dept = get_object_or_404(Department, pk=pk) if pk else None
    initial = (
        {"name": dept.name, "name_en": dept.name_en, "code": dept.code, "is_active": dept.is_active}
        if dept
        else {"is_active": True}
    )
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(actor=request.user, department=dept, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("部门已保存。"))
            return redirect("core:departments")
    return render(request, "core/department_form.html", {"form": form, "department": dept})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
    people = User.objects.select_related("department").order_by("department__sort_order", "id")
    return render(request, "core/person_list.html", {"people": people})


@login_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
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
        }
        if person
        else {"is_active": True}
    )
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_save(actor=request.user, person=person, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("人员已保存。"))
            return redirect("core:people")
    return render(request, "core/person_form.html", {"form": form, "person": person})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse and filter the audit log. Administrators see everything."""
    try:
        _admin_only(request)
    except NotAllowed as exc:
        return forbidden(request, exc)
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
    return render(request, "core/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
