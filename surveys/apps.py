from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Pupil voice surveys"

    def ready(self):
        from . import signals  # noqa: F401 - forgets what the answering pages keep of a round
