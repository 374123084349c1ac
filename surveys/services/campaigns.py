"""Every write about a campaign and its questionnaire: the campaign and its status,
sections, questions and choices, and the copy of last year's campaign.

Once a campaign has a response, a question's type and choices can no longer change
and nothing is deleted; wording, help text and new optional questions remain possible.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from innovalo.audit import diff, log_action, snapshot
from innovalo.exceptions import ServiceError

from ..enums import CampaignKind, CampaignStatus
from ..models import Campaign, Choice, Question, Section

CAMPAIGN_FIELDS = (
    "title",
    "year",
    "opens_on",
    "closes_on",
    "introduction",
    "anonymous",
    "reminder_days",
    "max_reminders",
    "min_days_between_reminders",
)
TRANSITIONS = {
    CampaignStatus.OPEN: (CampaignStatus.DRAFT, CampaignStatus.CLOSED),
    CampaignStatus.CLOSED: (CampaignStatus.OPEN,),
    CampaignStatus.PUBLISHED: (CampaignStatus.CLOSED,),
}


def _locked(campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def has_responses(campaign) -> bool:
    return campaign.responses.exists()


TITLE_MAX = Campaign._meta.get_field("title").max_length
MAX_REMINDERS = 20


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        raise ServiceError(_("L'année de la campagne n'est pas plausible."), "year")
    return year


def _check_campaign(values: dict):
    if not str(values["title"]).strip():
        raise ServiceError(_("Indiquez un titre."), "title")
    if len(str(values["title"])) > TITLE_MAX:
        raise ServiceError(
            _("Au plus %(max)s caractères pour le titre.") % {"max": TITLE_MAX}, "title"
        )
    _check_year(values["year"])
    if values["closes_on"] <= values["opens_on"]:
        raise ServiceError(_("La clôture doit suivre l'ouverture."), "closes_on")
    days = values["reminder_days"]
    if not isinstance(days, list) or any(
        not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 365 for day in days
    ):
        raise ServiceError(
            _("Les relances sont des nombres de jours avant la clôture (0 à 365)."), "reminder_days"
        )
    values["reminder_days"] = sorted(set(days), reverse=True)
    if not 0 <= values["max_reminders"] <= MAX_REMINDERS:
        raise ServiceError(
            _("De 0 à %(max)s relances par personne.") % {"max": MAX_REMINDERS}, "max_reminders"
        )
    if not 0 <= values["min_days_between_reminders"] <= 365:
        raise ServiceError(
            _("Le délai entre deux relances va de 0 à 365 jours."), "min_days_between_reminders"
        )


def _campaign_new(kind, values, **extra) -> Campaign:
    _check_campaign(values)
    if kind not in CampaignKind.values:
        raise ServiceError(_("Type de campagne inconnu."), "kind")
    return Campaign.objects.create(kind=kind, **values, **extra)


@transaction.atomic
def campaign_create(
    *,
    title,
    year,
    opens_on,
    closes_on,
    kind=CampaignKind.PLATFORM_SURVEY,
    introduction="",
    anonymous=False,
    reminder_days=None,
    max_reminders=3,
    min_days_between_reminders=3,
    actor,
) -> Campaign:
    values = {
        "title": title.strip(),
        "year": year,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "introduction": introduction,
        "anonymous": anonymous,
        "reminder_days": [14, 7, 2] if reminder_days is None else reminder_days,
        "max_reminders": max_reminders,
        "min_days_between_reminders": min_days_between_reminders,
    }
    campaign = _campaign_new(kind, values)
    log_action(campaign, "surveys.campaign_created", actor=actor, message=_("Campagne créée"))
    return campaign


@transaction.atomic
def campaign_update(*, campaign, actor, **values) -> Campaign:
    """Change the dates, texts and reminder settings (``CAMPAIGN_FIELDS``); whether
    the campaign is anonymous only until its first response."""
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ServiceError(_("Champ non modifiable : %(name)s.") % {"name": sorted(unknown)[0]})
    campaign = _locked(campaign)
    if campaign.status == CampaignStatus.PUBLISHED:
        raise ServiceError(_("Les résultats sont publiés : la campagne ne change plus."))
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    after = {**before, **values}
    if "title" in values:
        after["title"] = values["title"].strip()
    _check_campaign(after)
    changes = diff(before, after)
    if not changes:
        return campaign
    if "anonymous" in changes and has_responses(campaign):
        # Answers given under one promise are never shown under the other.
        raise ServiceError(
            _("La campagne a des réponses : son anonymat ne change plus."), "anonymous"
        )
    for name, value in after.items():
        setattr(campaign, name, value)
    campaign.save()
    log_action(
        campaign,
        "surveys.campaign_updated",
        actor=actor,
        message=_("Campagne modifiée"),
        changes=changes,
    )
    return campaign


def _transition(campaign, status, actor, message) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status not in TRANSITIONS[status]:
        raise ServiceError(
            _("Impossible depuis l'état « %(status)s ».")
            % {"status": campaign.get_status_display()}
        )
    if status == CampaignStatus.OPEN and not campaign.questions.exists():
        raise ServiceError(_("Ajoutez au moins une question avant d'ouvrir la campagne."))
    old = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    log_action(
        campaign,
        f"surveys.campaign_{status}",
        actor=actor,
        message=message,
        changes={"status": [old, status]},
    )
    return campaign


@transaction.atomic
def campaign_open(*, campaign, actor) -> Campaign:
    return _transition(campaign, CampaignStatus.OPEN, actor, _("Campagne ouverte"))


@transaction.atomic
def campaign_close(*, campaign, actor) -> Campaign:
    return _transition(campaign, CampaignStatus.CLOSED, actor, _("Campagne close"))


@transaction.atomic
def campaign_publish(*, campaign, actor) -> Campaign:
    return _transition(campaign, CampaignStatus.PUBLISHED, actor, _("Résultats publiés"))


def _check_editable(campaign):
    if campaign.status == CampaignStatus.PUBLISHED:
        raise ServiceError(_("Les résultats sont publiés : le questionnaire ne change plus."))


def _shifted(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def campaign_copy(*, campaign, year, actor) -> Campaign:
    """A new draft campaign for ``year`` with the same sections, questions (codes
    kept, so that years compare), choices and conditions; dates moved by the years."""
    year = _check_year(year)
    source = Campaign.objects.get(pk=campaign.pk)
    years = year - source.year
    title = source.title.replace(str(source.year), str(year))
    if title == source.title:
        title = f"{source.title[: TITLE_MAX - 7]} ({year})"
    title = title[:TITLE_MAX]
    values = snapshot(source, CAMPAIGN_FIELDS)
    values.update(
        title=title,
        year=year,
        opens_on=_shifted(source.opens_on, years),
        closes_on=_shifted(source.closes_on, years),
    )
    copy = _campaign_new(source.kind, values, copied_from=source)
    sections = {}
    for section in source.sections.all():
        sections[section.pk] = Section.objects.create(
            campaign=copy, order=section.order, title=section.title, description=section.description
        )
    questions = list(
        source.questions.select_related("show_if_question").prefetch_related("choices")
    )
    copies = {}
    for question in questions:
        copies[question.pk] = Question.objects.create(
            campaign=copy,
            section=sections[question.section_id],
            **{
                name: getattr(question, name)
                for name in (
                    "order",
                    "code",
                    "label",
                    "help_text",
                    "required",
                    "type",
                    "unit",
                    "min_value",
                    "max_value",
                    "is_ministry_indicator",
                    "rows",
                    "columns",
                )
            },
        )
        Choice.objects.bulk_create(
            Choice(
                question=copies[question.pk],
                order=choice.order,
                code=choice.code,
                label=choice.label,
            )
            for choice in question.choices.all()
        )
    for question in questions:
        if question.show_if_question_id:
            target = copies[question.pk]
            target.show_if_question = copies[question.show_if_question_id]
            target.show_if_choice_code = question.show_if_choice_code
            target.save(update_fields=["show_if_question", "show_if_choice_code"])
    log_action(
        copy,
        "surveys.campaign_copied",
        actor=actor,
        message=_("Campagne copiée de « %(title)s »") % {"title": source.title},
    )
    return copy
