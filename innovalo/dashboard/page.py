"""The whole dashboard (the page, each chart's CSV and the annual report): the figures
of ``selectors`` arranged as key figures, charts with their tables, the tile maps and
the table of the regions. A fixed number of queries (``selectors``), none here.

Who sees what: the bureau and the ministry see every figure; the amounts of the dues
(called, received) are the bureau's only: the ministry reads rates and counts. Survey
figures keep statistical secrecy for the ministry (``surveys.perms.must_keep_secret``).
"""

import unicodedata
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.perms import is_bureau
from members.perms import can_manage_dues
from members.svg import tile_map
from projects import perms as project_perms
from projects.enums import CallState, ProjectStage
from surveys import perms as survey_perms
from surveys.selectors.results import SECRECY_MIN
from surveys.selectors.results.regions import region_rows
from surveys.selectors.results.trends import _trend

from . import cache as dashboard_cache
from . import selectors
from .charts import Chart, bars, count, line, money, percent

MAPS = {  # the tile map's indicators: (key in the URL, title)
    "plateformes": "platforms",
    "cotisations": "paid",
    "reponses": "responses",
}


@dataclass
class KeyFigure:
    label: str
    value: object  # a Figure
    note: str = ""
    url: str = ""


@dataclass
class Section:
    slug: str
    title: str
    intro: str
    keys: list = field(default_factory=list)  # [KeyFigure]
    charts: list = field(default_factory=list)  # [Chart]


@dataclass
class RegionLine:
    region: object
    labelled: object  # Figures
    dues_expected: object
    dues_paid: object
    paid_rate: object
    responses: object
    expected: object
    response_rate: object
    called: object = None  # the bureau's only
    received: object = None


@dataclass
class Dashboard:
    year: int
    years: list
    region: object  # a Region or None (the whole country)
    regions: list
    show_amounts: bool
    keep_secret: bool
    sections: list
    maps: object  # Maps: {key: SVG}
    region_lines: list  # [RegionLine]
    campaign: object
    participation: tuple  # (submitted, expected, rate Figure) of the year's survey
    secrecy_min: int = SECRECY_MIN
    generated_at: object = None

    @property
    def charts(self) -> list:
        return [chart for section in self.sections for chart in section.charts]

    def chart(self, slug):
        return next((chart for chart in self.charts if chart.slug == slug), None)

    @property
    def key_figures(self) -> list:
        return [key for section in self.sections for key in section.keys[:2]]


def _url(name, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _by_name(regions) -> list:
    """Regions in French alphabetical order (Île-de-France among the I's)."""

    def key(region):
        return unicodedata.normalize("NFKD", region.name).encode("ascii", "ignore").lower()

    return sorted(regions, key=key)


def _place(region) -> str:
    return region.name if region else _("France entière")


# Sections -------------------------------------------------------------------------------


def _network_section(scope, network, by_region, by_domain) -> Section:
    year, region, years = scope["year"], scope["region"], scope["years"]
    directory = _url("platform_list", region=region.slug if region else "")
    rows = [
        (str(y), [count(network.labelled[y]), count(network.new[y]), count(network.lost[y])])
        for y in years
    ]
    per_year = Chart(
        slug="plateformes-par-annee",
        title=_("Plateformes labellisées par année (%(place)s)") % {"place": _place(region)},
        caption=_(
            "Plateformes dont le label couvre au moins une partie de l'année, d'après les "
            "dates du label en cours ; labels accordés et perdus (non renouvelés) dans l'année."
        ),
        label_head=_("Année"),
        heads=[_("Labellisées"), _("Nouveaux labels"), _("Labels perdus")],
        rows=rows,
        link=(directory, _("Voir l'annuaire")),
    )
    per_year.svg = line(per_year.title, rows)
    region_rows_ = [(r.name, [count(by_region.get(r.pk, 0))]) for r in _by_name(scope["regions"])]
    per_region = Chart(
        slug="plateformes-par-region",
        title=_("Plateformes labellisées en %(year)s par région") % {"year": year},
        caption=_(
            "Toutes les régions, quel que soit le filtre ; une plateforme compte dans "
            "la région de son département."
        ),
        label_head=_("Région"),
        heads=[_("Labellisées")],
        rows=region_rows_,
        link=(_url("region_list"), _("Voir les régions")),
    )
    per_region.svg = bars(per_region.title, region_rows_)
    domain_rows = [(domain.name, [count(n)]) for domain, n in by_domain]
    per_domain = Chart(
        slug="plateformes-par-domaine",
        title=_("Plateformes labellisées en %(year)s par domaine (%(place)s)")
        % {"year": year, "place": _place(region)},
        caption=_("Une plateforme compte dans chacun de ses domaines."),
        label_head=_("Domaine"),
        heads=[_("Labellisées")],
        rows=domain_rows,
        link=(directory, _("Voir l'annuaire")),
    )
    per_domain.svg = bars(per_domain.title, domain_rows)
    keys = [
        KeyFigure(
            _("Plateformes labellisées en %(year)s") % {"year": year},
            count(network.labelled[year]),
            _("dont %(new)s nouveaux labels et %(lost)s perdus")
            % {"new": network.new[year], "lost": network.lost[year]},
            directory,
        ),
        KeyFigure(
            _("Labels qui expirent dans les 12 mois"),
            count(network.expiring),
            _("sur %(n)s plateformes labellisées aujourd'hui") % {"n": network.current},
        ),
        KeyFigure(
            _("Fiches revues depuis moins de 12 mois"),
            percent(network.reviewed, network.current),
            _("%(reviewed)s fiches sur %(n)s plateformes labellisées")
            % {"reviewed": network.reviewed, "n": network.current},
        ),
    ]
    return Section(
        "reseau",
        _("Réseau"),
        _("Les plateformes labellisées, leurs labels et leurs domaines."),
        keys,
        [per_year, per_region, per_domain],
    )


def _dues_cells(total, show_amounts) -> list:
    cells = [count(total.expected), count(total.paid), percent(total.paid, total.expected)]
    cells.append(count(total.paying))
    if show_amounts:
        cells += [money(total.called_amount), money(total.received_amount)]
    return cells


def _dues_heads(show_amounts) -> list:
    heads = [_("Attendues"), _("Payées"), _("Taux payé"), _("Plateformes cotisantes")]
    if show_amounts:
        heads += [_("Montant appelé"), _("Montant reçu")]
    return heads


def _membership_section(scope, by_year, by_region, user) -> Section:
    year, region, years = scope["year"], scope["region"], scope["years"]
    show = scope["show_amounts"]
    board = None
    if can_manage_dues(user):
        board = (
            _url("dues_board", year=year, region=region.pk if region else ""),
            _("Voir le tableau des cotisations"),
        )
    rows = [(str(y), _dues_cells(by_year[y], show)) for y in years]
    caption = _(
        "Cotisations payées en entier parmi les cotisations attendues (ni exonérées ni "
        "annulées) de l'année ; plateformes cotisantes : payées en entier ou en partie."
    )
    if show:
        caption += " " + _("Montants appelés et reçus : visibles du bureau seulement.")
    per_year = Chart(
        slug="cotisations-par-annee",
        title=_("Taux de cotisations payées par année (%(place)s)") % {"place": _place(region)},
        caption=caption,
        label_head=_("Année"),
        heads=_dues_heads(show),
        rows=rows,
        link=board,
    )
    per_year.svg = line(per_year.title, rows, 2, maximum=100)
    region_rows_ = [
        (r.name, _dues_cells(by_region.get(r.pk) or selectors.DuesYear(year=year), show))
        for r in _by_name(scope["regions"])
    ]
    per_region = Chart(
        slug="cotisations-par-region",
        title=_("Taux de cotisations payées en %(year)s par région") % {"year": year},
        caption=_("Toutes les régions, quel que soit le filtre. ") + caption,
        label_head=_("Région"),
        heads=_dues_heads(show),
        rows=region_rows_,
        link=board,
    )
    per_region.svg = bars(per_region.title, region_rows_, 2, maximum=100)
    this = by_year[year]
    keys = [
        KeyFigure(
            _("Cotisations payées en %(year)s") % {"year": year},
            percent(this.paid, this.expected),
            _("%(paid)s payées sur %(expected)s attendues")
            % {"paid": this.paid, "expected": this.expected},
            board[0] if board else "",
        ),
        KeyFigure(
            _("Plateformes cotisantes en %(year)s") % {"year": year},
            count(this.paying),
            _("payées en entier ou en partie"),
        ),
    ]
    if show:
        keys.append(
            KeyFigure(
                _("Reçu en %(year)s") % {"year": year},
                money(this.received_amount),
                _("sur %(called)s appelés") % {"called": money(this.called_amount)},
            )
        )
    return Section(
        "adhesion",
        _("Adhésion"),
        _("Les cotisations des plateformes à l'association, depuis 2016."),
        keys,
        [per_year, per_region],
    )


def _impact_section(scope, impact, network, user):
    year, region, years = scope["year"], scope["region"], scope["years"]
    keep = scope["keep_secret"]
    campaign = impact.campaign
    results = None
    if campaign is not None:
        results = (
            _url("survey_results", campaign.pk, region=region.pk if region else ""),
            _("Voir les résultats de l'enquête %(year)s") % {"year": year},
        )
    rate_rows = []
    for y in years:
        if y not in impact.campaigns:
            continue
        submitted = impact.submitted.get(y, 0)
        expected = network.current + impact.outside.get(y, 0)
        cells = [count(submitted), count(expected), percent(submitted, expected)]
        rate_rows.append((str(y), cells))
    charts = []
    rates = Chart(
        slug="taux-de-reponse",
        title=_("Taux de réponse à l'enquête des plateformes par année (%(place)s)")
        % {"place": _place(region)},
        caption=_(
            "Réponses envoyées parmi les plateformes attendues : celles labellisées "
            "aujourd'hui (ou en renouvellement) et toute autre qui a répondu, comme sur la "
            "page des résultats de chaque enquête."
        ),
        label_head=_("Année"),
        heads=[_("Réponses"), _("Attendues"), _("Taux de réponse")],
        rows=rate_rows,
        link=results,
    )
    rates.svg = line(rates.title, rate_rows, 2, maximum=100) if rate_rows else ""
    charts.append(rates)
    for code, pairs in impact.questions.items():
        pairs = sorted(pairs, key=lambda pair: pair[0].year)
        question = pairs[-1][1]
        trend = _trend(question, [(c, q.pk) for c, q in pairs], impact.stats, keep)
        chart = Chart(
            slug=f"indicateur-{code}",
            title=question.label,
            caption=_(
                "Indicateur pour le ministère : réponses, total et médiane des réponses "
                "envoyées, par année (%(place)s)."
            )
            % {"place": _place(region)},
            label_head=_("Année"),
            heads=trend.heads,
            rows=trend.rows,
            svg=trend.chart,
            link=results,
        )
        charts.append(chart)
    lines, whole = [], (0, 0, percent(0, 0))
    if campaign is not None and impact.figures is not None:
        names = {r.pk: r.name for r in scope["regions"]}
        lines, participation = region_rows(
            campaign, impact.indicators, selectors.NO_FILTERS, names, keep, impact.figures
        )
        whole = (participation.submitted, participation.expected, participation.rate)
        if lines:
            rows = [(row.name, row.cells + row.totals) for row in lines]
            chart = Chart(
                slug="reponses-par-region",
                title=_("Réponses à l'enquête %(year)s par région") % {"year": year},
                caption=_(
                    "Toutes les régions, quel que soit le filtre : taux de réponse et total "
                    "des indicateurs de la région."
                ),
                label_head=_("Région"),
                heads=[_("Réponses"), _("Attendues"), _("Taux de réponse")]
                + [q.label for q in impact.indicators],
                rows=rows,
                link=results,
            )
            chart.svg = bars(
                _("Taux de réponse à l'enquête %(year)s par région") % {"year": year},
                rows,
                2,
                maximum=100,
            )
            charts.append(chart)
    this = dict(rate_rows).get(str(year))
    keys = []
    if this:
        keys.append(
            KeyFigure(
                _("Taux de réponse à l'enquête %(year)s") % {"year": year},
                this[2],
                _("%(n)s réponses sur %(expected)s attendues")
                % {"n": this[0], "expected": this[1]},
                results[0] if results else "",
            )
        )
    for chart in charts[1:]:
        if not chart.slug.startswith("indicateur-"):
            continue
        row = dict(chart.rows).get(str(year))
        if row:
            keys.append(
                KeyFigure(
                    chart.title,
                    row[1],
                    _("%(figure)s en %(year)s, sur %(n)s réponses")
                    % {"figure": chart.heads[1], "year": year, "n": row[0]},
                )
            )
    intro = _(
        "Les indicateurs pour le ministère de l'enquête annuelle des plateformes. Secret "
        "statistique : un chiffre calculé sur moins de %(n)s réponses est affiché « secret »."
    ) % {"n": SECRECY_MIN}
    if not impact.campaigns:
        intro += " " + _("Aucune enquête dont vous pouvez voir les résultats.")
    return Section("impact", _("Impact"), intro, keys, charts), lines, whole


def _projects_section(scope, calls, stages, by_year, user) -> Section:
    region, years = scope["region"], scope["years"]
    region_pk = region.pk if region else ""
    calls_link = _url("call_list") if project_perms.can_read_calls(user) else ""
    board = ""
    if project_perms.can_read_projects(user):
        board = _url("project_board", region=region_pk)
    stage_rows = [(str(stage.label), [count(stages.get(stage.value, 0))]) for stage in ProjectStage]
    per_stage = Chart(
        slug="projets-par-etape",
        title=_("Projets par étape (%(place)s)") % {"place": _place(region)},
        caption=_(
            "Projets co-construits entre plateformes, à leur étape d'aujourd'hui ; la "
            "région est celle de la plateforme porteuse."
        ),
        label_head=_("Étape"),
        heads=[_("Projets")],
        rows=stage_rows,
        link=(board, _("Voir le tableau des projets")) if board else None,
    )
    per_stage.svg = bars(per_stage.title, stage_rows)
    year_rows = [
        (str(y), [count(by_year[y].submitted), count(by_year[y].won), money(by_year[y].obtained)])
        for y in years
    ]
    per_year = Chart(
        slug="projets-par-annee",
        title=_("Projets déposés par année (%(place)s)") % {"place": _place(region)},
        caption=_(
            "Projets déposés dans l'année (date de dépôt), retenus dans l'année (date "
            "de décision) et montants obtenus par leurs partenaires."
        ),
        label_head=_("Année"),
        heads=[_("Déposés"), _("Retenus"), _("Montants obtenus")],
        rows=year_rows,
        link=per_stage.link,
    )
    per_year.svg = line(per_year.title, year_rows)
    won = by_year[scope["year"]]
    keys = [
        KeyFigure(
            _("Appels ouverts aujourd'hui"),
            count(calls["open"]),
            _("dont %(n)s clôturent sous 30 jours") % {"n": calls["closing"]},
            calls_link,
        ),
        KeyFigure(
            _("Projets retenus en %(year)s") % {"year": scope["year"]},
            count(won.won),
            _("%(n)s déposés ; %(amount)s obtenus")
            % {"n": won.submitted, "amount": money(won.obtained)},
            board,
        ),
    ]
    if calls_link:
        keys.append(
            KeyFigure(
                _("Appels qui clôturent sous 30 jours"),
                count(calls["closing"]),
                _("appels publiés de la veille"),
                _url("call_list", state=CallState.CLOSING_SOON),
            )
        )
    return Section(
        "appels-projets",
        _("Appels et projets"),
        _("La veille des appels à projets (nationale) et les projets des plateformes."),
        keys,
        [per_stage, per_year],
    )


def _meetings_section(scope, by_year, actions) -> Section:
    region, years = scope["region"], scope["years"]
    rows = [
        (
            str(y),
            [
                count(by_year[y].meetings),
                count(by_year[y].platforms),
                percent(by_year[y].attended, by_year[y].invited),
            ],
        )
        for y in years
    ]
    per_year = Chart(
        slug="reunions-par-annee",
        title=_("Réunions du réseau par année"),
        caption=_(
            "Réunions de l'association convoquées ou tenues (hors comités de pilotage des "
            "plateformes) ; plateformes représentées (présentes ou représentées) et taux de "
            "présence des personnes des plateformes invitées aux réunions tenues (%(place)s)."
        )
        % {"place": _place(region)},
        label_head=_("Année"),
        heads=[_("Réunions"), _("Plateformes représentées"), _("Taux de présence")],
        rows=rows,
        link=(_url("meeting_list"), _("Voir les réunions")),
    )
    per_year.svg = line(per_year.title, rows)
    this = by_year[scope["year"]]
    keys = [
        KeyFigure(
            _("Réunions en %(year)s") % {"year": scope["year"]},
            count(this.meetings),
            _("%(n)s plateformes représentées") % {"n": this.platforms},
            _url("meeting_list"),
        ),
        KeyFigure(
            _("Actions en cours"),
            count(actions["open"]),
            _("dont %(n)s en retard") % {"n": actions["overdue"]},
        ),
    ]
    return Section(
        "reunions",
        _("Réunions"),
        _("Les réunions de l'association et les actions décidées."),
        keys,
        [per_year],
    )


# The tile maps and the regions ------------------------------------------------------------


class Maps:
    """The tile maps by key, each drawn when first asked for (a page shows one). Plain
    data (no closure), so that a board goes to the cache."""

    def __init__(self, specs: dict):
        self._specs, self._drawn = specs, {}

    def __getitem__(self, key):
        if key not in self._drawn:
            self._drawn[key] = tile_map(**self._specs[key])
        return self._drawn[key]

    def __contains__(self, key):
        return key in self._specs

    def draw_all(self):
        for key in self._specs:
            self[key]


def _rate_label(template, region, value) -> str:
    shown = "—" if value is None else f"{round(value)} %"
    return template % {"region": region.name, "value": shown}


def _maps(regions, year, labelled, dues, impact_lines) -> Maps:
    paid = {
        pk: (float(total.paid) * 100 / total.expected if total.expected else None)
        for pk, total in dues.items()
    }
    by_name = {line.name: line for line in impact_lines}
    responses = {}
    for region in regions:
        line_ = by_name.get(region.name)
        responses[region.pk] = line_.rate.value if line_ and line_.expected else None
    return Maps(
        {
            "plateformes": {
                "regions": regions,
                "values": {r.pk: labelled.get(r.pk, 0) for r in regions},
                "title": _("Plateformes labellisées en %(year)s par région") % {"year": year},
                "legend": _("Plateformes labellisées"),
                "svg_id": "map-plateformes",
            },
            "cotisations": {
                "regions": regions,
                "values": {r.pk: paid.get(r.pk) for r in regions},
                "percent": True,
                "title": _("Taux de cotisations payées en %(year)s par région") % {"year": year},
                "legend": _("Cotisations payées"),
                "label": partial(_rate_label, _("%(region)s : %(value)s de cotisations payées")),
                "svg_id": "map-cotisations",
            },
            "reponses": {
                "regions": regions,
                "values": responses,
                "percent": True,
                "title": _("Taux de réponse à l'enquête %(year)s par région") % {"year": year},
                "legend": _("Taux de réponse"),
                "label": partial(_rate_label, _("%(region)s : taux de réponse %(value)s")),
                "svg_id": "map-reponses",
            },
        }
    )


def _region_lines(regions, labelled, dues, impact_lines, show_amounts) -> list:
    by_name = {line.name: line for line in impact_lines}
    lines = []
    for region in _by_name(regions):
        total = dues.get(region.pk) or selectors.DuesYear(year=0)
        survey = by_name.get(region.name)
        lines.append(
            RegionLine(
                region=region,
                labelled=count(labelled.get(region.pk, 0)),
                dues_expected=count(total.expected),
                dues_paid=count(total.paid),
                paid_rate=percent(total.paid, total.expected),
                responses=count(survey.submitted if survey else 0),
                expected=count(survey.expected if survey else 0),
                response_rate=survey.rate if survey else percent(0, 0),
                called=money(total.called_amount) if show_amounts else None,
                received=money(total.received_amount) if show_amounts else None,
            )
        )
    return lines


def build_dashboard(user, year, region=None, regions=None) -> Dashboard:
    """Every figure of the dashboard for ``year`` and ``region`` (None: the whole
    country), as ``user`` may see them."""
    today = timezone.localdate()
    years = selectors.dashboard_years(today)
    regions = selectors.current_regions() if regions is None else regions
    region_id = region.pk if region else None
    scope = {
        "year": year,
        "years": years,
        "region": region,
        "regions": regions,
        "show_amounts": is_bureau(user),
        "keep_secret": survey_perms.must_keep_secret(user),
    }
    network = selectors.network(years, region_id, today)
    labelled = selectors.labelled_by_region(year)
    by_domain = selectors.labelled_by_domain(year, region_id)
    dues_years = selectors.dues_by_year(years, region_id)
    dues_regions = selectors.dues_by_region(year)
    impact = selectors.impact(
        year, region_id, lambda campaign: survey_perms.can_see_results(user, campaign)
    )
    calls = selectors.calls_now()
    stages = selectors.projects_by_stage(region_id)
    projects = selectors.projects_by_year(years, region_id)
    meetings = selectors.meetings_by_year(years, region_id)
    actions = selectors.actions_now(today)

    impact_section, impact_lines, participation = _impact_section(scope, impact, network, user)
    sections = [
        _network_section(scope, network, labelled, by_domain),
        _membership_section(scope, dues_years, dues_regions, user),
        impact_section,
        _projects_section(scope, calls, stages, projects, user),
        _meetings_section(scope, meetings, actions),
    ]
    return Dashboard(
        year=year,
        years=years,
        region=region,
        regions=regions,
        show_amounts=scope["show_amounts"],
        keep_secret=scope["keep_secret"],
        sections=sections,
        maps=_maps(regions, year, labelled, dues_regions, impact_lines),
        region_lines=_region_lines(
            regions, labelled, dues_regions, impact_lines, scope["show_amounts"]
        ),
        campaign=impact.campaign,
        participation=participation,
        generated_at=timezone.localtime(),
    )


def viewer_kind(user) -> str:
    """What a viewer may see: the bureau's board (amounts, every survey figure) or the
    ministry's (rates and counts, statistical secrecy). The bureau and the ministry only
    (``can_read_national_data``)."""
    return "bureau" if is_bureau(user) else "ministry"


def cached_regions(generation=None) -> list:
    """The current regions (``selectors.current_regions``) through the cache."""
    generation = generation or dashboard_cache.generation()
    key = dashboard_cache.key("regions", generation_=generation)
    return dashboard_cache.cached(key, selectors.current_regions, store=generation.storable)


def cached_dashboard(user, year, region=None, regions=None, *, generation=None) -> Dashboard:
    """``build_dashboard`` through the cache: one board per viewer's kind, year, region
    and language, until the figures' generation moves (``cache``). Its tile maps are
    drawn before it is stored, so that a page served from the cache draws nothing."""
    generation = generation or dashboard_cache.generation()
    key = dashboard_cache.key(
        "board", viewer_kind(user), year, region.pk if region else None, generation_=generation
    )

    def compute():
        board = build_dashboard(
            user, year, region, cached_regions(generation) if regions is None else regions
        )
        board.maps.draw_all()
        for chart in board.charts:
            chart.body  # noqa: B018  (formatted once, stored with the board)
        return board

    return dashboard_cache.cached(key, compute, store=generation.storable)
