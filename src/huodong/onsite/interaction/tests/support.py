"""Helpers the interaction tests share (no tests here): an event on its show day with checked-in guests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from huodong.checkin.services import redeem
from huodong.checkin.tests.support import door_event, guests_of, token_of
from huodong.outreach.models import Guest

from ..rules import settings_of


def show_event(owner: Any, n: int = 4, checked_in: int | None = None):  # noqa: ANN201
    """An event at 场地布置 with ``n`` registered guests of which ``checked_in`` (default all) are in."""
    event = door_event(owner, n)
    for guest in guests_of(event)[: n if checked_in is None else checked_in]:
        assert redeem.scan(actor=owner, event=event.pk, token=token_of(guest)).ok
    return event


def all_guests(event: Any) -> list[Guest]:
    return list(Guest.objects.filter(event=event).order_by("pk"))


def key_of(event: Any) -> str:
    return settings_of(event).key


def guest_url(event: Any, name: str = "guest_home", *args: Any) -> str:
    return reverse(f"onsite_interaction:{name}", args=[key_of(event), *args])


def phone() -> Client:
    """A guest's phone: a browser of its own, CSRF checked as a real one does."""
    return Client(enforce_csrf_checks=False)
