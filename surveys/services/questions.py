"""Every write about a campaign's questionnaire: sections, questions (with their
bounds, table axes and conditions), their order, and choices.

Once the campaign has a response, a question's type, table axes and choices can no
longer change, no question becomes required and nothing is deleted.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from innovalo.audit import diff, log_action, snapshot
from innovalo.exceptions import ServiceError

from ..enums import BOUNDED_TYPES, CHOICE_TYPES, QuestionType
from ..models import Choice, Question, Section
from .answers import is_empty, parse_number
from .campaigns import _check_editable, _locked, has_responses

QUESTION_TEXT_FIELDS = ("label", "help_text", "unit", "is_ministry_indicator")
QUESTION_LOCKED_FIELDS = ("type", "rows", "columns")
QUESTION_FIELDS = (
    *QUESTION_TEXT_FIELDS,
    *QUESTION_LOCKED_FIELDS,
    "required",
    "min_value",
    "max_value",
    "show_if_question",
    "show_if_choice_code",
)


@transaction.atomic
def section_create(*, campaign, title, description="", actor) -> Section:
    campaign = _locked(campaign)
    _check_editable(campaign)
    if not title.strip():
        raise ServiceError(_("Indiquez un titre."), "title")
    last = campaign.sections.aggregate(last=Max("order"))["last"] or 0
    section = Section.objects.create(
        campaign=campaign, order=last + 1, title=title.strip(), description=description
    )
    log_action(
        section,
        "surveys.section_created",
        actor=actor,
        scope=campaign,
        message=_("Section ajoutée : %(title)s") % {"title": section.title},
    )
    return section


def _same_bound(name, old, new) -> bool:
    """10 and Decimal("10.0000") are the same bound."""
    if name not in ("min_value", "max_value") or old is None or new is None:
        return False
    return Decimal(old) == new


def _bound(raw, field):
    """A minimum or maximum: None when empty, else a number (ServiceError on ``field``)."""
    return None if is_empty(raw) else parse_number(raw, field)


def _code(raw) -> str:
    """A stable code: ASCII letters, digits, dashes and underscores."""
    code = (raw or "").strip()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise ServiceError(_("Le code est fait de lettres, de chiffres, de tirets."), "code")
    return code


def _check_table_axis(values, field):
    codes = [item.get("code") if isinstance(item, dict) else None for item in values]
    if not values or any(not code or not str(code).strip() for code in codes):
        raise ServiceError(
            _("Un tableau a des lignes et des colonnes, chacune avec un code."), field
        )
    if len(set(codes)) != len(codes):
        raise ServiceError(_("Deux lignes ou colonnes ont le même code."), field)


def _position(question):
    return (question.section.order, question.section_id, question.order, question.pk or 0)


def _check_question(question):
    if question.type not in QuestionType.values:
        raise ServiceError(_("Type de question inconnu."), "type")
    if not question.label.strip():
        raise ServiceError(_("Indiquez l'intitulé de la question."), "label")
    if question.type not in BOUNDED_TYPES and (
        question.min_value is not None or question.max_value is not None
    ):
        raise ServiceError(_("Seules les questions chiffrées ont des bornes."), "min_value")
    if (
        question.min_value is not None
        and question.max_value is not None
        and question.min_value > question.max_value
    ):
        raise ServiceError(_("Le minimum ne peut dépasser le maximum."), "max_value")
    if question.type == QuestionType.NUMBER_TABLE:
        _check_table_axis(question.rows, "rows")
        _check_table_axis(question.columns, "columns")
    elif question.rows or question.columns:
        raise ServiceError(
            _("Seuls les tableaux de nombres ont des lignes et des colonnes."), "rows"
        )
    parent = question.show_if_question
    if parent is None:
        if question.show_if_choice_code:
            raise ServiceError(_("Choisissez la question de la condition."), "show_if_question")
        return
    if parent.campaign_id != question.campaign_id or parent.type not in CHOICE_TYPES:
        raise ServiceError(
            _("Une condition porte sur une question à choix de la campagne."), "show_if_question"
        )
    if parent.pk == question.pk or _position(parent) >= _position(question):
        raise ServiceError(
            _("Une condition porte sur une question posée avant."), "show_if_question"
        )
    if not parent.choices.filter(code=question.show_if_choice_code).exists():
        raise ServiceError(
            _("Ce choix n'existe pas pour la question de la condition."), "show_if_choice_code"
        )


@transaction.atomic
def question_create(
    *,
    section,
    code,
    label,
    type,
    help_text="",
    required=False,
    unit="",
    min_value=None,
    max_value=None,
    is_ministry_indicator=False,
    show_if_question=None,
    show_if_choice_code="",
    rows=None,
    columns=None,
    actor,
) -> Question:
    campaign = _locked(section.campaign)
    _check_editable(campaign)
    code = _code(code)
    if campaign.questions.filter(code=code).exists():
        raise ServiceError(_("Ce code est déjà utilisé dans la campagne."), "code")
    if required and has_responses(campaign):
        raise ServiceError(
            _("La campagne a des réponses : une nouvelle question ne peut être que facultative."),
            "required",
        )
    last = section.questions.aggregate(last=Max("order"))["last"] or 0
    question = Question(
        campaign=campaign,
        section=section,
        order=last + 1,
        code=code,
        label=label.strip(),
        type=type,
        help_text=help_text,
        required=required,
        unit=unit,
        min_value=_bound(min_value, "min_value"),
        max_value=_bound(max_value, "max_value"),
        is_ministry_indicator=is_ministry_indicator,
        show_if_question=show_if_question,
        show_if_choice_code=show_if_choice_code,
        rows=rows or [],
        columns=columns or [],
    )
    _check_question(question)
    question.save()
    log_action(
        question,
        "surveys.question_created",
        actor=actor,
        scope=campaign,
        message=_("Question ajoutée : %(code)s") % {"code": code},
    )
    return question


@transaction.atomic
def question_update(*, question, actor, **values) -> Question:
    """Change a question (``QUESTION_FIELDS``). Once the campaign has a response its
    type, table axes and choices are fixed, and it cannot become required."""
    unknown = set(values) - set(QUESTION_FIELDS)
    if unknown:
        raise ServiceError(_("Champ non modifiable : %(name)s.") % {"name": sorted(unknown)[0]})
    campaign = _locked(question.campaign)
    _check_editable(campaign)
    question = Question.objects.select_for_update().select_related("section").get(pk=question.pk)
    for name in ("min_value", "max_value"):
        if name in values:
            values[name] = _bound(values[name], name)
    before = snapshot(question, QUESTION_FIELDS)
    changes = {
        name: change
        for name, change in diff(before, {**before, **values}).items()
        if not _same_bound(name, before[name], values[name])
    }
    if not changes:
        return question
    if has_responses(campaign):
        locked = [name for name in QUESTION_LOCKED_FIELDS if name in changes]
        if locked:
            raise ServiceError(
                _("La campagne a des réponses : le type de la question ne change plus."), locked[0]
            )
        if changes.get("required") == [False, True]:
            raise ServiceError(
                _("La campagne a des réponses : la question ne peut devenir obligatoire."),
                "required",
            )
    if question.type != values.get("type", question.type) and question.choices.exists():
        raise ServiceError(_("Retirez d'abord les choix de la question."), "type")
    for name, value in values.items():
        setattr(question, name, value)
    _check_question(question)
    question.save()
    log_action(
        question,
        "surveys.question_updated",
        actor=actor,
        scope=campaign,
        message=_("Question modifiée : %(code)s") % {"code": question.code},
        changes=changes,
    )
    return question


@transaction.atomic
def question_move(*, question, position: int, actor) -> Question:
    """Put the question at ``position`` (1 = first) in its section; the others follow."""
    campaign = _locked(question.campaign)
    _check_editable(campaign)
    siblings = list(
        Question.objects.filter(section_id=question.section_id)
        .select_for_update()
        .order_by("order", "pk")
    )
    current = next(item for item in siblings if item.pk == question.pk)
    old = siblings.index(current) + 1
    siblings.remove(current)
    position = max(1, min(int(position), len(siblings) + 1))
    siblings.insert(position - 1, current)
    for index, item in enumerate(siblings, start=1):
        if item.order != index:
            item.order = index
            item.save(update_fields=["order"])
    if old != position:
        log_action(
            current,
            "surveys.question_moved",
            actor=actor,
            scope=campaign,
            message=_("Question déplacée : %(code)s") % {"code": current.code},
            changes={"order": [old, position]},
        )
    return current


@transaction.atomic
def question_delete(*, question, actor) -> None:
    campaign = _locked(question.campaign)
    _check_editable(campaign)
    if has_responses(campaign):
        raise ServiceError(_("La campagne a des réponses : aucune question n'est supprimée."))
    if question.dependent_questions.exists():
        raise ServiceError(
            _("D'autres questions dépendent de celle-ci : changez d'abord leur condition.")
        )
    log_action(
        campaign,
        "surveys.question_deleted",
        actor=actor,
        message=_("Question supprimée : %(code)s") % {"code": question.code},
    )
    question.delete()


@transaction.atomic
def choice_create(*, question, code, label, actor) -> Choice:
    campaign = _locked(question.campaign)
    _check_editable(campaign)
    if question.type not in CHOICE_TYPES:
        raise ServiceError(_("Seules les questions à choix ont des choix."), "code")
    if has_responses(campaign):
        raise ServiceError(_("La campagne a des réponses : les choix ne changent plus."), "code")
    code = _code(code)
    if question.choices.filter(code=code).exists():
        raise ServiceError(_("Ce code de choix existe déjà pour la question."), "code")
    if not label.strip():
        raise ServiceError(_("Indiquez le libellé du choix."), "label")
    last = question.choices.aggregate(last=Max("order"))["last"] or 0
    choice = Choice.objects.create(
        question=question, order=last + 1, code=code, label=label.strip()
    )
    log_action(
        choice,
        "surveys.choice_created",
        actor=actor,
        scope=campaign,
        message=_("Choix ajouté à %(code)s : %(label)s")
        % {"code": question.code, "label": choice.label},
    )
    return choice
