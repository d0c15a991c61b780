import uuid

from django.db import models


class SentReminder(models.Model):
    """One row per reminder ever sent: the daily command never sends the same one twice.

    `key` names the reminder and its occasion, e.g. "visit-tomorrow:visit=42:2026-11-26".
    The reminder is not emailed on its own: each of its `deliveries` waits until the
    command gathers everything one address has waiting into one email (the digest). Its
    `body` is kept only until every address has had it.
    """

    key = models.CharField(max_length=200, unique=True)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return self.key


class ReminderDelivery(models.Model):
    """One address a reminder is for. Waiting (`emailed_at` empty) until the digest step
    puts it into that address's email of the run; then `email` is that email."""

    reminder = models.ForeignKey(SentReminder, on_delete=models.CASCADE, related_name="deliveries")
    address = models.CharField(max_length=254)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey("Email", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reminder", "address"], name="reminder_delivery_once")]
        indexes = [
            models.Index(
                fields=["address", "id"], condition=models.Q(emailed_at__isnull=True), name="reminder_delivery_waiting"
            )
        ]

    def __str__(self):
        return f"{self.reminder.key} to {self.address}"


class Email(models.Model):
    """One email PPP sends, from the moment the change that causes it is saved until the
    mail relay accepts it: the record that makes "sent once" hold (ppp/mail.py).

    The task that sends it carries only this row's id. An email with a secret link
    (invitation, password reset, email check) stores no body: `kind` names the function
    that writes it, from the ids in `params`, when it is sent, so no live link waits in a
    table. Other bodies are kept only until the email is sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not needed any more"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60, blank=True, help_text="Blank: the body below; else who writes it")
    params = models.JSONField(default=dict, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)}"
