def test_a_published_charters_principles_and_commitments_cannot_be_changed_inline(client, officer):
    from django.urls import reverse

    from charter.models import Charter

    charter = Charter.objects.current()
    client.force_login(officer)
    page = client.get(reverse("admin:charter_charter_change", args=[charter.pk])).content.decode()
    assert 'name="principles-0-text"' not in page and 'name="commitments-0-text"' not in page
