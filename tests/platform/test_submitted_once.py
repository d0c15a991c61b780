"""Two identical submissions sent together create one thing and one email (issue 20),
on PostgreSQL with real concurrent requests: two threads, each its own client and its own
database connection, released at the same moment."""

import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from accreditation.models import Evidence
from ppp.accounts.models import Invitation
from ppp.notifications.models import Email
from tests.accreditation import factories as award
from tests.accreditation.test_pages import url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _together(user, path, data_for, n=2) -> list[int]:
    """POST `data_for()` to `path` as `user` from n threads at once; their status codes."""
    barrier, codes = threading.Barrier(n), []

    def send():
        client = Client()
        client.force_login(user)
        data = data_for()
        barrier.wait()
        try:
            codes.append(client.post(path, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_two_identical_invitations_sent_together_make_one_invitation_and_one_email(alice, school_a):
    path = reverse("accounts:organisation-invite", kwargs={"slug": school_a.slug})
    codes = _together(alice, path, lambda: {"email": "twice@a.example", "full_name": "Tess Twice", "role": "member"})
    assert codes == [302, 302]
    assert Invitation.objects.filter(email="twice@a.example").count() == 1
    assert Email.objects.filter(to=["twice@a.example"]).count() == 1
    assert [m.to for m in mail.outbox] == [["twice@a.example"]]


def test_two_identical_evidence_uploads_sent_together_make_one_item_and_one_file(alice, officer, school_a):
    application = award.evidencing(school_a, alice, officer)
    criterion = application.scheme.standards.first().criteria.first()

    def data():
        return {
            "title": "Anti-bullying policy",
            "kind": "file",
            "criteria": [criterion.pk],
            "file": SimpleUploadedFile("policy.pdf", award.PDF, content_type="application/pdf"),
        }

    codes = _together(alice, url("evidence-add", application), data)
    assert sorted(codes) == [302, 302]
    assert Evidence.objects.filter(application=application, title="Anti-bullying policy").count() == 1


def test_the_same_words_sent_again_after_a_form_error_get_the_same_error(client, alice, school_a):
    client.force_login(alice)
    path = reverse("accounts:organisation-invite", kwargs={"slug": school_a.slug})
    for _ in range(2):
        response = client.post(path, {"email": "not an email", "full_name": "X", "role": "member"})
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(path, {"email": "later@a.example", "full_name": "X", "role": "member"})
    assert response.status_code == 302
    response = client.post(path, {"email": "later@a.example", "full_name": "X", "role": "member"}, follow=True)
    assert "You sent this twice. It was saved once." in response.content.decode()
    assert Invitation.objects.filter(email="later@a.example").count() == 1
