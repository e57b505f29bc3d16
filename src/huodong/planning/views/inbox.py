from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/inbox.html", {"nav": "inbox"})


urlpatterns = [path("inbox/", inbox, name="inbox")]
