"""Forms of the bureau's editor: a campaign, its copy, a section, a question.

They only parse what was typed (reminder days "14, 7, 2", choices and table axes as
lines "code | label", a condition picked among the choices of the campaign's choice
questions); the rules are the services'. ``service_values()`` gives the keyword
arguments of the service, ``add_service_error()`` puts a service's error next to the
field it is about.
"""

import re

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from innovalo.forms import add_service_error

from ..enums import CHOICE_TYPES, CampaignKind, QuestionType
from ..models import Campaign, Choice, Question, Section

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_LINES = 200


def _max_length(model, name):
    return model._meta.get_field(name).max_length


class ReminderDaysField(forms.CharField):
    """Days before the closing date, typed "14, 7, 2" (commas, semicolons or spaces);
    a list of integers, empty for no reminder."""

    default_error_messages = {
        "invalid": _(
            "Écrivez des nombres de jours séparés par des virgules, par exemple « 14, 7, 2 »."
        ),
    }

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        parts = [part for part in re.split(r"[\s,;]+", text) if part]
        if len(parts) > 50 or any(not part.isdigit() or len(part) > 4 for part in parts):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(part) for part in parts]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(day) for day in value)
        return value


class LinesField(forms.CharField):
    """Lines "code | label", one per choice or per row or column of a table:
    a list of (code, label). The codes themselves are checked by the services."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value):
        if isinstance(value, list):
            return value
        lines = [line.strip() for line in super().to_python(value).splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(
                _("Au plus %(max)s lignes.") % {"max": MAX_LINES}, code="too_many"
            )
        pairs = []
        for number, line in enumerate(lines, start=1):
            code, bar, label = line.partition("|")
            if not bar or not code.strip() or not label.strip():
                raise forms.ValidationError(
                    _("Ligne %(number)s : écrivez « code | libellé », par exemple « oui | Oui ».")
                    % {"number": number},
                    code="invalid",
                )
            pairs.append((code.strip(), label.strip()))
        return pairs

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(f"{code} | {label}" for code, label in value)
        return value


def _axis(pairs) -> list:
    return [{"code": code, "label": label} for code, label in pairs]


def _axis_pairs(axis) -> list:
    return [(item.get("code", ""), item.get("label", "")) for item in axis or []]


def _bound_text(value) -> str:
    """A stored bound as typed: 10, 2,5 (never 10.0000)."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(value.quantize(1))
    return str(value.normalize()).replace(".", ",")


class EditorForm(forms.Form):
    """Service errors next to their field (``FIELD_NAMES`` maps a service's field
    names to the form's)."""

    FIELD_NAMES = {}

    def add_service_error(self, error):
        error.field = self.FIELD_NAMES.get(error.field, error.field)
        add_service_error(self, error)


class CampaignForm(EditorForm):
    title = forms.CharField(label=_("Titre"), max_length=_max_length(Campaign, "title"))
    year = forms.IntegerField(label=_("Année"))
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=CampaignKind.choices,
        initial=CampaignKind.PLATFORM_SURVEY,
        help_text=_(
            "Enquête des plateformes : une réponse par plateforme labellisée. "
            "Questionnaire externe : une réponse par lien personnel, sans compte."
        ),
    )
    opens_on = forms.DateField(label=_("Ouverture"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    closes_on = forms.DateField(label=_("Clôture"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Affichée en tête du questionnaire."),
    )
    anonymous = forms.BooleanField(
        label=_("Campagne anonyme"),
        required=False,
        help_text=_("Les réponses ne sont jamais montrées à côté d'une identité, même au bureau."),
    )
    reminder_days = ReminderDaysField(
        label=_("Relances (jours avant la clôture)"),
        required=False,
        initial=[14, 7, 2],
        help_text=_("Par exemple « 14, 7, 2 » ; laissez vide pour ne pas relancer."),
    )
    max_reminders = forms.IntegerField(
        label=_("Nombre maximal de relances par personne"), initial=3
    )
    min_days_between_reminders = forms.IntegerField(
        label=_("Délai minimal entre deux relances (jours)"), initial=3
    )

    def __init__(self, *args, campaign=None, responded=False, **kwargs):
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {name: getattr(campaign, name) for name in self.base_fields if name != "kind"},
            )
        super().__init__(*args, **kwargs)
        if campaign is not None:
            del self.fields["kind"]  # a campaign keeps its kind
        if responded:
            anonymous = self.fields["anonymous"]
            anonymous.disabled = True
            anonymous.help_text = _(
                "La campagne a des réponses : son anonymat ne change plus (les réponses "
                "ont été données sous cette promesse)."
            )

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        if self.fields["anonymous"].disabled:
            data.pop("anonymous")
        return data


class CopyForm(EditorForm):
    year = forms.IntegerField(
        label=_("Année de la copie"),
        help_text=_(
            "Sections, questions, codes, choix et conditions sont repris ; dates décalées."
        ),
    )


class SectionForm(EditorForm):
    title = forms.CharField(label=_("Titre"), max_length=_max_length(Section, "title"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


def _condition_choices(questions) -> list:
    """The select's options: "always asked", then each choice question's choices."""
    groups = [("", _("Toujours posée"))]
    for question in questions:
        options = [
            (f"{question.pk}:{choice.code}", f"{choice.label} ({choice.code})")
            for choice in question.choices.all()
        ]
        if options:
            groups.append((f"{question.code} — {question.label}"[:120], options))
    return groups


def condition_questions(campaign, exclude=None) -> list:
    """The campaign's choice questions with their choices (two queries), in order."""
    questions = (
        Question.objects.filter(campaign=campaign, type__in=CHOICE_TYPES)
        .select_related("section")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
        .order_by("section__order", "section_id", "order", "pk")
    )
    if exclude is not None:
        questions = questions.exclude(pk=exclude.pk)
    return list(questions)


class QuestionForm(EditorForm):
    section = forms.ChoiceField(label=_("Section"))
    code = forms.CharField(
        label=_("Code"),
        max_length=_max_length(Question, "code"),
        help_text=_(
            "Lettres, chiffres et tirets, unique dans la campagne. Il reste le même d'une "
            "année à l'autre : c'est lui qui permet de comparer les années."
        ),
    )
    label = forms.CharField(
        label=_("Intitulé"),
        max_length=_max_length(Question, "label"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_text = forms.CharField(
        label=_("Aide"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    type = forms.ChoiceField(label=_("Type de réponse"), choices=QuestionType.choices)
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False)
    unit = forms.CharField(
        label=_("Unité"),
        max_length=_max_length(Question, "unit"),
        required=False,
        help_text=_("Pour un nombre décimal, par exemple « heures » ou « m² »."),
    )
    min_value = forms.CharField(
        label=_("Minimum"),
        max_length=40,
        required=False,
        help_text=_("Pour les nombres et les tableaux de nombres."),
    )
    max_value = forms.CharField(label=_("Maximum"), max_length=40, required=False)
    is_ministry_indicator = forms.BooleanField(
        label=_("Indicateur pour le ministère"),
        required=False,
        help_text=_("La question figure dans les chiffres clés du rapport national."),
    )
    condition = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        help_text=_("Posée seulement quand une question à choix posée avant a cette réponse."),
    )
    choices = LinesField(
        label=_("Choix"),
        required=False,
        help_text=_("Questions à choix : une ligne « code | libellé » par choix."),
    )
    rows = LinesField(
        label=_("Lignes du tableau"),
        required=False,
        help_text=_("Tableaux de nombres : une ligne « code | libellé » par ligne du tableau."),
    )
    columns = LinesField(
        label=_("Colonnes du tableau"),
        required=False,
        help_text=_("Tableaux de nombres : une ligne « code | libellé » par colonne."),
    )

    FIELD_NAMES = {"show_if_question": "condition", "show_if_choice_code": "condition"}
    LOCKED = ("type", "choices", "rows", "columns")

    def __init__(self, *args, sections, conditions, question=None, locked=False, **kw):
        if question is not None:
            kw.setdefault("initial", self._initial(question))
        super().__init__(*args, **kw)
        self.question = question
        self.locked = locked
        self.fields["section"].choices = [(section.pk, section.title) for section in sections]
        self._sections = {str(section.pk): section for section in sections}
        self.conditions = {str(q.pk): q for q in conditions}
        self.fields["condition"].choices = _condition_choices(conditions)
        if question is not None:
            code = self.fields["code"]
            code.disabled = True
            code.help_text = _("Le code ne change pas : il relie les années entre elles.")
        if locked:
            for name in self.LOCKED:
                self.fields[name].disabled = True
            self.fields["type"].help_text = _(
                "La campagne a des réponses : le type, les choix, les lignes et les colonnes "
                "ne changent plus (les réponses reçues restent lisibles)."
            )

    @staticmethod
    def _initial(question) -> dict:
        condition = ""
        if question.show_if_question_id:
            condition = f"{question.show_if_question_id}:{question.show_if_choice_code}"
        return {
            "section": question.section_id,
            "code": question.code,
            "label": question.label,
            "help_text": question.help_text,
            "type": question.type,
            "required": question.required,
            "unit": question.unit,
            "min_value": _bound_text(question.min_value),
            "max_value": _bound_text(question.max_value),
            "is_ministry_indicator": question.is_ministry_indicator,
            "condition": condition,
            "choices": [(choice.code, choice.label) for choice in question.choices.all()],
            "rows": _axis_pairs(question.rows),
            "columns": _axis_pairs(question.columns),
        }

    def clean_section(self):
        return self._sections[self.cleaned_data["section"]]

    def clean_condition(self):
        value = self.cleaned_data["condition"]
        if not value:
            return None, ""
        pk, _colon, code = value.partition(":")
        return self.conditions[pk], code

    def service_values(self) -> dict:
        """The keyword arguments of question_create / question_update (a locked
        question's type, choices and axes, and an edited question's code, left out)."""
        data = dict(self.cleaned_data)
        data["show_if_question"], data["show_if_choice_code"] = data.pop("condition")
        data["rows"] = _axis(data["rows"])
        data["columns"] = _axis(data["columns"])
        for name in (*self.LOCKED, "code"):
            if self.fields[name].disabled:
                data.pop(name)
        return data
