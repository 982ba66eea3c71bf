from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共库"

    def ready(self):
        from . import content_types

        content_types.install()
