"""Reads of issued certificates that other pages use: the officers' search finds one by its code."""

from ppp.search import SearchGroup, SearchResult, search_sources

from .models import IssuedCertificate, normalise_code


@search_sources.register
def search_results(user, query: str) -> SearchGroup | None:
    """A certificate by its code, typed as people type it (PPP-7KQ4-M2XD-9HTR, 7kq4 m2xd 9htr):
    what it is for, and a link to that (an award's application, a pledge, a training place)."""
    code = normalise_code(query)
    if not user.is_officer or code is None:
        return None
    certificate = IssuedCertificate.objects.filter(code=code).select_related("source_type").first()
    if certificate is None:
        return None
    source = certificate.source
    url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else certificate.get_absolute_url()
    detail = " · ".join(
        [
            certificate.get_kind_display(),
            certificate.title,
            f"issued {certificate.issued_at:%-d %B %Y}",
            certificate.code,
        ]
    )
    return SearchGroup(
        "Certificates", [SearchResult(certificate.holder, url, detail=detail, status=certificate.status.capitalize())]
    )
