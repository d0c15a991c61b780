"""The charter's email with a secret link, written when it is sent (ppp.mail.email_writer):
the signatory's "confirm your email" link, made from SECRET_KEY and the email's own id."""

from django.conf import settings

from ppp.links import absolute_url
from ppp.mail import Written, email_writer, link_token, render_text
from ppp.tokens import hash_token

from .models import Pledge


@email_writer("charter.verify_email")
def verify_email(email) -> Written | None:
    from .services import VERIFY_SUBJECT

    pledge = Pledge.objects.select_related("organisation").filter(pk=email.params["pledge_id"]).first()
    if pledge is None or pledge.status != Pledge.Status.UNVERIFIED:
        return None  # confirmed (or removed) before the email could go
    token = link_token(email)
    Pledge.objects.filter(pk=pledge.pk).update(verification_token_hash=hash_token(token))
    context = {
        "pledge": pledge,
        "url": absolute_url("charter:verify-email", token=token),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return Written(VERIFY_SUBJECT, render_text("charter/email/verify.txt", context))
