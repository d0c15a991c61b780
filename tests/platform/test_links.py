"""ppp.links.path_to: reverse() resolved once per URL name, the same answer every time."""

import uuid

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from ppp.links import path_to


@pytest.mark.parametrize("value", [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)])
def test_a_uuid_path_is_what_reverse_gives(value):
    for name in ("accreditation:evidence-detail", "accreditation:visit-detail", "accreditation:application-detail"):
        assert path_to(name, value) == reverse(name, args=[value])


@pytest.mark.parametrize("value", [0, 7, 987654321, 10**15])
def test_an_admin_change_path_by_number_is_what_reverse_gives(value):
    name = "admin:audit_auditevent_change"
    assert path_to(name, value, current_app="admin") == reverse(name, args=[value], current_app="admin")


def test_anything_else_is_reversed_as_usual():
    name = "admin:audit_auditevent_change"
    assert path_to(name, "a b/c") == reverse(name, args=["a b/c"])  # quoted by reverse
    assert path_to(name, -3) == reverse(name, args=[-3])
    with pytest.raises(NoReverseMatch):
        path_to("accreditation:evidence-detail", "not-a-uuid")


def test_a_script_prefix_is_kept_apart():
    """Served under a prefix (SCRIPT_NAME), links carry it; the plain ones do not change."""
    value = uuid.uuid4()
    plain = path_to("accreditation:evidence-detail", value)
    set_script_prefix("/ppp/")
    try:
        assert path_to("accreditation:evidence-detail", value) == "/ppp" + plain
    finally:
        set_script_prefix("/")
    assert path_to("accreditation:evidence-detail", value) == plain
