from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of every app (`manage.py load_demo_data`). The top layer: it may import any app,
    and no app imports it."""

    name = "demo"
    verbose_name = "演示数据"
