"""The award holders are in their names' order then the award's id, read from each award's
own copy of the name (`Award.holder_name`, ADR 0022): every page, after a rename, and at the
same number of queries on a deep page as on the first."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Application, Award, Scheme
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<td class="govuk-table__cell">([^<]+)<br>')
NAMES = ["Willow", "ash", "Ash", "Oak", "Zebra Nursery", "Abbey", "Elm", "Rowan", "Birch"]


def holder(name: str, officer, *, status=Award.Status.ISSUED, days=60) -> Award:
    school = OrganisationFactory(name=name)
    lead = MembershipFactory(organisation=school, role="lead").user
    application = Application.objects.create(
        organisation=school,
        scheme=Scheme.current(),
        contact_name="x",
        contact_email=lead.email,
        terms_accepted_at=timezone.now(),
        created_by=lead,
        status=Application.Status.ACCREDITED,
        assigned_officer=officer,
    )
    today = timezone.localdate()
    return Award.objects.create(
        application=application,
        awarded_on=today - datetime.timedelta(days=400),
        expires_on=today + datetime.timedelta(days=days),
        status=status,
        awarded_by=officer,
    )


def names_on(client, **query) -> list[str]:
    return ROW.findall(client.get(reverse("accreditation:award-holders"), query).content.decode())


def walk(client, **query) -> list[str]:
    body = client.get(reverse("accreditation:award-holders"), query).content.decode()
    found = re.search(r"Page 1 of (\d+)", body)
    pages = int(found.group(1)) if found else 1
    return [name for number in range(1, pages + 1) for name in names_on(client, page=number, **query)]


def holders_in_name_order() -> list[str]:
    rows = Award.objects.current().order_by("application__organisation__name", "pk")
    return list(rows.values_list("application__organisation__name", flat=True))


def test_every_page_of_the_award_holders_is_in_name_order_then_id(client, officer):
    rng = random.Random(22)
    for _ in range(57):
        holder(f"{rng.choice(NAMES)} {rng.randint(1, 9)}", officer)
    holder("Aaa Expired", officer, days=-1)
    holder("Aaa Superseded", officer, status=Award.Status.SUPERSEDED)
    expected = holders_in_name_order()
    assert len(expected) == 57 and len(set(expected)) < 57
    assert walk(client) == expected


def test_a_renamed_holder_moves_in_the_list(client, officer):
    for i in range(25):
        holder(f"Middle {i:02}", officer)
    award = holder("Aardvark School", officer)
    assert names_on(client)[0] == "Aardvark School"
    school = award.application.organisation
    school.name = "Zeal School"
    school.save()
    assert "Zeal School" not in names_on(client) and names_on(client, page=2) == ["Zeal School"]
    assert Award.objects.get(pk=award.pk).holder_name == "Zeal School"


def test_a_deep_page_reads_as_many_queries_as_the_first_and_joins_only_its_own_rows(client, officer):
    for i in range(76):
        holder(f"Org {i:03}", officer)
    client.get(reverse("accreditation:award-holders"))  # the filter panel drawn and kept
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("accreditation:award-holders"), {"page": 1})
    with CaptureQueriesContext(connection) as deep:
        body = client.get(reverse("accreditation:award-holders"), {"page": 4}).content.decode()
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert ROW.findall(body) == ["Org 075"]
    [rows] = [q["sql"] for q in deep.captured_queries if "OFFSET 75" in q["sql"]]
    ids = rows[rows.index("IN (SELECT") : rows.index("OFFSET 75")]
    assert "JOIN" not in ids and '"holder_name"' in ids


def test_the_search_by_name_reads_the_awards_own_copy_and_follows_a_rename(client, officer):
    for name in ("Brookside Primary", "Oak Brook Academy", "Elm Infants"):
        holder(name, officer)
    holder("Brookfield Expired", officer, days=-1)
    award = holder("Meadow School", officer)
    assert names_on(client, q="  brook ") == ["Brookside Primary", "Oak Brook Academy"]
    school = award.application.organisation
    school.name = "Meadow Brook School"
    school.save()
    assert names_on(client, q="BROOK") == ["Brookside Primary", "Meadow Brook School", "Oak Brook Academy"]
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accreditation:award-holders"), {"q": "brook", "page": 1})
    [count] = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "accounts_organisation" not in count and "holder_name" in count
