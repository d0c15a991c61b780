"""CSV exports that stream: constant memory whatever the number of rows, and the first
bytes leave at once.

    from ppp.exports import stream_csv

    def register_csv(request):
        rows = Pledge.objects.on_register().values_list("organisation__name", "signed_on")
        return stream_csv(rows.order_by("organisation__name").iterator(chunk_size=2000),
                          header=["Organisation", "Date signed"], filename="register.csv")

Give `stream_csv` an iterator (`rows_of(queryset, *fields)`: `.iterator()` on a
`values_list` of only the exported columns, no model instances, no columns nobody reads)
or a generator that turns rows into cells. Every text cell is made inert for spreadsheets
(`ppp.csvsafe.csv_safe`). `csv_download(filename, header, rows)` is the same download for
rows whose typed cells are already `csv_safe`d. Both start with a byte order mark (Excel
then reads UTF-8 names correctly) and write in chunks of about 64 KB, so the server sends
few, full packets and holds one chunk in memory, not the file.
"""

import csv
import datetime
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

from .csvsafe import csv_safe

CHUNK_BYTES = 64 * 1024
ITERATOR_CHUNK_SIZE = 2000


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value: str) -> str:
        return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else ""
    return value


def csv_lines(rows: Iterable[Sequence], header: Sequence[str], *, make_safe: bool = True) -> Iterable[str]:
    """The CSV text of `header` and `rows`, in chunks of about CHUNK_BYTES."""
    writer = csv.writer(_Line())
    buffer, size = [BOM, writer.writerow(header)], 0
    for row in rows:
        line = writer.writerow([_cell(value) for value in row] if make_safe else row)
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def stream_csv(rows: Iterable[Sequence], *, header: Sequence[str], filename: str) -> StreamingHttpResponse:
    """A streaming CSV download of `rows` (any iterable of sequences, read lazily)."""
    response = StreamingHttpResponse(csv_lines(rows, header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


BOM = "\ufeff"


def csv_response(filename: str, text: str = "") -> HttpResponse:
    """A CSV attachment that Excel opens by double-click: UTF-8 starting with a byte order
    mark (without it Excel reads "Zoë’s plan – click" as mojibake). Write rows into it
    with `csv.writer(response)`, or give the whole `text`. Cells people typed must be
    `csv_safe`d."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM + text.removeprefix(BOM))
    return response


def csv_rows(header: list[str], rows: Iterable[list]) -> Iterable[str]:
    """The CSV text of rows whose typed cells are already `csv_safe`d."""
    return csv_lines(rows, header, make_safe=False)


def csv_download(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """A streamed CSV attachment. Cells people typed must already be `csv_safe`."""
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def rows_of(queryset, *fields: str, chunk_size: int = ITERATOR_CHUNK_SIZE):
    """Only `fields` of `queryset`, read in chunks (a server-side cursor on PostgreSQL)."""
    return queryset.values_list(*fields).iterator(chunk_size=chunk_size)
