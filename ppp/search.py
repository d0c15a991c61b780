"""One search box for officers: organisations, applications and pledges by name, URN,
postcode or reference, gathered from every app.

Each domain app offers results by registering, in its `selectors.py`, a function
`search_results(user, query) -> SearchGroup | None` with `search_sources`. The platform
shows each app's results under its heading, in INSTALLED_APPS order, without knowing the apps.
"""

import re
import uuid
from dataclasses import dataclass

from django.db.models import Q

from ppp.discovery import AppRegistry

# Each app returns at most this many results; the page says when there were more.
PER_SOURCE = 20


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    detail: str = ""
    status: str = ""


@dataclass
class SearchGroup:
    heading: str
    results: list[SearchResult]
    more: bool = False


search_sources = AppRegistry("selectors")

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$|^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def stem(word: str) -> str:
    """A word without its plural ending, so "scouts" finds "Scout Group", "academies"
    "Academy" and "nurseries" "Nursery" (names are matched by what they contain)."""
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("ies"):
        return word[:-3]
    if len(lower) > 4 and lower.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_UNSPACED_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")


def spaced_postcode(text: str) -> str:
    """A whole postcode typed without its space ("le11aa"), as postcodes are stored ("LE1
    1AA"); anything else as it was typed, trimmed. People often leave the space out."""
    text = " ".join(text.split())
    match = _UNSPACED_POSTCODE.match(text.upper())
    return f"{match[1]} {match[2]}" if match else text


_POSTCODE_START = re.compile(r"^[A-Z]{1,2}([0-9]|$)")


def may_start_a_postcode(text: str) -> bool:
    """Whether `text` can be the first characters of a postcode: one or two letters, then a
    digit or nothing yet ("LE2", "LE2 2BB", "L"); a word such as "brook" never can."""
    return bool(_POSTCODE_START.match(text.strip().upper()))


def organisation_matches(query: str, prefix: str = "") -> Q:
    """Organisations whose name contains the words in any order (plural or not), or whose
    URN or postcode is `query`. `prefix` reaches the organisation from another model
    ("organisation__")."""
    query = " ".join(query.split())
    words = Q()
    for word in query.split(" "):
        words &= Q(**{f"{prefix}name__icontains": stem(word)})
    condition = words | Q(**{f"{prefix}urn": query}) | Q(**{f"{prefix}claimed_urn": query})
    postcode = spaced_postcode(query).upper()
    if _POSTCODE.match(postcode):
        condition |= Q(**{f"{prefix}postcode__iexact": postcode}) | Q(**{f"{prefix}postcode__istartswith": postcode})
    return condition


def as_uuid(query: str) -> uuid.UUID | None:
    """The reference pasted from an address (…/applications/<uuid>/), if the query is one."""
    try:
        return uuid.UUID(query.strip().strip("/").rsplit("/", 1)[-1])
    except ValueError:
        return None


def group(heading: str, rows: list, to_result) -> SearchGroup:
    """A heading and the first PER_SOURCE rows as results; `rows` holds PER_SOURCE + 1."""
    return SearchGroup(heading, [to_result(row) for row in rows[:PER_SOURCE]], more=len(rows) > PER_SOURCE)


def search(user, query: str) -> list[SearchGroup]:
    groups = []
    for _label, source in search_sources.all():
        group = source(user, query)
        if group is not None and group.results:
            groups.append(group)
    return groups
