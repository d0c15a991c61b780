from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Anti-Bullying Charter"

    def ready(self):
        from . import signals  # noqa: F401 - connects the public page cache's invalidation
