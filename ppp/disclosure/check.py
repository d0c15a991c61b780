"""The exact check that nothing hidden can be worked back (docs/figures.md).

The reader's model: one whole-number variable of 0 or more for each cell that is hidden
(`c`) or shown rounded (then between the rounding's bounds); shown exact figures are
constants; every published relation holds. For each hidden cell an integer program finds
its least and greatest value (a linear program first: when its optimum is whole, it is
the integer optimum; otherwise HiGHS's branch and bound). Variables are split into the
groups the relations connect, so each program is small.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, vstack

from . import rule
from .system import DOMINANT, Key, Problem, Published

_TOLERANCE = 1e-6


class Inconsistent(ValueError):
    """The published figures and relations admit no counts at all (a bug upstream)."""


def check(published: Published, *, keys=None) -> list[Problem]:
    """Every way the published system gives a count away: an empty list when none does.
    `keys`: look only at these hidden cells (suppression re-checks only what may fail)."""
    problems = []
    for key, value in published.shown.items():
        if value is not None and key not in published.rounded and rule.is_small(value):
            problems.append(Problem(key, value, value, "shown"))
    wanted = None if keys is None else set(keys)
    for group in _groups(published, wanted):
        problems.extend(group.problems(published.reasons, wanted))
    return problems


def ranges(published: Published) -> dict[Key, tuple[int, int | None]]:
    """Each hidden cell's least and greatest possible value (None: no greatest)."""
    out = {}
    for group in _groups(published):
        out.update(group.ranges())
    for key in published.hidden:  # a hidden cell in no relation: anything from 0
        out.setdefault(key, (0, None))
    return out


class _Group:
    """The variables one set of relations connects, as an integer program."""

    def __init__(self, published: Published, variables: list[Key], relations):
        self.variables = variables
        self.index = {key: i for i, key in enumerate(variables)}
        self.hidden = [key for key in variables if published.shown[key] is None]
        lower, upper = [], []
        for key in variables:
            least, greatest = published.reader_range(key)
            lower.append(least)
            upper.append(np.inf if greatest is None else greatest)
        self.bounds = Bounds(np.array(lower, dtype=float), np.array(upper, dtype=float))
        rows, cols, data, lo, hi = [], [], [], [], []
        for r, relation in enumerate(relations):
            constant = 0
            for key, coefficient in relation.terms:
                if key in self.index:
                    rows.append(r)
                    cols.append(self.index[key])
                    data.append(coefficient)
                else:
                    constant += coefficient * published.shown[key]
            rhs = relation.rhs - constant
            lo.append(rhs if relation.sense in ("==", ">=") else -np.inf)
            hi.append(rhs if relation.sense in ("==", "<=") else np.inf)
        shape = (len(relations), len(variables))
        self.matrix = csr_array((np.array(data, dtype=float), (rows, cols)), shape=shape)
        self.lo, self.hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
        self.a_ub, self.b_ub, self.a_eq, self.b_eq = self._split()
        self.lp_bounds = list(zip(self.bounds.lb, [None if np.isinf(u) else u for u in self.bounds.ub], strict=True))

    def _split(self):
        """The relations as HiGHS takes them: inequalities (`<=`, each `>=` negated) and
        equalities, kept sparse (a group's matrix is mostly zeros; a dense copy made every
        program of a national release scan it)."""
        eq = self.lo == self.hi
        upper = ~eq & np.isfinite(self.hi)
        lower = ~eq & np.isfinite(self.lo)
        a_eq, b_eq = (self.matrix[eq], self.lo[eq]) if eq.any() else (None, None)
        b_ub = np.concatenate([self.hi[upper], -self.lo[lower]])
        if not len(b_ub):
            return None, None, a_eq, b_eq
        a_ub = vstack([self.matrix[upper], -self.matrix[lower]], format="csr")
        return a_ub, b_ub, a_eq, b_eq

    def linear(self, objective: np.ndarray, bounds):
        """The linear program of `objective` over the group. HiGHS's presolve can answer
        "infeasible" for a program that is only unbounded (a reader's figures always have
        a solution: the true counts), so an "infeasible" is asked again without it."""
        problem = {"A_ub": self.a_ub, "b_ub": self.b_ub, "A_eq": self.a_eq, "b_eq": self.b_eq, "bounds": bounds}
        result = linprog(objective, **problem, method="highs")
        if result.status == 2:
            result = linprog(objective, **problem, method="highs", options={"presolve": False})
        return result

    def integer(self, objective: np.ndarray):
        """The integer program of `objective` (an "infeasible" asked again without presolve)."""
        problem = {
            "constraints": LinearConstraint(self.matrix, self.lo, self.hi),
            "bounds": self.bounds,
            "integrality": np.ones(len(self.variables)),
        }
        result = milp(objective, **problem)
        if result.status == 2:
            result = milp(objective, **problem, options={"presolve": False})
        return result

    def _optimum(self, key: Key, sign: float, points: list | None = None) -> float | None:
        """min (sign=1) or -max (sign=-1) of `key`; None when unbounded. A whole optimal
        point (every cell a count that fits everything shown) is added to `points`."""
        objective = np.zeros(len(self.variables))
        objective[self.index[key]] = sign
        result = self.linear(objective, self.lp_bounds)
        if result.status == 3:
            return None
        if result.status == 2:
            raise Inconsistent(f"no counts fit the published figures around {key!r}")
        if result.status != 0:  # pragma: no cover - HiGHS's own failure
            raise RuntimeError(f"linear program failed around {key!r}: {result.message}")
        if np.allclose(result.x, np.round(result.x), atol=_TOLERANCE):
            if points is not None:
                points.append(np.round(result.x))
            return float(result.fun)
        exact = self.integer(objective)
        if exact.status == 0:
            if points is not None:
                points.append(np.round(exact.x))
            return float(exact.fun)
        if exact.status == 2:
            raise Inconsistent(f"no whole counts fit the published figures around {key!r}")
        return None  # unbounded (status 3) or not proven: claim nothing more than the LP

    def _solve(self, objective: np.ndarray):
        """An optimal point for `objective` (whole numbers, or None if not found)."""
        result = self.linear(objective, self.lp_bounds)
        if result.status == 2:
            raise Inconsistent("no counts fit the published figures")
        if result.status != 0 or not np.allclose(result.x, np.round(result.x), atol=_TOLERANCE):
            return None
        return np.round(result.x)

    def problems(self, reasons: dict, wanted: set | None) -> list[Problem]:
        """The hidden cells that can only be 1 to 5 (or, for dominance, one value).

        Whole-number points that satisfy everything are witnesses: a cell that is 0 in
        one, or 6 or more, cannot be a problem. Two cheap points (every hidden cell as
        small, then as large as it can be) settle most cells; each cell left gets its
        own programs (`_optimum`: its greatest value only if its least leaves it in
        doubt), whose whole optimal points are witnesses for the rest."""
        todo = [key for key in self.hidden if wanted is None or key in wanted]
        if not todo:
            return []
        seen = _Witnesses(self, todo, reasons)
        if len(todo) > 2:  # for one or two cells their own programs are as quick
            hidden_mask = np.zeros(len(self.variables))
            hidden_mask[seen.positions] = 1.0
            seen.add(self._solve(hidden_mask))
            seen.add(_Capped(self).solve(-hidden_mask))
        out = []
        for key in todo:
            if seen.settled(key):
                continue
            look = self._dominant if reasons.get(key) == DOMINANT else self._small
            problem = look(key, seen)
            if problem is not None:
                out.append(problem)
        return out

    def _dominant(self, key: Key, seen: _Witnesses) -> Problem | None:
        """A dominant cell is a problem when it can take only one value: its exact least
        and greatest (integer programs where the linear ones are not whole)."""
        least = seen.optimum(key, 1.0)
        least = 0 if least is None else round(least)
        seen.values[key].add(least)
        if seen.settled(key):
            return None
        most = seen.optimum(key, -1.0)
        most = None if most is None else round(-most)
        seen.values[key].add(rule.SMALL_MAX + 1 if most is None else most)
        return None if seen.settled(key) else Problem(key, least, most, DOMINANT)

    def _small(self, key: Key, seen: _Witnesses) -> Problem | None:
        """A cell is a problem when every whole count it can take is 1 to 5.

        The linear programs bound the whole counts: a whole optimum is reached (a witness);
        otherwise the least whole count is at least the linear least rounded up, and the
        greatest at most the linear greatest rounded down. Those bounds decide, except
        when the greatest bound is 6 or more: then whether a whole count of 6 or more fits
        is an integer program's to say. A least bound of 1 or more rules 0 out; 6 or more
        means every count is 6 or more (and one fits: the true count)."""
        lowest, whole = self._linear_optimum(key, 1.0, seen)
        if lowest is None:  # pragma: no cover - counts are 0 or more: a least always exists
            return None
        least = round(lowest) if whole else math.ceil(lowest - _TOLERANCE)
        seen.values[key].add(least)
        if seen.settled(key):  # its least is 0, or 6 or more: its greatest cannot change that
            return None
        highest, whole = self._linear_optimum(key, -1.0, seen)
        most = None
        if highest is not None:
            most = round(-highest) if whole else math.floor(-highest + _TOLERANCE)
            if not whole and most > rule.SMALL_MAX:
                exact = self.integer(self._objective(key, -1.0))
                if exact.status == 2:
                    raise Inconsistent(f"no whole counts fit the published figures around {key!r}")
                most = round(-exact.fun) if exact.status == 0 else None
                if exact.status == 0:
                    seen.add(np.round(exact.x))
        seen.values[key].add(rule.SMALL_MAX + 1 if most is None else most)
        return None if seen.settled(key) else Problem(key, least, most, seen.reasons.get(key, "hidden"))

    def _objective(self, key: Key, sign: float) -> np.ndarray:
        objective = np.zeros(len(self.variables))
        objective[self.index[key]] = sign
        return objective

    def _linear_optimum(self, key: Key, sign: float, seen: _Witnesses) -> tuple[float | None, bool]:
        """The linear program's min (sign=1) or -max (sign=-1) of `key` (None: unbounded)
        and whether its optimal point is whole (then kept as a witness)."""
        result = self.linear(self._objective(key, sign), self.lp_bounds)
        if result.status == 3:
            return None, False
        if result.status == 2:
            raise Inconsistent(f"no counts fit the published figures around {key!r}")
        if result.status != 0:  # pragma: no cover - HiGHS's own failure
            raise RuntimeError(f"linear program failed around {key!r}: {result.message}")
        whole = bool(np.allclose(result.x, np.round(result.x), atol=_TOLERANCE))
        if whole:
            seen.add(np.round(result.x))
        return float(result.fun), whole

    def ranges(self) -> dict[Key, tuple[int, int | None]]:
        out = {}
        for key in self.hidden:
            least = self._optimum(key, 1.0)
            most = self._optimum(key, -1.0)
            out[key] = (
                0 if least is None else round(least),
                None if most is None else round(-most),
            )
        return out


class _Witnesses:
    """The values each cell looked at has taken in whole-number points that fit everything."""

    def __init__(self, group: _Group, todo: list[Key], reasons: dict):
        self.group, self.todo, self.reasons = group, todo, reasons
        self.positions = [group.index[key] for key in todo]
        self.values: dict[Key, set[int]] = {key: set() for key in todo}

    def settled(self, key: Key) -> bool:
        """Shown not to be a problem: 0 or 6 and more possible (for dominance: two values)."""
        values = self.values[key]
        if self.reasons.get(key) == DOMINANT:
            return len(values) > 1
        return any(v == 0 or v > rule.SMALL_MAX for v in values)

    def add(self, point) -> None:
        if point is not None:
            for key, i in zip(self.todo, self.positions, strict=True):
                self.values[key].add(int(point[i]))

    def optimum(self, key: Key, sign: float) -> float | None:
        """The group's `_optimum` of `key`, its whole optimal points kept as witnesses."""
        points: list = []
        value = self.group._optimum(key, sign, points)
        for point in points:
            self.add(point)
        return value


class _Capped:
    """The group with every variable capped (so a maximum exists), for witness points only."""

    CAP = 10**6

    def __init__(self, group: _Group):
        self.group = group

    def solve(self, objective):
        g = self.group
        bounds = list(zip(g.bounds.lb, [min(u, self.CAP) for u in g.bounds.ub], strict=True))
        result = g.linear(objective, bounds)
        if result.status != 0 or not np.allclose(result.x, np.round(result.x), atol=_TOLERANCE):
            return None
        return np.round(result.x)


def _groups(published: Published, wanted: set | None = None) -> list[_Group]:
    """Split the variables (hidden or rounded cells) into the groups relations connect
    (only the groups holding a hidden cell of `wanted`, when given: the others have
    nothing to look at)."""
    variables = [key for key in published.shown if published.shown[key] is None or key in published.rounded]
    parent = {key: key for key in variables}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    relation_root = []
    for relation in published.relations:
        inside = [key for key, _c in relation.terms if key in parent]
        for other in inside[1:]:
            parent[find(other)] = find(inside[0])
        relation_root.append(inside[0] if inside else None)
    members: dict[Key, list[Key]] = {}
    for key in variables:
        members.setdefault(find(key), []).append(key)
    relations: dict[Key, list] = {}
    for relation, first in zip(published.relations, relation_root, strict=True):
        if first is not None:
            relations.setdefault(find(first), []).append(relation)
    return [
        _Group(published, keys, relations.get(root, []))
        for root, keys in members.items()
        if any(published.shown[key] is None and (wanted is None or key in wanted) for key in keys)
    ]
