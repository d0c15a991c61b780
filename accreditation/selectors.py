"""Reads about the award that several pages or other apps use."""

from dataclasses import dataclass

from .models import Application


@dataclass(frozen=True)
class EvidenceOffer:
    """Something another part of PPP holds that shows a criterion, which the school's staff
    can attach as evidence in one click (a training record, a governors' report of incident
    figures). The offering app builds it; its own view at `attach_url` (POST) attaches it
    through `accreditation.services.evidence_add`."""

    criterion_code: str
    title: str
    summary: str
    attach_url: str
    button: str = "Attach as evidence"
    preview_url: str = ""


def evidence_offers(application: Application, user) -> dict[str, list[EvidenceOffer]]:
    """What other apps offer as evidence for `application`, by criterion code.

    Each app that holds evidence for the award answers through its own selectors;
    nothing is offered once the application is closed.
    """
    if not application.is_open or application.status == Application.Status.APPLIED:
        return {}
    offers: list[EvidenceOffer] = []
    for source in _offer_sources():
        offers.extend(source(application, user))
    by_code: dict[str, list[EvidenceOffer]] = {}
    for offer in offers:
        by_code.setdefault(offer.criterion_code, []).append(offer)
    return by_code


def _offer_sources():
    """The apps that offer evidence to the award: each has `award_evidence_offers(application, user)`."""
    from incidents.selectors import award_evidence_offers as incident_offers

    return [incident_offers]
