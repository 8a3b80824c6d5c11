"""Disclosure control (DOMAIN.md section 6): the awkward cases by hand, then random tables.

Every protected report is checked with the auditor, which the auditor tests show catches
each way a ``c`` can give itself away.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from destinations.reports.auditor import feasible_ranges, is_safe, unround
from destinations.reports.disclosure import (
    DisclosureSettings,
    Table,
    protect_report,
    round_count,
    share_total,
    suppress_table,
)

C = "c"
K5 = DisclosureSettings()
RANDOM = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])


def make(cells: list[list[int]], name: str = "t", **options) -> Table:
    return Table(
        name=name,
        title=f"Young people by {name}",
        row_labels=[f"row {i}" for i in range(len(cells))],
        column_labels=[f"column {j}" for j in range(len(cells[0]) if cells else 0)],
        cells=cells,
        **options,
    )


def protect(tables: list[Table], settings: DisclosureSettings = K5, linked=None) -> list[dict]:
    return protect_report(tables, settings, linked=linked)


def assert_safe(published: list[dict], tables: list[Table], settings: DisclosureSettings = K5, linked=None) -> None:
    non_additive = {t.name for t in tables if not t.additive}
    ranges = feasible_ranges(published, settings.k, round_to=settings.round_to, linked=linked,
                             non_additive=non_additive)
    assert all(low != high or low == 0 for low, high in ranges.values()), ranges
    assert is_safe(published, settings.k, round_to=settings.round_to, linked=linked, non_additive=non_additive)


# --- the awkward cases -------------------------------------------------------------------------


def test_a_lone_c_in_a_row_with_a_total_takes_the_next_smallest_cell_with_it():
    table = make([[3, 10, 12], [20, 30, 40]])
    [published] = protect([table])
    assert published["cells"] == [[C, C, 12], [C, C, 40]]
    assert published["row_totals"] == [25, 90]
    assert published["column_totals"] == [23, 40, 52]
    assert published["total"] == 115
    assert_safe([published], [table])


def test_two_cs_in_a_row_whose_hidden_sum_is_two_are_not_left_alone():
    table = make([[1, 1, 12], [20, 30, 40]])
    [published] = protect([table])
    assert published["cells"][0] == [C, C, C]
    assert_safe([published], [table])
    assert feasible_ranges([published], 5)[("t", 0, 0)] != (1, 1)


def test_a_two_by_two_table_with_one_small_cell_hides_all_four_cells():
    table = make([[2, 10], [10, 10]])
    [published] = protect([table])
    assert published["cells"] == [[C, C], [C, C]]
    assert (published["row_totals"], published["column_totals"], published["total"]) == ([12, 20], [12, 20], 32)
    assert_safe([published], [table])


def test_cs_pinned_by_their_column_totals_are_protected_even_when_their_row_has_two():
    table = make([[2, 3, 20], [8, 9, 30]])
    [published] = protect([table])
    assert published["cells"] == [[C, C, 20], [C, C, 30]]
    assert_safe([published], [table])


def test_a_small_total_hides_its_whole_line_zeros_included():
    table = make([[1, 2, 0], [20, 30, 40]])
    [published] = protect([table])
    assert published["row_totals"][0] == C
    assert published["cells"][0] == [C, C, C]
    # The grand total is shown, so a second row total has to go too, or 93 - 90 = 3.
    assert published["row_totals"][1] == C
    assert published["cells"][1] == [C, C, 40]
    assert published["total"] == 93
    assert_safe([published], [table])


def test_zeros_next_to_cs_stay_zero_and_are_not_chosen_as_the_next_smallest():
    table = make([[0, 2, 0, 30], [0, 20, 0, 40]])
    [published] = protect([table])
    assert published["cells"] == [[0, C, 0, C], [0, C, 0, C]]
    assert published["column_totals"] == [0, 22, 0, 70]
    assert_safe([published], [table])


def test_a_table_whose_grand_total_is_small_is_hidden_whole():
    table = make([[1, 0], [2, 0]])
    [published] = protect([table])
    assert published["cells"] == [[C, C], [C, C]]
    assert published["row_totals"] == [C, C] and published["column_totals"] == [C, C]
    assert published["total"] == C
    assert_safe([published], [table])


def test_an_empty_table_is_all_zeros():
    table = make([[0, 0], [0, 0]])
    [published] = protect([table])
    assert published["cells"] == [[0, 0], [0, 0]] and published["total"] == 0


def test_a_table_with_nothing_small_is_published_as_it_is():
    table = make([[5, 10], [20, 30]])
    [published] = protect([table])
    assert published["cells"] == [[5, 10], [20, 30]]
    assert "percentages" not in published
    assert set(published) == {"name", "title", "row_labels", "column_labels", "cells", "row_totals",
                              "column_totals", "total"}


def test_a_larger_k_suppresses_more():
    table = make([[7, 30], [40, 50]])
    assert protect([table])[0]["cells"] == [[7, 30], [40, 50]]
    assert protect([table], DisclosureSettings(k=10))[0]["cells"] == [[C, C], [C, C]]


# --- tables of one report ------------------------------------------------------------------


def test_linked_tables_sharing_a_grand_total_are_protected_together():
    by_pathway = make([[3], [30], [40]], name="pathway")
    by_need = make([[33], [40]], name="need")
    linked = share_total("pathway", "need")
    published = protect([by_pathway, by_need], linked=linked)
    assert published[0]["cells"] == [[C], [C], [40]]
    assert published[1]["cells"] == [[33], [40]]
    assert published[0]["total"] == published[1]["total"] == 73
    assert_safe(published, [by_pathway, by_need], linked=linked)
    # 3 and 30 cannot both be 1 to 4, so the reader only knows each is at least 1.
    assert feasible_ranges(published, 5, linked=linked)[("pathway", 0, 0)] == (1, 32)


def test_a_number_hidden_in_one_table_is_hidden_in_every_table_that_shares_it():
    # Pathway 2 (30 young people) is hidden as the partner of pathway 1 (3); the breakdown
    # of pathway 2 by need would show 30 and so give pathway 1 away, unless it hides it too.
    by_pathway = make([[3], [30], [40]], name="pathway")
    pathway_2_by_need = make([[12], [18]], name="pathway_2_by_need")
    linked = [(("pathway", "row", 1), ("pathway_2_by_need", "total"))]
    published = protect([by_pathway, pathway_2_by_need], linked=linked)
    assert published[0]["row_totals"][1] == C
    assert published[1]["total"] == C
    assert_safe(published, [by_pathway, pathway_2_by_need], linked=linked)
    # Without the link the breakdown shows the 30 and the first pathway is 73 - 30 - 40 = 3.
    unlinked = protect([by_pathway, pathway_2_by_need])
    assert not is_safe(unlinked, 5, linked=linked)


def test_a_table_whose_rows_are_another_tables_columns_is_protected_with_it():
    by_route_and_level = make([[3, 30, 40], [20, 25, 30]], name="route_level")
    by_sector_and_route = make([[10, 40], [13, 15], [50, 20]], name="sector_route")
    linked = [(("route_level", "rows"), ("sector_route", "columns"))]
    published = protect([by_route_and_level, by_sector_and_route], linked=linked)
    assert published[0]["row_totals"] == published[1]["column_totals"]
    assert published[0]["total"] == published[1]["total"]
    assert_safe(published, [by_route_and_level, by_sector_and_route], linked=linked)


def test_a_report_about_few_young_people_hides_only_what_it_must():
    # 14 young people: 8, 5 and 1 in three routes at three levels, each route in its own
    # sector. The 1 needs a partner in its row and column (the 5), in both tables, whose
    # totals then hide their zeros; but the grand total, the 8 and the other tables' larger
    # numbers can stay.
    route_level = make([[8, 0, 0], [0, 5, 0], [0, 0, 1]], name="route_level")
    sector_route = make([[0, 0, 1], [0, 5, 0], [8, 0, 0]], name="sector_route")
    pathway = make([[1], [6], [5], [2]], name="pathway")
    needs = make([[5], [11]], name="needs", column_totals=[14], additive=False)
    tables = [route_level, sector_route, pathway, needs]
    linked = share_total("route_level", "pathway", "needs") + [(("route_level", "rows"), ("sector_route", "columns"))]
    published = protect(tables, linked=linked)
    assert [p["total"] for p in published] == [14, 14, 14, 14]
    assert published[0]["cells"] == [[8, C, C], [C, C, C], [C, C, C]]
    assert published[0]["row_totals"] == published[0]["column_totals"] == [8, C, C]
    assert published[1]["cells"] == [[C, C, C], [C, C, C], [8, C, C]]
    assert published[2]["cells"] == [[C], [6], [5], [C]]
    assert published[3]["cells"] == [[5], [11]]
    assert_safe(published, tables, linked=linked)


def test_a_table_whose_rows_overlap_is_bounded_by_its_total_not_summed():
    # Support needs: a young person can have several, so the rows add up to more than the 40.
    needs = make([[3], [25], [30]], name="needs", column_totals=[40], additive=False)
    [published] = protect([needs])
    assert published["cells"] == [[C], [25], [30]]
    assert published["row_totals"] == [C, 25, 30]
    assert published["total"] == 40
    assert_safe([published], [needs])


def test_linked_numbers_must_be_equal():
    with pytest.raises(ValueError, match="not equal"):
        protect([make([[10]], name="a"), make([[11]], name="b")], linked=share_total("a", "b"))


# --- rounding and percentages -------------------------------------------------------------


@pytest.mark.parametrize(
    "count, round_to, shown",
    [(0, 5, 0), (1, 5, 5), (2, 5, 5), (7, 5, 5), (8, 5, 10), (12, 5, 10), (13, 5, 15), (115, 5, 115),
     (5, 10, 10), (14, 10, 10), (15, 10, 20), (9, None, 9), (9, 1, 9)],
)
def test_counts_round_to_the_nearest_multiple_with_halves_up_and_never_to_a_false_zero(count, round_to, shown):
    assert round_count(count, round_to) == shown


def test_rounding_rounds_shown_counts_and_totals_each_on_its_own():
    table = make([[3, 11, 12], [21, 33, 44]])
    settings = DisclosureSettings(round_to=5)
    [published] = protect([table], settings)
    shown = [v for row in published["cells"] for v in row if v != C]
    shown += [v for v in published["row_totals"] + published["column_totals"] + [published["total"]] if v != C]
    assert shown and all(v % 5 == 0 for v in shown)
    assert published["total"] == 125  # 124 rounded on its own, not the sum of rounded parts
    assert published["cells"][0][0] == C
    assert_safe([published], [table], settings)


def test_percentages_are_worked_out_from_the_shown_numbers_and_hidden_with_their_parts():
    table = make([[3, 10, 12], [20, 30, 41]], percentages_of="row")
    [published] = protect([table])
    assert published["percentages"] == [[C, C, 48.0], [C, C, 45.1]]


def test_percentages_of_a_hidden_whole_are_hidden():
    table = make([[1, 2], [30, 40]], percentages_of="row")
    [published] = protect([table])
    assert published["percentages"][0] == [C, C]


def test_percentages_of_columns_and_of_the_total():
    table = make([[10, 30], [30, 90]], percentages_of="column")
    assert protect([table])[0]["percentages"] == [[25.0, 25.0], [75.0, 75.0]]
    table = make([[10, 30], [30, 90]], percentages_of="total")
    assert protect([table])[0]["percentages"] == [[6.3, 18.8], [18.8, 56.3]]


def test_a_percentage_of_nothing_is_not_given():
    table = make([[0, 0], [30, 90]], percentages_of="row")
    assert protect([table])[0]["percentages"][0] == [None, None]


def test_rounded_percentages_come_from_the_rounded_numbers():
    table = make([[12, 13], [30, 90]], percentages_of="row")
    [published] = protect([table], DisclosureSettings(round_to=5))
    assert published["cells"][0] == [10, 15] and published["row_totals"][0] == 25
    assert published["percentages"][0] == [40.0, 60.0]


# --- the interface ----------------------------------------------------------------------------


def test_suppress_table_says_which_numbers_are_hidden():
    # Row 0 adds up to 3, so its total and its zero go; row 1's total has to go with it
    # (or 93 - 90 = 3), and then enough of row 1's cells that 90 cannot be added up.
    suppression = suppress_table(make([[1, 2, 0], [20, 30, 40]]))
    assert suppression.cells == [[True, True, True], [True, True, False]]
    assert suppression.row_totals == [True, True]
    assert suppression.column_totals == [False, False, False]
    assert suppression.total is False


@pytest.mark.parametrize("k", [2, 0, "5"])
def test_k_must_be_at_least_three(k):
    with pytest.raises(ValueError, match="k must be"):
        DisclosureSettings(k=k)


def test_round_to_must_be_positive():
    with pytest.raises(ValueError, match="round_to"):
        DisclosureSettings(round_to=0)


@pytest.mark.parametrize(
    "table, message",
    [
        (make([[1, 2], [3]]), "do not match"),
        (make([[1, -2]]), "whole number"),
        (make([[1, 2]], row_totals=[4]), "row totals given do not add up"),
        (make([[1, 2]], total=4), "total given do not add up"),
        (make([[1, 2]], additive=False), "needs its column totals"),
        (make([[1, 2]], additive=False, column_totals=[5]), "one column total for each column"),
        (make([[5], [3]], additive=False, column_totals=[4]), "bigger than its column total"),
        (make([[1, 2]], percentages_of="diagonal"), "percentages_of"),
    ],
)
def test_a_table_that_does_not_add_up_is_refused(table, message):
    with pytest.raises(ValueError, match=message):
        protect([table])


def test_two_tables_with_one_name_are_refused():
    with pytest.raises(ValueError, match="same name"):
        protect([make([[10]]), make([[10]])])


# --- random tables ----------------------------------------------------------------------------


@st.composite
def tables_and_settings(draw):
    rows, columns = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    count = st.one_of(st.integers(0, 3), st.integers(0, 12), st.integers(0, 60))
    cells = [[draw(count) for _ in range(columns)] for _ in range(rows)]
    settings = DisclosureSettings(k=draw(st.integers(3, 10)), round_to=draw(st.sampled_from([None, None, 5, 10])))
    return make(cells), settings


def true_numbers(table: Table) -> dict:
    row_totals, column_totals, total = table.margins()
    numbers = {(i, j): n for i, row in enumerate(table.cells) for j, n in enumerate(row)}
    numbers.update({(i, None): n for i, n in enumerate(row_totals)})
    numbers.update({(None, j): n for j, n in enumerate(column_totals)})
    numbers[(None, None)] = total
    return numbers


def published_numbers(published: dict) -> dict:
    numbers = {(i, j): n for i, row in enumerate(published["cells"]) for j, n in enumerate(row)}
    numbers.update({(i, None): n for i, n in enumerate(published["row_totals"])})
    numbers.update({(None, j): n for j, n in enumerate(published["column_totals"])})
    numbers[(None, None)] = published["total"]
    return numbers


@RANDOM
@given(tables_and_settings())
def test_random_tables_are_protected(case):
    table, settings = case
    [published] = protect([table], settings)
    true, shown = true_numbers(table), published_numbers(published)
    for (i, j), n in true.items():
        if shown[(i, j)] == C:
            # A c is never a zero, except where its whole line (or table) is hidden.
            if n == 0:
                lines = [(i, None), (None, j)] if i is not None and j is not None else [(None, None)]
                assert any(shown[line] == C for line in lines)
        else:
            # Everything shown is the true number, rounded if asked; nothing from 1 to k-1.
            assert shown[(i, j)] == round_count(n, settings.round_to)
            assert n == 0 or n >= settings.k
            low, high = unround(shown[(i, j)], settings.round_to, settings.k)
            assert low <= n <= high
    assert_safe([published], [table], settings)


@RANDOM
@given(tables_and_settings())
def test_protection_is_deterministic(case):
    table, settings = case
    assert protect([table], settings) == protect([table], settings)


@st.composite
def linked_reports(draw):
    """A route x level table, a sector x route table whose columns are its rows, a one-column
    breakdown and a multi-select table, all of the same young people."""
    rows, columns, sectors = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    count = st.one_of(st.integers(0, 3), st.integers(0, 15), st.integers(0, 40))
    route_level = [[draw(count) for _ in range(columns)] for _ in range(rows)]
    population = sum(map(sum, route_level))
    sector_route = [[0] * rows for _ in range(sectors)]
    for i, row in enumerate(route_level):
        remaining = sum(row)
        for s in range(sectors):
            share = remaining if s == sectors - 1 else draw(st.integers(0, remaining))
            sector_route[s][i] = share
            remaining -= share
    pathways = draw(st.integers(1, 3))
    by_pathway = [[0] for _ in range(pathways)]
    remaining = population
    for p in range(pathways):
        share = remaining if p == pathways - 1 else draw(st.integers(0, remaining))
        by_pathway[p][0] = share
        remaining -= share
    needs = [[draw(st.integers(0, population))] for _ in range(draw(st.integers(1, 3)))]
    tables = [
        make(route_level, name="route_level"),
        make(sector_route, name="sector_route"),
        make(by_pathway, name="pathway"),
        make(needs, name="needs", column_totals=[population], additive=False, percentages_of="column"),
    ]
    linked = share_total("route_level", "pathway", "needs") + [(("route_level", "rows"), ("sector_route", "columns"))]
    settings = DisclosureSettings(k=draw(st.integers(3, 8)), round_to=draw(st.sampled_from([None, None, 5])))
    return tables, linked, settings


@settings(max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_reports())
def test_random_linked_reports_are_protected_together(case):
    tables, linked, settings = case
    published = protect(tables, settings, linked=linked)
    assert_safe(published, tables, settings, linked=linked)
    for table, shown in zip(tables, published):
        for key, n in true_numbers(table).items():
            if published_numbers(shown)[key] != C:
                assert published_numbers(shown)[key] == round_count(n, settings.round_to)
                assert n == 0 or n >= settings.k
