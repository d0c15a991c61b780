from django.db import models


class Submission(models.Model):
    """A form sent that creates something (ppp/once.py): the same form sent twice with the
    same content, by the same person, within SUBMISSION_WINDOW seconds, creates one thing."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.key
