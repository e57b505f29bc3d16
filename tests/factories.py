"""factory_boy factories for the core and events domains, and the persona helpers every test uses.

Phase apps add their own factories beside their tests. Importable as ``tests.factories`` from any test:
the root ``conftest.py`` puts the repository on ``sys.path``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import factory
from django.test import Client
from factory.django import DjangoModelFactory

from huodong.core.models import Department, Role, User
from huodong.demo.loader import PERSONAS
from huodong.events.models import Event, EventType

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PASSWORD = "test-pass-2026!"


def department(code: str) -> Department:
    return Department.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.STAFF
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试活动{n}")
    event_type = factory.LazyFunction(lambda: EventType.objects.get(code="product-launch"))
    theme = "智启未来"
    tone = "高端专业"
    starts_at = factory.LazyFunction(lambda: dt.datetime(2027, 3, 18, 13, 30, tzinfo=SHANGHAI))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=4))
    time_zone = "Asia/Shanghai"
    venue = "上海国际会议中心"
    expected_attendance = 220
    requesting_department = factory.LazyFunction(lambda: department("sales"))
    owner = factory.SubFactory(UserFactory, role=Role.ORGANISER)


def person(username: str, role: str, dept: str, title: str = "", name: str = "") -> User:
    """A user of a department, created once per username, who signs in with PASSWORD."""
    return UserFactory(  # type: ignore[return-value]
        username=username, role=role, department=department(dept), title=title, display_name=name or username
    )


_DEMO_PERSONAS = {username: (name, role, dept, title) for username, name, role, dept, title in PERSONAS}


def demo_person(username: str) -> User:
    """One of the demo's personas (huodong.demo.loader.PERSONAS): its name, role, department and title."""
    name, role, dept, title = _DEMO_PERSONAS[username]
    return person(username, role, dept, title, name)


def login(client: Client, user: User) -> Client:
    """Sign the test client in as the user, through the password check."""
    assert client.login(username=user.username, password=PASSWORD)
    return client
