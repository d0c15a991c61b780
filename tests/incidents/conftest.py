"""People of School A for the incident tests, beside alice (lead), bob (a member without
incident access), charlie (lead of School B) and the officer from tests/conftest.py:

- rita reviews School A's incidents;
- ravi records them.
"""

import pytest

from tests.incidents.factories import grant


@pytest.fixture
def rita(school_a):
    return grant(school_a, review=True, email="rita@a.example", full_name="Rita Reviewer")


@pytest.fixture
def ravi(school_a):
    return grant(school_a, record=True, email="ravi@a.example", full_name="Ravi Recorder")
