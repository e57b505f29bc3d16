from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "huodong.demo"
    label = "demo"
    verbose_name = "Demo"
