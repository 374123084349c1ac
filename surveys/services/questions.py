"""Every write about a campaign's questionnaire: sections, questions (with their
bounds, table axes and conditions), their order, and choices.

Once the campaign has a response, a question's type, table axes and choices can no
longer change, no question becomes required and nothing is deleted.

A condition always names a question asked before: moving a section or a question,
or a question to another section, is refused when it would put a question before
the one its condition is about.
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
SECTION_FIELDS = ("title", "description")
CODE_MAX = Question._meta.get_field("code").max_length
SECTION_TITLE_MAX = Section._meta.get_field("title").max_length
CHOICE_LABEL_MAX = Choice._meta.get_field("label").max_length
MAX_CHOICES = 100


def _section_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Indiquez un titre."), "title")
    if len(title) > SECTION_TITLE_MAX:
        raise ServiceError(
            _("Au plus %(max)s caractères pour le titre.") % {"max": SECTION_TITLE_MAX}, "title"
        )
    return title


@transaction.atomic
def section_create(*, campaign, title, description="", actor) -> Section:
    campaign = _locked(campaign)
    _check_editable(campaign)
    title = _section_title(title)
    last = campaign.sections.aggregate(last=Max("order"))["last"] or 0
    section = Section.objects.create(
        campaign=campaign, order=last + 1, title=title, description=description
    )
    log_action(
        section,
        "surveys.section_created",
        actor=actor,
        scope=campaign,
        message=_("Section ajoutée : %(title)s") % {"title": section.title},
    )
    return section


@transaction.atomic
def section_update(*, section, actor, **values) -> Section:
    """Change a section's title or description (``SECTION_FIELDS``)."""
    unknown = set(values) - set(SECTION_FIELDS)
    if unknown:
        raise ServiceError(_("Champ non modifiable : %(name)s.") % {"name": sorted(unknown)[0]})
    campaign = _locked(section.campaign)
    _check_editable(campaign)
    section = Section.objects.select_for_update().get(pk=section.pk)
    if "title" in values:
        values["title"] = _section_title(values["title"])
    before = snapshot(section, SECTION_FIELDS)
    changes = diff(before, {**before, **values})
    if not changes:
        return section
    for name, value in values.items():
        setattr(section, name, value)
    section.save()
    log_action(
        section,
        "surveys.section_updated",
        actor=actor,
        scope=campaign,
        message=_("Section modifiée : %(title)s") % {"title": section.title},
        changes=changes,
    )
    return section


def _reorder(rows: list, current, position=None, step=0) -> tuple[int, int]:
    """Put ``current`` at ``position`` (1 = first) among ``rows`` (ordered, locked), or
    ``step`` places further; renumber the rows that moved. Returns (old, new) positions."""
    old = rows.index(current) + 1
    target = old + int(step) if position is None else int(position)
    rows.remove(current)
    target = max(1, min(target, len(rows) + 1))
    rows.insert(target - 1, current)
    for index, row in enumerate(rows, start=1):
        if row.order != index:
            row.order = index
            row.save(update_fields=["order"])
    return old, target


def _check_conditions_in_order(campaign, field=None):
    """Every condition still names a question asked before the one it shows."""
    questions = {
        question.pk: question
        for question in Question.objects.filter(campaign=campaign)
        .select_related("section")
        .order_by()
    }
    for question in questions.values():
        parent = questions.get(question.show_if_question_id)
        if parent is not None and _position(parent) >= _position(question):
            raise ServiceError(
                _(
                    "« %(code)s » dépend de la réponse à « %(parent)s », "
                    "qui doit rester posée avant elle."
                )
                % {"code": question.code, "parent": parent.code},
                field,
            )


@transaction.atomic
def section_move(*, section, position=None, step=0, actor) -> Section:
    """Put the section at ``position`` (1 = first), or ``step`` places further
    (-1: up, 1: down); the others follow."""
    campaign = _locked(section.campaign)
    _check_editable(campaign)
    siblings = list(
        Section.objects.filter(campaign=campaign).select_for_update().order_by("order", "pk")
    )
    current = next(item for item in siblings if item.pk == section.pk)
    old, new = _reorder(siblings, current, position, step)
    if old != new:
        _check_conditions_in_order(campaign)
        log_action(
            current,
            "surveys.section_moved",
            actor=actor,
            scope=campaign,
            message=_("Section déplacée : %(title)s") % {"title": current.title},
            changes={"order": [old, new]},
        )
    return current


@transaction.atomic
def section_delete(*, section, actor) -> None:
    """Remove an empty section (one made by mistake); a section with questions stays."""
    campaign = _locked(section.campaign)
    _check_editable(campaign)
    if Question.objects.filter(section_id=section.pk).exists():
        raise ServiceError(
            _("La section contient des questions : déplacez-les ou supprimez-les d'abord.")
        )
    log_action(
        campaign,
        "surveys.section_deleted",
        actor=actor,
        message=_("Section supprimée : %(title)s") % {"title": section.title},
    )
    Section.objects.filter(pk=section.pk).delete()


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
    if len(code) > CODE_MAX:
        message = _("Au plus %(max)s caractères pour un code.") % {"max": CODE_MAX}
        raise ServiceError(message, "code")
    return code


def _checked_choices(type, choices) -> list[tuple[str, str]]:
    """The choices ``[(code, label), ...]`` a question of ``type`` is given, checked
    (ServiceError on ``choices``): none but for choice questions, at least one for them."""
    choices = list(choices or [])
    if type not in CHOICE_TYPES:
        if choices:
            raise ServiceError(_("Seules les questions à choix ont des choix."), "choices")
        return []
    if not choices:
        raise ServiceError(
            _("Indiquez au moins un choix, une ligne « code | libellé » par choix."), "choices"
        )
    if len(choices) > MAX_CHOICES:
        raise ServiceError(
            _("Au plus %(max)s choix par question.") % {"max": MAX_CHOICES}, "choices"
        )
    checked = {}
    for raw_code, raw_label in choices:
        shown = str(raw_code or "").strip()[:CODE_MAX]
        try:
            code = _code(raw_code)
        except ServiceError as error:
            reason = str(error.message)
            raise ServiceError(
                _("Choix « %(code)s » : %(error)s")
                % {"code": shown, "error": reason[:1].lower() + reason[1:]},
                "choices",
            ) from None
        if code in checked:
            raise ServiceError(
                _("Deux choix ont le code « %(code)s ».") % {"code": code}, "choices"
            )
        label = str(raw_label or "").strip()
        if not label:
            raise ServiceError(
                _("Choix « %(code)s » : indiquez son libellé.") % {"code": code}, "choices"
            )
        if len(label) > CHOICE_LABEL_MAX:
            raise ServiceError(
                _("Choix « %(code)s » : au plus %(max)s caractères.")
                % {"code": code, "max": CHOICE_LABEL_MAX},
                "choices",
            )
        checked[code] = label
    return list(checked.items())


def _choice_lines(pairs) -> list[str]:
    return [f"{code} | {label}" for code, label in pairs]


def _set_choices(question, wanted, *, locked) -> list | None:
    """Give the question the checked choices ``wanted`` in that order (kept, relabelled,
    added, removed). Returns the change ``[old lines, new lines]``, None for no change."""
    current = list(question.choices.order_by("order", "pk"))
    old = _choice_lines((choice.code, choice.label) for choice in current)
    new = _choice_lines(wanted)
    if old == new:
        return None
    if locked:
        raise ServiceError(_("La campagne a des réponses : les choix ne changent plus."), "choices")
    removed = {choice.code for choice in current} - {code for code, _label in wanted}
    dependent = question.dependent_questions.filter(show_if_choice_code__in=removed).first()
    if dependent is not None:
        raise ServiceError(
            _("« %(code)s » dépend du choix « %(choice)s » : changez d'abord sa condition.")
            % {"code": dependent.code, "choice": dependent.show_if_choice_code},
            "choices",
        )
    Choice.objects.filter(question=question, code__in=removed).delete()
    by_code = {choice.code: choice for choice in current}
    for order, (code, label) in enumerate(wanted, start=1):
        choice = by_code.get(code)
        if choice is None:
            Choice.objects.create(question=question, order=order, code=code, label=label)
        elif (choice.order, choice.label) != (order, label):
            choice.order, choice.label = order, label
            choice.save(update_fields=["order", "label"])
    return [old, new]


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
    choices=None,
    actor,
) -> Question:
    """A new question at the end of its section; ``choices`` ([(code, label), ...]),
    when given, are its choices (at least one for a choice question)."""
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
    wanted = None if choices is None else _checked_choices(question.type, choices)
    question.save()
    if wanted:
        _set_choices(question, wanted, locked=False)
    log_action(
        question,
        "surveys.question_created",
        actor=actor,
        scope=campaign,
        message=_("Question ajoutée : %(code)s") % {"code": code},
    )
    return question


@transaction.atomic
def question_update(*, question, actor, section=None, choices=None, **values) -> Question:
    """Change a question (``QUESTION_FIELDS``), move it to the end of another
    ``section``, give it ``choices`` ([(code, label), ...], all of them, in order).
    Once the campaign has a response its type, table axes and choices are fixed, and
    it cannot become required."""
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
    moved = section is not None and section.pk != question.section_id
    if moved:
        if section.campaign_id != campaign.pk:
            raise ServiceError(_("Cette section n'est pas dans la campagne."), "section")
        changes["section"] = [question.section.title, section.title]
    new_type = values.get("type", question.type)
    wanted = None if choices is None else _checked_choices(new_type, choices)
    responded = bool(changes or wanted is not None) and has_responses(campaign)
    if responded:
        locked = [name for name in QUESTION_LOCKED_FIELDS if name in changes]
        if locked:
            message = (
                _("La campagne a des réponses : le type de la question ne change plus.")
                if locked[0] == "type"
                else _("La campagne a des réponses : les lignes et colonnes ne changent plus.")
            )
            raise ServiceError(message, locked[0])
        if changes.get("required") == [False, True]:
            raise ServiceError(
                _("La campagne a des réponses : la question ne peut devenir obligatoire."),
                "required",
            )
    if wanted is not None:
        choice_change = _set_choices(question, wanted, locked=responded)
        if choice_change:
            changes["choices"] = choice_change
    if not changes:
        return question
    changed_type = question.type != new_type
    if changed_type and new_type not in CHOICE_TYPES and question.choices.exists():
        raise ServiceError(_("Retirez d'abord les choix de la question."), "type")
    for name, value in values.items():
        setattr(question, name, value)
    if moved:
        last = section.questions.aggregate(last=Max("order"))["last"] or 0
        question.section, question.order = section, last + 1
    _check_question(question)
    question.save()
    if moved:
        _check_conditions_in_order(campaign, "section")
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
def question_move(*, question, position=None, step=0, actor) -> Question:
    """Put the question at ``position`` (1 = first) in its section, or ``step``
    places further (-1: up, 1: down); the others follow."""
    campaign = _locked(question.campaign)
    _check_editable(campaign)
    siblings = list(
        Question.objects.filter(section_id=question.section_id)
        .select_for_update()
        .order_by("order", "pk")
    )
    current = next(item for item in siblings if item.pk == question.pk)
    old, position = _reorder(siblings, current, position, step)
    if old != position:
        _check_conditions_in_order(campaign, "position")
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
