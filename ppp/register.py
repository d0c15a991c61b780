"""Short public notes other parts of PPP add to an organisation's entry on the charter
register, only where the organisation agreed (surveys: "Asked its pupils this year").

Each app that has such a note registers, in its `selectors.py`, a function
`register_notes(organisation_ids) -> dict[int, list[str]]` with `register_note_sources`,
answering for a whole page of entries in a constant number of queries. The register asks
every source without importing the apps that answer. The register's pages are cached
(ppp.pagecache, "charter-register"): a source's app forgets them with
`invalidate_on_commit("charter-register")` whenever what it says changes.
"""

from ppp.discovery import AppRegistry

register_note_sources = AppRegistry("selectors")


def register_notes(organisation_ids: list[int]) -> dict[int, list[str]]:
    """Every source's notes for the organisations `organisation_ids`, by organisation id."""
    notes: dict[int, list[str]] = {}
    if not organisation_ids:
        return notes
    for _label, source in register_note_sources.all():
        for organisation_id, lines in source(organisation_ids).items():
            notes.setdefault(organisation_id, []).extend(lines)
    return notes
