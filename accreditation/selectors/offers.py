"""Evidence offered from other apps: part of `accreditation.selectors` (see its docstring)."""

from ppp.offers import (
    CriterionFigures,
    DistanceTravelled,
    EvidenceOffer,
    criterion_figure_sources,
    distance_travelled_sources,
    evidence_offer_sources,
)

from ..models import (
    Application,
    Criterion,
    Evidence,
)
from ._base import application_evidence


def evidence_offers(
    application: Application, user, evidence: list[Evidence] | None = None
) -> dict[str, list[EvidenceOffer]]:
    """What other apps offer as evidence for `application`, by criterion code.

    Each app that holds evidence for the award registers a source with
    ppp.offers.evidence_offer_sources and answers from the evidence the page has read
    (`application_evidence`; read here if not given); nothing is offered once the
    application is closed.
    """
    if not application.is_open or application.status == Application.Status.APPLIED:
        return {}
    if evidence is None:
        evidence = application_evidence(application)
    offers: list[EvidenceOffer] = []
    for _label, source in evidence_offer_sources.all():
        offers.extend(source(application, user, evidence))
    by_code: dict[str, list[EvidenceOffer]] = {}
    for offer in offers:
        by_code.setdefault(offer.criterion_code, []).append(offer)
    return by_code


def attached_criterion_codes(application: Application, evidence: list[Evidence], *, title: str) -> set[str]:
    """The codes of the criteria that `application`'s evidence called `title` already
    shows, from evidence read by `application_evidence` (a query only if there is some)."""
    ids = {pk for item in evidence if item.title == title for pk in item.criterion_ids}
    if not ids:
        return set()
    return set(
        Criterion.objects.filter(pk__in=ids, standard__scheme_id=application.scheme_id).values_list("code", flat=True)
    )


def criterion_figures(application: Application, user) -> dict[str, list[CriterionFigures]]:
    """Figures other apps hold about the application's criteria (a survey's headline
    figures), by criterion code, for the self-review (ppp.offers.criterion_figure_sources)."""
    by_code: dict[str, list[CriterionFigures]] = {}
    for _label, source in criterion_figure_sources.all():
        for figures in source(application, user):
            by_code.setdefault(figures.criterion_code, []).append(figures)
    return by_code


def distance_since_award(application: Application, user) -> list[DistanceTravelled]:
    """Other apps' figures of how far the school has come since its last award (a survey's
    headline questions), for the re-accreditation page (ppp.offers.distance_travelled_sources);
    empty for a first application."""
    if application.kind != Application.Kind.REACCREDITATION:
        return []
    return [found for _label, source in distance_travelled_sources.all() for found in source(application, user)]
