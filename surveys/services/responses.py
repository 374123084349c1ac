"""Every write about a response: start it, save a draft (optimistic concurrency:
a save naming an older version is refused and nothing is saved), submit it (again
until the closing date for a platform), reopen it (bureau), take over last year's
answers.

The history of a response is the audit log: each save writes one entry with the
answers that changed ({code: [old, new]}), except in an anonymous campaign, where
only the codes are kept, so that answers are never shown next to an identity.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError

from ..enums import CampaignKind, CampaignStatus, RespondentStatus, ResponseStatus
from ..models import Answer, Campaign, Response
from .answers import answer_value

CONFLICT = gettext_lazy(
    "Quelqu'un d'autre a modifié cette réponse pendant que vous la remplissiez : "
    "rechargez la page pour voir ses changements (votre saisie n'a pas été enregistrée)."
)


def _locked(response) -> Response:
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("campaign", "respondent")
        .get(pk=response.pk)
    )


def _questions(campaign) -> list:
    return list(
        campaign.questions.select_related("show_if_question", "section").prefetch_related("choices")
    )


def _values(response, questions) -> tuple[dict, dict]:
    """The answers by question id and the typed values by code."""
    by_id = {question.pk: question for question in questions}
    answers = {answer.question_id: answer for answer in response.answers.all()}
    values = {
        by_id[qid].code: answer.get_value(by_id[qid].type)
        for qid, answer in answers.items()
        if qid in by_id
    }
    return answers, values


def _check_open(response):
    campaign = response.campaign
    if campaign.status != CampaignStatus.OPEN or timezone.localdate() > campaign.closes_on:
        raise ServiceError(_("La campagne n'accepte plus de réponses."))
    if response.respondent_id and response.status == ResponseStatus.SUBMITTED:
        raise ServiceError(_("Votre réponse a déjà été reçue."))


def _check_version(response, expected_version):
    if expected_version is not None and int(expected_version) != response.version:
        raise ServiceError(CONFLICT)


def _bump(locked, original, **fields):
    locked.version += 1
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    for name in ("version", "status", "submitted_at", "submitted_by_id", "updated_at"):
        setattr(original, name, getattr(locked, name))


def _started(status):
    """A first save turns a response not started into a draft; others keep their status."""
    return ResponseStatus.DRAFT if status == ResponseStatus.NOT_STARTED else status


def _log_changes(response, changes: dict) -> dict:
    if response.campaign.anonymous:
        return {code: ["", ""] for code in changes}
    return changes


def _respondent_status(response, status):
    respondent = response.respondent
    if respondent is not None and respondent.status not in (
        RespondentStatus.OPTED_OUT,
        RespondentStatus.BOUNCED,
    ):
        respondent.status = status
        respondent.save(update_fields=["status"])


def response_start(*, campaign, platform=None, respondent=None, actor=None) -> Response:
    """The response of a platform or of a respondent to a campaign, created when first
    needed (a POST, never a page view). Inserting it takes a key-share lock on the
    campaign row, so it waits for (and is seen by) a question change in progress."""
    if (platform is None) == (respondent is None):
        raise ServiceError(_("Une réponse est celle d'une plateforme ou d'un répondant."))
    if (campaign.kind == CampaignKind.EXTERNAL) != (respondent is not None):
        raise ServiceError(_("Cette campagne ne reçoit pas ce genre de réponse."))
    if respondent is not None and respondent.campaign_id != campaign.pk:
        raise ServiceError(_("Ce répondant n'est pas invité à cette campagne."))
    if campaign.status != CampaignStatus.OPEN:
        raise ServiceError(_("La campagne n'accepte pas de réponses."))
    owner = {"platform": platform} if platform is not None else {"respondent": respondent}
    try:
        with transaction.atomic():
            return Response.objects.get_or_create(campaign=campaign, **owner)[0]
    except IntegrityError:  # created meanwhile by a concurrent request
        return Response.objects.get(campaign=campaign, **owner)


@transaction.atomic
def response_save_draft(*, response, answers: dict, expected_version, actor) -> dict:
    """Save every valid answer of ``answers`` ({code: raw}); return {code: message}
    for the others. Refused (nothing saved) when ``expected_version`` is not current."""
    locked = _locked(response)
    _check_version(locked, expected_version)
    _check_open(locked)
    questions = _questions(locked.campaign)
    by_code = {question.code: question for question in questions}
    by_id = {question.pk: question for question in questions}
    stored, values = _values(locked, questions)
    errors, parsed = {}, {}
    for code, raw in answers.items():
        question = by_code.get(code)
        if question is None:
            errors[code] = _("Question inconnue.")
            continue
        try:
            parsed[code] = answer_value(question, raw)
        except ServiceError as error:
            errors[code] = str(error)
    merged = {**values, **parsed}
    if locked.status == ResponseStatus.SUBMITTED:
        # A submitted response stays complete: a required answer cannot be emptied.
        for code, value in list(parsed.items()):
            question = by_code[code]
            if value is None and question.required and question.is_visible(merged, by_id):
                errors[code] = _("Cette réponse est obligatoire.")
                del parsed[code]
    changes, to_create, to_update, to_delete = {}, [], [], []
    for code, value in parsed.items():
        question = by_code[code]
        old = values.get(code)
        if value == old or (value is None and code not in values):
            continue
        changes[code] = [old, value]
        answer = stored.get(question.pk)
        if value is None:
            to_delete.append(answer.pk)
            continue
        if answer is None:
            answer = Answer(response=locked, question=question)
            to_create.append(answer)
        else:
            to_update.append(answer)
        answer.set_value(question.type, value)
    if not changes:
        return errors
    Answer.objects.filter(pk__in=to_delete).delete()
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(
        to_update, ["value_number", "value_text", "value_date", "value_json", "updated_at"]
    )
    _bump(locked, response, status=_started(locked.status))
    _respondent_status(locked, RespondentStatus.STARTED)
    log_action(
        locked,
        "surveys.response_saved",
        actor=actor,
        message=_("Réponses enregistrées"),
        changes=_log_changes(locked, changes),
    )
    return errors


def _review(response) -> tuple[dict, dict]:
    """The errors ({code: message}) and the stored answers of questions their
    conditions hide ({code: (answer, value)})."""
    questions = _questions(response.campaign)
    stored, values = _values(response, questions)
    by_id = {question.pk: question for question in questions}
    errors, hidden = {}, {}
    for question in questions:
        value = values.get(question.code)
        if not question.is_visible(values, by_id):
            if question.pk in stored:
                hidden[question.code] = (stored[question.pk], value)
            continue
        if value is None or value in ("", [], {}):
            if question.required:
                errors[question.code] = _("Cette réponse est obligatoire.")
            continue
        try:
            answer_value(question, value)
        except ServiceError as error:
            errors[question.code] = str(error)
    return errors, hidden


def response_check(response) -> dict:
    """{code: message} for each required answer missing (among the questions shown by
    their conditions) and each answer out of its question's current rules."""
    return _review(response)[0]


@transaction.atomic
def response_submit(*, response, actor, expected_version=None) -> Response:
    """Check the required answers (among those the conditions show) and the bounds,
    drop the answers of hidden questions, and mark the response submitted; a platform
    may submit again until the closing date, an external respondent once."""
    locked = _locked(response)
    _check_version(locked, expected_version)
    _check_open(locked)
    errors, hidden = _review(locked)
    if errors:
        code, message = next(iter(errors.items()))
        raise ServiceError(
            _("%(count)s réponse(s) à compléter ou corriger. %(message)s")
            % {"count": len(errors), "message": message},
            code,
        )
    # What the conditions hide is not part of the response: removed, so that results
    # count only what respondents were asked.
    Answer.objects.filter(pk__in=[answer.pk for answer, _value in hidden.values()]).delete()
    changes = {code: [value, None] for code, (_answer, value) in hidden.items()}
    again = locked.status == ResponseStatus.SUBMITTED or locked.submitted_at is not None
    _bump(
        locked,
        response,
        status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _respondent_status(locked, RespondentStatus.COMPLETED)
    log_action(
        locked,
        "surveys.response_submitted",
        actor=actor,
        message=_("Réponse envoyée à nouveau") if again else _("Réponse envoyée"),
        changes=_log_changes(locked, changes),
    )
    return locked


@transaction.atomic
def response_reopen(*, response, actor) -> Response:
    """The bureau gives a submitted response back to its authors, as a draft."""
    locked = _locked(response)
    if locked.status != ResponseStatus.SUBMITTED:
        raise ServiceError(_("Seule une réponse envoyée peut être rouverte."))
    if locked.campaign.status == CampaignStatus.PUBLISHED:
        raise ServiceError(_("Les résultats sont publiés : la réponse ne change plus."))
    _bump(locked, response, status=ResponseStatus.DRAFT)
    _respondent_status(locked, RespondentStatus.STARTED)
    log_action(
        locked,
        "surveys.response_reopened",
        actor=actor,
        message=_("Réponse rouverte"),
        changes={"status": [ResponseStatus.SUBMITTED, ResponseStatus.DRAFT]},
    )
    return locked


def last_year_response(response):
    """The same platform's response to the campaign this one was copied from, or None."""
    campaign = response.campaign
    if not response.platform_id or not campaign.copied_from_id:
        return None
    return Response.objects.filter(
        campaign_id=campaign.copied_from_id, platform_id=response.platform_id
    ).first()


@transaction.atomic
def response_take_over_last_year(*, response, actor) -> int:
    """Copy last year's answers (same codes, still valid) into the questions not yet
    answered; returns how many were copied."""
    locked = _locked(response)
    _check_open(locked)
    previous = last_year_response(locked)
    if previous is None:
        raise ServiceError(_("Aucune réponse de l'an dernier à reprendre."))
    questions = _questions(locked.campaign)
    _stored, values = _values(locked, questions)
    old_questions = _questions(Campaign.objects.get(pk=previous.campaign_id))
    _stored, old_values = _values(previous, old_questions)
    old_types = {question.code: question.type for question in old_questions}
    copied = []
    for question in questions:
        code = question.code
        if code in values or code not in old_values or old_types[code] != question.type:
            continue
        try:
            value = answer_value(question, old_values[code])
        except ServiceError:
            continue  # last year's answer breaks this year's rules: left to the user
        if value is None:
            continue
        answer = Answer(response=locked, question=question)
        answer.set_value(question.type, value)
        copied.append(answer)
    if not copied:
        return 0
    Answer.objects.bulk_create(copied)
    _bump(locked, response, status=_started(locked.status))
    log_action(
        locked,
        "surveys.response_taken_over",
        actor=actor,
        message=_("%(count)s réponse(s) reprise(s) de l'an dernier") % {"count": len(copied)},
    )
    return len(copied)
