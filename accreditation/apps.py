from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "PPP award accreditation"

    def ready(self):
        from . import signals  # noqa: F401 - connects the public page cache's invalidation
