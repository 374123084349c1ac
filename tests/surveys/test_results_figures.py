"""The figures of the results (selectors.results): statistics per question type,
submitted responses only, filters, secrecy, cross-tabulation, year over year."""

import datetime
from decimal import Decimal

import pytest

from members.enums import LabelStatus
from surveys.enums import CampaignKind, CampaignStatus, QuestionType, ResponseStatus
from surveys.selectors import results as selectors
from tests.members.factories import DomainFactory, department

from .factories import CampaignFactory, QuestionFactory, SectionFactory, choice_question
from .results_factories import answered, impact_campaign, labelled_platform

pytestmark = pytest.mark.django_db


def by_code(results):
    return {result.question.code: result for result in results.questions}


def stat(result, label):
    return {str(name): figure for name, figure in result.stats}[label]


@pytest.fixture
def campaign():
    campaign = impact_campaign()
    answers = [
        {
            "etudiants": 10,
            "pme_servies": 4,
            "ca_services": Decimal("1000.50"),
            "secteur": "industrie",
            "prestations": ["essais", "formation"],
            "partenariat": True,
            "satisfaction": 4,
            "pme_taille": {"tpe": {"industrie": Decimal("3")}, "pme": {"services": Decimal("2.5")}},
            "commentaire": "Très utile",
            "date_bilan": datetime.date(2017, 3, 1),
        },
        {
            "etudiants": 20,
            "pme_servies": 6,
            "ca_services": Decimal("2000"),
            "secteur": "industrie",
            "prestations": ["essais"],
            "partenariat": False,
            "satisfaction": 5,
            "pme_taille": {"tpe": {"industrie": Decimal("7")}},
            "date_bilan": datetime.date(2017, 3, 20),
        },
        {
            "etudiants": 60,
            "pme_servies": 5,
            "secteur": "services",
            "prestations": ["prototypage", "essais"],
            "partenariat": True,
            "satisfaction": 5,
            "pme_taille": {"tpe": {"industrie": Decimal("1")}, "pme": {"industrie": Decimal("4")}},
        },
    ]
    for values in answers:
        answered(campaign, values)
    # A draft is never counted.
    answered(campaign, {"etudiants": 1000, "secteur": "agri"}, status=ResponseStatus.DRAFT)
    return campaign


def test_numbers_count_sum_mean_median_min_max(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=False))["etudiants"]
    assert result.n == 3
    assert stat(result, "Total").value == 90
    assert stat(result, "Moyenne").value == 30
    assert Decimal(str(stat(result, "Médiane").value)) == 20
    assert stat(result, "Minimum").value == 10
    assert stat(result, "Maximum").value == 60
    assert str(stat(result, "Total")) == "90"


def test_median_of_an_even_number_of_answers_is_the_middle_of_the_two(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=False))["ca_services"]
    assert result.n == 2
    assert Decimal(str(result.median.value)) == Decimal("1500.25")
    assert str(result.median).replace("\u202f", " ").replace("\xa0", " ") == "1 500,25 €"


def test_single_choice_counts_and_percentages(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=False))["secteur"]
    rows = {row.label: (row.count.value, str(row.percent)) for row in result.choices}
    assert rows["Industrie"][0] == 2
    assert rows["Services"][0] == 1
    assert rows["Agri"][0] == 0  # the draft's "agri" is not counted
    assert rows["Industrie"][1] == "66,7\xa0%"
    assert result.chart.startswith("<svg")


def test_multiple_choice_counts_each_choice_over_the_responses(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=False))["prestations"]
    rows = {row.label: (row.count.value, row.percent.value) for row in result.choices}
    assert rows["Essais"] == (3, 100)
    assert rows["Prototypage"][0] == 1
    assert rows["Formation"][0] == 1


def test_yes_no_and_scale_counts(campaign):
    results = by_code(selectors.campaign_results(campaign, keep_secret=False))
    yes_no = {row.label: row.count.value for row in results["partenariat"].choices}
    assert yes_no == {"Oui": 2, "Non": 1}
    scale = {row.label: row.count.value for row in results["satisfaction"].choices}
    assert scale == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 2}
    assert Decimal(str(results["satisfaction"].median.value)) == 5


def test_number_table_totals_per_cell_row_and_column(campaign):
    table = by_code(selectors.campaign_results(campaign, keep_secret=False))["pme_taille"].table
    assert table.columns == ["Industrie", "Services"]
    (tpe, tpe_cells, tpe_total), (pme, pme_cells, pme_total) = table.rows
    assert (tpe, pme) == ("TPE", "PME")
    assert [cell.value for cell in tpe_cells] == [11, None]
    assert [cell.value for cell in pme_cells] == [4, Decimal("2.5")]
    assert tpe_total.value == 11
    assert [cell.value for cell in table.totals] == [15, Decimal("2.5")]
    assert table.total.value == Decimal("17.5")


def test_number_table_cells_from_fewer_than_three_responses_are_secret(campaign):
    table = by_code(selectors.campaign_results(campaign, keep_secret=True))["pme_taille"].table
    (_tpe, tpe_cells, _total), (_pme, pme_cells, pme_total) = table.rows
    assert not tpe_cells[0].secret  # three responses
    assert pme_cells[0].secret and pme_cells[0].value is None
    assert str(pme_cells[1]) == "secret"
    assert pme_total.secret


def test_dates_first_and_last(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=False))["date_bilan"]
    assert stat(result, "Première date").value == datetime.date(2017, 3, 1)
    assert str(stat(result, "Dernière date")) == "20/03/2017"


def test_secrecy_two_answers_are_secret_three_are_shown(campaign):
    results = by_code(selectors.campaign_results(campaign, keep_secret=True))
    assert results["ca_services"].secret  # two answers
    assert all(figure.value is None for name, figure in results["ca_services"].stats[1:])
    assert str(results["ca_services"].median) == "secret"
    assert results["ca_services"].chart == ""
    assert not results["etudiants"].secret
    assert stat(results["etudiants"], "Total").value == 90


def test_minimum_and_maximum_are_one_response_s_answer_so_always_secret(campaign):
    result = by_code(selectors.campaign_results(campaign, keep_secret=True))["etudiants"]
    assert result.n == 3
    assert stat(result, "Total").value == 90
    assert stat(result, "Minimum").secret and stat(result, "Maximum").secret
    assert stat(result, "Maximum").value is None


def test_the_bureau_keeps_no_secret(campaign):
    results = by_code(selectors.campaign_results(campaign, keep_secret=False))
    assert not results["ca_services"].secret
    assert stat(results["ca_services"], "Total").value == Decimal("3000.50")


def test_response_rate_counts_submitted_over_labelled_platforms(campaign):
    labelled_platform(label_status=LabelStatus.RENEWAL)  # expected, has not answered
    labelled_platform(label_status=LabelStatus.NOT_LABELLED)  # not expected
    rate = selectors.campaign_results(campaign).participation
    # Three submitted; the platform of the draft is expected too.
    assert (rate.submitted, rate.expected) == (3, 5)
    assert str(rate.rate) == "60\xa0%"


def test_a_platform_that_answered_without_the_label_is_expected_too(campaign):
    answered(campaign, {"etudiants": 5}, platform=labelled_platform(label_status="expired"))
    rate = selectors.campaign_results(campaign).participation
    assert (rate.submitted, rate.expected) == (4, 5)


def test_filters_by_region_domain_and_label(campaign):
    other_region = department("29")  # Finistère, Bretagne
    domain = DomainFactory(name="Plasturgie")
    platform = labelled_platform(department=other_region, label_status=LabelStatus.RENEWAL)
    platform.domains.add(domain)
    answered(campaign, {"etudiants": 500}, platform=platform)

    def total(filters):
        results = selectors.campaign_results(campaign, filters=filters, keep_secret=False)
        return stat(by_code(results)["etudiants"], "Total").value

    assert total(selectors.NO_FILTERS) == 590
    assert total(selectors.Filters(region=other_region.region_id)) == 500
    assert total(selectors.Filters(domain=domain.pk)) == 500
    assert total(selectors.Filters(label_status=LabelStatus.LABELLED)) == 90
    filters = selectors.Filters(region=other_region.region_id)
    bretagne = selectors.campaign_results(campaign, filters=filters).participation
    assert (bretagne.submitted, bretagne.expected) == (1, 1)


def test_region_rows_rate_and_indicator_totals(campaign):
    labelled_platform(department=department("29"))
    results = selectors.campaign_results(campaign, keep_secret=True)
    rows = {row.name: row for row in results.regions}
    assert [q.code for q in results.region_indicators] == ["etudiants", "pme_servies"]
    hauts = rows["Hauts-de-France"]
    assert (hauts.submitted, hauts.expected) == (3, 4)  # and the draft's platform
    assert [figure.value for figure in hauts.totals] == [90, 15]
    bretagne = rows["Bretagne"]
    assert (bretagne.submitted, bretagne.expected) == (0, 1)
    assert str(bretagne.rate) == "0\xa0%"


def test_region_totals_from_fewer_than_three_responses_are_secret(campaign):
    answered(campaign, {"etudiants": 77}, platform=labelled_platform(department=department("29")))
    rows = {row.name: row for row in selectors.campaign_results(campaign).regions}
    assert rows["Bretagne"].totals[0].secret
    assert not rows["Hauts-de-France"].totals[0].secret


def test_key_figures_are_the_ministry_indicators(campaign):
    results = selectors.campaign_results(campaign, keep_secret=True)
    assert [r.question.code for r in results.key_figures] == [
        "etudiants",
        "pme_servies",
        "partenariat",
    ]
    label, figure = results.key_figures[2].headline
    assert (label, figure.value.quantize(Decimal("0.1"))) == ("Oui", Decimal("66.7"))


# Cross-tabulation ----------------------------------------------------------------------


@pytest.fixture
def innovent():
    """The InnovENT-E questionnaire: one firm in twenty exports when it does not
    innovate, one in two when it does."""
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, status=CampaignStatus.CLOSED)
    section = SectionFactory(campaign=campaign)
    innove = choice_question(section, "innove", ("oui", "non"), label="Innove", order=1)
    exporte = QuestionFactory(
        section=section, code="exporte", label="Exporte", type=QuestionType.YES_NO, order=2
    )
    for innovates, exports, count in [("non", True, 1), ("non", False, 19), ("oui", True, 5)]:
        for _n in range(count):
            answered(campaign, {"innove": innovates, "exporte": exports})
    for _n in range(5):
        answered(campaign, {"innove": "oui", "exporte": False})
    answered(campaign, {"innove": "oui"})  # did not answer the other: not crossed
    return campaign, innove, exporte


def test_cross_tab_counts_and_row_percentages(innovent):
    _campaign, innove, exporte = innovent
    cross = selectors.cross_tab(innove, exporte, keep_secret=True)
    assert cross.columns == ["Oui", "Non"]
    oui, non = cross.rows
    assert oui.label == "Oui"
    assert [count.value for count, share in oui.cells] == [5, 5]
    assert [str(share) for count, share in oui.cells] == ["50\xa0%", "50\xa0%"]
    assert [count.value for count, share in non.cells] == [1, 19]
    assert [str(share) for count, share in non.cells] == ["5\xa0%", "95\xa0%"]
    assert cross.n == 30
    assert [count.value for count, share in cross.total.cells] == [6, 24]


def test_cross_tab_rows_from_fewer_than_three_responses_are_secret(innovent):
    campaign, innove, exporte = innovent
    section = innove.section
    rare = choice_question(section, "rare", ("a", "b"), order=3)
    answered(campaign, {"rare": "a", "innove": "oui"})
    cross = selectors.cross_tab(rare, innove, keep_secret=True)
    a_row = cross.rows[0]
    assert a_row.total.secret
    assert all(str(count) == "secret" for count, share in a_row.cells)
    assert not selectors.cross_tab(rare, innove, keep_secret=False).rows[0].total.secret


# Year over year ----------------------------------------------------------------------


@pytest.fixture
def three_years():
    first = impact_campaign(year=2016, status=CampaignStatus.PUBLISHED)
    second = impact_campaign(year=2017, status=CampaignStatus.CLOSED, copied_from=first)
    third = impact_campaign(year=2018, status=CampaignStatus.PUBLISHED, copied_from=second)
    for campaign, values in [
        (first, [(100, True), (200, False), (300, False)]),
        (second, [(150, True), (250, True), (350, False), (450, True)]),
        (third, [(10, True), (20, True), (30, True)]),
    ]:
        for students, partner in values:
            answered(campaign, {"etudiants": students, "partenariat": partner})
    return first, second, third


def test_year_over_year_values_by_year(three_years):
    first, second, third = three_years
    results = selectors.campaign_results(third, keep_secret=True)
    assert [c.year for c in results.earlier] == [2016, 2017]
    trends = {trend.question.code: trend for trend in results.trends}
    students = trends["etudiants"]
    assert [point.year for point in students.points] == [2016, 2017, 2018]
    assert [point.total.value for point in students.points] == [600, 1200, 60]
    assert [Decimal(str(p.median.value)) for p in students.points] == [200, 300, 20]
    assert [point.n for point in students.points] == [3, 4, 3]
    assert "<polyline" in students.chart
    shares = [point.share.value.quantize(Decimal(1)) for point in trends["partenariat"].points]
    assert shares == [33, 75, 100]
    # The key figures recall the year before.
    year, figure = by_code(results)["etudiants"].previous
    assert (year, figure.value) == (2017, 1200)


def test_year_over_year_follows_the_viewer_s_rights(three_years):
    first, second, third = three_years

    def visible(campaign):
        return campaign.status == CampaignStatus.PUBLISHED  # a platform's people

    results = selectors.campaign_results(third, visible=visible)
    assert [c.year for c in results.earlier] == [2016]


def test_year_over_year_takes_a_same_kind_campaign_not_copied(three_years):
    first, second, third = three_years
    lone = impact_campaign(year=2019, status=CampaignStatus.OPEN)  # built by hand, not copied
    years = [c.year for c in selectors.earlier_campaigns(lone)]
    assert years == [2016, 2017, 2018]
    draft = CampaignFactory(year=2015, status=CampaignStatus.DRAFT)
    assert draft not in selectors.earlier_campaigns(lone)


def test_year_over_year_of_a_year_with_too_few_responses_is_secret(three_years):
    first, second, third = three_years
    first.responses.filter(answers__value_number=300).delete()
    trend = selectors.campaign_results(third, keep_secret=True).trends[0]
    assert trend.points[0].n == 2
    assert str(trend.points[0].total) == "secret"
    assert ">secret</text>" in trend.chart


def test_a_question_whose_type_changed_is_not_compared(three_years):
    first, second, third = three_years
    first.questions.filter(code="etudiants").update(type=QuestionType.DECIMAL)
    results = selectors.campaign_results(second)
    codes = {trend.question.code for trend in results.trends}
    assert "etudiants" not in codes
    assert "partenariat" in codes
