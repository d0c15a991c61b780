"""Evidence offers: something one part of PPP holds that shows one of the award's criteria,
which a school's staff can attach as evidence in one click (a training record, a
governors' report of incident figures).

Each domain app that holds such evidence registers, in its `selectors.py`, a function
`award_evidence_offers(application, user, evidence) -> list[EvidenceOffer]` with
`evidence_offer_sources`. The award page asks every source, in INSTALLED_APPS order,
without importing the apps that answer (as the home page and search do, ppp/home.py and
ppp/search.py).

    @evidence_offer_sources.register
    def award_evidence_offers(application, user, evidence):
        return [EvidenceOffer(criterion_code="2.1", title=..., summary=..., attach_url=...)]

The offering app builds each offer; its own view at `attach_url` (POST) attaches it
through the award's services.
"""

from dataclasses import dataclass, field

from ppp.discovery import AppRegistry


@dataclass(frozen=True)
class EvidenceOffer:
    criterion_code: str
    title: str
    summary: str
    attach_url: str
    button: str = "Attach as evidence"
    preview_url: str = ""


evidence_offer_sources = AppRegistry("selectors")


@dataclass(frozen=True)
class CriterionFigures:
    """Figures another part of PPP holds about one criterion, shown beside it on the
    self-review (a survey's headline figures): a title, a few lines, where to read more,
    and notes on what the figures are not (a newer survey still open, say)."""

    criterion_code: str
    title: str
    lines: list[str]
    url: str = ""
    notes: list[str] = field(default_factory=list)


# Each source: `criterion_figures(application, user) -> list[CriterionFigures]`, registered
# in the app's selectors.py.
criterion_figure_sources = AppRegistry("selectors")


@dataclass(frozen=True)
class DistanceTravelled:
    """How far a school has come since its last award by another part of PPP's figures
    (a survey's headline questions, this round against the round before the award), shown
    on the re-accreditation page: a title, one line a question, where to read more."""

    title: str
    lines: list[str]
    url: str = ""


# Each source: `distance_since_award(application, user) -> list[DistanceTravelled]`,
# registered in the app's selectors.py.
distance_travelled_sources = AppRegistry("selectors")
