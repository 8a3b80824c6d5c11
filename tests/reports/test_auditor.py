"""The disclosure auditor: what a reader of a published report could work out about each ``c``.

Hand-made publications check that the auditor catches each way a ``c`` can give itself away
(so the protection tests below cannot pass vacuously), and brute force over every table that
could lie behind a small publication checks the ranges it computes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from destinations.reports import auditor
from destinations.reports.auditor import (
    PublicationError,
    feasible_ranges,
    is_safe,
    link_classes,
    unround,
    unsafe_keys,
)
from destinations.reports.disclosure import round_count

C = "c"
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def table(name: str, cells: list[list], row_totals: list, column_totals: list, total) -> dict:
    return {
        "name": name,
        "title": name,
        "row_labels": [f"row {i}" for i in range(len(row_totals))],
        "column_labels": [f"column {j}" for j in range(len(column_totals))],
        "cells": cells,
        "row_totals": row_totals,
        "column_totals": column_totals,
        "total": total,
    }


# --- each way a c can give itself away is caught --------------------------------------------


def test_a_lone_c_in_a_row_with_a_total_is_caught():
    published = [table("t", [[C, 10, 12], [20, 30, 40]], [25, 90], [23, 40, 52], 115)]
    assert not is_safe(published, 5)
    assert feasible_ranges(published, 5)[("t", 0, 0)] == (3, 3)


def test_two_cs_in_a_row_whose_hidden_sum_is_two_are_both_caught():
    published = [table("t", [[C, C, 12], [C, C, 40]], [14, 90], [21, 31, 52], 104)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", 0, 0)] == ranges[("t", 0, 1)] == (1, 1)
    # ...and with them the cells below, through the column totals.
    assert unsafe_keys(published, 5) == [("t", 0, 0), ("t", 0, 1), ("t", 1, 0), ("t", 1, 1)]


def test_two_cs_whose_hidden_sum_is_twice_k_minus_one_are_caught_by_the_upper_limit():
    # Each c is at most 4, and together they make 20 - 12 = 8.
    published = [table("t", [[C, C, 12]], [20], [C, C, 12], 20)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", 0, 0)] == ranges[("t", 0, 1)] == (4, 4)
    assert not is_safe(published, 5)


def test_cs_pinned_by_their_column_totals_are_caught_even_when_their_row_has_two():
    published = [table("t", [[C, C, 20], [8, 9, 30]], [25, 47], [10, 12, 50], 72)]
    assert unsafe_keys(published, 5) == [("t", 0, 0), ("t", 0, 1)]


def test_a_hidden_total_recovered_from_the_grand_total_is_caught():
    published = [table("t", [[C, C, C], [20, 30, 40]], [C, 90], [C, C, 40], 93)]
    assert ("t", 0, None) in unsafe_keys(published, 5)


def test_a_c_is_safe_when_two_values_remain():
    published = [table("t", [[C, C, 12], [C, C, 40]], [25, 90], [23, 40, 52], 115)]
    assert is_safe(published, 5)
    assert feasible_ranges(published, 5)[("t", 0, 0)] == (1, 12)


def test_when_the_one_to_k_minus_one_belief_is_contradicted_only_certain_knowledge_is_used():
    # The two cs of row 0 make 20, so they cannot both be from 1 to 4; the reader falls
    # back on what is certain, under which nothing is pinned.
    published = [table("t", [[C, C, 12], [C, C, 40]], [32, 90], [31, 39, 52], 122)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", 0, 0)] == (1, 19)
    assert is_safe(published, 5)


def test_a_c_in_a_hidden_line_may_be_zero_and_one_that_can_only_be_zero_is_safe():
    # Row 0 is hidden whole, zeros included. Its middle cell sits over a column total of 0,
    # so it can only be 0, which says no more than the 0 printed below it.
    published = [table("t", [[C, C, C], [20, 0, 40]], [C, C], [C, 0, C], 64)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", 0, 1)] == (0, 0)
    assert ("t", 0, 1) not in unsafe_keys(published, 5)


def test_a_table_hidden_whole_is_safe_and_its_counts_have_no_upper_limit():
    published = [table("t", [[C, C], [C, C]], [C, C], [C, C], C)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", None, None)] == (1, 4)  # believed: the grand total is 1 to 4
    assert ranges[("t", 0, 0)] == (0, 4)
    assert is_safe(published, 5)


def test_the_grand_total_of_a_hidden_table_has_no_upper_limit_once_the_belief_breaks():
    # The hidden row total is at least the 9 beside it, so "every c is 1 to 4" is plainly
    # false here, and nothing certain limits the hidden numbers from above.
    published = [table("t", [[C, 9]], [C], [C, 9], C)]
    ranges = feasible_ranges(published, 5)
    assert ranges[("t", None, None)][1] is None


def test_rounded_totals_leave_room_that_exact_totals_do_not():
    # Exact: the c is 25 - 10 - 12 = 3. Rounded to 5, each shown number could be 2 either way.
    exact = [table("t", [[C, 10, 12], [20, 30, 40]], [25, 90], [23, 40, 52], 115)]
    rounded = [table("t", [[C, 10, 10], [20, 30, 40]], [25, 90], [25, 40, 50], 115)]
    assert not is_safe(exact, 5)
    low, high = feasible_ranges(rounded, 5, round_to=5)[("t", 0, 0)]
    assert low == 1 and high == 4
    assert is_safe(rounded, 5, round_to=5)


def test_a_rounded_total_of_k_or_more_over_a_single_c_leaves_it_the_totals_range():
    # The c equals its column total, shown as 5: 5 to 7 (a shown number is at least k). That
    # contradicts "every c is 1 to 4", so certain knowledge applies: 5, 6 or 7.
    published = [table("t", [[C, 0]], [5], [5, 0], 5)]
    assert feasible_ranges(published, 5, round_to=5)[("t", 0, 0)] == (5, 7)


# --- tables of the same report ----------------------------------------------------------------


def test_a_total_shown_in_another_table_gives_a_hidden_number_away_when_they_are_linked():
    # The pathway table hides its grand total, but the need table shows the same number.
    # Declared linked, the shown copy counts; hidden in both tables, nothing is pinned.
    pathway = table("pathway", [[C], [C], [40]], [C, C, 40], [C], C)
    need = table("need", [[33], [40]], [33, 40], [73], 73)
    linked = [(("pathway", "total"), ("need", "total"))]
    assert is_safe([pathway, need], 5)
    assert ("pathway", None, None) in unsafe_keys([pathway, need], 5, linked=linked)
    need = table("need", [[C], [C]], [C, C], [C], C)
    assert is_safe([pathway, need], 5, linked=linked)


def test_a_breakdown_of_a_hidden_row_gives_it_away_only_through_a_declared_link():
    # Rows 0 and 1 of the pathway table (3 and 30) are hidden; a second table breaks
    # pathway 2 down by need and shows its total, 30. Declared, the link gives row 0 away.
    pathway = table("pathway", [[C], [C], [40]], [C, C, 40], [73], 73)
    breakdown = table("pathway_2_by_need", [[12], [18]], [12, 18], [30], 30)
    assert is_safe([pathway, breakdown], 5)
    linked = [(("pathway", "row", 1), ("pathway_2_by_need", "total"))]
    unsafe = unsafe_keys([pathway, breakdown], 5, linked=linked)
    assert ("pathway", 0, 0) in unsafe and ("pathway", 1, None) in unsafe
    assert feasible_ranges([pathway, breakdown], 5, linked=linked)[("pathway", 0, 0)] == (3, 3)


def test_linked_whole_margins_make_the_grand_totals_equal():
    shapes = {"a": (2, 3), "b": (3, 2), "overlapping": (3, 1)}
    classes = link_classes(shapes, [(("a", "columns"), ("b", "rows"))])
    assert classes[("b", None, None)] == ("a", None, None)
    assert classes[("b", 2, None)] == ("a", None, 2)
    # The rows of an overlapping table do not add up to its total, so no such equality.
    classes = link_classes(shapes, [(("a", "columns"), ("overlapping", "rows"))], non_additive={"overlapping"})
    assert classes[("overlapping", None, None)] == ("overlapping", None, None)


@pytest.mark.parametrize(
    "link, message",
    [
        ((("nowhere", "total"), ("t", "total")), "names no table"),
        ((("t", "rows"), ("t", "columns")), "different lengths"),
        ((("t", "row", 5), ("t", "total")), "outside the table"),
        ((("t", "diagonal"), ("t", "total")), "not one of"),
    ],
)
def test_a_link_that_does_not_fit_the_tables_is_refused(link, message):
    published = [table("t", [[10, 10, 10], [10, 10, 10]], [30, 30], [20, 20, 20], 60)]
    with pytest.raises(PublicationError, match=message):
        is_safe(published, 5, linked=[link])


def test_overlapping_rows_only_bound_their_cells_by_the_column_total():
    # Needs (a young person can have several): 3 young people with need A cannot be
    # worked out from the 40 young people in the table.
    published = [table("needs", [[C], [25], [30]], [C, 25, 30], [40], 40)]
    assert is_safe(published, 5, non_additive={"needs"})
    with pytest.raises(PublicationError, match="no counts are consistent"):
        is_safe(published, 5)  # read as additive, the c would be 40 - 25 - 30 < 0


# --- refusing what is not a publication ------------------------------------------------------


def test_a_publication_whose_numbers_do_not_add_up_is_refused():
    with pytest.raises(PublicationError, match="do not add up"):
        is_safe([table("t", [[10, 10]], [21], [10, 10], 21)], 5)


def test_a_visible_small_count_is_refused():
    with pytest.raises(PublicationError, match="should have been suppressed"):
        is_safe([table("t", [[3, 10]], [13], [3, 10], 13)], 5)


def test_k_below_three_is_refused():
    with pytest.raises(PublicationError, match="at least 3"):
        is_safe([table("t", [[10]], [10], [10], 10)], 2)


@pytest.mark.parametrize(
    "shown, round_to, k, expected",
    [
        (0, 5, 5, (0, 0)),
        (5, 5, 5, (5, 7)),
        (5, 5, 3, (3, 7)),
        (10, 5, 5, (8, 12)),
        (20, 10, 5, (15, 24)),
        (10, 10, 3, (3, 14)),
        (7, None, 5, (7, 7)),
    ],
)
def test_a_rounded_number_stands_for_every_count_that_rounds_to_it(shown, round_to, k, expected):
    assert unround(shown, round_to, k) == expected
    if shown:
        counts = [n for n in range(1, 40) if round_count(n, round_to) == shown and n >= k]
        assert (min(counts), max(counts)) == expected


# --- the ranges agree with brute force over every table behind a small publication -----------


def brute_force_ranges(published: dict, k: int, round_to: int | None) -> dict:
    """The documented reader, written the slow and obvious way: list every table of counts
    (with a plausible grand total) that could lie behind the publication."""
    rows, columns = len(published["row_totals"]), len(published["column_totals"])
    shown = {}
    for i in range(rows):
        for j in range(columns):
            shown[(i, j)] = published["cells"][i][j]
        shown[(i, None)] = published["row_totals"][i]
    for j in range(columns):
        shown[(None, j)] = published["column_totals"][j]
    shown[(None, None)] = published["total"]
    hidden = [key for key, value in shown.items() if value == C]

    def may_be_zero(key):
        i, j = key
        if i is not None and j is not None:
            return shown[(i, None)] == C or shown[(None, j)] == C
        return (i, j) != (None, None) and shown[(None, None)] == C

    def lines():
        for i in range(rows):
            yield [(i, j) for j in range(columns)] + [(i, None)]
        for j in range(columns):
            yield [(i, j) for i in range(rows)] + [(None, j)]
        yield [(i, None) for i in range(rows)] + [(None, None)]
        yield [(None, j) for j in range(columns)] + [(None, None)]

    # Hidden numbers sharing a line are worked out together.
    group = {key: key for key in hidden}
    for line in lines():
        inside = [key for key in line if key in group]
        for key in inside[1:]:
            a, b = group[inside[0]], group[key]
            for other, g in group.items():
                if g == b:
                    group[other] = a

    def candidates(total_range):
        for total in total_range:
            for cut in itertools.combinations(range(total + rows * columns - 1), rows * columns - 1):
                parts = [b - a - 1 for a, b in zip((-1, *cut), (*cut, total + rows * columns - 1))]
                yield [parts[i * columns:(i + 1) * columns] for i in range(rows)]

    def numbers(cells):
        values = {(i, j): cells[i][j] for i in range(rows) for j in range(columns)}
        for i in range(rows):
            values[(i, None)] = sum(cells[i])
        for j in range(columns):
            values[(None, j)] = sum(cells[i][j] for i in range(rows))
        values[(None, None)] = sum(values[(i, None)] for i in range(rows))
        return values

    def fits_shown(values):
        for key, s in shown.items():
            if s != C and (round_count(values[key], round_to) != s or 0 < values[key] < k):
                return False
        return True

    g_shown = shown[(None, None)]
    totals = range(unround(g_shown, round_to, k)[0], unround(g_shown, round_to, k)[1] + 1)
    possible = [numbers(cells) for cells in candidates(totals)]
    possible = [values for values in possible if fits_shown(values)]
    ranges = {}
    for g in set(group.values()):
        keys = [key for key in hidden if group[key] == g]

        def fits(values, believed, keys=keys):
            for key in hidden:
                low = 0 if may_be_zero(key) else 1
                high = k - 1 if believed and key in keys else None
                if values[key] < low or (high is not None and values[key] > high):
                    return False
            return True

        chosen = [v for v in possible if fits(v, True)] or [v for v in possible if fits(v, False)]
        for key in keys:
            found = [v[key] for v in chosen]
            ranges[("t", *key)] = (min(found), max(found))
    return ranges


def hide_closure(cells: list[list[int]], extra: Iterable, k: int) -> dict:
    """A publication that hides the small counts, the keys in ``extra`` (non-zero ones) and
    every line whose total is hidden - but no secondary suppression: often leaky."""
    rows, columns = len(cells), len(cells[0])
    values = {(i, j): cells[i][j] for i in range(rows) for j in range(columns)}
    for i in range(rows):
        values[(i, None)] = sum(cells[i])
    for j in range(columns):
        values[(None, j)] = sum(cells[i][j] for i in range(rows))
    values[(None, None)] = sum(map(sum, cells))
    hidden = {key for key, v in values.items() if 0 < v < k} | {key for key in extra if values[key]}
    changed = True
    while changed:
        changed = False
        for key in list(hidden):
            i, j = key
            if i is None and j is None:
                under = [(r, None) for r in range(rows)] + [(None, c) for c in range(columns)]
            elif j is None:
                under = [(i, c) for c in range(columns)]
            elif i is None:
                under = [(r, j) for r in range(rows)]
            else:
                under = []
            for u in under:
                if u not in hidden:
                    hidden.add(u)
                    changed = True

    def show(key):
        return C if key in hidden else values[key]

    return table(
        "t",
        [[show((i, j)) for j in range(columns)] for i in range(rows)],
        [show((i, None)) for i in range(rows)],
        [show((None, j)) for j in range(columns)],
        show((None, None)),
    )


@st.composite
def small_publications(draw):
    rows, columns = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    k = draw(st.integers(3, 5))
    cells = [[draw(st.integers(0, 4)) for _ in range(columns)] for _ in range(rows)]
    keys = [(i, j) for i in range(rows) for j in range(columns)] + [(i, None) for i in range(rows)]
    keys += [(None, j) for j in range(columns)]
    extra = draw(st.lists(st.sampled_from(keys), max_size=3))
    return hide_closure(cells, extra, k), k, cells


@FAST
@given(small_publications())
def test_the_ranges_agree_with_brute_force_on_small_tables(case):
    published, k, cells = case
    # A hidden grand total leaves the brute force nothing to enumerate from.
    assume(published["total"] != C and sum(map(sum, cells)) <= 12)
    assert feasible_ranges([published], k) == brute_force_ranges(published, k, None)
    pinned = [key for key, (low, high) in brute_force_ranges(published, k, None).items() if low == high != 0]
    assert sorted(unsafe_keys([published], k), key=str) == sorted(pinned, key=str)


@FAST
@given(small_publications())
def test_the_ranges_agree_with_brute_force_on_small_rounded_tables(case):
    published, k, _ = case
    assume(published["total"] != C and len(published["row_totals"]) * len(published["column_totals"]) <= 4)
    rounded = {
        **published,
        "cells": [[v if v == C else round_count(v, 5) for v in row] for row in published["cells"]],
        "row_totals": [v if v == C else round_count(v, 5) for v in published["row_totals"]],
        "column_totals": [v if v == C else round_count(v, 5) for v in published["column_totals"]],
        "total": round_count(published["total"], 5),
    }
    assert feasible_ranges([rounded], k, round_to=5) == brute_force_ranges(rounded, k, 5)


def test_the_flow_shortcut_and_the_general_search_agree(monkeypatch):
    """The general search (used when a report is not a flow network) must reach the same
    verdicts as the flow shortcut on tables where both apply."""
    import random

    rng = random.Random(7)
    cases = []
    for _ in range(60):
        rows, columns, k = rng.randint(1, 4), rng.randint(1, 4), rng.randint(3, 6)
        cells = [[rng.choice([0, 1, 2, 3, 5, 9, 14]) for _ in range(columns)] for _ in range(rows)]
        keys = [(i, j) for i in range(rows) for j in range(columns)]
        cases.append((hide_closure(cells, rng.sample(keys, min(2, len(keys))), k), k))
    with_flow = [(unsafe_keys([p], k), feasible_ranges([p], k)) for p, k in cases]

    class NoNetwork(auditor._Network):
        def __init__(self, problem, point, lo, hi):
            super().__init__(problem, point, lo, hi)
            self.exact = False
            self.held = set(range(len(self.tails)))

    monkeypatch.setattr(auditor, "_Network", NoNetwork)
    without_flow = [(unsafe_keys([p], k), feasible_ranges([p], k)) for p, k in cases]
    assert with_flow == without_flow
    assert any(unsafe for unsafe, _ in with_flow)  # the comparison covers leaky cases too
