"""The administrators' register of internal group robots (DESIGN.md, "Robot webhooks"; NT-1), at
/outreach/robots/ (administrators only):

- ``outreach:robots``: every robot (kind, name, department, whether a secret is set, enabled) with its
  last messages, and the add form;
- ``outreach:robot_add`` (POST): a new robot;
- ``outreach:robot_edit`` (GET/POST): change it (with its revision); disable it; the secret is never shown;
- ``outreach:robot_test`` (POST): send it a test message now and say what the provider answered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.http import AuthedRequest, actor
from huodong.core.models import User
from huodong.core.pageflow import error_page, form_post, redirect_to

from .. import delivery_log
from ..forms.robots import RobotForm
from ..models import Message, Robot
from ..services import robots as services


def _admin(request: AuthedRequest) -> User:
    person = actor(request)
    if not person.is_admin:
        raise NotAllowed(_("只有管理员可以管理群机器人。"))
    return person


def _rows() -> list[dict[str, Any]]:
    return [{"obj": r, "log": delivery_log.robot_log(r.pk, 5)} for r in services.robots_all()]


def _list(request: AuthedRequest, *, form: RobotForm | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "outreach/robots.html",
        {"rows": _rows(), "form": form or RobotForm(initial={"is_active": True})},
        status=status,
    )


def _data(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in ("kind", "name", "department", "token", "secret", "is_active", "clear_secret")
            if k in d}  # fmt: skip


@require_GET
@login_required
def robots(request: AuthedRequest) -> HttpResponse:
    try:
        _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    return _list(request)


@require_POST
@login_required
def robot_add(request: AuthedRequest) -> HttpResponse:
    try:
        admin = _admin(request)
    except DomainError as exc:
        return error_page(request, exc)
    form = RobotForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: services.robot_add(actor=admin, **_data(d)),
        page=lambda status: _list(request, form=form, status=status),
        success_url=reverse("outreach:robots"),
        done=_("群机器人已添加;可发送测试消息确认配置。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def robot_edit(request: AuthedRequest, robot_id: int) -> HttpResponse:
    try:
        admin = _admin(request)
        robot = services.robot_get(robot_id)
    except DomainError as exc:
        return error_page(request, exc)
    initial = {
        "kind": robot.kind,
        "name": robot.name,
        "department": robot.department_id,
        "token": robot.token,
        "is_active": robot.is_active,
        "revision": robot.revision,
    }
    form = RobotForm(request.POST or None, edit=True, has_secret=bool(robot.secret), initial=initial)

    def page(status: int) -> HttpResponse:
        return render(
            request,
            "outreach/robots_edit.html",
            {"robot": robot, "form": form, "log": delivery_log.robot_log(robot.pk)},
            status=status,
        )

    if request.method != "POST":
        return page(200)

    def save(d: dict[str, Any]) -> Robot:
        data = _data(d)
        if not data.get("secret"):
            data.pop("secret", None)
        return services.robot_update(actor=admin, robot_id=robot.pk, seen=d["revision"], **data)

    return form_post(
        request,
        form,
        save=save,
        page=page,
        success_url=reverse("outreach:robots"),
        done=_("群机器人已保存。"),
    )


@require_POST
@login_required
def robot_test(request: AuthedRequest, robot_id: int) -> HttpResponse:
    try:
        admin = _admin(request)
        message = services.robot_test(actor=admin, robot_id=robot_id)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        messages.error(request, exc.message)
        return redirect_to(request, reverse("outreach:robots"))
    if message.status == Message.Status.SENT:
        messages.success(request, _("测试消息已发送,请在群里确认。"))
    else:
        messages.error(
            request,
            _("测试消息未能发送(%(status)s):%(error)s")
            % {"status": message.get_status_display(), "error": message.last_error},
        )
    return redirect_to(request, reverse("outreach:robots"))


urlpatterns = [
    path("outreach/robots/", robots, name="robots"),
    path("outreach/robots/add/", robot_add, name="robot_add"),
    path("outreach/robots/<int:robot_id>/", robot_edit, name="robot_edit"),
    path("outreach/robots/<int:robot_id>/test/", robot_test, name="robot_test"),
]
