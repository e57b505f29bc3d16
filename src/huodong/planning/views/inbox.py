"""My inbox: the reviews and approvals waiting for me (RV-1, AP-1) and my recent notifications.

Only work the person may do is listed: never a version of an event they own or a version they submitted
(separation of duties, ``selectors_approval``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.http import actor
from huodong.core.models import Notification
from huodong.core.services import notification_mark_read

from .. import selectors_approval as sel


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    return render(
        request,
        "planning/inbox.html",
        {
            "nav": "inbox",
            "reviews": list(sel.pending_department_reviews_for(user)),
            "approvals": list(sel.pending_approvals_for(user)),
            "notifications": sel.notifications_for(user),
            "unread": sel.unread_notification_count(user),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=actor(request), notification_id=notification_id)
    return redirect("planning:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True)
    for pk in unread:
        notification_mark_read(user=user, notification_id=pk)
    messages.success(request, _("全部通知已标为已读。"))
    return redirect("planning:inbox")


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/notifications/<int:notification_id>/read/", inbox_read, name="inbox_read"),
    path("inbox/notifications/read-all/", inbox_read_all, name="inbox_read_all"),
]
