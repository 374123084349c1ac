"""Forms of the calls pages: a call with its deadlines, a new funder inline, a refusal,
a platform's interest. They parse; the rules are checked again by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from innovalo.forms import PortalModelForm
from innovalo.french import French
from members.forms.platforms import NoControlCharactersMixin
from members.models import Region

from ..enums import Applicant, FunderKind
from ..models import Call, Funder, Theme
from ..services.calls import CALL_FIELDS, deadline_at

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CallForm(NoControlCharactersMixin, PortalModelForm):
    """A call, as the bureau edits it or a member proposes it. With ``new_funder``, a
    funder missing from the list can be typed in (the bureau)."""

    applicants = forms.MultipleChoiceField(
        label=_("Qui peut candidater"),
        choices=Applicant.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount_min = forms.DecimalField(
        label=_("Montant minimum (€)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    amount_max = forms.DecimalField(
        label=_("Montant maximum (€)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    rate_min = forms.DecimalField(
        label=_("Taux d'aide minimum (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    rate_max = forms.DecimalField(
        label=_("Taux d'aide maximum (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    url = forms.URLField(
        label=_("Page de l'appel"), required=False, max_length=500, assume_scheme="https"
    )
    application_url = forms.URLField(
        label=_("Site de dépôt"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "funders",
            "themes",
            "kind",
            "scope",
            "regions",
            "description",
            "eligibility",
            "applicants",
            "amount_min",
            "amount_max",
            "rate_min",
            "rate_max",
            "url",
            "application_url",
            "contact",
            "opens_on",
            "open_all_year",
        ]
        widgets = {
            "funders": forms.SelectMultiple(attrs={"size": 8}),
            "themes": forms.CheckboxSelectMultiple,
            "regions": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "opens_on": DATE_INPUT,
        }
        help_texts = {
            "funders": _("Ctrl ou Cmd + clic pour en choisir plusieurs."),
        }

    def __init__(self, *args, new_funder=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funders"].queryset = Funder.objects.order_by(French("name"), "pk")
        self.fields["themes"].queryset = Theme.objects.order_by(French("name"), "pk")
        self.fields["regions"].queryset = Region.objects.current().order_by(French("name"), "pk")
        if new_funder:
            self.fields["new_funder_name"] = forms.CharField(
                label=_("Nouveau financeur : nom"),
                required=False,
                max_length=200,
                help_text=_("S'il manque à la liste : il sera créé et ajouté à l'appel."),
            )
            self.fields["new_funder_kind"] = forms.ChoiceField(
                label=_("Nouveau financeur : nature"),
                choices=[("", "---------"), *FunderKind.choices],
                required=False,
            )
            self.fields["new_funder_website"] = forms.URLField(
                label=_("Nouveau financeur : site web"), required=False, assume_scheme="https"
            )
            self.order_fields(
                ["title", "funders", "new_funder_name", "new_funder_kind", "new_funder_website"]
            )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("Le montant minimum dépasse le maximum."))
        low, high = cleaned.get("rate_min"), cleaned.get("rate_max")
        if low is not None and high is not None and low > high:
            self.add_error("rate_max", _("Le taux minimum dépasse le maximum."))
        if cleaned.get("new_funder_name") and not cleaned.get("new_funder_kind"):
            self.add_error("new_funder_kind", _("Choisissez la nature du nouveau financeur."))
        return cleaned

    GROUPS = [
        (
            _("L'appel"),
            [
                "title",
                "kind",
                "funders",
                "new_funder_name",
                "new_funder_kind",
                "new_funder_website",
                "themes",
                "description",
            ],
        ),
        (_("Qui et où"), ["scope", "regions", "applicants", "eligibility"]),
        (_("Financement"), ["amount_min", "amount_max", "rate_min", "rate_max"]),
        (
            _("Liens, contact et ouverture"),
            ["url", "application_url", "contact", "opens_on", "open_all_year"],
        ),
    ]

    def groups(self) -> list:
        """The fields by section, as the page shows them: (legend, bound fields)."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]

    def _post_clean(self):
        """The services check the model's rules (with messages next to the fields)."""

    def call_fields(self) -> dict:
        """What the service receives: the call's fields and its m2m lists."""
        names = [*CALL_FIELDS, "funders", "themes", "regions"]
        data = {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}
        for name in ("description", "eligibility", "contact", "url", "application_url"):
            data[name] = data.get(name) or ""
        return data

    def new_funder(self) -> dict | None:
        name = (self.cleaned_data.get("new_funder_name") or "").strip()
        if not name:
            return None
        return {
            "name": name,
            "kind": self.cleaned_data.get("new_funder_kind"),
            "website": self.cleaned_data.get("new_funder_website") or "",
        }


class DeadlineForm(NoControlCharactersMixin, forms.Form):
    """A dated stage: pre-proposal, full proposal, cut-off 1... ``id``: a saved one."""

    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    label = forms.CharField(
        label=_("Étape"),
        max_length=120,
        required=False,
    )
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    time = forms.TimeField(
        label=_("Heure"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def row(self) -> dict:
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "label": data.get("label") or "",
            "due_at": deadline_at(data["day"], data.get("time")) if data.get("day") else None,
            "delete": bool(data.get("DELETE")),
        }


class BaseDeadlineFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The filled rows and the saved ones (kept, changed or deleted)."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data or {}
            if data.get("id") or (form.has_changed() and not data.get("DELETE")):
                rows.append(form.row())
        return rows


DeadlineFormSet = forms.formset_factory(
    DeadlineForm,
    formset=BaseDeadlineFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


def deadline_initial(call) -> list[dict]:
    """The formset's rows for a saved call's deadlines."""
    from django.utils import timezone

    rows = []
    for deadline in call.deadlines.all():
        local = timezone.localtime(deadline.due_at)
        rows.append(
            {"id": deadline.pk, "label": deadline.label, "day": local.date(), "time": local.time()}
        )
    return rows


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("La proposition est retirée ; le motif reste dans l'historique."),
    )


class InterestForm(NoControlCharactersMixin, forms.Form):
    """ "Ma plateforme est intéressée": one of my platforms, a short note."""

    platform = forms.TypedChoiceField(label=_("Plateforme"), coerce=int)
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Le volet qui vous intéresse, un contact, un partenaire pressenti…"),
    )

    def __init__(self, *args, platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.platforms = {platform.pk: platform for platform in platforms}
        field = self.fields["platform"]
        field.choices = [(platform.pk, platform.name) for platform in platforms]
        if len(self.platforms) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.platforms))

    def clean(self):
        cleaned = super().clean()
        if self.fields["platform"].widget.is_hidden and "platform" in self._errors:
            self.add_error(None, _("Choisissez une de vos plateformes."))
        return cleaned

    def chosen_platform(self):
        return self.platforms[self.cleaned_data["platform"]]
