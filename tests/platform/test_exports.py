"""ppp.exports: CSV downloads that stream in constant memory."""

import csv
import io

from django.http import StreamingHttpResponse

from ppp.exports import CHUNK_BYTES, csv_lines, rows_of, stream_csv
from tests.factories import OrganisationFactory


def test_a_csv_streams_lazily_in_chunks():
    read = []

    def rows():
        for n in range(20_000):
            read.append(n)
            yield (f"School {n}", n)

    response = stream_csv(rows(), header=["Name", "Number"], filename="x.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert read == []  # nothing read until the server sends it
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert 0 < len(read) < 20_000
    assert len(first) >= CHUNK_BYTES
    body = first + b"".join(chunks)
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == ["Name", "Number"] and table[-1] == ["School 19999", "19999"] and len(table) == 20_001


def test_typed_text_cannot_become_a_formula_and_blanks_stay_blank():
    body = "".join(csv_lines([("=HYPERLINK(1)", None, True, False, -3)], ["a", "b", "c", "d", "e"]))
    assert body.startswith("\ufeff")  # Excel then reads UTF-8
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1] == ["'=HYPERLINK(1)", "", "yes", "", "-3"]


def test_rows_of_reads_only_the_named_columns(db, django_assert_num_queries):
    OrganisationFactory.create_batch(3)
    from ppp.accounts.models import Organisation

    with django_assert_num_queries(1) as captured:
        rows = list(rows_of(Organisation.objects.order_by("name"), "name", "urn"))
    assert len(rows) == 3 and all(len(row) == 2 for row in rows)
    assert "address" not in captured.captured_queries[0]["sql"]
