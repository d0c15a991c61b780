"""Two identical submissions create one thing (issue 20: two evidence items with two files,
two incidents, two notes, two action items, two invitations with two emails).

`@submitted_once` on a view that creates something: a POST runs in one transaction that
first writes a key made of who sent it, where, and everything they sent (each uploaded
file's name and content included; not the CSRF token). The same key written within
SUBMISSION_WINDOW seconds means the same form was sent again: the second waits on the
first (the key's unique index) and, once the first is saved, is answered "sent twice,
saved once" and sent back to where it came from, creating nothing and emailing no one.
A form sent back with errors keeps no key (only a redirect, the sign of success, does).
A different page load, a changed word, another person: another key.

`@submitted_once(again=...)`: a view whose "sent back to where it came from" would be
unkind (the form again, blank, when what the first made can be shown once only) answers the
second itself: `again(request, *args, **kwargs)` is called once the first is saved and
returns the response (where the first went, say), or None for the usual answer.

GOV.UK buttons on these forms also carry `data-prevent-double-click` (a second click
within a second is ignored), but that needs JavaScript; this holds without it, and against
two tabs, a retrying proxy, or a replay.
"""

import datetime
import functools
import hashlib

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from ppp.models import Submission

SUBMISSION_WINDOW = 60


def submission_key(request) -> str:
    digest = hashlib.sha256()
    user = getattr(request, "user", None)
    digest.update(f"{user.pk if user and user.is_authenticated else '-'}|{request.path}".encode())
    for name, values in sorted(request.POST.lists()):
        if name != "csrfmiddlewaretoken":
            digest.update(f"|{name}={values!r}".encode())
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(f"|{name}:{upload.name}:{upload.size}:".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


class SentTwice(Exception):
    pass


def submitted_once(view=None, *, again=None):
    if view is None:
        return functools.partial(submitted_once, again=again)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = submission_key(request)
        Submission.objects.filter(
            key=key, created_at__lt=timezone.now() - datetime.timedelta(seconds=SUBMISSION_WINDOW)
        ).delete()
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        Submission.objects.create(key=key)
                except IntegrityError:
                    raise SentTwice from None
                response = view(request, *args, **kwargs)
                if response.status_code not in (301, 302, 303):
                    # Not done (the form had errors): keep no key, so sending it again is
                    # answered as this was.
                    transaction.set_rollback(True)
                return response
        except SentTwice:
            if again is not None:
                answer = again(request, *args, **kwargs)
                if answer is not None:
                    return answer
            messages.info(request, "You sent this twice. It was saved once.")
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = request.path
            return redirect(back)

    return wrapper
