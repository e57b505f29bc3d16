"""The REST API (django-ninja): one NinjaAPI, routers from each app, the same services as the pages."""
