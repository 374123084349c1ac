"""What the demo campaigns and the benchmark share: responses written in bulk.

The questionnaires are built through the services; past responses are written
directly (``bulk_create``, ``Answer.set_value``), with the dates they would have had,
because the services accept answers only while a campaign is open.
"""

import datetime
import io
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils import timezone

from ..enums import ResponseStatus
from ..models import Answer, Response

BATCH = 2000


@dataclass
class Row:
    """One response to write: its owner (a platform or a respondent), its state, when
    it was last saved (and submitted), who submitted it, and its answers {code: value}."""

    values: dict
    platform_id: int | None = None
    respondent_id: int | None = None
    status: str = ResponseStatus.SUBMITTED
    saved_at: datetime.datetime | None = None
    submitted_by_id: int | None = None
    version: int = 1
    extra: dict = field(default_factory=dict)


def demo_at(day: datetime.date, hour=10, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def write_responses(campaign, rows, questions: dict, *, dated=True, copy=False) -> list[Response]:
    """Create the responses of ``rows`` and their answers (``questions``: {code:
    question} of the campaign), in batches; if ``dated``, the responses' and answers'
    dates are those of the rows (``saved_at``), not today's. ``copy``: the answers go
    through PostgreSQL's COPY (the benchmark's millions of rows; see ``copy_answers``)."""
    responses = Response.objects.bulk_create(
        [
            Response(
                campaign_id=campaign.pk,
                platform_id=row.platform_id,
                respondent_id=row.respondent_id,
                status=row.status,
                version=row.version,
                submitted_at=row.saved_at if row.status == ResponseStatus.SUBMITTED else None,
                submitted_by_id=row.submitted_by_id,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    if copy and connection.vendor == "postgresql":
        copy_answers(responses, rows, questions)
    else:
        answers = []
        for response, row in zip(responses, rows, strict=True):
            for code, value in row.values.items():
                question = questions[code]
                answer = Answer(response_id=response.pk, question_id=question.pk)
                answer.set_value(question.type, value)
                answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=BATCH)
    if dated:
        backdate(responses, rows)
    return responses


def backdate(responses, rows):
    """Give responses and answers the dates of their rows (started three days before
    their last save), in a few queries whatever their number."""
    dated = [
        (response.pk, row.saved_at)
        for response, row in zip(responses, rows, strict=True)
        if row.saved_at is not None
    ]
    for start in range(0, len(dated), 500):
        batch = dated[start : start + 500]
        saved = Case(*(When(pk=pk, then=Value(at)) for pk, at in batch))
        started = Case(
            *(When(pk=pk, then=Value(at - datetime.timedelta(days=3))) for pk, at in batch)
        )
        Response.objects.filter(pk__in=[pk for pk, _at in batch]).update(
            created_at=started, updated_at=saved
        )
    last_saved = Response.objects.filter(pk=OuterRef("response_id")).values("updated_at")[:1]
    Answer.objects.filter(response__in=[pk for pk, _at in dated]).update(
        updated_at=Subquery(last_saved)
    )


COPY_FIELDS = (
    "response",
    "question",
    "value_number",
    "value_text",
    "value_date",
    "value_json",
    "updated_at",
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def copy_answers(responses, rows, questions: dict) -> int:
    """The answers of ``rows`` in one PostgreSQL COPY: Django's ``bulk_create`` spends
    some 40 µs of Python per row, too slow for the benchmark's three million answers.
    Each value is stored by ``Answer.set_value`` (one scratch answer), so the columns
    hold exactly what the services write."""
    scratch, now, buffer = Answer(), timezone.now(), io.StringIO()
    count = 0
    for response, row in zip(responses, rows, strict=True):
        for code, value in row.values.items():
            question = questions[code]
            scratch.set_value(question.type, value)
            stored = scratch.value_json
            fields = (
                response.pk,
                question.pk,
                scratch.value_number,
                scratch.value_text,
                scratch.value_date,
                None if stored is None else json.dumps(stored, ensure_ascii=False),
                now,
            )
            buffer.write("\t".join(_copy_field(field) for field in fields) + "\n")
            count += 1
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Answer._meta.get_field(name).column) for name in COPY_FIELDS)
    sql = f"COPY {quote(Answer._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, buffer)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(buffer.getvalue())
    return count
