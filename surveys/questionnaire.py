"""A campaign's questionnaire as respondents see it: its sections of questions turned
into form fields (one template for the platform's response page, the token link and
the bureau's preview), and a POST read back into ``{code: raw}`` for the services.

Field names: ``q-<code>`` for a question, ``q-<code>-<row>-<column>`` for a number
table's cell. Every rendered question also sends ``shown=<code>``, so that an
unticked box or an emptied choice is read as "no answer" rather than "not on the
page".
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .enums import NUMBER_TYPES, QuestionType, ResponseStatus
from .models import Answer, Campaign, Choice, Question, Response, Section

INPUT_MODES = {
    QuestionType.INTEGER: "numeric",
    QuestionType.DECIMAL: "decimal",
    QuestionType.MONEY: "decimal",
    QuestionType.PERCENTAGE: "decimal",
}
SCALE = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")]


def _plain_number(value) -> str:
    """A number as typed in a field: 1234,5 (no thousands separator, no 1234,5000)."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return str(value).replace(".", ",")


def raw_text(question, value) -> str | list | dict:
    """A stored value as the field shows it (what the respondent would type)."""
    kind = question.type
    if value is None:
        return [] if kind == QuestionType.MULTIPLE_CHOICE else ""
    if kind == QuestionType.YES_NO:
        return "oui" if value else "non"
    if kind in NUMBER_TYPES:
        return _plain_number(value)
    if kind == QuestionType.DATE:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if kind == QuestionType.NUMBER_TABLE:
        return {
            row: {column: _plain_number(number) for column, number in cells.items()}
            for row, cells in value.items()
        }
    return value


def display_text(question, value, *, brief=False) -> str:
    """A value as read by a person: 1 234,5 €, Oui, the choices' labels; a number
    table cell by cell (``brief``: its total only)."""
    kind = question.type
    if value is None or value in ("", [], {}):
        return ""
    if kind == QuestionType.YES_NO:
        return _("Oui") if value else _("Non")
    if kind in NUMBER_TYPES:
        shown = number_format(Decimal(value).normalize(), force_grouping=True)
        if kind == QuestionType.MONEY:
            return f"{shown} €"
        if kind == QuestionType.PERCENTAGE:
            return f"{shown} %"
        return f"{shown} {question.unit}".strip()
    if kind == QuestionType.DATE:
        return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else str(value)
    labels = {choice.code: choice.label for choice in question.choices.all()}
    if kind == QuestionType.SINGLE_CHOICE:
        return labels.get(value, value)
    if kind == QuestionType.MULTIPLE_CHOICE:
        return ", ".join(labels.get(code, code) for code in value)
    if kind == QuestionType.NUMBER_TABLE:
        total = sum((n for cells in value.values() for n in cells.values()), Decimal(0))
        total = number_format(total.normalize(), force_grouping=True)
        if brief:
            return _("total %(total)s") % {"total": total}
        columns = {column["code"]: column["label"] for column in question.columns}
        lines = [
            f"{row['label']} — {label} : "
            + number_format(cells[code].normalize(), force_grouping=True)
            for row in question.rows
            if (cells := value.get(row["code"]) or {})
            for code, label in columns.items()
            if code in cells
        ]
        return "\n".join([*lines, _("Total : %(total)s") % {"total": total}])
    return str(value)


@dataclass
class Cell:
    name: str
    label: str
    value: str


@dataclass
class TableRow:
    label: str
    cells: list


@dataclass
class Field:
    """One question on the page, with what the field shows."""

    question: Question
    name: str
    value: object  # str, list of codes (multiple choice) or {row: {column: str}}
    error: str = ""
    previous: str = ""  # last year's answer, as read by a person
    visible: bool = True
    options: list = field(default_factory=list)  # [(code, label, checked)]
    rows: list = field(default_factory=list)  # number tables: [TableRow]
    condition: str = ""  # "shown when « X » is « Y »", for readers without script

    @property
    def id(self):
        return f"id_{self.name}"

    @property
    def widget(self) -> str:
        kind = self.question.type
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.SCALE, QuestionType.YES_NO):
            return "radio"
        if kind == QuestionType.MULTIPLE_CHOICE:
            return "checkbox"
        if kind == QuestionType.LONG_TEXT:
            return "textarea"
        if kind == QuestionType.NUMBER_TABLE:
            return "table"
        if kind == QuestionType.DATE:
            return "date"
        return "text"

    @property
    def inputmode(self) -> str:
        return INPUT_MODES.get(self.question.type, "")

    @property
    def suffix(self) -> str:
        kind = self.question.type
        if kind == QuestionType.MONEY:
            return "€"
        if kind == QuestionType.PERCENTAGE:
            return "%"
        return self.question.unit

    @property
    def condition_name(self) -> str:
        parent = self.question.show_if_question
        return f"q-{parent.code}" if parent else ""


@dataclass
class SectionView:
    section: Section
    fields: list

    @property
    def anchor(self):
        return f"section-{self.section.pk}"


class Questionnaire:
    """A campaign's sections and questions, loaded once (three queries)."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        questions = Prefetch(
            "questions",
            queryset=Question.objects.select_related("show_if_question")
            .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
            .order_by("order", "pk"),
        )
        self.section_list = list(
            Section.objects.filter(campaign=campaign)
            .order_by("order", "pk")
            .prefetch_related(questions)
        )
        self.questions = [q for s in self.section_list for q in s.questions.all()]
        self.by_id = {question.pk: question for question in self.questions}
        self.by_code = {question.code: question for question in self.questions}
        for question in self.questions:  # the parent from the same load: no query later
            if question.show_if_question_id in self.by_id:
                question.show_if_question = self.by_id[question.show_if_question_id]

    def parse(self, data) -> dict:
        """{code: raw} for the questions the POST showed (``shown``), as typed."""
        shown = set(data.getlist("shown"))
        answers = {}
        for question in self.questions:
            if question.code not in shown:
                continue
            name = f"q-{question.code}"
            kind = question.type
            if kind == QuestionType.MULTIPLE_CHOICE:
                answers[question.code] = [v for v in data.getlist(name) if v]
            elif kind == QuestionType.NUMBER_TABLE:
                answers[question.code] = {
                    row["code"]: {
                        column["code"]: data.get(f"{name}-{row['code']}-{column['code']}", "")
                        for column in question.columns
                    }
                    for row in question.rows
                }
            else:
                answers[question.code] = data.get(name, "")
        return answers

    def sections(self, *, values=None, raw=None, errors=None, previous=None) -> list:
        """The sections with their fields. ``values``: stored answers {code: value};
        ``raw``: what was just typed {code: raw} (wins over values); ``errors``:
        {code: message}; ``previous``: last year's values {code: value}."""
        values, raw, errors, previous = values or {}, raw or {}, errors or {}, previous or {}
        shown_values = dict(values)
        for code, typed in raw.items():
            shown_values[code] = typed
        views = []
        for section in self.section_list:
            fields = [
                self._field(q, values, raw, errors, previous, shown_values)
                for q in section.questions.all()
            ]
            views.append(SectionView(section, fields))
        return views

    def _field(self, question, values, raw, errors, previous, shown_values) -> Field:
        code = question.code
        value = raw[code] if code in raw else raw_text(question, values.get(code))
        result = Field(
            question=question,
            name=f"q-{code}",
            value=value,
            error=errors.get(code, ""),
            previous=display_text(question, previous.get(code), brief=True),
            visible=question.is_visible(shown_values, self.by_id),
        )
        kind = question.type
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            chosen = value if isinstance(value, list) else [value]
            result.options = [(c.code, c.label, c.code in chosen) for c in question.choices.all()]
        elif kind == QuestionType.SCALE:
            result.options = [(code_, label, code_ == str(value)) for code_, label in SCALE]
        elif kind == QuestionType.YES_NO:
            text = str(value).strip().lower()
            result.options = [
                ("oui", _("Oui"), text in ("oui", "true", "1")),
                ("non", _("Non"), text in ("non", "false", "0")),
            ]
        elif kind == QuestionType.NUMBER_TABLE:
            table = value if isinstance(value, dict) else {}
            result.rows = [
                TableRow(
                    row["label"],
                    [
                        Cell(
                            f"q-{code}-{row['code']}-{column['code']}",
                            f"{row['label']}, {column['label']}",
                            str((table.get(row["code"]) or {}).get(column["code"], "")),
                        )
                        for column in question.columns
                    ],
                )
                for row in question.rows
            ]
        parent = question.show_if_question
        if parent is not None:
            labels = {c.code: c.label for c in parent.choices.all()}
            answer = labels.get(question.show_if_choice_code, question.show_if_choice_code)
            result.condition = _("Question posée si « %(question)s » est « %(answer)s ».") % {
                "question": parent.label,
                "answer": answer,
            }
        return result

    def columns(self):
        """The table headers of the number tables, by question code."""
        return {q.code: q.columns for q in self.questions if q.type == QuestionType.NUMBER_TABLE}


def load_questionnaire(campaign: Campaign) -> Questionnaire:
    return Questionnaire(campaign)


def stored_values(response: Response | None, questionnaire: Questionnaire) -> dict:
    """{code: typed value} of a response's answers (one query; {} without a response)."""
    if response is None or response.pk is None:
        return {}
    values = {}
    for answer in Answer.objects.filter(response=response).order_by():
        question = questionnaire.by_id.get(answer.question_id)
        if question is not None:
            values[question.code] = answer.get_value(question.type)
    return values


def previous_values(campaign: Campaign, platform, questionnaire: Questionnaire) -> dict:
    """Last year's answers of the platform ({code: value}) for this year's questions of
    the same code and type: the campaign this one was copied from (two queries)."""
    if platform is None or not campaign.copied_from_id:
        return {}
    answers = Answer.objects.filter(
        response__campaign_id=campaign.copied_from_id,
        response__platform=platform,
        response__status=ResponseStatus.SUBMITTED,
        question__code__in=list(questionnaire.by_code),
    ).select_related("question")
    values = {}
    for answer in answers.order_by():
        question = questionnaire.by_code.get(answer.question.code)
        if question is not None and question.type == answer.question.type:
            values[question.code] = answer.get_value(question.type)
    return values
