"""Absolute addresses for emails, certificates and calendar files.

Every link PPP sends out starts with `SITE_URL` (the address people use to reach the
service), so a link in an email works wherever the server itself is listening.
"""

from django.conf import settings
from django.urls import reverse


def absolute_url(target, *args, **kwargs) -> str:
    """`SITE_URL` + the path of `target`: a model instance (its `get_absolute_url()`),
    a path starting with "/", or a URL name reversed with `args`/`kwargs`."""
    if hasattr(target, "get_absolute_url"):
        path = target.get_absolute_url()
    elif isinstance(target, str) and target.startswith("/"):
        path = target
    else:
        path = reverse(target, args=args or None, kwargs=kwargs or None)
    return settings.SITE_URL + path
