"""简体中文 formats: Django's, except that amounts are grouped by thousands with a comma (¥551,400.00),
as finance and the budget tables write them."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
