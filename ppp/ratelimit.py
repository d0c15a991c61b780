"""Rate limits for public pages that could be scraped or abused (certificate checks,
public forms), from django-ratelimit on the shared cache (see CACHES in settings).

`@limited("verify", "30/m")` allows 30 requests a minute per client address
(`ppp.audit.services.client_ip`, which knows about trusted proxies); the next one gets
the 429 page (`ppp.views.too_many_requests`, via RatelimitMiddleware). For a limit that
counts only some requests (complete sign-ups, say), call `over_limit` where it applies.
"""

from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

ALL_METHODS = ("GET", "POST")


def limited(group: str, rate: str, methods=ALL_METHODS, key: str = "ip"):
    """Decorator: at most `rate` ("30/m", "5/h") requests per address (or per signed-in
    person: `key="user"`) to the views in `group`, counting only `methods`."""
    return ratelimit(group=group, key=key, rate=rate, method=list(methods), block=True)


def over_limit(request, group: str, rate: str) -> bool:
    """Count this request towards `group`'s limit; True once it is over."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)
