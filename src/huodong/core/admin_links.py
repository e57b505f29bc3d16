"""Pages of later apps in the administrators' navigation (管理), registered by each app in its
``AppConfig.ready`` so that ``core`` never names them (as ``events.tabs`` does for an event's tabs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AdminLink:
    key: str
    label: Any
    url_name: str


_LINKS: dict[str, AdminLink] = {}


def register_admin_link(*, key: str, label: Any, url_name: str) -> None:
    _LINKS[key] = AdminLink(key=key, label=label, url_name=url_name)


def admin_links() -> list[AdminLink]:
    return list(_LINKS.values())
