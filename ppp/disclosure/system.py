"""Linked tables as one system: cells (true counts) and the linear relations a reader knows.

    system = System()
    system.cell("oct", 3)
    system.cell("nov", 9)
    system.cell("term", 12, total=True)         # a total over many settings: shown rounded
    system.sums("term", ["oct", "nov"])        # term = oct + nov
    published = suppress(system)               # -> Published: what a reader may see
    assert check(published) == []              # nothing hidden can be worked back

A reader of `published` knows every shown figure, the rule (docs/figures.md) and every
relation added with `sums`, `same`, `at_most` or `relate`: these must be true of the
counts (a published system is checked against them, and suppression assumes them). Every
count is a whole number, 0 or more.

`check` is exact: for every hidden cell an integer program (HiGHS, through SciPy) finds
its least and greatest possible value given everything published; a cell whose every
possible value lies from 1 to 5 is a problem, and so is a cell hidden for dominance whose
value can be worked out exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from . import rule

Key = Hashable

SMALL, DOMINANT, WITHHELD, SECONDARY = "small", "dominance", "withheld", "secondary"


@dataclass(frozen=True)
class Relation:
    """sum(coefficient * cell) `sense` rhs, with sense one of "==", "<=", ">="."""

    terms: tuple[tuple[Key, int], ...]
    sense: str = "=="
    rhs: int = 0


@dataclass
class Cell:
    value: int
    total: bool = False  # a total over many settings: shown rounded
    largest: int | None = None  # the largest single setting's part, for dominance
    withheld: bool = False  # hidden whatever its value (a group of too few settings)


class System:
    """Cells and the relations between them, before suppression."""

    def __init__(self):
        self.cells: dict[Key, Cell] = {}
        self.relations: list[Relation] = []

    def cell(self, key: Key, value: int, *, total=False, largest=None, withheld=False) -> Key:
        if key in self.cells:
            raise ValueError(f"cell {key!r} is already in the system")
        if value < 0 or (largest is not None and not 0 <= largest <= value):
            raise ValueError(f"cell {key!r}: counts are whole numbers, 0 or more, and a part is at most the whole")
        self.cells[key] = Cell(int(value), total=total, largest=largest, withheld=withheld)
        return key

    def relate(self, terms: Iterable[tuple[Key, int]], sense: str = "==", rhs: int = 0) -> None:
        terms = tuple(terms)
        if sense not in ("==", "<=", ">="):
            raise ValueError(f"unknown sense {sense!r}")
        for key, _coefficient in terms:
            if key not in self.cells:
                raise KeyError(key)
        left = sum(coefficient * self.cells[key].value for key, coefficient in terms)
        holds = {"==": left == rhs, "<=": left <= rhs, ">=": left >= rhs}[sense]
        if not holds:
            raise ValueError(f"the counts do not satisfy {terms} {sense} {rhs}")
        self.relations.append(Relation(terms, sense, rhs))

    def sums(self, total: Key, parts: Iterable[Key]) -> None:
        """`total` is the sum of `parts`."""
        self.relate([*((part, 1) for part in parts), (total, -1)])

    def same(self, a: Key, b: Key) -> None:
        self.relate([(a, 1), (b, -1)])

    def at_most(self, smaller: list[Key] | Key, larger: Key) -> None:
        """sum(`smaller`) <= `larger`: `smaller` a cell, or a list of cells."""
        smaller = smaller if isinstance(smaller, list) else [smaller]
        self.relate([*((key, 1) for key in smaller), (larger, -1)], "<=")


@dataclass
class Published:
    """What a reader may see: a shown cell's figure (rounded for a total), or `c`.

    `shown[key]` is the figure shown, None where hidden; `rounded` the keys shown rounded.
    `reasons` (not for readers) says why each hidden cell is hidden."""

    rule_version: str
    shown: dict[Key, int | None]
    rounded: set[Key]
    relations: list[Relation]
    reasons: dict[Key, str] = field(default_factory=dict)

    def display(self, key: Key) -> str:
        value = self.shown[key]
        return rule.CONFIDENTIAL if value is None else f"{value:,}"

    def is_hidden(self, key: Key) -> bool:
        return self.shown[key] is None

    @property
    def hidden(self) -> list[Key]:
        return [key for key, value in self.shown.items() if value is None]

    def symbols_used(self) -> set[str]:
        return {rule.CONFIDENTIAL} if self.hidden else set()

    def reader_range(self, key: Key) -> tuple[int, int | None]:
        """What a reader knows of a cell from its own figure alone (no relations)."""
        value = self.shown[key]
        if value is None:
            return 0, None
        if key in self.rounded:
            return rule.rounded_range(value)
        return value, value


@dataclass(frozen=True)
class Problem:
    key: Key
    least: int
    greatest: int | None
    reason: str

    def __str__(self):
        most = "any number" if self.greatest is None else self.greatest
        return f"{self.key!r} ({self.reason}) can only be {self.least} to {most}"


def _shown_figure(cell: Cell) -> int:
    return rule.rounded(cell.value) if cell.total else cell.value


def primary(system: System) -> dict[Key, str]:
    """The cells the rule hides whatever else is shown, with why."""
    hidden = {}
    for key, cell in system.cells.items():
        if cell.withheld:
            hidden[key] = WITHHELD
        elif rule.is_small(cell.value):
            hidden[key] = SMALL
        elif rule.is_dominated(cell.value, cell.largest):
            hidden[key] = DOMINANT
    return hidden


def publish(system: System, reasons: dict[Key, str]) -> Published:
    """`system` with the cells of `reasons` hidden (no further suppression)."""
    return Published(
        rule_version=rule.RULE_VERSION,
        shown={key: None if key in reasons else _shown_figure(cell) for key, cell in system.cells.items()},
        rounded={key for key, cell in system.cells.items() if cell.total and key not in reasons},
        relations=list(system.relations),
        reasons=dict(reasons),
    )


def suppress(system: System, *, max_rounds: int = 1000) -> Published:
    """Hide the rule's cells, then more until `check` finds nothing (docs/figures.md).

    Each round checks the whole system exactly and, for every problem, hides a shown cell
    of the relation that exposes the problem cell most (the fewest other hidden cells, then
    the fewest cells: its own row before a column of every area), the one that costs least
    there (the smallest count, totals last); if that relation has none left, the next; if
    none has, the cheapest of the next ring out. Hiding only ever widens what a reader can
    tell, so the rounds end (at worst with every related cell hidden)."""
    from .check import check

    reasons = primary(system)
    neighbours = _neighbours(system)
    relations = _relations_of(system)
    # Hiding more only widens what a reader can tell, so a cell that passed once passes
    # for good: each round looks again only at the last round's problems and new cells.
    # A hidden cell whose true count is 0 or 6 and more passes (its true count is possible).
    look_at = [key for key in reasons if rule.is_small(system.cells[key].value) or reasons[key] == DOMINANT]
    for _ in range(max_rounds):
        published = publish(system, reasons)
        problems = check(published, keys=look_at)
        if not problems:
            return published
        look_at = [problem.key for problem in problems]
        for problem in problems:
            pick = _partner(system, reasons, relations, problem.key)
            if pick is None:
                pick = _nearest(system, reasons, neighbours, problem.key)
            if pick is not None and pick not in reasons:
                reasons[pick] = SECONDARY
                if rule.is_small(system.cells[pick].value):
                    look_at.append(pick)
    raise RuntimeError("suppression did not settle")  # pragma: no cover - every round hides at least one more cell


def _neighbours(system: System) -> dict[Key, list[Key]]:
    out: dict[Key, set[Key]] = {key: set() for key in system.cells}
    for relation in system.relations:
        keys = [key for key, _c in relation.terms]
        for key in keys:
            out[key].update(k for k in keys if k != key)
    return {key: sorted(others, key=repr) for key, others in out.items()}


def _cost(cell: Cell, key: Key):
    """Hide what loses least: a small count before a large one, a 0 next, a total last."""
    return (cell.total, cell.value == 0, cell.value, repr(key))


def _relations_of(system: System) -> dict[Key, list[tuple[Key, ...]]]:
    """The cells of each relation `key` is in, by key."""
    out: dict[Key, list[tuple[Key, ...]]] = {key: [] for key in system.cells}
    for relation in system.relations:
        keys = tuple(key for key, _c in relation.terms)
        for key in set(keys):
            out[key].append(keys)
    return out


def _partner(system: System, reasons: dict[Key, str], relations: dict[Key, list[tuple[Key, ...]]], key: Key):
    """The cheapest shown cell of the relation that exposes `key` most: the fewest other
    hidden cells (none: the relation alone gives it away), then the fewest cells. Hiding a
    cell of a column of two thousand areas does not help a cell its own row gives away."""

    def exposure(keys: tuple[Key, ...]):
        return (sum(1 for k in keys if k != key and k in reasons), len(keys))

    for keys in sorted(relations[key], key=exposure):
        candidates = [k for k in keys if k != key and k not in reasons]
        if candidates:
            return min(candidates, key=lambda k: _cost(system.cells[k], k))
    return None


def _nearest(system: System, reasons: dict[Key, str], neighbours: dict[Key, list[Key]], key: Key) -> Key | None:
    """The cheapest shown cell near `key`: within one relation, else two, and so on."""
    ring, seen = [key], {key}
    while ring:
        candidates = []
        next_ring = []
        for each in ring:
            for other in neighbours[each]:
                if other in seen:
                    continue
                seen.add(other)
                next_ring.append(other)
                if other not in reasons:
                    candidates.append(other)
        if candidates:
            return min(candidates, key=lambda k: _cost(system.cells[k], k))
        ring = next_ring
    return None


def _stored_key(key: Key) -> str:
    """A key as JSON holds it: a string as it is, a tuple (surveys' `(0, 3, "base")`) joined
    with "|" (only the same key needs the same string: the check compares keys, never reads them)."""
    return "|".join(map(str, key)) if isinstance(key, tuple) else str(key)


def stored(published: Published) -> dict:
    """A release's figures and relations as JSON, to be checked again later (`from_stored`)."""
    return {
        "shown": {_stored_key(key): value for key, value in published.shown.items()},
        "rounded": sorted(_stored_key(key) for key in published.rounded),
        "relations": [[[[_stored_key(key), c] for key, c in r.terms], r.sense, r.rhs] for r in published.relations],
    }


def from_stored(rule_version: str, data: dict) -> Published:
    """A stored release's figures as a reader has them, for `check` (keys as stored)."""
    return Published(
        rule_version=rule_version,
        shown=dict(data.get("shown", {})),
        rounded=set(data.get("rounded", [])),
        relations=[
            Relation(tuple(tuple(t) for t in terms), sense, rhs) for terms, sense, rhs in data.get("relations", [])
        ],
    )
