"""The rows of the bureau's export of a campaign's responses: one row per started
response (draft or submitted), identity columns unless the campaign is anonymous, the
state, then one column per question code (a number table: one per cell,
``code_row_column``; a multiple choice: its codes).

Responses are read ``EXPORT_CHUNK`` at a time (keyset on the primary key, so each
chunk is one indexed query however far the export has gone) with the answers of that
chunk only: memory stays the same whatever the number of responses.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..enums import NUMBER_TYPES, CampaignKind, QuestionType, ResponseStatus
from ..models import Answer, Response

EXPORT_CHUNK = 1000
EXPORTED = (ResponseStatus.DRAFT, ResponseStatus.SUBMITTED)
IDENTITY = {
    CampaignKind.PLATFORM_SURVEY: [
        ("id", gettext_lazy("réponse")),
        ("platform__name", gettext_lazy("plateforme")),
        ("platform__slug", gettext_lazy("identifiant de la plateforme")),
        ("platform__department__region__name", gettext_lazy("région")),
        ("submitted_at", gettext_lazy("envoyée le")),
        ("submitted_by__email", gettext_lazy("envoyée par")),
    ],
    CampaignKind.EXTERNAL: [
        ("id", gettext_lazy("réponse")),
        ("respondent__organisation", gettext_lazy("organisation")),
        ("respondent__email", gettext_lazy("courriel")),
        ("respondent__siret", gettext_lazy("SIRET")),
        ("respondent__department__code", gettext_lazy("département")),
        ("submitted_at", gettext_lazy("envoyée le")),
    ],
}


def _identity(campaign) -> list:
    """The identity columns of the export: none in an anonymous campaign."""
    return [] if campaign.anonymous else IDENTITY[campaign.kind]


def export_header(campaign, questions) -> list:
    """Identity columns (unless anonymous), the state, then one column per question
    code (a number table: one per cell, ``code_row_column``)."""
    header = [str(label) for _path, label in _identity(campaign)] + [_("état")]
    for question in questions:
        if question.type == QuestionType.NUMBER_TABLE:
            header += [
                f"{question.code}_{row['code']}_{column['code']}"
                for row in question.rows
                for column in question.columns
            ]
        else:
            header.append(question.code)
    return header


def _local(value):
    """Dates and times of the export in local time, to the second."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(microsecond=0)
    return value


def _plain(number):
    if number is None:
        return None
    number = number if isinstance(number, Decimal) else Decimal(str(number))
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def _converter(question):
    """A function (number, text, date, data) -> [cells] for the question's columns,
    chosen once per export (this runs for every answer of every response)."""
    kind = question.type
    if kind == QuestionType.NUMBER_TABLE:
        cells = [
            (row["code"], column["code"]) for row in question.rows for column in question.columns
        ]

        def table(number, text, date, data):
            data = data if isinstance(data, dict) else {}
            return [_plain((data.get(row) or {}).get(column)) for row, column in cells]

        return table, [None] * len(cells)
    if kind == QuestionType.YES_NO:
        yes, no = _("oui"), _("non")
        return (
            lambda number, text, date, data: [None if number is None else (yes if number else no)]
        ), [None]
    if kind in NUMBER_TYPES:
        return (lambda number, text, date, data: [_plain(number)]), [None]
    if kind == QuestionType.DATE:
        return (lambda number, text, date, data: [date]), [None]
    if kind == QuestionType.MULTIPLE_CHOICE:
        return (lambda number, text, date, data: [list(data or [])]), [None]
    return (lambda number, text, date, data: [text]), [None]


def export_rows(campaign, questions, *, chunk_size=EXPORT_CHUNK):
    """The export's rows, one per started response (draft or submitted), read in chunks
    of ``chunk_size`` responses (keyset on the primary key) with their answers read one
    chunk at a time: memory stays the same whatever the number of responses."""
    identity = _identity(campaign)
    paths = [path for path, _label in identity]
    states = {key: str(label) for key, label in ResponseStatus.choices}
    responses = (
        Response.objects.filter(campaign=campaign, status__in=EXPORTED)
        .order_by("pk")
        .values_list("pk", "status", *paths)
    )
    ids = [question.pk for question in questions]
    converters = [(question.pk, *_converter(question)) for question in questions]
    last = 0
    while True:
        chunk = list(responses.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1][0]
        stored = defaultdict(dict)
        answers = (
            Answer.objects.filter(response_id__in=[row[0] for row in chunk], question_id__in=ids)
            .order_by()
            .values_list(
                "response_id",
                "question_id",
                "value_number",
                "value_text",
                "value_date",
                "value_json",
            )
        )
        for response_id, question_id, *value in answers:
            stored[response_id][question_id] = value
        for response_id, status, *who in chunk:
            row = [_local(value) for value in who] + [states.get(status, status)]
            answers_of = stored[response_id]
            for question_id, convert, empty in converters:
                value = answers_of.get(question_id)
                row += empty if value is None else convert(*value)
            yield row
