from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "huodong.api"
    label = "api"
    verbose_name = "API"
