"""Row locks, taken in one order everywhere: the parent first, then its children.

A service that changes something under a rule locks the rows it reads to decide,
`SELECT … FOR UPDATE`, inside its transaction. Two services that lock the same rows in a
different order can each wait for the other for ever (a deadlock), so PPP locks:

    organisation → application → its evidence, visits, award
    organisation → pledge
    session → its bookings                        (training)
    user → (nothing else)                         (two-factor code checks)

i.e. always the parent row first, even when the change is to the child: lock the
application, then read and lock the evidence. `lock()` is the one way to take the
parent's lock; children are then locked with `select_for_update()` as usual. The
concurrency tests (tests/accreditation/test_concurrency.py, training's bookings) prove
it holds under real PostgreSQL with threads.
"""

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock(model: type[M], pk, *related: str) -> M:
    """Lock the row `pk` of `model` (and only it, not the rows `related` joins) and
    return it freshly read, with `related` selected. Must run inside a transaction."""
    queryset = model._default_manager.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=pk)
