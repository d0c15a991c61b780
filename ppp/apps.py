from django.apps import AppConfig


class PPPConfig(AppConfig):
    name = "ppp"
    verbose_name = "Positive and Peaceful Places"

    def ready(self):
        # The email task and its writers' registry, wherever email is sent from.
        from ppp import admin_guards, mail  # noqa: F401

        admin_guards.install()
