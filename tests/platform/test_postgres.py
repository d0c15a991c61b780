"""ppp.postgres and ppp.pagination on PostgreSQL: loose index scans, trigram indexes, capped counts."""

from django.db import connection

from ppp.accounts.models import Organisation
from ppp.audit.models import AuditEvent
from ppp.audit.services import audit_record
from ppp.pagination import CappedPaginator
from ppp.postgres import distinct_values
from tests.factories import OrganisationFactory


def test_distinct_values_are_every_value_once_in_order(db):
    for action in ["b.two", "a.one", "b.two", "c.three", "a.one"]:
        audit_record(action)
    assert distinct_values(AuditEvent, "action") == ["a.one", "b.two", "c.three"]
    assert distinct_values(AuditEvent, "action", limit=2) == ["a.one", "b.two"]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A tiny table is cheaper to scan: forbid that, to see which index the search can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_name_and_postcode_searches_can_use_the_trigram_indexes(db):
    OrganisationFactory.create_batch(5)
    assert "organisation_name_trgm" in _plan(Organisation.objects.filter(name__icontains="ill").order_by())
    assert "organisation_postcode_trgm" in _plan(Organisation.objects.filter(postcode__istartswith="LE2").order_by())
    assert "audit_target_repr_trgm" in _plan(AuditEvent.objects.filter(target_repr__icontains="oak").order_by())


def test_the_award_holders_search_has_a_trigram_index_of_the_issued_awards(db):
    # Its use is read in the national dataset's plans (bench/FINDINGS.md): on a test's
    # few rows the planner rightly prefers the list's own index.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'award_holder_name_trgm'")
        [(definition,)] = cursor.fetchall()
    assert "gin (upper((holder_name)::text) gin_trgm_ops)" in definition
    assert "WHERE ((status)::text = 'issued'::text)" in definition


def test_the_capped_paginator_counts_no_further_than_its_cap(db, django_assert_num_queries):
    OrganisationFactory.create_batch(12)
    paginator = CappedPaginator(Organisation.objects.order_by("name", "pk"), 5, cap=10)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 10
    assert "LIMIT 11" in captured.captured_queries[0]["sql"]
    assert paginator.capped and paginator.num_pages == 2
    assert paginator.get_page(99).number == 2
    small = CappedPaginator(Organisation.objects.order_by("name"), 5, cap=100)
    assert small.count == 12 and not small.capped and small.num_pages == 3
