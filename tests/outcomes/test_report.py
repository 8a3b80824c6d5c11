"""The cohort outcome report: breakdowns, the headline, the national figures and disclosure control."""
from __future__ import annotations

from datetime import date

import pytest

from destinations.activities.sustained import OUTCOME_LABELS, OUTCOMES, Cohort
from destinations.outcomes import report, services
from destinations.people.services import RollSettings
from destinations.reports.demand import ReportSettings
from destinations.reports.disclosure import DisclosureSettings
from tests.outcomes.cohort import CLOSED, COHORT, EXPECTED, IN_WINDOW, LATER, build_cohort

SETTINGS = ReportSettings()
COLUMNS = [OUTCOME_LABELS[outcome] for outcome in OUTCOMES]


@pytest.fixture
def world(session):
    return build_cohort(session)


def table(report_or_tables, name: str) -> dict:
    tables = report_or_tables["tables"] if isinstance(report_or_tables, dict) else report_or_tables
    return next(t for t in tables if t["name"] == name)


def true_tables(session) -> dict:
    counts = report.count_live(session, COHORT, as_of=CLOSED, age_of_transition=18)
    tables, _ = report.build_tables(counts, COHORT)
    return {t.name: t for t in tables}


def row(t, label: str) -> list[int]:
    return t.cells[t.row_labels.index(label)]


def test_each_breakdown_counts_every_young_person_once_in_table_5_order(session, world):
    tables = true_tables(session)
    assert list(tables) == ["outcomes_by_sen_provision", "outcomes_by_pathway", "outcomes_by_primary_need"]
    for t in tables.values():
        assert t.column_labels == COLUMNS
        assert [sum(t.cells[i][j] for i in range(len(t.row_labels))) for j in range(len(OUTCOMES))] == [EXPECTED[o] for o in OUTCOMES]


def test_the_ehc_plan_and_sen_support_rows_hold_the_hand_worked_counts(session, world):
    t = true_tables(session)["outcomes_by_sen_provision"]
    assert t.row_labels == ["EHC plan", "SEN support"]
    # SEN support: the apprentice and the three whose college stopped in November.
    assert row(t, "SEN support") == [0, 1, 0, 0, 3, 0, 0]
    assert row(t, "EHC plan") == [6, 0, 5, 2, 0, 2, 3]


def test_the_pathway_rows_hold_the_hand_worked_counts(session, world):
    t = true_tables(session)["outcomes_by_pathway"]
    assert t.row_labels == ["1. Lifelong complex needs", "2. Supported independence", "3. Inclusive education, employment and training support", "Not yet decided"]
    assert row(t, "1. Lifelong complex needs") == [0, 0, 0, 0, 0, 2, 3]
    assert row(t, "2. Supported independence") == [0, 1, 0, 2, 0, 0, 0]
    assert row(t, "3. Inclusive education, employment and training support") == [6, 0, 5, 0, 0, 0, 0]
    assert row(t, "Not yet decided") == [0, 0, 0, 0, 3, 0, 0]


def test_every_primary_need_has_a_row_even_when_nobody_has_it(session, world):
    t = true_tables(session)["outcomes_by_primary_need"]
    assert len(t.row_labels) == 13
    assert row(t, "Autistic spectrum disorder (ASD)") == [6, 0, 0, 2, 3, 0, 0]
    assert row(t, "Moderate learning difficulty (MLD)") == [0, 0, 5, 0, 0, 0, 0]
    assert row(t, "Vision impairment (VI)") == [0] * 7


@pytest.mark.parametrize(
    ("values", "total", "expected"),
    [
        ([6, 0, 5, 2, 0, 2, 3], 18, (13, 5)),  # everything shown: the sums
        (["c", "c", 5, 0, 7, 0, 0], 15, (8, 7)),  # two sustained hidden: the total less the rest
        ([6, 0, 5, 0, "c", "c", 0], 17, (11, 6)),  # two of the rest hidden: the total less the sustained
        (["c", "c", 5, 0, "c", "c", 0], 17, ("c", "c")),  # neither can be worked out
        (["c", "c", 5, 0, 7, 0, 0], "c", ("c", 7)),  # hidden total: only the sum that is shown
        ([0, 0, 0, 0, 0, 0, 0], 0, (0, 0)),
    ],
)
def test_the_headline_is_worked_out_from_shown_numbers_only(values, total, expected):
    assert report.split_overall(values, total) == expected


def small_cohort_report(session, k: int = 5) -> dict:
    settings = ReportSettings(RollSettings(), DisclosureSettings(k=k))
    return report.outcome_report(session, COHORT, CLOSED, settings)


def numbers(t: dict):
    """Every count a table publishes, with whether it is a count a reader could check."""
    yield from (n for r in t["cells"] for n in r)
    yield from t["row_totals"]
    yield from t["column_totals"]
    yield t["total"]


def test_no_count_from_1_to_k_minus_1_is_shown_anywhere_in_the_report(session, world):
    for k in (3, 5):
        published = small_cohort_report(session, k)
        for t in published["tables"]:
            for n in numbers(t):
                assert n == "c" or n == 0 or n >= k, (k, t["name"], n)


def test_a_percentage_is_suppressed_whenever_its_count_or_its_whole_is(session, world):
    published = small_cohort_report(session)
    for t in published["tables"]:
        for i, cells in enumerate(t["cells"]):
            for j, n in enumerate(cells):
                percentage = t["percentages"][i][j]
                if n == "c" or t["row_totals"][i] == "c":
                    assert percentage == "c", (t["name"], i, j)
                else:
                    assert percentage != "c"


def test_the_small_groups_are_suppressed_and_the_big_ones_shown(session, world):
    published = small_cohort_report(session)
    by_provision = table(published, "outcomes_by_sen_provision")
    assert by_provision["total"] == 22
    # SEN support is 4 young people: its total is hidden, and so are its cells.
    assert by_provision["row_totals"][1] == "c"
    assert all(n in ("c", 0) for n in by_provision["cells"][1]) and "c" in by_provision["cells"][1]
    # The apprenticeship column has a single young person in it.
    assert by_provision["column_totals"][OUTCOMES.index("apprenticeship")] == "c"


def test_the_headline_and_comparison_never_show_what_the_tables_hide(session, world):
    published = small_cohort_report(session)
    for breakdown in report.BREAKDOWNS:
        outcomes = table(published, f"outcomes_by_{breakdown}")
        sustained = table(published, f"sustained_by_{breakdown}")
        for i, (cells, total) in enumerate(zip(outcomes["cells"], outcomes["row_totals"])):
            assert sustained["cells"][i] == list(report.split_overall(cells, total))
            assert sustained["row_totals"][i] == total
    compared = published["comparison"]
    everyone = compared["percentages"][0]
    # Apprenticeships (one young person) are hidden, so the headline is the total less the rest.
    totals = table(published, "outcomes_by_sen_provision")["column_totals"]
    assert everyone[compared["keys"].index("apprenticeship")] == "c"
    rest = [totals[OUTCOMES.index(outcome)] for outcome in report.OTHERS]
    if all(isinstance(n, int) for n in rest):
        assert everyone[0] == report.percentage(22 - sum(rest), 22)
    else:
        assert everyone[0] == "c"


def test_with_k_3_a_lone_apprentice_hides_the_headline_too(session, world):
    published = small_cohort_report(session, k=3)
    totals = table(published, "outcomes_by_sen_provision")["column_totals"]
    assert totals[OUTCOMES.index("education")] == 6 and totals[OUTCOMES.index("apprenticeship")] == "c"
    # A sustained count and one of the rest are hidden, so neither sum can be made.
    assert published["comparison"]["percentages"][0][0] == "c"


def test_the_headline_is_the_sum_of_the_sustained_outcomes_when_they_are_shown():
    counts = {(outcome, 3, "ASD", "E"): n for outcome, n in zip(OUTCOMES, (40, 5, 6, 5, 7, 5, 5))}
    published = report.protected_report(counts, COHORT, CLOSED, SETTINGS, basis="live")
    sustained = table(published, "sustained_by_sen_provision")
    assert sustained["cells"][0] == [56, 17] and sustained["percentages"][0] == [76.7, 23.3]
    assert sustained["cells"][1] == [0, 0] and sustained["percentages"][1] == [None, None]
    assert published["comparison"]["percentages"][0] == [76.7, 54.8, 6.8, 8.2, 6.8, 9.6, 6.8, 6.8]
    assert published["comparison"]["percentages"][1] == published["comparison"]["percentages"][0]


def test_the_national_figures_stand_beside_the_cohort_as_published(session, world):
    compared = small_cohort_report(session)["comparison"]
    assert compared["row_labels"][-2:] == ["England, EHC plans, 2021/22", "England, EHC plans, 2015/16"]
    keys = compared["keys"]
    national = dict(zip(keys, compared["percentages"][-2]))
    assert national == {"overall": 90.2, "education": 86.8, "apprenticeship": 0.9, "employment": 2.5, "education_employment": None, "not_sustained": None, "neet": 4.8, "unknown": 1.9}
    assert dict(zip(keys, compared["percentages"][-1]))["neet"] == 5.4
    assert "This cohort: with an EHC plan" in compared["row_labels"]


def test_the_report_says_how_its_outcomes_were_found(session, world):
    assert report.outcome_report(session, COHORT, IN_WINDOW, SETTINGS)["parameters"]["basis"] == "projected"
    assert report.outcome_report(session, COHORT, CLOSED, SETTINGS)["parameters"]["basis"] == "live"
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    parameters = report.outcome_report(session, COHORT, CLOSED, SETTINGS)["parameters"]
    assert parameters["basis"] == "stored" and parameters["evaluated_at"] and parameters["final"] is False
    assert report.outcome_report(session, COHORT, LATER, SETTINGS)["parameters"]["final"] is True
    assert parameters["window_start"] == "2022-10-01" and parameters["window_end"] == "2023-03-31"


def test_the_stored_report_is_the_live_report(session, world):
    live = report.outcome_report(session, COHORT, CLOSED, SETTINGS)
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    stored = report.outcome_report(session, COHORT, CLOSED, SETTINGS)
    assert stored["tables"] == live["tables"] and stored["comparison"] == live["comparison"]


def test_a_cohort_whose_year_has_not_begun_is_refused_with_the_date_it_begins(session, world):
    with pytest.raises(services.CohortNotStarted, match="1 October 2023"):
        report.outcome_report(session, Cohort("year11", 2023), date(2023, 9, 30), SETTINGS)


def test_an_empty_cohort_reports_zeros(session):
    published = report.outcome_report(session, Cohort("year13", 2019), date(2024, 1, 1), SETTINGS)
    assert all(t["total"] == 0 for t in published["tables"])
    assert published["comparison"]["percentages"][0] == [None] * 8


def test_the_files_carry_the_comparison_as_a_table(session, world):
    published = small_cohort_report(session)
    files = report.for_files(published)
    assert "comparison" not in files
    last = files["tables"][-1]
    assert last["name"] == "comparison" and last["cells"][-2][0] == 90.2
