"""``{% admin_links as links %}``: the administration pages later apps add to the 管理 navigation."""

from __future__ import annotations

from django import template

from huodong.core.admin_links import AdminLink
from huodong.core.admin_links import admin_links as registered

register = template.Library()


@register.simple_tag
def admin_links() -> list[AdminLink]:
    return registered()
