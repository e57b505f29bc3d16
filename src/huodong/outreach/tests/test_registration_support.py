"""Helpers the registration, ticket, public-page and self-service tests share (no tests here).

``open_event`` is an event at 通知发布 with registration open (and whatever settings are given);
``submit`` posts the public form; ``sign_up`` registers through the service.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from huodong.events.steps import Step
from huodong.outreach.models import Guest, RegistrationSettings
from huodong.outreach.services import registration as services
from huodong.planning.tests.conftest import make_event

QUESTIONS = [
    {"code": "industry", "label": "所属行业", "label_en": "Industry", "kind": "choice",
     "choices": ["制造", "金融", "零售"], "required": True},
    {"code": "topics", "label": "关注议题", "label_en": "Topics", "kind": "multi",
     "choices": ["AI", "云", "安全"], "required": False},
    {"code": "lunch", "label": "是否用餐", "label_en": "Lunch", "kind": "yesno", "choices": [], "required": False},
    {"code": "note", "label": "其他需求", "label_en": "Anything else", "kind": "text", "choices": [],
     "required": False},
]  # fmt: skip


def open_event(owner: Any, **settings: Any):  # noqa: ANN201
    """An event at 通知发布 whose registration is open, with ``settings`` on its registration."""
    event = make_event(owner, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    values = {"is_open": True, **settings}
    RegistrationSettings.objects.filter(pk=reg.pk).update(**values)
    return event


def reg_of(event: Any) -> RegistrationSettings:
    return RegistrationSettings.objects.get(event=event)


def sign_up(event: Any, n: int = 1, **overrides: Any) -> Guest:
    """Register guest number ``n`` through the service (distinct phone and e-mail per ``n``)."""
    data: dict[str, Any] = {
        "name": f"嘉宾{n}",
        "phone": f"1380000{n:04d}",
        "email": f"guest{n}@example.com",
        "company": "华东制造",
        "title": "经理",
        "answers": {"industry": "制造"},
        "consents": {"operation": True},
        "language": "zh-hans",
        "address": "10.0.0.1",
    }
    data.update(overrides)
    return services.register(event=event, **data)


def form_data(n: int = 1, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": f"嘉宾{n}",
        "phone": f"1380000{n:04d}",
        "email": f"guest{n}@example.com",
        "company": "华东制造",
        "title": "经理",
        "q_industry": "制造",
        "consent_operation": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Client, event: Any, data: dict[str, Any], **extra: Any):  # noqa: ANN201
    return client.post(reverse("outreach:register", args=[reg_of(event).slug]), data, **extra)
