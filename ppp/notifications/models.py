from django.db import models


class SentReminder(models.Model):
    """One row per reminder ever sent: the daily command never sends the same one twice.

    `key` names the reminder and its occasion, e.g. "visit-tomorrow:visit=42:2026-11-26".
    """

    key = models.CharField(max_length=200, unique=True)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return self.key
