"""Check a published report: could anyone work out what a ``c`` stands for?

For every suppressed number (a ``c``) the auditor finds the values an attacker could still
believe it holds, given everything in the same snapshot. It works on the published tables
alone, so anyone can run it again on a snapshot and get the same answer.

What the attacker knows
-----------------------
* Every published number, which numbers are ``c``, and how the numbers of a report hang
  together: in an additive table each row and column adds up to its total and the totals
  add up to the grand total; in a table whose rows overlap (multi-select) each row still adds
  up across its columns, the column totals add up to the grand total, and no cell or row
  total exceeds its column total or the grand total; totals that ``linked`` says are the same
  (the grand total of two breakdowns of one group, say) are equal, so a number shown in one
  table is known wherever else it is hidden.
* The rules: a shown number other than 0 is at least ``k``; with rounding, a shown number
  ``s`` stands for any count that rounds to ``s``.
* "Every ``c`` stands for a number from 1 to k-1" — with one refinement the rules force:
  when a total is ``c``, the zeros it adds up are ``c`` too, so a ``c`` in a line whose
  total is ``c`` (or a row or column total of a table whose grand total is ``c``) may also
  stand for 0. Without that, a row of k-1 ones under a hidden total would give itself away
  whatever else was hidden.

The attacker takes the 1-to-(k-1) rule at face value. Secondary suppression hides bigger
numbers too, so the rule can be false; where it contradicts the publication for a group of
linked ``c``s, the attacker drops it for that group and keeps only what is certain: a ``c``
is at least 1 (or 0 in a hidden line) and no more than the totals allow. Where the rule is
not contradicted the attacker's conclusions may still be wrong, but a confident wrong answer
about a small group is harmful too, so it is held to the same standard.

A ``c`` is safe when at least two values remain. A ``c`` that can only be 0 is also safe: it
says no more than the 0 that the rules would otherwise print.

Not modelled: an attacker who reasons from how secondary cells are chosen (the
next-smallest) or who guesses which ``c``s are secondary; and numbers that equal each other
across tables without being declared in ``linked``.

How it is computed
------------------
Each group of linked unknowns is a small integer problem: a box for every unknown and a few
equalities and inequalities with coefficients of 1. Bounds propagation narrows the boxes; a
depth-first search guided by a known solution finds whole solutions, and when it takes too
long an exact linear relaxation (the simplex method in fractions) either proves there are
none or gives a corner to search from. Deciding that the 1-to-(k-1) belief is contradicted
always rests on such a proof.

A group in which each unknown sits in at most two equalities, with opposite signs, is a flow
network (a plain two-way table with its totals is one): there an unknown can change exactly
when a cycle of +1/-1 changes through it keeps everything else in its box, and one graph
search per unknown settles it. Unknowns that break the pattern (a rounded total shared by
several tables, rows that overlap) are held at their values while cycles through the rest
are looked for; whatever that leaves open is searched for directly, and a ``c`` is declared
safe only when two complete solutions that differ in it have been found. A search that runs
out of budget counts as "not shown safe", so the answer can be too cautious but never too
lenient. Ranges from :func:`feasible_ranges` are witnessed at both ends, so they are never
wider than the truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Key = tuple[str, int | None, int | None]
"""A number in a report: ``(table, row, column)`` for a cell, ``(table, row, None)`` for a
row total, ``(table, None, column)`` for a column total, ``(table, None, None)`` for the
grand total."""

MarginRef = tuple[str, str] | tuple[str, str, int]
"""``(table, "total")``, ``(table, "rows")``, ``(table, "columns")`` (every row or column
total, in order), or ``(table, "row", i)`` / ``(table, "column", j)`` for just one."""

Link = tuple[MarginRef, MarginRef]

SUPPRESSED = "c"
_INF = 10**12
_SEARCH_BUDGET = 300
_PROPAGATION_ROUNDS = 3  # times, on average, each unknown's box may be narrowed in one propagation


class PublicationError(ValueError):
    """The tables given to the auditor do not describe a consistent publication."""


class AuditIncomplete(RuntimeError):
    """The search did not finish within its budget, so exact ranges cannot be given.
    (:func:`is_safe` counts such a publication as unsafe.)"""


# --- Structure shared with the protection code ------------------------------------------


@dataclass(frozen=True)
class Line:
    """One relation between published numbers: ``total`` is the sum of ``members``, or, when
    ``sums`` is False, at least as big as each member."""

    members: tuple[Key, ...]
    total: Key
    sums: bool = True


def table_keys(name: str, n_rows: int, n_columns: int) -> list[Key]:
    """Every number of a table in reading order: cells, row totals, column totals, grand total."""
    keys: list[Key] = [(name, i, j) for i in range(n_rows) for j in range(n_columns)]
    keys += [(name, i, None) for i in range(n_rows)]
    keys += [(name, None, j) for j in range(n_columns)]
    keys.append((name, None, None))
    return keys


def table_lines(name: str, n_rows: int, n_columns: int, additive: bool = True) -> list[Line]:
    """The relations inside one table. When rows overlap (``additive`` False) a row is still
    the sum of its columns, but a column total only bounds its cells."""
    grand: Key = (name, None, None)
    lines = [Line(tuple((name, i, j) for j in range(n_columns)), (name, i, None)) for i in range(n_rows)]
    lines += [
        Line(tuple((name, i, j) for i in range(n_rows)), (name, None, j), additive) for j in range(n_columns)
    ]
    lines.append(Line(tuple((name, i, None) for i in range(n_rows)), grand, additive))
    lines.append(Line(tuple((name, None, j) for j in range(n_columns)), grand))
    return lines


def margin_keys(ref: Sequence, shapes: Mapping[str, tuple[int, int]]) -> list[Key]:
    """The keys a :data:`MarginRef` names."""
    if not ref or ref[0] not in shapes:
        raise PublicationError(f"linked margin {ref!r} names no table in the report")
    name, kind, *index = ref
    n_rows, n_columns = shapes[name]
    if kind == "total" and not index:
        return [(name, None, None)]
    if kind == "rows" and not index:
        return [(name, i, None) for i in range(n_rows)]
    if kind == "columns" and not index:
        return [(name, None, j) for j in range(n_columns)]
    if kind in ("row", "column") and len(index) == 1:
        (i,) = index
        if not 0 <= i < (n_rows if kind == "row" else n_columns):
            raise PublicationError(f"linked margin {ref!r} is outside the table")
        return [(name, i, None)] if kind == "row" else [(name, None, i)]
    raise PublicationError(f"linked margin {ref!r} is not one of total, rows, columns, row i, column j")


def link_classes(shapes: Mapping[str, tuple[int, int]], linked: Iterable[Link] | None,
                 non_additive: Iterable[str] = ()) -> dict[Key, Key]:
    """Map every key to the first key (in reading order) of the numbers it is equal to: those
    ``linked`` declares equal, and the grand totals of two tables whose whole margins are
    linked (both margins add up to their grand totals, so those are equal too)."""
    order = {key: n for n, key in enumerate(k for name, (r, c) in shapes.items() for k in table_keys(name, r, c))}
    parent = {key: key for key in order}
    non_additive = set(non_additive)

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def adds_up(ref: Sequence) -> bool:
        return len(ref) == 2 and (ref[1] == "columns" or (ref[1] == "rows" and ref[0] not in non_additive))

    for left, right in linked or ():
        a, b = margin_keys(left, shapes), margin_keys(right, shapes)
        if len(a) != len(b):
            raise PublicationError(f"linked margins {left!r} and {right!r} have different lengths")
        pairs = list(zip(a, b))
        if adds_up(left) and adds_up(right):
            pairs.append(((left[0], None, None), (right[0], None, None)))
        for x, y in pairs:
            rx, ry = find(x), find(y)
            if rx != ry:
                first, second = sorted((rx, ry), key=order.__getitem__)
                parent[second] = first
    return {key: find(key) for key in order}


# --- Integer feasibility: bounds propagation and a guided search -------------------------


class _OutOfBudget(Exception):
    pass


class _Problem:
    """Integer unknowns with boxes, and constraints ``const + sum(a * x) <= 0`` (or ``== 0``)."""

    def __init__(self, n: int, constraints: list[tuple[list[tuple[int, int]], int, bool]]):
        self.n = n
        self.constraints = constraints
        self.watch: list[list[int]] = [[] for _ in range(n)]
        for c, (terms, _, _) in enumerate(constraints):
            for v, _ in terms:
                self.watch[v].append(c)
        # Boxes without an upper end can creep up by one for ever around a cycle of
        # constraints that has no solution; propagation gives up long before that.
        self.work_limit = _PROPAGATION_ROUNDS * (n + len(constraints)) + 100

    def propagate(self, lo: list[int], hi: list[int], pending: Iterable[int]) -> bool:
        """Narrow the boxes to bounds consistency; False when some box becomes empty.
        Stopping early is always sound (the boxes stay supersets of the solutions)."""
        queue = list(dict.fromkeys(pending))
        queued = set(queue)
        work = 0
        while queue:
            c = queue.pop()
            queued.discard(c)
            terms, const, equal = self.constraints[c]
            smin = smax = const
            for v, a in terms:
                if a > 0:
                    smin += a * lo[v]
                    smax += a * hi[v]
                else:
                    smin += a * hi[v]
                    smax += a * lo[v]
            if smin > 0 or (equal and smax < 0):
                return False
            for v, a in terms:
                # Whatever v contributes, the rest of the sum lies between these two.
                room = smin - (a * lo[v] if a > 0 else a * hi[v])
                need = smax - (a * hi[v] if a > 0 else a * lo[v])
                # a * x[v] <= -room, and a * x[v] >= -need for an equality.
                if a > 0:
                    new_hi = -room // a
                    new_lo = -(need // a) if equal else lo[v]
                else:
                    new_lo = -(room // a)
                    new_hi = need // -a if equal else hi[v]
                if new_lo > lo[v] or new_hi < hi[v]:
                    lo[v], hi[v] = max(lo[v], new_lo), min(hi[v], new_hi)
                    if lo[v] > hi[v]:
                        return False
                    work += 1
                    if work > self.work_limit:
                        return True
                    for d in self.watch[v]:
                        if d not in queued:
                            queued.add(d)
                            queue.append(d)
        return True

    def satisfied(self, x: Sequence[int]) -> bool:
        for terms, const, equal in self.constraints:
            total = const + sum(a * x[v] for v, a in terms)
            if total > 0 or (equal and total != 0):
                return False
        return True

    def search(self, lo: list[int], hi: list[int], hint: Sequence[int], changed: int | None = None,
               budget: int = _SEARCH_BUDGET) -> list[int] | None:
        """Depth-first search for a solution inside the boxes, trying the values of ``hint``
        first; None when there is none. Raises _OutOfBudget when it takes too long."""
        pending = range(len(self.constraints)) if changed is None else self.watch[changed]
        stack = [(lo[:], hi[:], pending)]
        nodes = 0
        while stack:
            lo, hi, pending = stack.pop()
            nodes += 1
            if nodes > budget:
                raise _OutOfBudget
            if not self.propagate(lo, hi, pending):
                continue
            best, best_size = -1, None
            for v in range(self.n):
                size = hi[v] - lo[v]
                if size and (best_size is None or size < best_size):
                    best, best_size = v, size
            if best < 0:
                if self.satisfied(lo):
                    return lo
                continue
            h = min(max(hint[best], lo[best]), hi[best])
            if h < hi[best]:
                child_lo = lo[:]
                child_lo[best] = h + 1
                stack.append((child_lo, hi[:], self.watch[best]))
            if h > lo[best]:
                child_hi = hi[:]
                child_hi[best] = h - 1
                stack.append((lo[:], child_hi, self.watch[best]))
            fixed_lo, fixed_hi = lo[:], hi[:]
            fixed_lo[best] = fixed_hi[best] = h
            stack.append((fixed_lo, fixed_hi, self.watch[best]))
        return None

    def find(self, lo: list[int], hi: list[int], hint: Sequence[int], changed: int | None = None) -> list[int] | None:
        """A solution inside the boxes, or None when there is none. When the search takes too
        long, the linear relaxation decides: no rational solution proves there is no integer
        one, and a corner of it is usually whole (always, for plain two-way tables) or else a
        good place to search from. Raises _OutOfBudget when even that does not settle it."""
        try:
            return self.search(lo, hi, hint, changed)
        except _OutOfBudget:
            pass
        lo, hi = lo[:], hi[:]
        if not self.propagate(lo, hi, range(len(self.constraints))):
            return None
        corner = _relaxed_solution(self, lo, hi)
        if corner is None:
            return None
        rounded = [round(x) for x in corner]
        if all(x == r for x, r in zip(corner, rounded)) and self.satisfied(rounded):
            return rounded
        return self.search(lo, hi, rounded, budget=10 * _SEARCH_BUDGET)

    def solve_within(self, lo: list[int], hi: list[int], v: int, low: int, high: int,
                     hint: Sequence[int]) -> list[int] | None:
        """A solution with ``low <= x[v] <= high``; None if none was found (or the search gave up)."""
        low, high = max(low, lo[v]), min(high, hi[v])
        if low > high:
            return None
        lo, hi = lo[:], hi[:]
        lo[v], hi[v] = low, high
        try:
            return self.find(lo, hi, hint, changed=v)
        except _OutOfBudget:
            return None


def _relaxed_solution(problem: _Problem, lo: list[int], hi: list[int]) -> list[Fraction] | None:
    """A corner of the linear relaxation, in exact arithmetic, or None when it has no solution.

    Phase one of the bounded-variable simplex method: one artificial unknown per constraint
    (and a slack per inequality), minimise their sum, Bland's rule against cycling.
    """
    upper: list[Fraction | None] = [Fraction(h) if h < _INF else None for h in hi]
    lower = [Fraction(x) for x in lo]
    rows: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    for terms, const, equal in problem.constraints:
        row = {v: Fraction(a) for v, a in terms}
        if not equal:
            row[len(lower)] = Fraction(1)
            lower.append(Fraction(0))
            upper.append(None)
        rows.append(row)
        rhs.append(Fraction(-const))
    x = lower[:]
    first_artificial = len(x)
    basis = []
    for row, b in zip(rows, rhs):
        residual = b - sum(a * x[c] for c, a in row.items())
        sign = 1 if residual >= 0 else -1
        for c in row:  # scale so the artificial has coefficient 1
            row[c] *= sign
        row[len(x)] = Fraction(1)
        basis.append(len(x))
        x.append(abs(residual))
        lower.append(Fraction(0))
        upper.append(None)
    cost = [0] * first_artificial + [1] * (len(x) - first_artificial)

    while True:
        reduced: dict[int, Fraction] = {}
        for r, row in enumerate(rows):
            if cost[basis[r]]:
                for c, a in row.items():
                    reduced[c] = reduced.get(c, 0) - a
        in_basis = set(basis)
        entering = direction = None
        for c in range(len(x)):
            if c in in_basis:
                continue
            d = cost[c] + reduced.get(c, 0)
            if d < 0 and (upper[c] is None or x[c] < upper[c]):
                entering, direction = c, 1
                break
            if d > 0 and x[c] > lower[c]:
                entering, direction = c, -1
                break
        if entering is None:
            break
        step = None if upper[entering] is None else upper[entering] - lower[entering]
        leaving = None
        for r, row in enumerate(rows):
            a = row.get(entering)
            if not a:
                continue
            rate = -a * direction  # how fast the basic unknown of row r moves
            b = basis[r]
            if rate < 0:
                limit = (x[b] - lower[b]) / -rate
            elif upper[b] is not None:
                limit = (upper[b] - x[b]) / rate
            else:
                continue
            if step is None or limit < step or (limit == step and leaving is not None and b < basis[leaving]):
                step, leaving = limit, r
        if step is None:  # cannot happen while minimising a sum of non-negative unknowns
            break
        x[entering] += direction * step
        for r, row in enumerate(rows):
            a = row.get(entering)
            if a:
                x[basis[r]] -= a * direction * step
        if leaving is None:
            continue
        pivot_row = rows[leaving]
        pivot = pivot_row[entering]
        for c in pivot_row:
            pivot_row[c] /= pivot
        for r, row in enumerate(rows):
            if r != leaving and entering in row:
                factor = row[entering]
                for c, a in pivot_row.items():
                    value = row.get(c, 0) - factor * a
                    if value:
                        row[c] = value
                    else:
                        row.pop(c, None)
        basis[leaving] = entering
    if any(x[c] for c in range(first_artificial, len(x))):
        return None
    return x[: problem.n]


# --- Reading a publication ----------------------------------------------------------------


def unround(shown: int, round_to: int | None, k: int) -> tuple[int, int]:
    """The counts a shown number can stand for (a shown number other than 0 is at least k)."""
    if shown == 0:
        return 0, 0
    if not round_to or round_to == 1:
        return shown, shown
    if shown % round_to:
        raise PublicationError(f"{shown} is not a multiple of {round_to}")
    m = shown // round_to
    low = 1 if m == 1 else ((2 * m - 1) * round_to + 1) // 2
    high = ((2 * m + 1) * round_to - 1) // 2
    return max(low, k), high


@dataclass
class _Unknowns:
    keys: list[Key]  # one representative key per unknown
    hidden: list[bool]
    lo: list[int]
    hi_believed: list[int]  # with "every c is 1 to k-1"
    hi_certain: list[int]
    constraints: list[tuple[list[tuple[int, int]], int, bool]]
    members: dict[Key, list[Key]]  # representative -> every published key it stands for
    order: dict[Key, int]  # reading order of every key in the publication


def _read(published: Sequence[Mapping], k: int, round_to: int | None, linked: Iterable[Link] | None,
          non_additive: Iterable[str]) -> _Unknowns:
    if k < 3:
        raise PublicationError("k must be at least 3: with k = 2 a c could only ever mean 1")
    non_additive = set(non_additive)
    shapes: dict[str, tuple[int, int]] = {}
    values: dict[Key, int | str] = {}
    for table in published:
        name = table["name"]
        if name in shapes:
            raise PublicationError(f"two tables are called {name!r}")
        rows, columns = len(table["row_labels"]), len(table["column_labels"])
        shapes[name] = (rows, columns)
        cells, row_totals, column_totals = table["cells"], table["row_totals"], table["column_totals"]
        if len(cells) != rows or any(len(r) != columns for r in cells) or len(row_totals) != rows \
                or len(column_totals) != columns:
            raise PublicationError(f"table {name!r} does not match its labels")
        for i in range(rows):
            for j in range(columns):
                values[(name, i, j)] = cells[i][j]
            values[(name, i, None)] = row_totals[i]
        for j in range(columns):
            values[(name, None, j)] = column_totals[j]
        values[(name, None, None)] = table["total"]
    for key, value in values.items():
        if value != SUPPRESSED and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise PublicationError(f"{key} is neither a count nor {SUPPRESSED!r}: {value!r}")
        if isinstance(value, int) and 0 < value < k and not round_to:
            raise PublicationError(f"{key} shows {value}, a count that should have been suppressed")

    rep = link_classes(shapes, linked, non_additive)
    members: dict[Key, list[Key]] = {}
    for key, r in rep.items():
        members.setdefault(r, []).append(key)
    # A number shown in any table is known, even where another table hides it.
    known: dict[Key, int | str] = {}
    for r, keys in members.items():
        shown = {values[key] for key in keys} - {SUPPRESSED}
        if len(shown) > 1:
            raise PublicationError(f"linked numbers {keys} are published differently")
        known[r] = shown.pop() if shown else SUPPRESSED

    def hidden(key: Key) -> bool:
        return values[key] == SUPPRESSED

    def may_be_zero(key: Key) -> bool:
        # A hidden line shows its zeros as c, so a c under a hidden total may be 0.
        name, i, j = key
        if i is not None and j is not None:
            return hidden((name, i, None)) or hidden((name, None, j))
        if i is None and j is None:
            return False
        return hidden((name, None, None))

    index: dict[Key, int] = {}
    order = {key: n for n, key in enumerate(values)}
    unknowns = _Unknowns([], [], [], [], [], [], members, order)
    for r, keys in members.items():
        value = known[r]
        hidden_somewhere = any(values[key] == SUPPRESSED for key in keys)
        if value == SUPPRESSED:
            lo = 0 if any(may_be_zero(key) for key in keys) else 1
            believed, certain = k - 1, _INF
        elif (round_to and round_to > 1 and value) or hidden_somewhere:
            lo, believed = unround(value, round_to, k)
            certain = believed
        else:
            continue
        index[r] = len(unknowns.keys)
        unknowns.keys.append(r)
        unknowns.hidden.append(hidden_somewhere)
        unknowns.lo.append(lo)
        unknowns.hi_believed.append(believed)
        unknowns.hi_certain.append(certain)

    def add(terms: dict[Key, int], const: int, equal: bool) -> None:
        merged: dict[int, int] = {}
        for key, a in terms.items():
            r = rep[key]
            if r in index:
                merged[index[r]] = merged.get(index[r], 0) + a
            else:
                const += a * known[r]
        merged = {v: a for v, a in merged.items() if a}
        if merged:
            unknowns.constraints.append((list(merged.items()), const, equal))
        elif const > 0 or (equal and const != 0):
            raise PublicationError("the published numbers do not add up")

    for name, (rows, columns) in shapes.items():
        for line in table_lines(name, rows, columns, name not in non_additive):
            if line.sums:
                terms: dict[Key, int] = {}
                for key in line.members:
                    terms[key] = terms.get(key, 0) + 1
                terms[line.total] = terms.get(line.total, 0) - 1
                add(terms, 0, True)
            else:
                for key in line.members:
                    add({key: 1, line.total: -1}, 0, False)
    return unknowns


def _components(unknowns: _Unknowns) -> list[tuple[list[int], list[tuple[list[tuple[int, int]], int, bool]]]]:
    parent = list(range(len(unknowns.keys)))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for terms, _, _ in unknowns.constraints:
        first = find(terms[0][0])
        for v, _ in terms[1:]:
            other = find(v)
            if other != first:
                parent[max(first, other)] = min(first, other)
                first = min(first, other)
    groups: dict[int, list[int]] = {}
    for v in range(len(unknowns.keys)):
        groups.setdefault(find(v), []).append(v)
    constraints: dict[int, list] = {root: [] for root in groups}
    for c in unknowns.constraints:
        constraints[find(c[0][0][0])].append(c)
    result = []
    for root, variables in groups.items():
        local = {v: n for n, v in enumerate(variables)}
        renamed = [([(local[v], a) for v, a in terms], const, equal) for terms, const, equal in constraints[root]]
        result.append((variables, renamed))
    return result


@dataclass
class _Group:
    """One group of linked unknowns, with the beliefs the attacker holds about it."""

    variables: list[int]  # indexes into _Unknowns
    problem: _Problem
    lo: list[int]
    hi: list[int]
    point: list[int] | None  # a solution; None when the search gave up
    believed: bool  # True when "every c is 1 to k-1" survived


def _groups(unknowns: _Unknowns, hint: Mapping[Key, int] | None) -> list[_Group]:
    groups = []
    for variables, constraints in _components(unknowns):
        if not any(unknowns.hidden[v] for v in variables):
            continue
        problem = _Problem(len(variables), constraints)
        guess = [hint.get(unknowns.keys[v], unknowns.lo[v]) if hint else unknowns.lo[v] for v in variables]
        group = None
        for believed, highs in ((True, unknowns.hi_believed), (False, unknowns.hi_certain)):
            lo = [unknowns.lo[v] for v in variables]
            hi = [highs[v] for v in variables]
            if not problem.propagate(lo, hi, range(len(constraints))):
                continue
            try:
                point = problem.find(lo, hi, guess)
            except _OutOfBudget:
                group = _Group(variables, problem, lo, hi, None, believed)
                break
            if point is not None:
                group = _Group(variables, problem, lo, hi, point, believed)
                break
        if group is None:
            raise PublicationError("no counts are consistent with the published numbers")
        groups.append(group)
    return groups


def _pinned(group: _Group, unknowns: _Unknowns) -> list[int]:
    """Hidden unknowns of the group that could not be shown to take two values (zero excepted)."""
    targets = [n for n, v in enumerate(group.variables) if unknowns.hidden[v]]
    if group.point is None:
        return targets
    point, problem, lo, hi = group.point, group.problem, group.lo, group.hi
    network = _Network(problem, point, lo, hi)
    solutions = [point]
    pinned = []
    for n in targets:
        if network.can_move(n):
            continue
        if network.exact:
            if point[n] != 0:
                pinned.append(n)
            continue
        if any(s[n] != point[n] for s in solutions):
            continue
        witness = None
        if lo[n] < hi[n]:
            witness = problem.solve_within(lo, hi, n, point[n] + 1, _INF, point) or problem.solve_within(
                lo, hi, n, -_INF, point[n] - 1, point
            )
        if witness is not None:
            solutions.append(witness)
        elif point[n] != 0:
            pinned.append(n)
    return pinned


class _Network:
    """The flow network inside a problem, for finding other solutions quickly.

    An unknown that sits in at most two equalities, once with +1 and once with -1 after
    flipping some equalities over, is an arc between them (or between one and the outside);
    the equalities are nodes. A plain two-way table with its totals is entirely such a network.
    Other unknowns (a total shared by many tables, say) are held at their value in the known
    solution. Then a cycle of +1/-1 changes along arcs that keeps each arc in its box is
    another solution, and when nothing is held, an arc that lies on no such cycle cannot
    change at all (two solutions differ by a sum of such cycles).
    """

    def __init__(self, problem: _Problem, point: list[int], lo: list[int], hi: list[int]):
        ground = len(problem.constraints)
        places: list[list[tuple[int, int]]] = [[] for _ in range(problem.n)]
        for c, (terms, _, _) in enumerate(problem.constraints):
            for v, a in terms:
                places[v].append((c, a))
        held = {v for v in range(problem.n) if len(places[v]) > 2 or any(a not in (1, -1) for _, a in places[v])}
        # Flip equalities so that each arc enters one node and leaves the other.
        sign: list[int] = [0] * ground
        for start in range(ground):
            if sign[start]:
                continue
            sign[start] = 1
            stack = [start]
            while stack:
                c = stack.pop()
                for v, a in problem.constraints[c][0]:
                    if v in held:
                        continue
                    for d, b in places[v]:
                        if d == c:
                            continue
                        wanted = -sign[c] * a * b
                        if not sign[d]:
                            sign[d] = wanted
                            stack.append(d)
                        elif sign[d] != wanted:
                            held.add(v)
        self.exact = not held
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.flow, self.lo, self.hi = list(point), list(lo), list(hi)
        for v in range(problem.n):
            ends = [(c, sign[c] * a) for c, a in places[v]]
            self.heads.append(next((c for c, a in ends if a > 0), ground))
            self.tails.append(next((c for c, a in ends if a < 0), ground))
        for c, (terms, const, equal) in enumerate(problem.constraints):
            if not equal:  # a slack arc takes up what the inequality leaves
                self.tails.append(ground if sign[c] > 0 else c)
                self.heads.append(c if sign[c] > 0 else ground)
                self.flow.append(-(const + sum(a * point[v] for v, a in terms)))
                self.lo.append(0)
                self.hi.append(_INF)
        self.held = held
        # Residual edges: an arc can carry more (forwards) or less (backwards).
        self.out: dict[int, list[tuple[int, int]]] = {}
        for arc, (t, h) in enumerate(zip(self.tails, self.heads)):
            if arc in held:
                continue
            if self.flow[arc] < self.hi[arc]:
                self.out.setdefault(t, []).append((h, arc))
            if self.flow[arc] > self.lo[arc]:
                self.out.setdefault(h, []).append((t, arc))

    def can_move(self, arc: int) -> bool:
        if arc in self.held:
            return False
        tail, head = self.tails[arc], self.heads[arc]
        if self.flow[arc] < self.hi[arc] and self._reaches(head, tail, arc):
            return True
        return self.flow[arc] > self.lo[arc] and self._reaches(tail, head, arc)

    def extreme(self, arc: int, lowest: bool) -> int | None:
        """The least (or greatest) value the arc can carry, None if unlimited; only meaningful
        when the network is exact. Augmenting paths (Edmonds-Karp) from one end of the arc
        back to the other carry the change."""
        flow = self.flow[:]
        edges: dict[int, list[tuple[int, int, int]]] = {}  # node -> (next node, arc, +1 forwards / -1 back)
        for a, (t, h) in enumerate(zip(self.tails, self.heads)):
            if a != arc and a not in self.held:
                edges.setdefault(t, []).append((h, a, 1))
                edges.setdefault(h, []).append((t, a, -1))

        def room(a: int, way: int) -> int:
            return self.hi[a] - flow[a] if way > 0 else flow[a] - self.lo[a]

        start, goal = (self.tails[arc], self.heads[arc]) if lowest else (self.heads[arc], self.tails[arc])
        while room(arc, -1 if lowest else 1) > 0:
            came: dict[int, tuple[int, int, int]] = {start: (start, -1, 0)}
            queue = [start]
            for node in queue:
                if node == goal:
                    break
                for nxt, a, way in edges.get(node, ()):
                    if nxt not in came and room(a, way) > 0:
                        came[nxt] = (node, a, way)
                        queue.append(nxt)
            if goal not in came:
                break
            path, node = [], goal
            while node != start:
                node, a, way = came[node]
                path.append((a, way))
            amount = min([room(a, way) for a, way in path] + [room(arc, -1 if lowest else 1)])
            if amount >= _INF // 2:
                return None
            for a, way in path:
                flow[a] += way * amount
            flow[arc] += -amount if lowest else amount
        return flow[arc]

    def _reaches(self, start: int, goal: int, skip: int) -> bool:
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            for nxt, a in self.out.get(node, ()):
                if a != skip and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False


# --- Public interface ----------------------------------------------------------------------


def unsafe_groups(published: Sequence[Mapping], k: int, *, round_to: int | None = None,
                  linked: Iterable[Link] | None = None, non_additive: Iterable[str] = (),
                  hint: Mapping[Key, int] | None = None) -> list[list[Key]]:
    """Every ``c`` whose value can be worked out exactly, in groups that are worked out
    together (hiding one more number affects only its own group), each in reading order,
    each linked number once under its first key. ``hint``, the true counts if known, only
    speeds the search up."""
    unknowns = _read(published, k, round_to, linked, non_additive)
    found = []
    for group in _groups(unknowns, hint):
        pinned = [unknowns.keys[group.variables[n]] for n in _pinned(group, unknowns)]
        if pinned:
            found.append(sorted(pinned, key=unknowns.order.__getitem__))
    return sorted(found, key=lambda keys: unknowns.order[keys[0]])


def unsafe_keys(published: Sequence[Mapping], k: int, *, round_to: int | None = None,
                linked: Iterable[Link] | None = None, non_additive: Iterable[str] = ()) -> list[Key]:
    """Every ``c`` whose value can be worked out exactly, in reading order (each linked number
    once, under its first key)."""
    unknowns = _read(published, k, round_to, linked, non_additive)
    found = [key for keys in unsafe_groups(published, k, round_to=round_to, linked=linked,
                                           non_additive=non_additive) for key in keys]
    return sorted(found, key=unknowns.order.__getitem__)


def is_safe(published: Sequence[Mapping], k: int, *, round_to: int | None = None,
            linked: Iterable[Link] | None = None, non_additive: Iterable[str] = ()) -> bool:
    """True when no ``c`` in the publication can be worked out exactly."""
    return not unsafe_keys(published, k, round_to=round_to, linked=linked, non_additive=non_additive)


def feasible_ranges(published: Sequence[Mapping], k: int, *, round_to: int | None = None,
                    linked: Iterable[Link] | None = None,
                    non_additive: Iterable[str] = ()) -> dict[Key, tuple[int, int | None]]:
    """For every ``c`` (every key showing one, linked copies included): the least and greatest
    value the attacker described in the module docstring could believe it holds. ``None`` as
    the upper end means there is no upper limit. Both ends are values of actual solutions, so
    a range is never wider than the truth. Raises AuditIncomplete if a search cannot finish."""
    unknowns = _read(published, k, round_to, linked, non_additive)
    ranges: dict[Key, tuple[int, int | None]] = {}
    for group in _groups(unknowns, None):
        problem, lo, hi = group.problem, group.lo, group.hi
        if group.point is None:
            raise AuditIncomplete("the search for consistent counts did not finish")
        network = _Network(problem, group.point, lo, hi)
        for n, v in enumerate(group.variables):
            if not unknowns.hidden[v]:
                continue
            if network.exact:
                low, high = network.extreme(n, lowest=True), network.extreme(n, lowest=False)
            else:
                low, high = _extreme(problem, lo, hi, n, group.point, lowest=True), None
                if problem.solve_within(lo, hi, n, _INF // 2, _INF, group.point) is None:
                    high = _extreme(problem, lo, hi, n, group.point, lowest=False)
            for key in unknowns.members[unknowns.keys[v]]:
                ranges[key] = (low, high)
    return dict(sorted(ranges.items(), key=lambda item: unknowns.order[item[0]]))


def _extreme(problem: _Problem, lo: list[int], hi: list[int], n: int, point: list[int], lowest: bool) -> int:
    """The least (or greatest) value of unknown n in any solution found: a binary search
    whose every step is settled by a solution or a failed search."""
    best = point[n]
    bound = lo[n] if lowest else min(hi[n], _INF // 2)
    if best != bound:  # the propagated bound is usually the answer
        s = problem.solve_within(lo, hi, n, bound, bound, point)
        if s is not None:
            return bound
        bound += 1 if lowest else -1
    while best != bound:
        middle = (best + bound) // 2 if lowest else (best + bound + 1) // 2
        if lowest:
            s = problem.solve_within(lo, hi, n, bound, middle, point)
        else:
            s = problem.solve_within(lo, hi, n, middle, bound, point)
        if s is None:
            bound = middle + 1 if lowest else middle - 1
        else:
            best = s[n]
    return best

