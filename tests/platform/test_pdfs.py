"""Every kind of PDF PPP produces is tagged (a structure tree, MarkInfo Marked), has the
document's language and a title, alt text on every figure, and page footers in
sans-serif: rendered here through the pages and functions that make them, and read
back with pikepdf."""

import io
import re

import pikepdf
from django.template.loader import render_to_string
from django.urls import reverse

from accreditation.models import Application
from incidents.views import _pdf, _qr
from ppp.accounts.models import Membership
from tests.accreditation import factories as award
from tests.certificates.factories import issue_for
from tests.incidents.factories import record
from tests.training.factories import book, make_session
from tests.two_factor import give_authenticator


def _figures(node, found):
    if isinstance(node, pikepdf.Array):
        for child in node:
            _figures(child, found)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            found.append(node)
        if "/K" in node:
            _figures(node.K, found)
    return found


def check_accessible(pdf_bytes: bytes, *, title: str, serif_headings: bool = False) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root, "not tagged"
        assert bool(root.MarkInfo.Marked), "not marked"
        assert str(root.get("/Lang", "")) == "en-GB"
        assert title in str(pdf.docinfo.get("/Title", ""))
        assert root.ViewerPreferences.DisplayDocTitle
        figures = _figures(root.StructTreeRoot.K, [])
        assert all(str(f.get("/Alt", "")).strip() for f in figures), "a figure without alt text"
        fonts = {
            str(font.BaseFont)
            for page in pdf.pages
            for font in (page.Resources.get("/Font") or {}).values()
            if "/BaseFont" in font
        }
        serif = [f for f in fonts if re.search(r"Serif|Times|Georgia", f) and "Sans" not in f]
        assert serif_headings or not serif, f"serif fonts (a footer in the default font?): {serif}"


def test_the_visit_report_and_the_action_plan(client, alice, officer, school_a):
    visit = award.initial_visit_done(award.apply(school_a, alice), officer)
    client.force_login(alice)
    check_accessible(
        client.get(reverse("accreditation:visit-report", kwargs={"pk": visit.public_id})).content,
        title="report",
    )
    application = Application.objects.get(pk=visit.application_id)
    check_accessible(
        client.get(reverse("accreditation:action-plan-pdf", kwargs={"pk": application.public_id})).content,
        title="Action plan",
    )


def test_an_incident_print_and_the_governors_report(client, alice, school_a):
    give_authenticator(alice)
    Membership.objects.filter(user=alice).update(role=Membership.Role.LEAD)
    incident = record(school_a, alice)
    client.force_login(alice)
    printed = client.get(reverse("incidents:print", kwargs={"pk": incident.public_id}))
    check_accessible(printed.content, title="Incident")
    check_accessible(client.get(reverse("incidents:governors-pdf")).content, title="Governors")


def test_the_poster_has_alt_text_on_its_qr_code(school_a):
    url = "https://ppp.example/tell/abc123/"
    pdf = _pdf(render_to_string("incidents/print/poster.html", {"organisation": school_a, "url": url, "qr": _qr(url)}))
    check_accessible(pdf, title="Tell someone")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert _figures(doc.Root.StructTreeRoot.K, []), "the QR code is not a figure"


def test_the_sign_in_sheet_has_no_double_full_stop(client, alice, officer, school_a):
    from pypdf import PdfReader

    session = make_session()
    book(session, school_a, alice, 1, name="Signing Person")
    client.force_login(officer)
    pdf = client.get(reverse("training:sign-in-sheet", args=[session.public_id])).content
    check_accessible(pdf, title="Sign-in sheet")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert ".." not in text and "SEND" not in text


def test_a_certificate(client, alice, officer, school_a):
    certificate = issue_for(school_a, officer)
    client.force_login(alice)
    pdf = client.get(reverse("certificates:download", kwargs={"code": certificate.code})).content
    # The certificate's heading and holder are serif by design; its text is not.
    check_accessible(pdf, title="", serif_headings=True)


def test_every_pdf_is_made_by_the_one_tagged_renderer():
    """A direct `write_pdf` elsewhere would skip the tags, the footers' font and the
    headings kept with their text (ppp/pdf.py)."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    direct = [
        str(p.relative_to(root))
        for pattern in ("*/*.py", "*/*/*.py")
        for p in root.glob(pattern)
        if ".venv" not in p.parts and "tests" not in p.parts and p.name != "pdf.py" and "write_pdf(" in p.read_text()
    ]
    assert not direct, f"PDFs made without ppp.pdf.render_pdf: {direct}"
