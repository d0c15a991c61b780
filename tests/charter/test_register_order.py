"""The register's order is its organisations' names then the pledge's id, read from each
pledge's own copy of the name (`Pledge.sort_name`, ADR 0022): every page of it, after a
rename however it was made, and at the same number of queries on a deep page as on the first."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.models import Pledge
from ppp.accounts.gias import import_gias
from tests.charter.factories import PledgeFactory, approved_pledge
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TITLE = re.compile(r'<h2 class="govuk-summary-card__title"><a class="govuk-link" href="[^"]+">([^<]+)</a></h2>')
NAMES = ["Willow", "ash", "Ash", "Oak", "Zebra Nursery", "Abbey", "Elm", "Rowan", "Birch", "Cedar", "Hazel"]


def names_on(client, **query) -> list[str]:
    return TITLE.findall(client.get(reverse("charter:register"), query).content.decode())


def walk(client, **query) -> list[str]:
    """Every name the register shows, page after page up to its last ("Page 1 of N")."""
    body = client.get(reverse("charter:register"), query).content.decode()
    pages = int(re.search(r"Page 1 of (\d+)", body).group(1))
    return [name for number in range(1, pages + 1) for name in names_on(client, page=number, **query)]


def register_in_name_order() -> list[str]:
    """What the register must show: ordered by the organisation's own name (not the copy)."""
    rows = Pledge.objects.on_register().order_by("organisation__name", "pk")
    return list(rows.values_list("organisation__name", flat=True))


def make_shuffled_register(n: int, kind_of=lambda i: "primary"):
    rng = random.Random(22)
    for i in range(n):
        # Repeated names (the id decides between them), upper and lower case, in no order.
        name = f"{rng.choice(NAMES)} {rng.randint(1, 9)}"
        approved_pledge(OrganisationFactory(name=name, kind=kind_of(i)))
    PledgeFactory(organisation=OrganisationFactory(name="Aaa Waiting"))  # not on the register
    approved_pledge(OrganisationFactory(name="Aaa Unlisted"), consent_to_list=False)


def test_every_page_of_the_register_is_in_name_order_then_id(client):
    make_shuffled_register(47)
    expected = register_in_name_order()
    assert len(expected) == 47 and len(set(expected)) < 47  # some names repeat
    assert walk(client) == expected


def test_a_filtered_register_is_in_name_order_across_its_pages(client):
    make_shuffled_register(50, kind_of=lambda i: "nursery" if i % 2 else "primary")
    expected = list(
        Pledge.objects.on_register()
        .filter(organisation__kind="nursery")
        .order_by("organisation__name", "pk")
        .values_list("organisation__name", flat=True)
    )
    assert len(expected) == 25
    assert walk(client, kind="nursery") == expected


def test_a_renamed_organisation_moves_in_the_register(client, officer):
    """Renamed as the admin, the demo and every `save()` do it: the entry moves to where its
    new name belongs, on another page."""
    for i in range(25):
        approved_pledge(OrganisationFactory(name=f"Middle {i:02}"))
    first = OrganisationFactory(name="Aardvark School")
    approved_pledge(first)
    assert names_on(client)[0] == "Aardvark School"
    first.name = "Zeal School"
    first.save()
    assert "Zeal School" not in names_on(client) and names_on(client, page=2)[-1] == "Zeal School"
    assert walk(client) == register_in_name_order()


def test_a_renamed_organisation_keeps_its_place_when_only_other_fields_are_saved(client):
    school = OrganisationFactory(name="Beech School")
    approved_pledge(school)
    school.name = "Unsaved Name"  # in memory only
    school.save(update_fields=["postcode"])
    assert Pledge.objects.get(organisation=school).sort_name == "Beech School"


def test_an_import_that_renames_a_school_moves_its_entry(client):
    """A GIAS import writes in bulk, without post_save: the register follows it too."""
    school = OrganisationFactory(name="Aardvark Primary", urn="990101")
    approved_pledge(school)
    for i in range(3):
        approved_pledge(OrganisationFactory(name=f"Middle {i:02}"))
    header = (
        "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
        "EstablishmentStatus (name),PhaseOfEducation (name),Street,Locality,Address3,Town,Postcode,SchoolWebsite"
    )
    row = "990101,856,Leicester,2001,Zephyr Primary School,Community school,Open,Primary,1 Road,,,Leicester,LE2 1XY,"
    import_gias(f"{header}\n{row}\n".encode())
    assert names_on(client) == ["Middle 00", "Middle 01", "Middle 02", "Zephyr Primary School"]
    assert Pledge.objects.renamed().count() == 0


def test_a_deep_page_reads_as_many_queries_as_the_first_and_joins_only_its_own_rows(client):
    for i in range(61):
        approved_pledge(OrganisationFactory(name=f"Org {i:03}"))
    client.get(reverse("charter:register"))  # the filter panel drawn and kept
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("charter:register"), {"page": 1})
    with CaptureQueriesContext(connection) as deep:
        body = client.get(reverse("charter:register"), {"page": 4}).content.decode()
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert TITLE.findall(body) == ["Org 060"]
    [rows] = [q["sql"] for q in deep.captured_queries if "OFFSET 60" in q["sql"]]
    # The page's ids are chosen in the pledge's own order, joined to nothing; the
    # organisations are read for those ids only.
    ids = rows[rows.index("IN (SELECT") : rows.index("OFFSET 60")]
    assert "JOIN" not in ids and '"sort_name"' in ids
    assert 'INNER JOIN "accounts_organisation"' in rows[: rows.index("IN (SELECT")]


def test_the_register_csv_is_in_the_same_order(client, officer):
    make_shuffled_register(12)
    client.force_login(officer)
    response = client.get(reverse("charter:register-csv"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == register_in_name_order()


def test_the_search_by_name_reads_the_pledges_own_copy_and_a_postcode_only_what_can_start_one(client):
    for name, postcode in (
        ("Brookside Primary", "LE2 2BB"),
        ("Oak Brook Academy", "LE5 1AA"),
        ("Elm Infants", "LE1 1AB"),
    ):
        approved_pledge(OrganisationFactory(name=name, postcode=postcode))
    renamed = approved_pledge(OrganisationFactory(name="Meadow School", postcode="NG1 1AA"))
    assert names_on(client, q=" brook ") == ["Brookside Primary", "Oak Brook Academy"]
    renamed.organisation.name = "Meadow Brook School"
    renamed.organisation.save()
    assert names_on(client, q="BROOK") == ["Brookside Primary", "Meadow Brook School", "Oak Brook Academy"]
    assert names_on(client, q="le2") == ["Brookside Primary"]  # the start of a postcode
    assert names_on(client, q="ng11aa") == ["Meadow Brook School"]  # a whole one, typed without its space
    with CaptureQueriesContext(connection) as words:
        client.get(reverse("charter:register"), {"q": "brook", "page": 1})
    with CaptureQueriesContext(connection) as postcode:
        client.get(reverse("charter:register"), {"q": "LE5", "page": 1})
    [count] = [q["sql"] for q in words.captured_queries if "COUNT(" in q["sql"]]
    assert "accounts_organisation" not in count and "sort_name" in count
    [count] = [q["sql"] for q in postcode.captured_queries if "COUNT(" in q["sql"]]
    assert '"postcode"' in count
