"""Forms of the respondents page: the list's filters (GET), the import (a file) and
the invitation controls (POST). They only parse; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors.respondents import STAGES


class RespondentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), required=False)
    q = forms.CharField(label=_("Courriel ou organisation"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Tous"))] + [
            (key, label) for key, (label, _condition) in STAGES.items()
        ]

    def filters(self) -> dict:
        """{"status": a stage or "", "q": words}; a bad value is ignored (and shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"status": data.get("status") or "", "q": (data.get("q") or "").strip()}


class RespondentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Une ligne par répondant. Colonnes : email (obligatoire), organisation, siret, "
            "department (code comme 02 ou 2A), language (fr ou en). CSV en UTF-8, séparé par "
            "des points-virgules ou des virgules ; 5 Mo au plus."
        ),
    )


class InvitationForm(forms.Form):
    ACTIONS = {
        "start": _("Envoyer les invitations"),
        "stop": _("Arrêter l'envoi"),
        "resume": _("Reprendre l'envoi"),
        "retry": _("Renvoyer les échecs et envois interrompus"),
    }
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
