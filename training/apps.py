from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "SEND Support training"

    def ready(self):
        from . import signals  # noqa: F401 - connects the public page cache's invalidation
