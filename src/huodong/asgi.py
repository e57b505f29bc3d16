"""ASGI entry point, for live screens that push server-sent events."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huodong.settings")
application = get_asgi_application()
