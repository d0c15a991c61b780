"""Small-number suppression for the figures that leave a school.

A published table is a grid of counts with its margins: rows (a form of bullying, a kind
of setting…), columns (months or terms), a row total at the end of each row and, at the
bottom, the number of incidents in each period with the grand total. Every table on a
page shares that bottom row (`headline`).

The rules, applied to every entry, totals included:

1. **Primary suppression.** A count from 1 to 4 is shown as "fewer than 5" (`LOW`).
   Entries of a row that stands for fewer than `min_settings` settings are withheld too
   (`withheld_rows`): otherwise a row could be one school's own counts.
2. **Secondary suppression.** More entries are hidden until none of the hidden ones can
   be worked out. A hidden 0 to 4 says "fewer than 5" (true of a 0 hidden to protect a
   neighbour too, so a reader cannot tell the two apart); a hidden 5 or more says
   "withheld". Nothing can be worked out
   - by subtraction along a row or a column (no line has exactly one hidden entry), nor by
     combining several rows and columns: a table's lines are the equations of a bipartite
     graph (a row node and a column node for each entry), and a hidden entry is
     determined exactly when it is a *bridge* of the graph of hidden entries — so every
     hidden entry must lie on a cycle of hidden entries;
   - by combining tables through the bottom row they share: each table must tell nothing
     about the hidden bottom entries beyond what the bottom row itself does (their
     columns are joined by hidden entries of the table);
   - by bounds along a line: a reader knows "fewer than 5" means 0 to 4 and "withheld"
     5 or more, so a line such as 4 + 4 = 8 would give both counts away; every hidden
     entry of a line must keep at least two possible values.

Where a table's columns do not add up (an incident can take several forms, so the forms
of a month do not sum to the month's incidents), only its rows are equations.

The property tests in tests/incidents/test_suppression.py check the result with an exact
solver (rational Gaussian elimination) over random linked tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

THRESHOLD = 5
CAP = 10**9  # "as large as you like": the upper end of a withheld count

SHOWN, LOW, WITHHELD, GROUP = "shown", "low", "withheld", "group"
LABELS = {LOW: f"fewer than {THRESHOLD}", WITHHELD: "withheld", GROUP: "withheld"}

Interval = tuple[int, int]
Key = tuple[int, int]


def is_low(value: int) -> bool:
    return 1 <= value < THRESHOLD


# Sets of whole numbers as sorted lists of disjoint closed intervals


def _normalise(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _plus(a: list[Interval], b: list[Interval]) -> list[Interval]:
    return _normalise((a0 + b0, a1 + b1) for a0, a1 in a for b0, b1 in b)


def _negate(a: list[Interval]) -> list[Interval]:
    return _normalise((-hi, -lo) for lo, hi in a)


def _shift(a: list[Interval], k: int) -> list[Interval]:
    return [(lo + k, hi + k) for lo, hi in a]


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo <= hi:
                out.append((lo, hi))
    return _normalise(out)


def _size(a: list[Interval]) -> int:
    return sum(hi - lo + 1 for lo, hi in a)


def domain(state: str) -> list[Interval]:
    """What a reader knows about a hidden entry from its label: "fewer than 5" is 0 to 4
    (a 0 hidden to protect a neighbour is labelled so too, truthfully); "withheld" is 5 or
    more; in a row withheld because it stands for too few settings, anything."""
    if state == LOW:
        return [(0, THRESHOLD - 1)]
    if state == GROUP:
        return [(0, CAP)]
    return [(THRESHOLD, CAP)]


def line_is_safe(terms: list[tuple[int, int, str]]) -> bool:
    """A line: terms (coefficient ±1, value, state) whose coefficients times values sum to 0.
    Safe when every hidden term keeps at least two values a reader cannot rule out (one
    that can only be 0 gives no count away, and sometimes cannot be helped)."""
    hidden = [(coef, state) for coef, _value, state in terms if state != SHOWN]
    if not hidden:
        return True
    if len(hidden) == 1:
        return False
    known = -sum(coef * value for coef, value, state in terms if state == SHOWN)
    signed = [domain(state) if coef > 0 else _negate(domain(state)) for coef, state in hidden]
    for index, (coef, state) in enumerate(hidden):
        others = [(0, 0)]
        for other, values in enumerate(signed):
            if other != index:
                others = _plus(others, values)
        # coef·x = known − (sum of the others)
        rest = _shift(_negate(others), known)
        possible = _intersect(domain(state), rest if coef > 0 else _negate(rest))
        if _size(possible) < 2 and possible != [(0, 0)]:
            return False
    return True


# Tables


@dataclass
class Figure:
    value: int
    state: str = SHOWN

    @property
    def hidden(self) -> bool:
        return self.state != SHOWN

    @property
    def display(self) -> str:
        return LABELS.get(self.state, f"{self.value:,}")

    def __str__(self):
        return self.display


@dataclass
class Table:
    """A published table: `values` is (rows + 1) × (columns + 1), the last column the row
    totals and the last row the shared bottom row (incidents per period, grand total)."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    values: list[list[int]]
    additive: bool = True  # do the columns add up to the bottom row?
    withheld_rows: set[int] = field(default_factory=set)
    total_label: str = "Total"
    bottom_label: str = "All incidents"
    states: list[list[str]] = field(default_factory=list)
    key: str = ""
    description: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values) - 1, len(self.values[0]) - 1

    def figure(self, i: int, j: int) -> Figure:
        return Figure(self.values[i][j], self.states[i][j] if self.states else SHOWN)

    @property
    def rows(self) -> list[tuple[str, list[Figure]]]:
        r, c = self.shape
        labels = [*self.row_labels, self.bottom_label]
        return [(labels[i], [self.figure(i, j) for j in range(c + 1)]) for i in range(r + 1)]

    @property
    def body_rows(self):
        return self.rows[:-1]

    @property
    def bottom_row(self):
        return self.rows[-1]

    @property
    def has_hidden(self) -> bool:
        return any(state != SHOWN for row in self.states for state in row)

    def lines(self) -> list[list[tuple[Key, int]]]:
        """The equations a reader has: (entry, ±1) summing to zero."""
        r, c = self.shape
        lines = [[((i, j), 1) for j in range(c)] + [((i, c), -1)] for i in range(r + 1)]
        if self.additive:
            lines += [[((i, j), 1) for i in range(r)] + [((r, j), -1)] for j in range(c + 1)]
        return lines


def suppress_headline(values: list[int], forced: Iterable[int] = ()) -> list[str]:
    """The bottom row on its own (incidents per period, then the grand total), first;
    `forced` are entries a table needs hidden too."""
    states = [LOW if is_low(v) else SHOWN for v in values]
    for k in forced:
        if states[k] == SHOWN:
            states[k] = LOW if values[k] < THRESHOLD else WITHHELD

    def terms():
        return [(1, v, st) for v, st in zip(values[:-1], states[:-1], strict=True)] + [(-1, values[-1], states[-1])]

    while not line_is_safe(terms()):
        candidates = [k for k, s in enumerate(states) if s == SHOWN]
        if not candidates:
            break
        pick = min(candidates, key=lambda k: (k == len(values) - 1, values[k] == 0, values[k], k))
        states[pick] = LOW if values[pick] < THRESHOLD else WITHHELD
    return states


class _Graph:
    """The hidden entries of a table as edges between row nodes and column nodes."""

    def __init__(self, edges: Iterable[Key]):
        self.edges = set(edges)
        self.adjacent: dict[tuple[str, int], list[tuple[tuple[str, int], Key]]] = {}
        for i, j in self.edges:
            self.adjacent.setdefault(("r", i), []).append((("c", j), (i, j)))
            self.adjacent.setdefault(("c", j), []).append((("r", i), (i, j)))

    def bridges(self) -> list[Key]:
        found, seen, low, order = [], {}, {}, [0]

        def visit(node, via):
            seen[node] = low[node] = order[0]
            order[0] += 1
            for other, edge in self.adjacent.get(node, []):
                if edge == via:
                    continue
                if other in seen:
                    low[node] = min(low[node], seen[other])
                else:
                    visit(other, edge)
                    low[node] = min(low[node], low[other])
                    if low[other] > seen[node]:
                        found.append(edge)

        for node in self.adjacent:
            if node not in seen:
                visit(node, None)
        return sorted(found)

    def component(self, start, without: Key | None = None) -> set:
        todo, reached = [start], {start}
        while todo:
            node = todo.pop()
            for other, edge in self.adjacent.get(node, []):
                if edge != without and other not in reached:
                    reached.add(other)
                    todo.append(other)
        return reached


def _state_for(table: Table, i: int, j: int, hidden: bool) -> str:
    if not hidden:
        return SHOWN
    if i in table.withheld_rows:
        return GROUP
    return LOW if table.values[i][j] < THRESHOLD else WITHHELD


def suppress_table(table: Table, bottom_states: list[str]):
    """Suppress `table` in place, its bottom row as `bottom_states` decided. Returns None,
    or the problem that only hiding more of the bottom row can solve."""
    r, c = table.shape
    if len(bottom_states) != c + 1:
        raise ValueError("bottom_states must have one state per column and the total")
    hidden: set[Key] = {(r, j) for j, s in enumerate(bottom_states) if s != SHOWN}
    hidden |= {(i, j) for i in range(r) for j in range(c + 1) if is_low(table.values[i][j]) or i in table.withheld_rows}
    fixer = _Fixer(table, hidden)
    for _ in range(len(fixer.own) + 1):
        problem = _first_problem(table, hidden)
        if problem is None or not fixer.fix(*problem):
            break
    table.states = [[_state_for(table, i, j, (i, j) in hidden) for j in range(c + 1)] for i in range(r + 1)]
    for j, state in enumerate(bottom_states):  # the shared row as the headline decided
        table.states[r][j] = state
    return _first_problem(table, hidden)


class _Fixer:
    """Hides one more of a table's own entries (never the shared bottom row) to answer a
    problem: the cheapest entry that helps (not a total, not a 0, the smallest count)."""

    def __init__(self, table: Table, hidden: set[Key]):
        self.table, self.hidden = table, hidden
        self.rows, self.columns = table.shape
        self.own = [(i, j) for i in range(self.rows) for j in range(self.columns + 1)]

    def score(self, key: Key):
        i, j = key
        value = self.table.values[i][j]
        return (j == self.columns, value == 0, value, key)

    def pick(self, candidates) -> bool:
        candidates = [k for k in candidates if k not in self.hidden and k[0] < self.rows]
        if not candidates:
            return False
        self.hidden.add(min(candidates, key=self.score))
        return True

    def touching(self, nodes: set) -> list[Key]:
        return [(i, j) for i, j in self.own if ("r", i) in nodes or ("c", j) in nodes]

    def joining(self, side_a: set, side_b: set) -> list[Key]:
        return [
            (p, q)
            for p, q in self.own
            if (("r", p) in side_a and ("c", q) in side_b) or (("r", p) in side_b and ("c", q) in side_a)
        ]

    def fix(self, kind: str, detail) -> bool:
        if kind == "line":
            return self.pick(detail)
        if kind == "bridge":  # put the bridge on a cycle: join the two sides it separates
            graph = _Graph(self.hidden)
            i, j = detail
            side_a = graph.component(("r", i), without=detail)
            side_b = graph.component(("c", j), without=detail)
        else:  # "apart": hidden bottom entries whose columns the table does not join
            graph = _Graph(k for k in self.hidden if k[0] < self.rows)
            side_a, side_b = (
                {("c", j)} | (graph.component(("c", j)) if ("c", j) in graph.adjacent else set()) for j in detail
            )
        return (
            self.pick(self.joining(side_a, side_b)) or self.pick(self.touching(side_a | side_b)) or self.pick(self.own)
        )


def _bottom_entry_to_hide(table: Table, problem, bottom_states: list[str]) -> int | None:
    r, c = table.shape
    kind, detail = problem
    if kind == "line":
        columns = [j for i, j in detail]
    elif kind == "bridge":
        columns = [detail[1]]
    else:
        columns = list(detail)
    shown = [j for j in range(c + 1) if bottom_states[j] == SHOWN]
    preferred = [j for j in columns if j in shown] or shown
    if not preferred:
        return None
    return min(preferred, key=lambda j: (j == c, table.values[r][j] == 0, table.values[r][j], j))


def _first_problem(table: Table, hidden: set[Key]):
    """The first way a reader could work out a hidden entry, or None."""
    r, c = table.shape
    values = table.values
    for line in table.lines():
        terms = [(coef, values[i][j], _state_for(table, i, j, (i, j) in hidden)) for (i, j), coef in line]
        if not line_is_safe(terms):
            return "line", [key for key, _coef in line]
    if not table.additive:
        return None
    graph = _Graph(hidden)
    bridges = graph.bridges()
    if bridges:
        own_first = sorted(bridges, key=lambda k: (k[0] == r, k))
        return "bridge", own_first[0]
    columns = sorted(j for (i, j) in hidden if i == r)
    if len(columns) > 1:
        inner = _Graph(k for k in hidden if k[0] < r)
        start = ("c", columns[0])
        reached = inner.component(start) if start in inner.adjacent else {start}
        for j in columns[1:]:
            if ("c", j) not in reached:
                return "apart", (columns[0], j)
    return None


def suppress(tables: list[Table]) -> list[Table]:
    """Suppress linked tables (one shared bottom row) for publication."""
    if not tables:
        return tables
    headline = tables[0].values[-1]
    for table in tables:
        if table.values[-1] != headline:
            raise ValueError("linked tables must share their bottom row")
    forced: set[int] = set()
    for _ in range(len(headline) + 1):
        bottom_states = suppress_headline(list(headline), forced)
        more = set()
        for table in tables:
            problem = suppress_table(table, bottom_states)
            if problem is not None:
                # Only the shared bottom row can hide this (a table of one row, say): hide
                # more of it and start again, so every table agrees on the bottom row.
                entry = _bottom_entry_to_hide(table, problem, bottom_states)
                if entry is not None:
                    more.add(entry)
        if not more:
            break
        forced |= more
    return tables
