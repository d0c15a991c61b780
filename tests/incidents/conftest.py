"""People of School A for the incident tests, beside alice (lead), bob (a member without
incident access), charlie (lead of School B) and the officer from tests/conftest.py:

- rita reviews School A's incidents;
- ravi records them.
"""

import pytest

from tests.incidents.factories import grant
from tests.two_factor import incident_staff_have_two_factor


@pytest.fixture(autouse=True)
def _incident_staff_have_two_factor(request):
    """Leads and incident staff have set up two-factor (tests/two_factor.py), unless a test
    is marked `without_two_factor` (the tests of that requirement)."""
    if request.node.get_closest_marker("without_two_factor"):
        yield
        return
    with incident_staff_have_two_factor():
        yield


@pytest.fixture
def rita(school_a):
    return grant(school_a, review=True, email="rita@a.example", full_name="Rita Reviewer")


@pytest.fixture
def ravi(school_a):
    return grant(school_a, record=True, email="ravi@a.example", full_name="Ravi Recorder")
