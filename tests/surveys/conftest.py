"""The survey tests' people have what they need for the pages they open: the lead and the
staff who review incidents read what pupils wrote only with two-factor set up (ADR 0031),
so they are given an authenticator as they are made, as on the incident pages, unless a
test is marked `without_two_factor`."""

from tests.incidents.conftest import _incident_staff_have_two_factor  # noqa: F401 - autouse
