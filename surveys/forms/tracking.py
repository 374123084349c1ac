"""Forms of the tracking page: its filters (GET) and the reminders by hand (POST).
They only parse; the limits of reminders are the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import ResponseStatus
from ..selectors.tracking import PENDING

MAX_ID_DIGITS = 18


class TrackingFilterForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Région"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("État de la réponse"),
        required=False,
        choices=[
            ("", _("Pas encore envoyée")),
            (ResponseStatus.NOT_STARTED, ResponseStatus.NOT_STARTED.label),
            (ResponseStatus.DRAFT, ResponseStatus.DRAFT.label),
            (ResponseStatus.SUBMITTED, ResponseStatus.SUBMITTED.label),
        ],
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Toutes"))] + [
            (str(pk), name) for pk, name in regions
        ]

    def filters(self) -> dict:
        """{"region": id or None, "status": a status or "pending"}; a bad value is
        ignored (the form shows its error)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"region": data.get("region"), "status": data.get("status") or PENDING}


class IdListField(forms.Field):
    """Ticked rows: database ids, each a number of at most 18 digits."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Cochez au moins une ligne à relancer."),
        "invalid": _("La sélection n'est pas valide : rechargez la page."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        ids = set()
        for item in value:
            text = str(item).strip()
            if not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.add(int(text))
        return sorted(ids)


class RemindForm(forms.Form):
    targets = IdListField(label=_("Lignes à relancer"))
