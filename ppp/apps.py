from django.apps import AppConfig


class PPPConfig(AppConfig):
    name = "ppp"
    verbose_name = "Positive and Peaceful Places"
