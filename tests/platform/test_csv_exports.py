"""Every CSV export opens in Excel by double-click: UTF-8 starting with a byte order mark
(without it Excel reads "Zoë’s plan – click" as "ZoÃ«â€™s plan â€“ click"), and what
people typed comes back as they typed it."""

import csv
import io

import pytest
from django.urls import reverse

from tests.accreditation.factories import evidencing
from tests.incidents.factories import record
from tests.security.urls import all_patterns
from tests.two_factor import give_authenticator

TYPED = "Zoë’s plan – click"


@pytest.fixture
def exports(alice, officer, school_a):
    """Every CSV export: (URL, who downloads it, whether it shows the organisation's name)."""
    give_authenticator(alice)  # incident staff use two-factor (ADR 0031)
    school_a.name = f"{TYPED} School"
    school_a.save()
    application = evidencing(school_a, alice, officer)
    application.action_items.create(
        action=TYPED, owner="Head", due_date="2030-01-01", success_measure="Done", created_by=alice
    )
    record(school_a, alice)
    return {
        "accounts:officer-organisations-csv": (reverse("accounts:officer-organisations-csv"), officer, True),
        "accreditation:action-plan-csv": (
            reverse("accreditation:action-plan-csv", kwargs={"pk": application.public_id}),
            alice,
            True,
        ),
        "accreditation:caseload (format=csv)": (
            reverse("accreditation:caseload") + "?whose=everyone&format=csv",
            officer,
            True,
        ),
        "incidents:governors-csv": (reverse("incidents:governors-csv"), alice, True),
        "incidents:export": (reverse("incidents:export"), alice, False),
        # Only once a term's figures are published; made by stream_csv, checked below.
        "incidents:figures-csv": None,
        "surveys:council-csv": (reverse("surveys:council-csv"), officer, False),
        "charter:register-csv": (reverse("charter:register-csv"), officer, False),
        "training:record-csv": (reverse("training:record-csv", kwargs={"slug": school_a.slug}), alice, False),
        "training:charges-csv": (reverse("training:charges-csv"), officer, False),
        "training:reports-csv": (reverse("training:reports-csv"), officer, False),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_csv_export_starts_with_a_byte_order_mark_and_keeps_what_people_typed(client, exports):
    named = {p.name for p in all_patterns() if p.route.endswith(".csv") or p.name.endswith("-csv")}
    assert named <= set(exports), f"CSV exports this test does not cover: {named - set(exports)}"
    for name, case in exports.items():
        if case is None:
            continue
        url, who, shows_typed = case
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8", name
        body = _body(response)
        assert body.startswith(b"\xef\xbb\xbf"), f"{name}: no byte order mark"
        assert body.count(b"\xef\xbb\xbf") == 1, f"{name}: two byte order marks"
        text = body.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows, name
        if shows_typed:
            assert any(TYPED in cell for row in rows for cell in row), f"{name}: {TYPED!r} did not come back"


def test_the_streamed_export_starts_with_a_byte_order_mark_and_keeps_what_people_typed():
    from ppp.exports import stream_csv

    response = stream_csv(iter([[TYPED, 3]]), header=["What", "How many"], filename="x.csv")
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [["What", "How many"], [TYPED, "3"]]
