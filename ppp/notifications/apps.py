from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ppp.notifications"
    label = "notifications"
    verbose_name = "Notifications and reminders"
